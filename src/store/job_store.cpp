#include "store/job_store.h"

#include <algorithm>
#include <array>
#include <string>
#include <utility>

#include <fmt/format.h>

#include "store/soci_includes.h"
#include "store/transaction.h"

namespace costwise::store {
namespace {

constexpr std::array<std::pair<JobKind, std::string_view>, 6> kKindNames = {{
    {JobKind::kIngest, "ingest"},
    {JobKind::kDetect, "detect"},
    {JobKind::kForecast, "forecast"},
    {JobKind::kRightsize, "rightsize"},
    {JobKind::kSync, "sync"},
    {JobKind::kApply, "apply"},
}};
constexpr std::array<std::pair<JobStatus, std::string_view>, 5> kStatusNames = {{
    {JobStatus::kQueued, "queued"},
    {JobStatus::kRunning, "running"},
    {JobStatus::kSucceeded, "succeeded"},
    {JobStatus::kFailed, "failed"},
    {JobStatus::kCancelled, "cancelled"},
}};

constexpr std::string_view kJobColumns =
    "j.id, j.tenant_id, t.name, j.kind, j.status, j.payload, j.progress, j.progress_message, "
    "j.attempts, j.max_attempts, j.run_after, j.lease_owner, j.lease_expires_at, j.created_at, "
    "j.started_at, j.finished_at, j.result, j.error, j.cancel_requested "
    "FROM jobs j JOIN tenants t ON t.id = j.tenant_id";

// A jobs row in its stored types.
struct JobColumns {
  long long id = 0;
  long long tenant_id = 0;
  std::string tenant_name;
  std::string kind;
  std::string status;
  std::string payload;
  double progress = 0;
  std::string progress_message;
  long long attempts = 0;
  long long max_attempts = 0;
  long long run_after = 0;
  std::string lease_owner;
  long long lease_expires_at = 0;
  long long created_at = 0;
  long long started_at = 0;
  soci::indicator started_indicator = soci::i_null;
  long long finished_at = 0;
  soci::indicator finished_indicator = soci::i_null;
  std::string result;
  std::string error;
  long long cancel_requested = 0;

  void Bind(soci::statement& statement) {
    statement.exchange(soci::into(id));
    statement.exchange(soci::into(tenant_id));
    statement.exchange(soci::into(tenant_name));
    statement.exchange(soci::into(kind));
    statement.exchange(soci::into(status));
    statement.exchange(soci::into(payload));
    statement.exchange(soci::into(progress));
    statement.exchange(soci::into(progress_message));
    statement.exchange(soci::into(attempts));
    statement.exchange(soci::into(max_attempts));
    statement.exchange(soci::into(run_after));
    statement.exchange(soci::into(lease_owner));
    statement.exchange(soci::into(lease_expires_at));
    statement.exchange(soci::into(created_at));
    statement.exchange(soci::into(started_at, started_indicator));
    statement.exchange(soci::into(finished_at, finished_indicator));
    statement.exchange(soci::into(result));
    statement.exchange(soci::into(error));
    statement.exchange(soci::into(cancel_requested));
  }

  [[nodiscard]] JobRecord Record() const {
    JobRecord record;
    record.id = id;
    record.tenant_id = tenant_id;
    record.tenant_name = tenant_name;
    // The CHECK constraints keep kind and status to known names.
    record.kind = ParseJobKind(kind).value_or(JobKind::kSync);
    record.status = ParseJobStatus(status).value_or(JobStatus::kFailed);
    record.payload = payload;
    record.progress = progress;
    record.progress_message = progress_message;
    record.attempts = static_cast<int>(attempts);
    record.max_attempts = static_cast<int>(max_attempts);
    record.run_after = run_after;
    record.lease_owner = lease_owner;
    record.lease_expires_at = lease_expires_at;
    record.created_at = created_at;
    if (started_indicator == soci::i_ok) record.started_at = started_at;
    if (finished_indicator == soci::i_ok) record.finished_at = finished_at;
    record.result = result;
    record.error = error;
    record.cancel_requested = cancel_requested != 0;
    return record;
  }
};

// The jobs matching `where` (with its parameters bound by `bind`), in `order`.
template <typename BindParameters>
std::vector<JobRecord> QueryJobs(soci::session& session, std::string_view where,
                                 std::string_view order, BindParameters bind) {
  JobColumns columns;
  soci::statement statement(session);
  bind(statement);
  columns.Bind(statement);
  statement.alloc();
  statement.prepare(fmt::format("SELECT {} WHERE {} {}", kJobColumns, where, order));
  statement.define_and_bind();
  statement.execute(false);
  std::vector<JobRecord> jobs;
  while (statement.fetch()) jobs.push_back(columns.Record());
  return jobs;
}

std::optional<JobRecord> JobById(soci::session& session, long long job_id) {
  std::vector<JobRecord> jobs = QueryJobs(
      session, "j.id = :id", "", [&](soci::statement& s) { s.exchange(soci::use(job_id, "id")); });
  if (jobs.empty()) return std::nullopt;
  return std::move(jobs.front());
}

Error NotHeld(std::int64_t job_id, std::string_view owner) {
  return Error{ErrorCode::kConflict,
               fmt::format("job {} is not running under worker {} any more (its lease expired "
                           "and another worker claimed it, or it was finished)",
                           job_id, owner)};
}

// The job after an update of a row this worker holds; Conflict when the update matched nothing.
Result<JobRecord> HeldJobAfterUpdate(soci::session& session, soci::statement& update,
                                     std::int64_t job_id, std::string_view owner) {
  if (update.get_affected_rows() == 0) return unexpected(NotHeld(job_id, owner));
  std::optional<JobRecord> job = JobById(session, job_id);
  if (!job) return unexpected(NotHeld(job_id, owner));
  return std::move(*job);
}

std::int64_t BackoffSeconds(const RetryBackoff& retry, int failures) {
  std::int64_t delay = std::max<std::int64_t>(retry.base_seconds, 0);
  for (int i = 1; i < failures && delay < retry.max_seconds; ++i) delay *= 2;
  return std::min(delay, retry.max_seconds);
}

bool QueuedJobId(soci::session& session, long long tenant_id, const std::string& kind,
                 long long& id) {
  session << "SELECT id FROM jobs WHERE tenant_id = :tenant AND kind = :kind AND "
             "status = 'queued' ORDER BY id LIMIT 1",
      soci::use(tenant_id, "tenant"), soci::use(kind, "kind"), soci::into(id);
  return session.got_data();
}

long long InsertJobRow(soci::session& session, const NewJob& job) {
  const long long tenant_id = job.tenant_id;
  const std::string kind(JobKindName(job.kind));
  const long long max_attempts = std::max(job.max_attempts, 1);
  const long long run_after = job.run_after;
  const long long created_at = job.created_at;
  long long id = 0;
  session << "INSERT INTO jobs (tenant_id, kind, status, payload, max_attempts, run_after, "
             "created_at) VALUES (:tenant, :kind, 'queued', :payload, :max, :run_after, :now) "
             "RETURNING id",
      soci::use(tenant_id, "tenant"), soci::use(kind, "kind"), soci::use(job.payload, "payload"),
      soci::use(max_attempts, "max"), soci::use(run_after, "run_after"),
      soci::use(created_at, "now"), soci::into(id);
  return id;
}

}  // namespace

std::string_view JobKindName(JobKind kind) {
  for (const auto& [value, name] : kKindNames) {
    if (value == kind) return name;
  }
  return "sync";
}

std::optional<JobKind> ParseJobKind(std::string_view name) {
  for (const auto& [value, text] : kKindNames) {
    if (text == name) return value;
  }
  return std::nullopt;
}

std::string_view JobStatusName(JobStatus status) {
  for (const auto& [value, name] : kStatusNames) {
    if (value == status) return name;
  }
  return "failed";
}

std::optional<JobStatus> ParseJobStatus(std::string_view name) {
  for (const auto& [value, text] : kStatusNames) {
    if (text == name) return value;
  }
  return std::nullopt;
}

Result<JobRecord> InsertJob(soci::session& session, Backend backend, const NewJob& job) {
  Transaction transaction(session, backend);
  LockForTransaction(session, backend, LockKind::kTenantJobs, job.tenant_id);
  long long tenant_exists = 0;
  const long long tenant_id = job.tenant_id;
  session << "SELECT id FROM tenants WHERE id = :tenant", soci::use(tenant_id, "tenant"),
      soci::into(tenant_exists);
  if (!session.got_data()) {
    return MakeError(ErrorCode::kNotFound, fmt::format("no tenant with id {}", job.tenant_id));
  }
  long long id = 0;
  const std::string kind(JobKindName(job.kind));
  if (!job.unless_queued || !QueuedJobId(session, tenant_id, kind, id)) {
    id = InsertJobRow(session, job);
  }
  std::optional<JobRecord> inserted = JobById(session, id);
  transaction.Commit();
  if (!inserted) return MakeError(ErrorCode::kInternal, fmt::format("job {} vanished", id));
  return std::move(*inserted);
}

std::optional<JobRecord> ClaimNextJob(soci::session& session, Backend backend,
                                      std::string_view owner, std::int64_t now,
                                      std::int64_t lease_seconds) {
  const std::string owner_text(owner);
  const long long at = now;
  const long long expires = now + lease_seconds;
  Transaction transaction(session, backend);
  // A job whose worker stopped (its lease expired) on its last attempt, or after its cancellation
  // was requested, ends here instead of being claimed again.
  session << "UPDATE jobs SET status = 'cancelled', finished_at = :now, lease_owner = '' "
             "WHERE status = 'running' AND lease_expires_at < :now AND cancel_requested = 1",
      soci::use(at, "now");
  session << "UPDATE jobs SET status = 'failed', finished_at = :now, lease_owner = '', "
             "error = 'the worker running the last attempt stopped without finishing (its "
             "lease expired)' "
             "WHERE status = 'running' AND lease_expires_at < :now AND attempts >= max_attempts",
      soci::use(at, "now");
  const std::string lock = backend == Backend::kPostgresql ? " FOR UPDATE SKIP LOCKED" : "";
  long long id = 0;
  session << fmt::format(
      "UPDATE jobs SET attempts = attempts + 1, lease_owner = :owner, "
      "lease_expires_at = :expires, started_at = :now, progress = 0, "
      "progress_message = '', error = CASE WHEN status = 'running' THEN "
      "'the worker running the previous attempt stopped without finishing (its "
      "lease expired)' ELSE error END, status = 'running' "
      "WHERE id = (SELECT id FROM jobs WHERE (status = 'queued' AND run_after <= "
      ":now) OR (status = 'running' AND lease_expires_at < :now) "
      "ORDER BY run_after, id LIMIT 1{}) RETURNING id",
      lock),
      soci::use(owner_text, "owner"), soci::use(expires, "expires"), soci::use(at, "now"),
      soci::into(id);
  const bool claimed = session.got_data();
  std::optional<JobRecord> job;
  if (claimed) job = JobById(session, id);
  transaction.Commit();
  return job;
}

Result<JobHeartbeat> UpdateJobProgress(soci::session& session, std::int64_t job_id,
                                       std::string_view owner, double progress,
                                       std::string_view message, std::int64_t lease_expires_at) {
  const long long id = job_id;
  const std::string owner_text(owner);
  const std::string message_text(message);
  const double fraction = std::clamp(progress, 0.0, 1.0);
  const long long expires = lease_expires_at;
  soci::statement update =
      (session.prepare << "UPDATE jobs SET progress = :progress, progress_message = :message, "
                          "lease_expires_at = :expires WHERE id = :id AND status = 'running' "
                          "AND lease_owner = :owner",
       soci::use(fraction, "progress"), soci::use(message_text, "message"),
       soci::use(expires, "expires"), soci::use(id, "id"), soci::use(owner_text, "owner"));
  update.execute(true);
  if (update.get_affected_rows() == 0) return unexpected(NotHeld(job_id, owner));
  long long cancel = 0;
  session << "SELECT cancel_requested FROM jobs WHERE id = :id", soci::use(id, "id"),
      soci::into(cancel);
  return JobHeartbeat{cancel != 0};
}

Result<JobRecord> MarkJobSucceeded(soci::session& session, Backend backend, std::int64_t job_id,
                                   std::string_view owner, std::string_view result,
                                   std::int64_t now) {
  const long long id = job_id;
  const std::string owner_text(owner);
  const std::string result_text(result);
  const long long at = now;
  Transaction transaction(session, backend);
  soci::statement update =
      (session.prepare << "UPDATE jobs SET status = 'succeeded', progress = 1, result = :result, "
                          "error = '', finished_at = :now, lease_owner = '' "
                          "WHERE id = :id AND status = 'running' AND lease_owner = :owner",
       soci::use(result_text, "result"), soci::use(at, "now"), soci::use(id, "id"),
       soci::use(owner_text, "owner"));
  update.execute(true);
  Result<JobRecord> job = HeldJobAfterUpdate(session, update, job_id, owner);
  if (job) transaction.Commit();
  return job;
}

Result<JobRecord> MarkJobFailed(soci::session& session, Backend backend, std::int64_t job_id,
                                std::string_view owner, std::string_view error, std::int64_t now,
                                const std::optional<RetryBackoff>& retry) {
  const long long id = job_id;
  const std::string owner_text(owner);
  const std::string error_text(error);
  const long long at = now;
  Transaction transaction(session, backend);
  std::optional<JobRecord> held = JobById(session, id);
  if (!held || held->status != JobStatus::kRunning || held->lease_owner != owner) {
    return unexpected(NotHeld(job_id, owner));
  }
  if (retry && held->attempts < held->max_attempts) {
    const long long run_after = now + BackoffSeconds(*retry, held->attempts);
    session << "UPDATE jobs SET status = 'queued', error = :error, run_after = :run_after, "
               "lease_owner = '', lease_expires_at = 0 WHERE id = :id",
        soci::use(error_text, "error"), soci::use(run_after, "run_after"), soci::use(id, "id");
  } else {
    session << "UPDATE jobs SET status = 'failed', error = :error, finished_at = :now, "
               "lease_owner = '' WHERE id = :id",
        soci::use(error_text, "error"), soci::use(at, "now"), soci::use(id, "id");
  }
  std::optional<JobRecord> job = JobById(session, id);
  transaction.Commit();
  if (!job) return unexpected(NotHeld(job_id, owner));
  return std::move(*job);
}

Result<JobRecord> MarkJobCancelled(soci::session& session, Backend backend, std::int64_t job_id,
                                   std::string_view owner, std::int64_t now) {
  const long long id = job_id;
  const std::string owner_text(owner);
  const long long at = now;
  Transaction transaction(session, backend);
  soci::statement update =
      (session.prepare << "UPDATE jobs SET status = 'cancelled', finished_at = :now, "
                          "lease_owner = '' WHERE id = :id AND status = 'running' AND "
                          "lease_owner = :owner",
       soci::use(at, "now"), soci::use(id, "id"), soci::use(owner_text, "owner"));
  update.execute(true);
  Result<JobRecord> job = HeldJobAfterUpdate(session, update, job_id, owner);
  if (job) transaction.Commit();
  return job;
}

Result<JobRecord> ReturnJobToQueue(soci::session& session, Backend backend, std::int64_t job_id,
                                   std::string_view owner) {
  const long long id = job_id;
  const std::string owner_text(owner);
  Transaction transaction(session, backend);
  soci::statement update =
      (session.prepare << "UPDATE jobs SET status = 'queued', attempts = attempts - 1, "
                          "lease_owner = '', lease_expires_at = 0, progress = 0, "
                          "progress_message = '' WHERE id = :id AND status = 'running' AND "
                          "lease_owner = :owner",
       soci::use(id, "id"), soci::use(owner_text, "owner"));
  update.execute(true);
  Result<JobRecord> job = HeldJobAfterUpdate(session, update, job_id, owner);
  if (job) transaction.Commit();
  return job;
}

Result<JobRecord> RequestJobCancel(soci::session& session, Backend backend, std::int64_t tenant_id,
                                   std::int64_t job_id, std::int64_t now) {
  const long long id = job_id;
  const long long at = now;
  Transaction transaction(session, backend);
  Result<JobRecord> job = SelectJob(session, tenant_id, job_id);
  if (!job) return job;
  switch (job->status) {
    case JobStatus::kQueued:
      session << "UPDATE jobs SET status = 'cancelled', cancel_requested = 1, finished_at = :now "
                 "WHERE id = :id",
          soci::use(at, "now"), soci::use(id, "id");
      break;
    case JobStatus::kRunning:
      session << "UPDATE jobs SET cancel_requested = 1 WHERE id = :id", soci::use(id, "id");
      break;
    default:
      return MakeError(ErrorCode::kConflict,
                       fmt::format("job {} has finished already ({}): there is nothing to cancel",
                                   job_id, JobStatusName(job->status)));
  }
  job = SelectJob(session, tenant_id, job_id);
  transaction.Commit();
  return job;
}

Result<JobRecord> SelectJob(soci::session& session, std::int64_t tenant_id, std::int64_t job_id) {
  const long long id = job_id;
  const long long tenant = tenant_id;
  std::vector<JobRecord> jobs =
      QueryJobs(session, "j.id = :id AND j.tenant_id = :tenant", "", [&](soci::statement& s) {
        s.exchange(soci::use(id, "id"));
        s.exchange(soci::use(tenant, "tenant"));
      });
  if (jobs.empty()) return MakeError(ErrorCode::kNotFound, fmt::format("no job {}", job_id));
  return std::move(jobs.front());
}

std::vector<JobRecord> SelectJobs(soci::session& session, std::int64_t tenant_id,
                                  const JobFilter& filter) {
  const long long tenant = tenant_id;
  const std::string status(filter.status ? JobStatusName(*filter.status) : "");
  const std::string kind(filter.kind ? JobKindName(*filter.kind) : "");
  const long long limit = std::max(filter.limit, 1);
  return QueryJobs(session,
                   "j.tenant_id = :tenant AND (:status = '' OR j.status = :status) AND "
                   "(:kind = '' OR j.kind = :kind)",
                   "ORDER BY j.id DESC LIMIT :limit", [&](soci::statement& s) {
                     s.exchange(soci::use(tenant, "tenant"));
                     s.exchange(soci::use(status, "status"));
                     s.exchange(soci::use(kind, "kind"));
                     s.exchange(soci::use(limit, "limit"));
                   });
}

Result<JobScheduleRecord> UpsertSchedule(soci::session& session, Backend backend,
                                         const JobScheduleRecord& schedule) {
  if (schedule.interval_seconds <= 0) {
    return MakeError(ErrorCode::kInvalidInput,
                     fmt::format("the interval of a {} schedule must be a positive number of "
                                 "seconds, not {}",
                                 JobKindName(schedule.kind), schedule.interval_seconds));
  }
  const long long tenant = schedule.tenant_id;
  const std::string kind(JobKindName(schedule.kind));
  const long long interval = schedule.interval_seconds;
  const long long next_run_at = schedule.next_run_at;
  const long long created_at = schedule.created_at;
  Transaction transaction(session, backend);
  session << "INSERT INTO job_schedules (tenant_id, kind, payload, interval_seconds, "
             "next_run_at, created_at) VALUES (:tenant, :kind, :payload, :interval, :next, "
             ":created) ON CONFLICT (tenant_id, kind) DO UPDATE SET payload = excluded.payload, "
             "interval_seconds = excluded.interval_seconds, next_run_at = excluded.next_run_at",
      soci::use(tenant, "tenant"), soci::use(kind, "kind"), soci::use(schedule.payload, "payload"),
      soci::use(interval, "interval"), soci::use(next_run_at, "next"),
      soci::use(created_at, "created");
  long long id = 0;
  session << "SELECT id FROM job_schedules WHERE tenant_id = :tenant AND kind = :kind",
      soci::use(tenant, "tenant"), soci::use(kind, "kind"), soci::into(id);
  transaction.Commit();
  JobScheduleRecord stored = schedule;
  stored.id = id;
  return stored;
}

std::vector<JobScheduleRecord> SelectSchedules(soci::session& session, std::int64_t tenant_id) {
  const long long tenant = tenant_id;
  long long id = 0;
  std::string kind;
  std::string payload;
  long long interval = 0;
  long long next_run_at = 0;
  long long created_at = 0;
  soci::statement select =
      (session.prepare << "SELECT id, kind, payload, interval_seconds, next_run_at, created_at "
                          "FROM job_schedules WHERE tenant_id = :tenant ORDER BY id",
       soci::use(tenant, "tenant"), soci::into(id), soci::into(kind), soci::into(payload),
       soci::into(interval), soci::into(next_run_at), soci::into(created_at));
  select.execute();
  std::vector<JobScheduleRecord> schedules;
  while (select.fetch()) {
    schedules.push_back(JobScheduleRecord{id, tenant_id,
                                          ParseJobKind(kind).value_or(JobKind::kSync), payload,
                                          interval, next_run_at, created_at});
  }
  return schedules;
}

Status DeleteSchedule(soci::session& session, std::int64_t tenant_id, std::int64_t schedule_id) {
  const long long tenant = tenant_id;
  const long long id = schedule_id;
  soci::statement remove =
      (session.prepare << "DELETE FROM job_schedules WHERE id = :id AND tenant_id = :tenant",
       soci::use(id, "id"), soci::use(tenant, "tenant"));
  remove.execute(true);
  if (remove.get_affected_rows() == 0) {
    return MakeError(ErrorCode::kNotFound, fmt::format("no job schedule {}", schedule_id));
  }
  return {};
}

std::vector<JobRecord> EnqueueSchedulesDue(soci::session& session, Backend backend,
                                           std::int64_t now, int max_attempts) {
  const long long at = now;
  Transaction transaction(session, backend);
  std::vector<JobScheduleRecord> due;
  {
    long long id = 0;
    long long tenant = 0;
    std::string kind;
    std::string payload;
    long long interval = 0;
    long long next_run_at = 0;
    const std::string lock = backend == Backend::kPostgresql ? " FOR UPDATE SKIP LOCKED" : "";
    soci::statement select =
        (session.prepare << fmt::format("SELECT id, tenant_id, kind, payload, interval_seconds, "
                                        "next_run_at FROM job_schedules WHERE next_run_at <= :now "
                                        "ORDER BY id{}",
                                        lock),
         soci::use(at, "now"), soci::into(id), soci::into(tenant), soci::into(kind),
         soci::into(payload), soci::into(interval), soci::into(next_run_at));
    select.execute();
    while (select.fetch()) {
      due.push_back(JobScheduleRecord{id, tenant, ParseJobKind(kind).value_or(JobKind::kSync),
                                      payload, interval, next_run_at, 0});
    }
  }
  std::vector<JobRecord> enqueued;
  for (const JobScheduleRecord& schedule : due) {
    const long long tenant = schedule.tenant_id;
    const std::string kind(JobKindName(schedule.kind));
    long long queued = 0;
    if (!QueuedJobId(session, tenant, kind, queued)) {
      const NewJob job{
          schedule.tenant_id, schedule.kind, schedule.payload, max_attempts, now, now, false};
      if (std::optional<JobRecord> inserted = JobById(session, InsertJobRow(session, job))) {
        enqueued.push_back(std::move(*inserted));
      }
    }
    // The next run keeps the schedule's cadence; runs missed while no server ran are skipped.
    const long long missed = (now - schedule.next_run_at) / schedule.interval_seconds + 1;
    const long long next = schedule.next_run_at + missed * schedule.interval_seconds;
    const long long id = schedule.id;
    session << "UPDATE job_schedules SET next_run_at = :next WHERE id = :id",
        soci::use(next, "next"), soci::use(id, "id");
  }
  transaction.Commit();
  return enqueued;
}

}  // namespace costwise::store
