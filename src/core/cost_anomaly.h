#pragma once
// A cost anomaly: a run of days on which one cost monitor (total spend, or one service, account,
// region, usage type or tag value) cost more than its detector expected, with the money it cost,
// what drove it, and what the team said about it. docs/anomalies.md explains every field.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/cost_cube.h"
#include "core/date.h"
#include "core/money.h"

namespace costwise {

enum class AnomalySeverity { kLow, kMedium, kHigh, kCritical };
// Open while the anomaly reaches the last day of data; closed once a later day is normal again;
// suppressed when feedback on an earlier anomaly of the same pattern said "no" or "planned".
enum class AnomalyStatus { kOpen, kClosed, kSuppressed };
enum class AnomalyFeedback { kNone, kYes, kNo, kPlanned };

// "low", "medium", "high", "critical" / "open", "closed", "suppressed" / "none", "yes", "no",
// "planned"; the Parse functions accept exactly these names.
[[nodiscard]] std::string_view SeverityName(AnomalySeverity severity);
[[nodiscard]] std::string_view StatusName(AnomalyStatus status);
[[nodiscard]] std::string_view FeedbackName(AnomalyFeedback feedback);
[[nodiscard]] std::optional<AnomalySeverity> ParseSeverity(std::string_view text);
[[nodiscard]] std::optional<AnomalyStatus> ParseStatus(std::string_view text);
[[nodiscard]] std::optional<AnomalyFeedback> ParseFeedback(std::string_view text);

// The daily series an anomaly was found on: the spend of one slice of the cube in one currency.
struct AnomalyMonitor {
  std::optional<DimensionRef> dimension;  // empty: the tenant's total spend
  std::string value;                      // the dimension's value ("" for the total)
  std::string currency;
};

// "total", "service=Amazon EC2", "tag:team=web".
[[nodiscard]] std::string MonitorLabel(const AnomalyMonitor& monitor);
// Equal dimension (tag key included), value and currency.
[[nodiscard]] bool SameMonitor(const AnomalyMonitor& a, const AnomalyMonitor& b);

// One contributor to an anomaly's impact: a value of a dimension ("resource" / "i-0abc"), with
// its actual spend over the anomaly's days minus its share of the expected spend.
struct RootCause {
  std::string dimension;  // DimensionName: "account", "region", "usage-type", "tag:team", ...
  std::string value;
  Money impact;
  friend bool operator==(const RootCause&, const RootCause&) = default;
};

// How specific a root-cause dimension is, most specific first: resource 0, usage-type 1,
// account 2, region 3, service 4, tags 5, anything else 6.
[[nodiscard]] int DimensionSpecificity(std::string_view dimension);

struct CostAnomaly {
  std::int64_t id = 0;  // 0 until stored
  AnomalyMonitor monitor;
  Date start_date;  // first anomalous day
  Date end_date;    // last anomalous day, inclusive
  Money actual_spend;
  Money expected_spend;
  Money impact;                          // actual minus expected
  std::optional<double> impact_percent;  // impact / expected * 100; empty when expected is 0
  double max_score = 0;                  // detector scores in [0, 1]
  double latest_score = 0;
  AnomalySeverity severity = AnomalySeverity::kLow;
  std::vector<RootCause> root_causes;  // largest impact first
  std::int64_t model_id = 0;           // ml_models row of the detector configuration
  std::string model_version;           // "series-detector/1" (read from the store)
  std::int64_t detected_at = 0;        // Unix seconds
  std::int64_t updated_at = 0;
  AnomalyStatus status = AnomalyStatus::kOpen;
  std::int64_t suppressed_by = 0;  // the anomaly whose feedback suppressed this one, or 0
  AnomalyFeedback feedback = AnomalyFeedback::kNone;
  std::string feedback_note;
  std::int64_t feedback_at = 0;  // Unix seconds, 0 without feedback
};

// The root cause to show first: among the contributors with a value (not "") that explain at
// least half of the impact, the one of the most specific dimension (the largest there); when no
// contributor explains half, the largest contributor. Null when there is none.
[[nodiscard]] const RootCause* TopRootCause(const CostAnomaly& anomaly);

}  // namespace costwise
