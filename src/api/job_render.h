#pragma once
// The JSON shape of a job: {"id", "kind", "status", "progress", "progress_message", "attempts",
// "max_attempts", "run_after", "created_at", "started_at", "finished_at", "cancel_requested",
// "payload", "result", "error"}; times ISO 8601 or null, payload and result as JSON (result null
// before the job succeeded), error null when there is none. Lease owners stay internal.
#include <vector>

#include <nlohmann/json.hpp>

#include "store/job_types.h"

namespace costwise::api {

[[nodiscard]] nlohmann::json JobToJson(const store::JobRecord& job);
// {"jobs": [...]}
[[nodiscard]] nlohmann::json JobsToJson(const std::vector<store::JobRecord>& jobs);

}  // namespace costwise::api
