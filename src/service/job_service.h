#pragma once
// The jobs use cases of the API: queue a job of the caller's organisation, list, read and cancel
// its jobs. The tenant is always the caller's (Principal), never one named by the request: another
// organisation's job is NotFound. The runner (service/jobs.h) does the work.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "service/auth.h"
#include "store/repository.h"

namespace costwise::service {

// Attempts of the jobs the API queues.
inline constexpr int kJobAttempts = 3;

// Queues a detect, forecast, rightsize or sync (every onboarded AWS account) job now (a queued
// one of the kind is reused). InvalidInput for another kind: ingest jobs come from uploads.
[[nodiscard]] Result<store::JobRecord> SubmitJob(store::Repository& repository,
                                                 const Principal& caller, std::string_view kind,
                                                 std::int64_t now);

// Queues the ingest of uploaded files; `payload` (JSON text) names them.
[[nodiscard]] Result<store::JobRecord> SubmitIngest(store::Repository& repository,
                                                    const Principal& caller, std::string payload,
                                                    std::int64_t now);

// The interval of the daily refresh schedules.
inline constexpr std::int64_t kDailySeconds = 86'400;

// Makes sure the tenant has a daily sync of its AWS accounts (after a connection test passed).
// Returns 1 when it created the schedule, 0 when it existed.
[[nodiscard]] Result<int> EnsureDailySync(store::Repository& repository, std::int64_t tenant_id,
                                          std::int64_t now);

// Queues a sync of one account (its costwise id) now, as the connection test does.
[[nodiscard]] Result<store::JobRecord> SubmitAccountSync(store::Repository& repository,
                                                         std::int64_t tenant_id,
                                                         std::int64_t account_id, std::int64_t now);

// Makes sure the tenant has daily schedules of anomaly detection and forecasting (the detector
// and the forecaster refit on the newest data each run: their retraining schedule); a schedule
// that exists is left as it is. The ingest job calls it after a tenant's data arrived. Returns
// how many schedules it created.
[[nodiscard]] Result<int> EnsureDailyRefresh(store::Repository& repository, std::int64_t tenant_id,
                                             std::int64_t now);

// The caller's jobs, newest first; `status` and `kind` filter when not empty (InvalidInput for
// an unknown name); `limit` 1..1000.
[[nodiscard]] Result<std::vector<store::JobRecord>> ListJobs(store::Repository& repository,
                                                             const Principal& caller,
                                                             std::string_view status,
                                                             std::string_view kind, int limit);

[[nodiscard]] Result<store::JobRecord> GetJob(store::Repository& repository,
                                              const Principal& caller, std::int64_t job_id);

// Cancels a queued job at once; asks a running one to stop at its next progress report.
// Conflict when it has finished.
[[nodiscard]] Result<store::JobRecord> CancelJob(store::Repository& repository,
                                                 const Principal& caller, std::int64_t job_id,
                                                 std::int64_t now);

}  // namespace costwise::service
