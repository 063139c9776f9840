#include "service/jobs.h"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <ctime>
#include <exception>
#include <optional>
#include <utility>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace costwise::service {
namespace {

constexpr std::size_t kHostNameSize = 256;
// The maintenance thread wakes this often to renew leases and look at schedules.
constexpr std::chrono::milliseconds kMaintenanceTick{250};
constexpr std::int64_t kLeaseRenewalsPerLease = 3;

std::string DefaultOwnerPrefix() {
  std::array<char, kHostNameSize> host{};
  if (gethostname(host.data(), host.size() - 1) != 0) host[0] = '\0';
  return fmt::format("{}:{}:{}", host.data()[0] != '\0' ? host.data() : "localhost", getpid(),
                     std::time(nullptr));
}

Error StoppingError() {
  return Error{ErrorCode::kUnavailable, "the server is stopping: the job goes back to the queue"};
}

}  // namespace

bool IsPermanentJobError(ErrorCode code) {
  return code == ErrorCode::kInvalidInput || code == ErrorCode::kNotFound ||
         code == ErrorCode::kPermissionDenied || code == ErrorCode::kUnauthenticated;
}

JobRunner::JobRunner(RepositoryOpener open, JobRegistry registry, JobRunnerOptions options)
    : open_(std::move(open)), registry_(std::move(registry)), options_(std::move(options)) {
  if (options_.owner_prefix.empty()) options_.owner_prefix = DefaultOwnerPrefix();
  if (options_.lease_seconds < 1) options_.lease_seconds = 1;
  if (options_.max_attempts < 1) options_.max_attempts = 1;
}

JobRunner::~JobRunner() { Stop(); }

std::int64_t JobRunner::Now() const {
  return options_.clock ? options_.clock() : static_cast<std::int64_t>(std::time(nullptr));
}

Status JobRunner::Start() {
  if (!threads_.empty()) return {};
  std::vector<std::unique_ptr<store::Repository>> repositories;
  for (int i = 0; i <= options_.workers; ++i) {  // one per worker, one for maintenance
    auto repository = open_();
    if (!repository) {
      return MakeError(ErrorCode::kUnavailable,
                       fmt::format("the job runner cannot open its database connection: {}",
                                   repository.error().message));
    }
    repositories.push_back(std::move(*repository));
  }
  repositories_ = std::move(repositories);
  {
    const std::lock_guard lock(mutex_);
    stopping_ = false;
  }
  for (int i = 0; i < options_.workers; ++i) {
    threads_.emplace_back(&JobRunner::WorkerLoop, this, std::ref(*repositories_[i]),
                          fmt::format("{}:worker-{}", options_.owner_prefix, i + 1));
  }
  threads_.emplace_back(&JobRunner::MaintenanceLoop, this, std::ref(*repositories_.back()));
  spdlog::info("job runner started: {} workers, leases of {} s", options_.workers,
               options_.lease_seconds);
  return {};
}

void JobRunner::Stop() {
  {
    const std::lock_guard lock(mutex_);
    if (stopping_ && threads_.empty()) return;
    stopping_ = true;
  }
  wake_.notify_all();
  for (std::thread& thread : threads_) thread.join();
  threads_.clear();
  repositories_.clear();
}

void JobRunner::Wake() {
  {
    const std::lock_guard lock(mutex_);
    ++wakes_;
  }
  wake_.notify_all();
}

void JobRunner::WorkerLoop(store::Repository& repository, std::string owner) {
  while (true) {
    std::uint64_t wakes = 0;
    {
      const std::lock_guard lock(mutex_);
      if (stopping_) return;
      wakes = wakes_;
    }
    Result<bool> ran = RunOne(repository, owner);
    if (!ran) spdlog::warn("job worker {}: {}", owner, ran.error().message);
    if (ran && *ran) continue;  // there may be more work
    std::unique_lock lock(mutex_);
    wake_.wait_for(lock, options_.idle_poll, [&] { return stopping_ || wakes_ != wakes; });
  }
}

void JobRunner::MaintenanceLoop(store::Repository& repository) {
  const auto renew_every = std::chrono::seconds(
      std::max<std::int64_t>(1, options_.lease_seconds / kLeaseRenewalsPerLease));
  auto next_renewal = std::chrono::steady_clock::now() + renew_every;
  auto next_schedules = std::chrono::steady_clock::now();
  while (true) {
    {
      std::unique_lock lock(mutex_);
      if (wake_.wait_for(lock, kMaintenanceTick, [&] { return stopping_; })) return;
    }
    const auto now = std::chrono::steady_clock::now();
    if (now >= next_renewal) {
      RenewLeases(repository);
      next_renewal = now + renew_every;
    }
    if (now >= next_schedules) {
      Result<std::size_t> queued = QueueDueSchedules(repository);
      if (!queued) spdlog::warn("job schedules: {}", queued.error().message);
      next_schedules = now + options_.schedule_poll;
    }
  }
}

void JobRunner::RenewLeases(store::Repository& repository) {
  std::map<std::int64_t, Running> running;
  {
    const std::lock_guard lock(mutex_);
    running = running_;
  }
  for (const auto& [id, job] : running) {
    auto renewed = repository.ReportJobProgress(id, job.owner, job.progress, job.message,
                                                Now() + options_.lease_seconds);
    if (!renewed) spdlog::warn("renewing the lease of job {}: {}", id, renewed.error().message);
  }
}

Result<std::size_t> JobRunner::QueueDueSchedules(store::Repository& repository) {
  auto queued = repository.EnqueueDueSchedules(Now(), options_.max_attempts);
  if (!queued) return unexpected(std::move(queued.error()));
  for (const store::JobRecord& job : *queued) {
    spdlog::info("job {}: {} of tenant {} queued by its schedule", job.id,
                 store::JobKindName(job.kind), job.tenant_name);
  }
  if (!queued->empty()) Wake();
  return queued->size();
}

Result<bool> JobRunner::RunOne(store::Repository& repository, std::string_view owner) {
  auto claimed = repository.ClaimJob(owner, Now(), options_.lease_seconds);
  if (!claimed) return unexpected(std::move(claimed.error()));
  if (!*claimed) return false;
  const store::JobRecord job = std::move(**claimed);
  const std::string owner_text(owner);
  spdlog::info("job {}: {} of tenant {}, attempt {} of {}, on {}", job.id,
               store::JobKindName(job.kind), job.tenant_name, job.attempts, job.max_attempts,
               owner);
  const auto found = registry_.find(job.kind);
  const JobKindEntry* entry = found == registry_.end() ? nullptr : &found->second;
  if (entry == nullptr) {
    Finish(
        repository, job, owner, nullptr,
        MakeError(ErrorCode::kInvalidInput,
                  fmt::format("this server has no runner for {} jobs",
                              store::JobKindName(job.kind))),
        false, false);
    return true;
  }
  bool cancelled = false;
  bool stopped = false;
  {
    const std::lock_guard lock(mutex_);
    running_[job.id] = Running{owner_text, 0, ""};
  }
  const JobProgress progress = [&](double fraction, std::string_view message) -> Status {
    {
      const std::lock_guard lock(mutex_);
      if (stopping_) {
        stopped = true;
        return unexpected(StoppingError());
      }
      Running& running = running_[job.id];
      running.progress = fraction;
      running.message = std::string(message);
    }
    auto beat = repository.ReportJobProgress(job.id, owner, fraction, message,
                                             Now() + options_.lease_seconds);
    if (!beat) return unexpected(std::move(beat.error()));
    if (beat->cancel_requested) {
      cancelled = true;
      return MakeError(ErrorCode::kConflict, fmt::format("job {} was cancelled", job.id));
    }
    return {};
  };
  Result<std::string> result = [&]() -> Result<std::string> {
    try {
      return entry->run(repository, job, progress);
    } catch (const std::exception& error) {
      return MakeError(ErrorCode::kInternal,
                       fmt::format("job {} failed: {}", job.id, error.what()));
    }
  }();
  {
    const std::lock_guard lock(mutex_);
    running_.erase(job.id);
  }
  Finish(repository, job, owner, entry, result, cancelled, stopped);
  return true;
}

void JobRunner::Finish(store::Repository& repository, const store::JobRecord& job,
                       std::string_view owner, const JobKindEntry* entry,
                       const Result<std::string>& result, bool cancelled, bool stopped) {
  const std::int64_t now = Now();
  // The follow-ups are queued before the success is recorded: whoever sees the job succeeded
  // finds them queued, and a worker that dies in between has done its work already (its rerun
  // reuses the queued follow-ups).
  if (result && entry != nullptr) {
    for (const store::JobKind kind : entry->then) {
      auto queued = repository.EnqueueJob(
          store::NewJob{job.tenant_id, kind, "{}", options_.max_attempts, now, now, true});
      if (!queued) {
        spdlog::warn("job {}: queueing {} after it: {}", job.id, store::JobKindName(kind),
                     queued.error().message);
      }
    }
    if (!entry->then.empty()) Wake();
  }
  Result<store::JobRecord> recorded = [&]() -> Result<store::JobRecord> {
    if (result) return repository.SucceedJob(job.id, owner, *result, now);
    if (cancelled) return repository.AcknowledgeJobCancel(job.id, owner, now);
    if (stopped) return repository.ReleaseJob(job.id, owner);
    std::optional<store::RetryBackoff> retry;
    if (!IsPermanentJobError(result.error().code)) retry = options_.backoff;
    return repository.FailJob(job.id, owner, result.error().message, now, retry);
  }();
  if (!recorded) {
    spdlog::warn("job {}: recording its end: {}", job.id, recorded.error().message);
    return;
  }
  spdlog::info("job {}: {}{}", job.id, store::JobStatusName(recorded->status),
               result ? "" : fmt::format(" ({})", result.error().message));
  if (result && entry != nullptr && entry->after_success) entry->after_success(*recorded);
}

}  // namespace costwise::service
