#pragma once
// The one JSON shape of cost anomalies, shared by `costwise anomalies ... --format json` and the
// REST API.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/cost_anomaly.h"
#include "service/anomaly_service.h"

namespace costwise::api {

// {"id", "monitor": {"dimension", "key", "value", "currency", "label"}, "start_date", "end_date",
//  "actual_spend", "expected_spend", "impact", "impact_percent" (null when expected is 0),
//  "max_score", "latest_score", "severity", "status", "suppressed_by" (null or an id),
//  "root_causes": [{"dimension", "value", "impact"}], "top_root_cause" (null or one of them),
//  "model_version", "detected_at", "updated_at", "feedback": {"verdict", "note", "at"}}.
// Money as decimal strings with the full 9 decimals, exact; times as ISO 8601 UTC.
[[nodiscard]] nlohmann::json AnomalyToJson(const CostAnomaly& anomaly);

// {"tenant", "anomalies": [...]}
[[nodiscard]] nlohmann::json AnomalyListToJson(const std::string& tenant,
                                               const std::vector<CostAnomaly>& anomalies);

// {"tenant", "from", "to", "monitors", "new", "extended", "updated", "unchanged", "suppressed",
//  "closed", "anomalies": [...]}
[[nodiscard]] nlohmann::json DetectionSummaryToJson(
    const service::AnomalyDetectionSummary& summary);

}  // namespace costwise::api
