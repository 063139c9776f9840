#include "engines/forecast/accuracy.h"

#include <cmath>

namespace costwise::forecast {

double MaseScale(std::span<const double> history, int period) {
  for (int lag : {period, 1}) {
    if (lag < 1) continue;
    double sum = 0;
    int count = 0;
    for (std::size_t i = static_cast<std::size_t>(lag); i < history.size(); ++i) {
      const double a = history[i];
      const double b = history[i - static_cast<std::size_t>(lag)];
      if (std::isnan(a) || std::isnan(b)) continue;
      sum += std::abs(a - b);
      ++count;
    }
    if (count > 0 && sum > 0) return sum / count;
  }
  double sum = 0;
  int count = 0;
  for (const double value : history) {
    if (std::isnan(value)) continue;
    sum += std::abs(value);
    ++count;
  }
  return count > 0 && sum > 0 ? sum / count : 1;
}

AccuracyTally::AccuracyTally(std::span<const double> levels)
    : levels_(levels.begin(), levels.end()), inside_(levels.size(), 0) {}

void AccuracyTally::Add(std::span<const double> actual, const ForecastResult& forecast,
                        double scale) {
  for (std::size_t h = 0; h < actual.size() && h < forecast.mean.size(); ++h) {
    const double y = actual[h];
    if (std::isnan(y)) continue;
    const double f = forecast.mean[h];
    const double error = std::abs(y - f);
    if (y != 0) {
      ape_ += 100 * error / std::abs(y);
      ++ape_points_;
    }
    const double denominator = std::abs(y) + std::abs(f);
    if (denominator > 0) sape_ += 200 * error / denominator;
    scaled_ += error / scale;
    absolute_ += error;
    ++points_;
    for (std::size_t l = 0; l < levels_.size(); ++l) {
      for (const Interval& interval : forecast.intervals) {
        if (interval.level != levels_[l]) continue;
        inside_[l] += y >= interval.lower[h] && y <= interval.upper[h];
      }
    }
  }
}

Accuracy AccuracyTally::Summary() const {
  Accuracy accuracy;
  accuracy.points = points_;
  accuracy.levels = levels_;
  if (points_ == 0) return accuracy;
  const double n = points_;
  accuracy.mape = ape_points_ > 0 ? ape_ / ape_points_ : std::nan("");
  accuracy.smape = sape_ / n;
  accuracy.mase = scaled_ / n;
  accuracy.mae = absolute_ / n;
  for (const int inside : inside_) accuracy.coverage.push_back(100.0 * inside / n);
  return accuracy;
}

}  // namespace costwise::forecast
