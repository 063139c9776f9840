#pragma once
// The SQL of the job queue and its schedules (schema version 6). Every function runs in the
// caller's session and throws SOCI errors; those that read and then write open their own
// transaction. Claiming is safe between processes sharing a database: PostgreSQL locks the
// claimed row with FOR UPDATE SKIP LOCKED, SQLite serializes writers (BEGIN IMMEDIATE).
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "store/backend.h"
#include "store/job_types.h"

namespace soci {
class session;
}  // namespace soci

namespace costwise::store {

[[nodiscard]] Result<JobRecord> InsertJob(soci::session& session, Backend backend,
                                          const NewJob& job);
[[nodiscard]] std::optional<JobRecord> ClaimNextJob(soci::session& session, Backend backend,
                                                    std::string_view owner, std::int64_t now,
                                                    std::int64_t lease_seconds);
[[nodiscard]] Result<JobHeartbeat> UpdateJobProgress(soci::session& session, std::int64_t job_id,
                                                     std::string_view owner, double progress,
                                                     std::string_view message,
                                                     std::int64_t lease_expires_at);
[[nodiscard]] Result<JobRecord> MarkJobSucceeded(soci::session& session, Backend backend,
                                                 std::int64_t job_id, std::string_view owner,
                                                 std::string_view result, std::int64_t now);
[[nodiscard]] Result<JobRecord> MarkJobFailed(soci::session& session, Backend backend,
                                              std::int64_t job_id, std::string_view owner,
                                              std::string_view error, std::int64_t now,
                                              const std::optional<RetryBackoff>& retry);
[[nodiscard]] Result<JobRecord> MarkJobCancelled(soci::session& session, Backend backend,
                                                 std::int64_t job_id, std::string_view owner,
                                                 std::int64_t now);
[[nodiscard]] Result<JobRecord> ReturnJobToQueue(soci::session& session, Backend backend,
                                                 std::int64_t job_id, std::string_view owner);
[[nodiscard]] Result<JobRecord> RequestJobCancel(soci::session& session, Backend backend,
                                                 std::int64_t tenant_id, std::int64_t job_id,
                                                 std::int64_t now);
[[nodiscard]] Result<JobRecord> SelectJob(soci::session& session, std::int64_t tenant_id,
                                          std::int64_t job_id);
[[nodiscard]] std::vector<JobRecord> SelectJobs(soci::session& session, std::int64_t tenant_id,
                                                const JobFilter& filter);

[[nodiscard]] Result<JobScheduleRecord> UpsertSchedule(soci::session& session, Backend backend,
                                                       const JobScheduleRecord& schedule);
[[nodiscard]] std::vector<JobScheduleRecord> SelectSchedules(soci::session& session,
                                                             std::int64_t tenant_id);
[[nodiscard]] Status DeleteSchedule(soci::session& session, std::int64_t tenant_id,
                                    std::int64_t schedule_id);
[[nodiscard]] std::vector<JobRecord> EnqueueSchedulesDue(soci::session& session, Backend backend,
                                                         std::int64_t now, int max_attempts);

}  // namespace costwise::store
