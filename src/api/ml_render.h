#pragma once
// The JSON shapes of the /api/ml/* endpoints that the CLI does not share: pages of anomalies and
// recommendations, their details, an apply plan, and the model registry. Single anomalies,
// recommendations and forecast series keep their shared shapes (anomaly_render.h,
// recommendation_render.h, forecast_render.h).
#include <vector>

#include <nlohmann/json.hpp>

#include "service/anomaly_service.h"
#include "service/recommendation_apply.h"
#include "store/repository.h"

namespace costwise::api {

// {"tenant", "total", "limit", "offset", "anomalies": [AnomalyToJson...]}
[[nodiscard]] nlohmann::json AnomalyPageToJson(const service::AnomalyPage& page, std::size_t limit,
                                               std::size_t offset);

// AnomalyToJson plus "series": [{"date", "actual", "expected", "lower", "upper", "score",
// "in_anomaly"}] and "window": {"from", "to"} of the anomalous days.
[[nodiscard]] nlohmann::json AnomalyDetailToJson(const service::AnomalyDetail& detail);

// {"tenant", "total", "limit", "offset", "recommendations": [RecommendationToJson...]}
[[nodiscard]] nlohmann::json RecommendationPageToJson(const service::RecommendationPage& page,
                                                      std::size_t limit, std::size_t offset);

// RecommendationToJson plus "utilization" (null for volumes and addresses, else {"from", "to",
// "metrics": [{"metric", "samples", "mean", "p95", "max"}]}) and "apply_requests": [{"id",
// "user", "requested_at", "dry_run", "outcome", "plan"}].
[[nodiscard]] nlohmann::json RecommendationDetailToJson(
    const service::RecommendationDetail& detail);

// {"request_id", "dry_run": true, "recommendation": RecommendationToJson, "aws_cli",
// "terraform", "checks": [{"check", "status"}], "changes": [...], "ready"}
[[nodiscard]] nlohmann::json ApplyPlanToJson(const service::ApplyPlan& plan);

// {"id", "model_type", "version", "label" ("series-detector/2"), "status", "trained_at",
// "accuracy" (null when unmeasured), "metrics", "params", "data_window": {"from", "to"} (dates
// or null), "artifact_path" (null when not persisted), "retrain_requested_at" (null or a time)}
[[nodiscard]] nlohmann::json ModelToJson(const store::TenantModel& model);

// {"models": [...]}
[[nodiscard]] nlohmann::json ModelListToJson(const std::vector<store::TenantModel>& models);

}  // namespace costwise::api
