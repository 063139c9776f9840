#include "engines/forecast/outliers.h"

#include <algorithm>
#include <cmath>

namespace costwise::forecast {
namespace {

constexpr double kMadToSigma = 1.4826;

double MedianOf(std::vector<double>& values) {
  const auto middle = values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2);
  std::nth_element(values.begin(), middle, values.end());
  if (values.size() % 2 == 1) return *middle;
  return (*middle + *std::max_element(values.begin(), middle)) / 2;
}

}  // namespace

std::vector<double> SpikeWeights(const RegularSeries& series, int period,
                                 const SpikeOptions& options) {
  const std::size_t n = series.size();
  std::vector<double> weights(n);
  for (std::size_t i = 0; i < n; ++i) weights[i] = series.WeightAt(i);
  const auto step = static_cast<std::size_t>(std::max(period, 1));
  const auto reach = static_cast<std::size_t>(options.cycles) * step;
  if (options.cycles < 1 || n < 3 * reach + 1) return weights;
  const auto usable = [&](std::size_t j) {
    return !std::isnan(series.values[j]) && series.WeightAt(j) > 0;
  };
  // Residuals from the median of each point's seasonal neighbourhood (itself included).
  std::vector<double> residuals(n, std::nan(""));
  std::vector<double> neighbourhood;
  for (std::size_t i = reach; i + reach < n; ++i) {
    if (std::isnan(series.values[i])) continue;
    neighbourhood.clear();
    for (std::size_t j = i - reach; j <= i + reach; j += step) {
      if (usable(j)) neighbourhood.push_back(series.values[j]);
    }
    if (neighbourhood.size() < static_cast<std::size_t>(options.cycles) + 1) continue;
    residuals[i] = series.values[i] - MedianOf(neighbourhood);
  }
  std::vector<double> absolute;
  for (const double r : residuals) {
    if (!std::isnan(r)) absolute.push_back(std::abs(r));
  }
  if (absolute.size() < 2 * reach) return weights;
  const double scale = kMadToSigma * MedianOf(absolute);
  if (!(scale > 0)) return weights;
  // The newest points keep their weight: a move there may be the start of a new level.
  for (std::size_t i = 0; i + reach < n; ++i) {
    if (!std::isnan(residuals[i]) && std::abs(residuals[i]) > options.threshold * scale) {
      weights[i] = 0;
    }
  }
  return weights;
}

}  // namespace costwise::forecast
