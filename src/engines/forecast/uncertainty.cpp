#include "engines/forecast/uncertainty.h"

#include <algorithm>
#include <cmath>
#include <random>

namespace costwise::forecast {

Eigen::MatrixXd SimulateTrendChanges(std::span<const double> future_t, int changepoint_count,
                                     double mean_abs_delta, int samples, std::uint64_t seed) {
  const auto steps = static_cast<Eigen::Index>(future_t.size());
  Eigen::MatrixXd paths = Eigen::MatrixXd::Zero(samples, steps);
  if (future_t.empty() || changepoint_count <= 0 || mean_abs_delta <= 0) return paths;
  const double end = *std::max_element(future_t.begin(), future_t.end());
  if (end <= 1) return paths;
  std::mt19937_64 random(seed);
  std::poisson_distribution<int> count(changepoint_count * (end - 1));
  std::uniform_real_distribution<double> when(1.0, end);
  std::exponential_distribution<double> size(1 / mean_abs_delta);
  std::bernoulli_distribution sign(0.5);
  for (int sample = 0; sample < samples; ++sample) {
    for (int change = count(random); change > 0; --change) {
      const double at = when(random);
      // Laplace(0, b) = a random sign times Exponential(1/b).
      const double delta = (sign(random) ? 1 : -1) * size(random);
      for (Eigen::Index h = 0; h < steps; ++h) {
        const double t = future_t[static_cast<std::size_t>(h)];
        if (t > at) paths(sample, h) += delta * (t - at);
      }
    }
  }
  return paths;
}

void AddNoise(Eigen::MatrixXd& paths, double sigma, std::uint64_t seed) {
  if (sigma <= 0) return;
  std::mt19937_64 random(seed);
  std::normal_distribution<double> noise(0.0, sigma);
  for (Eigen::Index column = 0; column < paths.cols(); ++column) {
    for (Eigen::Index row = 0; row < paths.rows(); ++row) paths(row, column) += noise(random);
  }
}

std::vector<Interval> PathIntervals(const Eigen::MatrixXd& paths, std::span<const double> levels) {
  std::vector<Interval> intervals;
  const auto steps = static_cast<std::size_t>(paths.cols());
  for (const double level : levels) {
    intervals.push_back({level, std::vector<double>(steps), std::vector<double>(steps)});
  }
  std::vector<double> column;
  for (Eigen::Index h = 0; h < paths.cols(); ++h) {
    column.assign(paths.col(h).data(), paths.col(h).data() + paths.rows());
    std::sort(column.begin(), column.end());
    const auto percentile = [&](double p) {
      const double position = p / 100 * static_cast<double>(column.size() - 1);
      const auto below = static_cast<std::size_t>(std::floor(position));
      const std::size_t above = std::min(below + 1, column.size() - 1);
      return column[below] +
             (position - static_cast<double>(below)) * (column[above] - column[below]);
    };
    for (Interval& interval : intervals) {
      interval.lower[static_cast<std::size_t>(h)] = percentile((100 - interval.level) / 2);
      interval.upper[static_cast<std::size_t>(h)] = percentile((100 + interval.level) / 2);
    }
  }
  return intervals;
}

}  // namespace costwise::forecast
