#pragma once
// Fourier seasonality: a smooth periodic effect as a sum of sines and cosines of the period's
// harmonics, s(t) = sum_k a_k sin(2 pi k t / P) + b_k cos(2 pi k t / P) (Harvey and Shephard
// 1993; Prophet's `fourier_series`). Time is in days since the Unix epoch, so the phase of a
// weekly or daily cycle is the same for any series.
#include <span>

#include <Eigen/Core>

namespace costwise::forecast {

// One row per time, 2 * order columns: sin(2 pi k t / period), cos(2 pi k t / period) for
// k = 1..order, in that interleaved order. `days` and `period` in days.
[[nodiscard]] Eigen::MatrixXd FourierFeatures(std::span<const double> days, double period,
                                              int order);

}  // namespace costwise::forecast
