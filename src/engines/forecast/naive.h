#pragma once
// Seasonal naive forecasts (R's forecast::snaive; with period 1 the naive random walk,
// forecast::naive): step h repeats the last observed value at its position in the cycle.
// Intervals are normal, from the in-sample seasonal naive residuals e_t = y_t - y_(t-period):
// sigma^2 = mean e^2, and step h has sigma * sqrt(floor((h - 1) / period) + 1).
#include <span>

#include "core/error.h"
#include "engines/forecast/series.h"

namespace costwise::forecast {

// Missing points and points of weight 0 are skipped: a cycle position whose last value is
// missing repeats the latest observed value at that position, and only pairs of observed
// points one period apart make residuals (other weights do not matter). InvalidInput when the
// period is below 1, the horizon negative, a level outside (0, 100), some cycle position was
// never observed, or intervals are asked for and no residual can be formed.
[[nodiscard]] Result<ForecastResult> SeasonalNaive(const RegularSeries& series, int period,
                                                   int horizon, std::span<const double> levels);

}  // namespace costwise::forecast
