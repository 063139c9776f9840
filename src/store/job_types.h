#pragma once
// The records of the persistent job queue and its schedules (schema version 6). A job is one
// unit of background work of a tenant (an ingest of uploaded files, a detection, a forecast, a
// right-sizing run, a sync, an apply of a recommendation): queued, claimed by one worker under a lease, retried with backoff,
// cancelled on request. docs/service.md ("Jobs") describes the life of a job.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace costwise::store {

enum class JobKind { kIngest, kDetect, kForecast, kRightsize, kSync, kApply };
enum class JobStatus { kQueued, kRunning, kSucceeded, kFailed, kCancelled };

// "ingest" | "detect" | "forecast" | "rightsize" | "sync" | "apply"
[[nodiscard]] std::string_view JobKindName(JobKind kind);
[[nodiscard]] std::optional<JobKind> ParseJobKind(std::string_view name);
// "queued" | "running" | "succeeded" | "failed" | "cancelled"
[[nodiscard]] std::string_view JobStatusName(JobStatus status);
[[nodiscard]] std::optional<JobStatus> ParseJobStatus(std::string_view name);

struct JobRecord {
  std::int64_t id = 0;
  std::int64_t tenant_id = 0;
  std::string tenant_name;
  JobKind kind = JobKind::kIngest;
  JobStatus status = JobStatus::kQueued;
  std::string payload = "{}";  // JSON text, the kind's input
  double progress = 0;         // 0..1
  std::string progress_message;
  int attempts = 0;  // claims so far, the running one included
  int max_attempts = 1;
  std::int64_t run_after = 0;  // Unix seconds: not claimed before
  std::string lease_owner;     // the worker holding a running job
  std::int64_t lease_expires_at = 0;
  std::int64_t created_at = 0;
  std::optional<std::int64_t> started_at;  // of the latest attempt
  std::optional<std::int64_t> finished_at;
  std::string result;  // JSON text once succeeded, "" before
  std::string error;   // the latest attempt's error, "" when none
  bool cancel_requested = false;
};

struct NewJob {
  std::int64_t tenant_id = 0;
  JobKind kind = JobKind::kIngest;
  std::string payload = "{}";
  int max_attempts = 3;
  std::int64_t run_after = 0;
  std::int64_t created_at = 0;
  // When set, a queued job of the same tenant and kind is returned instead of a new one.
  bool unless_queued = false;
};

struct JobFilter {
  std::optional<JobStatus> status;
  std::optional<JobKind> kind;
  int limit = 100;  // newest first
};

// Retry timing of a failed attempt: the n-th failure (n = attempts) waits
// min(base * 2^(n-1), max) seconds before the job may be claimed again.
struct RetryBackoff {
  std::int64_t base_seconds = 10;
  std::int64_t max_seconds = 600;
};

// What the worker reports with its progress: whether the job's cancellation was requested.
struct JobHeartbeat {
  bool cancel_requested = false;
};

// A recurring job: every interval_seconds, one job of the kind with the payload.
struct JobScheduleRecord {
  std::int64_t id = 0;
  std::int64_t tenant_id = 0;
  JobKind kind = JobKind::kSync;
  std::string payload = "{}";
  std::int64_t interval_seconds = 0;
  std::int64_t next_run_at = 0;
  std::int64_t created_at = 0;
};

}  // namespace costwise::store
