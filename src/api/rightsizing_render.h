#pragma once
// The JSON shape of right-sizing recommendations (`costwise rightsize --format json`, later the
// REST API).
#include <nlohmann/json.hpp>

#include "service/rightsizing_service.h"

namespace costwise::api {

// {"lookback_end", "lookback_days", "catalog", "monthly_savings", "skipped": [...],
//  "instances": [{"instance_id", "region", "finding", "current_type", "current_monthly_cost",
//    "options": [{"type", "monthly_savings", "projected_cpu_p99", "projected_cpu_p99_5",
//      "projected_mem_p99" (null without memory data), "performance_risk", "migration_effort",
//      "credits" (null, or for a burstable type {"baseline", "average_use",
//      "monthly_surplus_cost"})}],
//    "confidence", "summary", "current_credit_cost",
//    "actions": {"aws_cli": [commands in order; "# ..." lines are comments], "terraform"} (null
//      without an option; service/rightsizing_actions.h),
//    "workload": {"name" (its group's), "cluster" (null when not clustered), "own_pattern"
//      (the instance's own by the same rules), "features", "cpu_target",
//      "memory_target"}, "growth": {"cpu", "memory"} (demand multipliers from the trends),
//    "profile": {"cpu": {"p50", "p95", "p99", "p99_5", "max"}, "memory" (null or the same),
//      "network_p99", "burstiness", "daily_periodicity", "weekly_periodicity",
//      "hours_with_data", "coverage"}}],
//  "idle_resources": [{"id", "kind", "region", "detail", "monthly_cost", "action", "summary",
//    "actions"}],
//  "workloads": {"k", "silhouettes", "clusters": [{"workload", "instances", "center"}]},
//  "timings": {"read_seconds", "profile_seconds", "cluster_seconds", "recommend_seconds"}}
// Money rounded to cents (numbers).
[[nodiscard]] nlohmann::json RightsizeReportToJson(const service::RightsizeReport& report);

}  // namespace costwise::api
