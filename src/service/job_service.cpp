#include "service/job_service.h"

#include <algorithm>
#include <optional>
#include <utility>

#include <fmt/format.h>

namespace costwise::service {
namespace {

constexpr int kMaxListedJobs = 1000;

}  // namespace

Result<store::JobRecord> SubmitJob(store::Repository& repository, const Principal& caller,
                                   std::string_view kind, std::int64_t now) {
  const std::optional<store::JobKind> parsed = store::ParseJobKind(kind);
  if (!parsed || *parsed == store::JobKind::kIngest) {
    return MakeError(ErrorCode::kInvalidInput,
                     fmt::format("\"kind\" must be detect, forecast, rightsize or sync, not \"{}\" "
                                 "(ingest jobs come from POST /api/uploads)",
                                 kind));
  }
  return repository.EnqueueJob(
      store::NewJob{caller.tenant_id, *parsed, "{}", kJobAttempts, now, now, true});
}

Result<int> EnsureDailyRefresh(store::Repository& repository, std::int64_t tenant_id,
                               std::int64_t now) {
  Result<std::vector<store::JobScheduleRecord>> schedules = repository.ListJobSchedules(tenant_id);
  if (!schedules) return unexpected(std::move(schedules.error()));
  int created = 0;
  for (const store::JobKind kind : {store::JobKind::kDetect, store::JobKind::kForecast}) {
    const bool exists = std::any_of(schedules->begin(), schedules->end(),
                                    [kind](const auto& schedule) { return schedule.kind == kind; });
    if (exists) continue;
    Result<store::JobScheduleRecord> saved = repository.SaveJobSchedule(store::JobScheduleRecord{
        0, tenant_id, kind, "{}", kDailySeconds, now + kDailySeconds, now});
    if (!saved) return unexpected(std::move(saved.error()));
    ++created;
  }
  return created;
}

Result<int> EnsureDailySync(store::Repository& repository, std::int64_t tenant_id,
                            std::int64_t now) {
  Result<std::vector<store::JobScheduleRecord>> schedules = repository.ListJobSchedules(tenant_id);
  if (!schedules) return unexpected(std::move(schedules.error()));
  if (std::any_of(schedules->begin(), schedules->end(),
                  [](const auto& schedule) { return schedule.kind == store::JobKind::kSync; })) {
    return 0;
  }
  Result<store::JobScheduleRecord> saved = repository.SaveJobSchedule(store::JobScheduleRecord{
      0, tenant_id, store::JobKind::kSync, "{}", kDailySeconds, now + kDailySeconds, now});
  if (!saved) return unexpected(std::move(saved.error()));
  return 1;
}

Result<store::JobRecord> SubmitAccountSync(store::Repository& repository, std::int64_t tenant_id,
                                           std::int64_t account_id, std::int64_t now) {
  return repository.EnqueueJob(store::NewJob{tenant_id, store::JobKind::kSync,
                                             fmt::format(R"({{"account":"{}"}})", account_id),
                                             kJobAttempts, now, now, false});
}

Result<store::JobRecord> SubmitIngest(store::Repository& repository, const Principal& caller,
                                      std::string payload, std::int64_t now) {
  return repository.EnqueueJob(store::NewJob{caller.tenant_id, store::JobKind::kIngest,
                                             std::move(payload), kJobAttempts, now, now, false});
}

Result<std::vector<store::JobRecord>> ListJobs(store::Repository& repository,
                                               const Principal& caller, std::string_view status,
                                               std::string_view kind, int limit) {
  store::JobFilter filter;
  if (!status.empty()) {
    filter.status = store::ParseJobStatus(status);
    if (!filter.status) {
      return MakeError(ErrorCode::kInvalidInput,
                       fmt::format("status must be queued, running, succeeded, failed or "
                                   "cancelled, not \"{}\"",
                                   status));
    }
  }
  if (!kind.empty()) {
    filter.kind = store::ParseJobKind(kind);
    if (!filter.kind) {
      return MakeError(ErrorCode::kInvalidInput,
                       fmt::format("kind must be ingest, detect, forecast, rightsize or sync, not "
                                   "\"{}\"",
                                   kind));
    }
  }
  if (limit < 1 || limit > kMaxListedJobs) {
    return MakeError(ErrorCode::kInvalidInput,
                     fmt::format("limit must be from 1 to {}, not {}", kMaxListedJobs, limit));
  }
  filter.limit = limit;
  return repository.ListJobs(caller.tenant_id, filter);
}

Result<store::JobRecord> GetJob(store::Repository& repository, const Principal& caller,
                                std::int64_t job_id) {
  return repository.GetJob(caller.tenant_id, job_id);
}

Result<store::JobRecord> CancelJob(store::Repository& repository, const Principal& caller,
                                   std::int64_t job_id, std::int64_t now) {
  return repository.CancelJob(caller.tenant_id, job_id, now);
}

}  // namespace costwise::service
