#include "engines/forecast/trend.h"

#include <algorithm>
#include <cmath>

namespace costwise::forecast {

std::vector<double> PlaceChangepoints(std::span<const double> t, int count, double range) {
  std::vector<double> changepoints;
  if (t.size() < 3 || count <= 0) return changepoints;
  // Observed points within the first `range` of the history; the changepoints are at evenly
  // spaced indices of those, linspace(0, within - 1, count + 1) rounded, without the first.
  const auto within = static_cast<std::size_t>(
      std::floor(static_cast<double>(t.size()) * std::clamp(range, 0.0, 1.0)));
  if (within < 2) return changepoints;
  const int placed = std::min(count, static_cast<int>(within) - 1);
  for (int j = 1; j <= placed; ++j) {
    const double position =
        static_cast<double>(j) * static_cast<double>(within - 1) / static_cast<double>(placed);
    // Rounded half to even, as numpy rounds.
    changepoints.push_back(t[static_cast<std::size_t>(std::nearbyint(position))]);
  }
  changepoints.erase(std::unique(changepoints.begin(), changepoints.end()), changepoints.end());
  return changepoints;
}

Eigen::VectorXd PiecewiseLinear(std::span<const double> t, double k, double m,
                                std::span<const double> deltas,
                                std::span<const double> changepoints) {
  Eigen::VectorXd trend(static_cast<Eigen::Index>(t.size()));
  for (std::size_t i = 0; i < t.size(); ++i) {
    double value = k * t[i] + m;
    for (std::size_t j = 0; j < changepoints.size(); ++j) {
      if (t[i] >= changepoints[j]) value += deltas[j] * (t[i] - changepoints[j]);
    }
    trend(static_cast<Eigen::Index>(i)) = value;
  }
  return trend;
}

Eigen::MatrixXd TrendDesign(std::span<const double> t, std::span<const double> changepoints) {
  const auto rows = static_cast<Eigen::Index>(t.size());
  Eigen::MatrixXd design(rows, 2 + static_cast<Eigen::Index>(changepoints.size()));
  for (Eigen::Index i = 0; i < rows; ++i) {
    const double time = t[static_cast<std::size_t>(i)];
    design(i, 0) = time;
    design(i, 1) = 1;
    for (std::size_t j = 0; j < changepoints.size(); ++j) {
      design(i, 2 + static_cast<Eigen::Index>(j)) = std::max(0.0, time - changepoints[j]);
    }
  }
  return design;
}

}  // namespace costwise::forecast
