#pragma once
// Root-cause attribution of a cost anomaly's impact (docs/anomalies.md, "Root causes").
//
// Within the anomaly's slice, each value v of a dimension (an account, a region, a usage type, a
// resource, a service, a tag value) has its actual spend over the anomaly's days, A_v, and its
// spend over the baseline days just before them, B_v. The detector's expected spend E of the
// whole slice is shared out in proportion to the baseline: E_v = E * B_v / B (B = the slice's
// baseline spend), or in proportion to the actual spend when the slice had no baseline spend.
// The contribution of v is A_v - E_v. Over the values of one dimension these add up to the
// anomaly's impact, A - E, so each dimension splits the same impact; a value new in the anomaly
// (B_v = 0) contributes all its spend.
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/cost_anomaly.h"
#include "core/money.h"

namespace costwise::service {

struct SliceSpend {
  std::int64_t actual = 0;    // nanos over the anomaly's days
  std::int64_t baseline = 0;  // nanos over the baseline days
};

// A slice's spend in total and per (dimension, value).
struct SliceBreakdown {
  SliceSpend total;
  std::map<std::pair<std::string, std::string>, SliceSpend> values;
};

struct RootCauseOptions {
  int per_dimension = 5;  // contributors kept per dimension (all tag keys count as one)
  // Contributors below this share of the impact are left out.
  double min_share = 0.01;
};

// The positive contributions, largest first (ties: the more specific dimension, then the value).
// Empty when the impact is not positive.
[[nodiscard]] std::vector<RootCause> AttributeImpact(const SliceBreakdown& breakdown,
                                                     Money expected,
                                                     const RootCauseOptions& options);

}  // namespace costwise::service
