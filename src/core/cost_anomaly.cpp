#include "core/cost_anomaly.h"

#include <array>
#include <utility>

#include "core/enum_names.h"

namespace costwise {
namespace {

constexpr std::array<std::pair<AnomalySeverity, std::string_view>, 4> kSeverities = {{
    {AnomalySeverity::kLow, "low"},
    {AnomalySeverity::kMedium, "medium"},
    {AnomalySeverity::kHigh, "high"},
    {AnomalySeverity::kCritical, "critical"},
}};

constexpr std::array<std::pair<AnomalyStatus, std::string_view>, 3> kStatuses = {{
    {AnomalyStatus::kOpen, "open"},
    {AnomalyStatus::kClosed, "closed"},
    {AnomalyStatus::kSuppressed, "suppressed"},
}};

constexpr std::array<std::pair<AnomalyFeedback, std::string_view>, 4> kFeedbacks = {{
    {AnomalyFeedback::kNone, "none"},
    {AnomalyFeedback::kYes, "yes"},
    {AnomalyFeedback::kNo, "no"},
    {AnomalyFeedback::kPlanned, "planned"},
}};

// The root-cause dimensions from the most specific; tags ("tag:KEY") come after them.
constexpr std::array<std::string_view, 5> kSpecificity = {"resource", "usage-type", "account",
                                                          "region", "service"};
constexpr std::string_view kTagPrefix = "tag:";
// A contributor "explains" an anomaly when it accounts for at least this share of the impact.
constexpr double kDominantShare = 0.5;

}  // namespace

std::string_view SeverityName(AnomalySeverity severity) { return NameIn(kSeverities, severity); }
std::string_view StatusName(AnomalyStatus status) { return NameIn(kStatuses, status); }
std::string_view FeedbackName(AnomalyFeedback feedback) { return NameIn(kFeedbacks, feedback); }

std::optional<AnomalySeverity> ParseSeverity(std::string_view text) {
  return ParseIn(kSeverities, text);
}
std::optional<AnomalyStatus> ParseStatus(std::string_view text) { return ParseIn(kStatuses, text); }
std::optional<AnomalyFeedback> ParseFeedback(std::string_view text) {
  return ParseIn(kFeedbacks, text);
}

std::string MonitorLabel(const AnomalyMonitor& monitor) {
  if (!monitor.dimension) return "total";
  return DimensionName(*monitor.dimension) + "=" + monitor.value;
}

bool SameMonitor(const AnomalyMonitor& a, const AnomalyMonitor& b) {
  if (a.dimension.has_value() != b.dimension.has_value()) return false;
  if (a.dimension && (a.dimension->dimension != b.dimension->dimension ||
                      a.dimension->tag_key != b.dimension->tag_key)) {
    return false;
  }
  return a.value == b.value && a.currency == b.currency;
}

int DimensionSpecificity(std::string_view dimension) {
  for (std::size_t i = 0; i < kSpecificity.size(); ++i) {
    if (kSpecificity[i] == dimension) return static_cast<int>(i);
  }
  const int tags = static_cast<int>(kSpecificity.size());
  return dimension.starts_with(kTagPrefix) ? tags : tags + 1;
}

const RootCause* TopRootCause(const CostAnomaly& anomaly) {
  const RootCause* best = nullptr;  // the most specific dominant contributor so far
  const RootCause* largest = nullptr;
  const double dominant = kDominantShare * static_cast<double>(anomaly.impact.nanos());
  for (const RootCause& cause : anomaly.root_causes) {
    if (largest == nullptr || cause.impact > largest->impact) largest = &cause;
    if (cause.value.empty() || static_cast<double>(cause.impact.nanos()) < dominant) continue;
    if (best == nullptr ||
        DimensionSpecificity(cause.dimension) < DimensionSpecificity(best->dimension) ||
        (cause.dimension == best->dimension && cause.impact > best->impact)) {
      best = &cause;
    }
  }
  return best != nullptr ? best : largest;
}

}  // namespace costwise
