#pragma once
// The piecewise-linear trend (Prophet's `piecewise_linear`, Taylor and Letham 2018, eq. 3-4):
// a growth rate k and offset m that change at changepoints s_j by delta_j, kept continuous:
//   g(t) = (k + sum_{s_j <= t} delta_j) t + (m - sum_{s_j <= t} s_j delta_j)
//        = k t + m + sum_j delta_j (t - s_j)_+ ,
// which is linear in (k, m, delta): the design columns are t, 1 and (t - s_j)_+.
// Time t is scaled so the history spans [0, 1].
#include <span>
#include <vector>

#include <Eigen/Core>

namespace costwise::forecast {

// Up to `count` changepoints, placed as Prophet does: at evenly spaced observed times within the
// first `range` (0.8) of the history, never at its first point. `t` is sorted, observed times
// only. Fewer (at most one per observed point in the range after the first) on short histories.
[[nodiscard]] std::vector<double> PlaceChangepoints(std::span<const double> t, int count,
                                                    double range);

// The trend at each t.
[[nodiscard]] Eigen::VectorXd PiecewiseLinear(std::span<const double> t, double k, double m,
                                              std::span<const double> deltas,
                                              std::span<const double> changepoints);

// Design columns for the trend: [t, 1, (t - s_1)_+, ..., (t - s_S)_+].
[[nodiscard]] Eigen::MatrixXd TrendDesign(std::span<const double> t,
                                          std::span<const double> changepoints);

}  // namespace costwise::forecast
