#include "engines/forecast/naive.h"

#include <cmath>
#include <string>
#include <vector>

namespace costwise::forecast {
namespace {

bool Observed(const RegularSeries& series, std::size_t t) {
  return !std::isnan(series.values[t]) && series.WeightAt(t) > 0;
}

}  // namespace

Result<ForecastResult> SeasonalNaive(const RegularSeries& series, int period, int horizon,
                                     std::span<const double> levels) {
  if (period < 1) return MakeError(ErrorCode::kInvalidInput, "the period must be at least 1");
  if (horizon < 0) return MakeError(ErrorCode::kInvalidInput, "the horizon must not be negative");
  if (auto status = CheckLevels(levels); !status) return unexpected(status.error());
  if (!series.weights.empty() && series.weights.size() != series.values.size()) {
    return MakeError(ErrorCode::kInvalidInput,
                     "the series has " + std::to_string(series.values.size()) + " values but " +
                         std::to_string(series.weights.size()) + " weights");
  }
  const std::size_t n = series.values.size();
  const auto m = static_cast<std::size_t>(period);
  // last[k]: the latest observed value at cycle position k, counted from the end of the series
  // (k = 0 is the position of the first forecast step).
  std::vector<double> last(m, std::nan(""));
  std::size_t found = 0;
  for (std::size_t back = 1; back <= n && found < m; ++back) {
    const std::size_t t = n - back;
    const std::size_t k = (m - back % m) % m;
    if (Observed(series, t) && std::isnan(last[k])) {
      last[k] = series.values[t];
      ++found;
    }
  }
  if (found < m) {
    return MakeError(ErrorCode::kInvalidInput,
                     "the seasonal naive forecast needs an observed value at each of the " +
                         std::to_string(period) + " positions of the cycle; the series has " +
                         std::to_string(found));
  }
  ForecastResult result;
  result.model = period == 1 ? "naive" : "snaive";
  const auto steps = static_cast<std::size_t>(horizon);
  result.mean.resize(steps);
  for (std::size_t h = 0; h < steps; ++h) result.mean[h] = last[h % m];
  if (levels.empty()) return result;

  double sum_squares = 0;
  std::size_t residuals = 0;
  for (std::size_t t = m; t < n; ++t) {
    if (!Observed(series, t) || !Observed(series, t - m)) continue;
    const double e = series.values[t] - series.values[t - m];
    sum_squares += e * e;
    ++residuals;
  }
  if (residuals == 0) {
    return MakeError(ErrorCode::kInvalidInput,
                     "the seasonal naive intervals need two observed values one period (" +
                         std::to_string(period) + " steps) apart");
  }
  const double sigma = std::sqrt(sum_squares / static_cast<double>(residuals));
  for (const double level : levels) {
    const double z = NormalQuantile(0.5 + level / 200);
    Interval interval{level, std::vector<double>(steps), std::vector<double>(steps)};
    for (std::size_t h = 0; h < steps; ++h) {
      const double cycles = static_cast<double>(h / m + 1);
      const double half_width = z * sigma * std::sqrt(cycles);
      interval.lower[h] = result.mean[h] - half_width;
      interval.upper[h] = result.mean[h] + half_width;
    }
    result.intervals.push_back(std::move(interval));
  }
  return result;
}

}  // namespace costwise::forecast
