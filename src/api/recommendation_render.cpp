#include "api/recommendation_render.h"

#include <string>

#include "api/json_values.h"

namespace costwise::api {
namespace {

nlohmann::json TextOrNull(const std::string& text) {
  return text.empty() ? nlohmann::json(nullptr) : nlohmann::json(text);
}

// The stored options text as JSON; its text when it does not parse (it always does when the
// service wrote it).
nlohmann::json OptionsJson(const std::string& text) {
  nlohmann::json options = nlohmann::json::parse(text, nullptr, false);
  return options.is_discarded() ? nlohmann::json(text) : options;
}

}  // namespace

nlohmann::json RecommendationToJson(const ResourceRecommendation& r) {
  return {{"id", r.id},
          {"kind", RecommendationKindName(r.kind)},
          {"resource_id", r.resource_id},
          {"region", r.region},
          {"finding", r.finding},
          {"action", r.action},
          {"current_type", TextOrNull(r.current_type)},
          {"recommended_type", TextOrNull(r.recommended_type)},
          {"summary", r.summary},
          {"options", OptionsJson(r.options_json)},
          {"performance_risk",
           r.performance_risk ? nlohmann::json(*r.performance_risk) : nlohmann::json(nullptr)},
          {"current_monthly_cost", MoneyText(r.current_monthly_cost)},
          {"monthly_savings", MoneyText(r.monthly_savings)},
          {"confidence", r.confidence},
          {"model_version", r.model_version},
          {"actions", {{"aws_cli", r.aws_cli}, {"terraform", r.terraform}}},
          {"status", RecommendationStatusName(r.status)},
          {"snoozed_until", r.snoozed_until ? TimeJson(*r.snoozed_until) : nlohmann::json(nullptr)},
          {"created_at", TimeJson(r.created_at)},
          {"updated_at", TimeJson(r.updated_at)}};
}

nlohmann::json RecommendationListToJson(std::string_view tenant,
                                        std::span<const ResourceRecommendation> recommendations) {
  nlohmann::json items = nlohmann::json::array();
  Money open_savings;
  for (const ResourceRecommendation& recommendation : recommendations) {
    items.push_back(RecommendationToJson(recommendation));
    if (recommendation.status == RecommendationStatus::kOpen &&
        recommendation.monthly_savings > Money()) {
      open_savings += recommendation.monthly_savings;
    }
  }
  return {{"tenant", tenant},
          {"recommendations", items},
          {"open_monthly_savings", MoneyText(open_savings)}};
}

}  // namespace costwise::api
