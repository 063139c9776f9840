#pragma once
// The JSON shape of a tenant's stored right-sizing recommendations (`costwise recommendations
// list --format json`, later the REST API).
#include <span>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/resource_recommendation.h"

namespace costwise::api {

// {"id", "kind", "resource_id", "region", "finding", "action", "current_type" (null for volumes
//  and addresses), "recommended_type" (null unless a resize), "summary", "options" (the stored
//  JSON array), "performance_risk" (null without an option), "current_monthly_cost",
//  "monthly_savings" (decimal strings, exact), "confidence", "model_version",
//  "actions": {"aws_cli": [...], "terraform"}, "status", "snoozed_until" (null unless snoozed),
//  "created_at", "updated_at"}
[[nodiscard]] nlohmann::json RecommendationToJson(const ResourceRecommendation& recommendation);

// {"tenant", "recommendations": [...], "open_monthly_savings" (the positive savings of the open
//  ones, a decimal string)}
[[nodiscard]] nlohmann::json RecommendationListToJson(
    std::string_view tenant, std::span<const ResourceRecommendation> recommendations);

}  // namespace costwise::api
