#pragma once
// Forecast uncertainty as Prophet models it (`sample_predictive_trend`, `predict_uncertainty`):
// the future trend may change as often and as much as it did in the history (changepoints at the
// history's rate, magnitudes from a Laplace distribution with the mean |delta| of the fit), plus
// observation noise. Paths are simulated together, one row per sample, and the intervals are
// their per-step quantiles.
#include <cstdint>
#include <span>
#include <vector>

#include <Eigen/Core>

#include "engines/forecast/series.h"

namespace costwise::forecast {

// samples x future_t.size(): for each sample path, the trend change from new changepoints,
// sum_c delta_c (t - c)_+ over changepoints c drawn uniformly in (1, max t] with a Poisson count
// of mean changepoint_count * (max t - 1), and delta_c ~ Laplace(0, mean_abs_delta). Times are on
// the fit's scale (the history spans [0, 1]). Deterministic for a seed.
[[nodiscard]] Eigen::MatrixXd SimulateTrendChanges(std::span<const double> future_t,
                                                   int changepoint_count, double mean_abs_delta,
                                                   int samples, std::uint64_t seed);

// Adds independent Normal(0, sigma) noise to every entry. Deterministic for a seed.
void AddNoise(Eigen::MatrixXd& paths, double sigma, std::uint64_t seed);

// Per column, the (100 - level)/2 and (100 + level)/2 percentiles of the paths (linear
// interpolation between order statistics), for each level, in order.
[[nodiscard]] std::vector<Interval> PathIntervals(const Eigen::MatrixXd& paths,
                                                  std::span<const double> levels);

}  // namespace costwise::forecast
