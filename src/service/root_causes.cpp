#include "service/root_causes.h"

#include <algorithm>
#include <cmath>
#include <string_view>
#include <tuple>

namespace costwise::service {
namespace {

constexpr std::string_view kTagPrefix = "tag:";

// Tag keys compete for one dimension's places.
std::string_view GroupOf(std::string_view dimension) {
  return dimension.starts_with(kTagPrefix) ? kTagPrefix : dimension;
}

// E_v: the value's share of the expected spend.
std::int64_t ExpectedShare(const SliceBreakdown& breakdown, const SliceSpend& spend,
                           Money expected) {
  const auto share = [&](std::int64_t part, std::int64_t whole) {
    return static_cast<std::int64_t>(
        std::llround(static_cast<long double>(expected.nanos()) * static_cast<long double>(part) /
                     static_cast<long double>(whole)));
  };
  if (breakdown.total.baseline > 0) return share(spend.baseline, breakdown.total.baseline);
  if (breakdown.total.actual > 0) return share(spend.actual, breakdown.total.actual);
  return 0;
}

bool LargerFirst(const RootCause& a, const RootCause& b) {
  if (a.impact != b.impact) return a.impact > b.impact;
  const int a_rank = DimensionSpecificity(a.dimension);
  const int b_rank = DimensionSpecificity(b.dimension);
  return std::tie(a_rank, a.dimension, a.value) < std::tie(b_rank, b.dimension, b.value);
}

}  // namespace

std::vector<RootCause> AttributeImpact(const SliceBreakdown& breakdown, Money expected,
                                       const RootCauseOptions& options) {
  const std::int64_t impact = breakdown.total.actual - expected.nanos();
  if (impact <= 0) return {};
  const double min_impact = options.min_share * static_cast<double>(impact);
  std::vector<RootCause> causes;
  for (const auto& [key, spend] : breakdown.values) {
    const std::int64_t contribution = spend.actual - ExpectedShare(breakdown, spend, expected);
    if (contribution <= 0 || static_cast<double>(contribution) < min_impact) continue;
    causes.push_back(RootCause{key.first, key.second, Money::FromNanos(contribution)});
  }
  std::sort(causes.begin(), causes.end(), [](const RootCause& a, const RootCause& b) {
    if (GroupOf(a.dimension) != GroupOf(b.dimension)) {
      return GroupOf(a.dimension) < GroupOf(b.dimension);
    }
    return LargerFirst(a, b);
  });
  std::vector<RootCause> kept;
  int in_group = 0;
  for (std::size_t i = 0; i < causes.size(); ++i) {
    if (i == 0 || GroupOf(causes[i].dimension) != GroupOf(causes[i - 1].dimension)) in_group = 0;
    if (in_group++ < options.per_dimension) kept.push_back(causes[i]);
  }
  std::sort(kept.begin(), kept.end(), LargerFirst);
  return kept;
}

}  // namespace costwise::service
