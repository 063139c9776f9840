#include "core/resource_recommendation.h"

#include <array>
#include <utility>

#include "core/enum_names.h"

namespace costwise {
namespace {

constexpr std::array<std::pair<RecommendationKind, std::string_view>, 3> kKinds = {{
    {RecommendationKind::kInstance, "instance"},
    {RecommendationKind::kVolume, "volume"},
    {RecommendationKind::kAddress, "address"},
}};

constexpr std::array<std::pair<RecommendationStatus, std::string_view>, 4> kStatuses = {{
    {RecommendationStatus::kOpen, "open"},
    {RecommendationStatus::kApplied, "applied"},
    {RecommendationStatus::kDismissed, "dismissed"},
    {RecommendationStatus::kSnoozed, "snoozed"},
}};

}  // namespace

std::string_view RecommendationKindName(RecommendationKind kind) { return NameIn(kKinds, kind); }

std::string_view RecommendationStatusName(RecommendationStatus status) {
  return NameIn(kStatuses, status);
}

std::optional<RecommendationKind> ParseRecommendationKind(std::string_view text) {
  return ParseIn(kKinds, text);
}

std::optional<RecommendationStatus> ParseRecommendationStatus(std::string_view text) {
  return ParseIn(kStatuses, text);
}

bool SameRecommendedAction(const ResourceRecommendation& a, const ResourceRecommendation& b) {
  return a.kind == b.kind && a.resource_id == b.resource_id && a.action == b.action &&
         a.recommended_type == b.recommended_type;
}

std::string RecommendedActionLabel(const ResourceRecommendation& recommendation) {
  std::string label = recommendation.action;
  label.append(" ").append(recommendation.resource_id);
  if (!recommendation.recommended_type.empty()) {
    label.append(" to ").append(recommendation.recommended_type);
  }
  return label;
}

}  // namespace costwise
