#include "engines/forecast/seasonality.h"

#include <cmath>
#include <numbers>

namespace costwise::forecast {

Eigen::MatrixXd FourierFeatures(std::span<const double> days, double period, int order) {
  Eigen::MatrixXd features(static_cast<Eigen::Index>(days.size()), 2 * order);
  for (std::size_t i = 0; i < days.size(); ++i) {
    // The angle of the first harmonic, reduced to one cycle first so large day counts keep
    // their precision.
    const double cycles = days[i] / period;
    const double angle = 2 * std::numbers::pi * (cycles - std::floor(cycles));
    for (int k = 1; k <= order; ++k) {
      const auto row = static_cast<Eigen::Index>(i);
      features(row, 2 * (k - 1)) = std::sin(k * angle);
      features(row, 2 * (k - 1) + 1) = std::cos(k * angle);
    }
  }
  return features;
}

}  // namespace costwise::forecast
