#pragma once
// Forecast accuracy as forecasters report it: MAPE, sMAPE (M4's definition), MASE (scaled by the
// in-sample seasonal naive error, Hyndman and Koehler 2006) and the empirical coverage of each
// prediction interval.
#include <span>
#include <vector>

#include "engines/forecast/series.h"

namespace costwise::forecast {

struct Accuracy {
  double mape = 0;   // percent; points with actual 0 are left out
  double smape = 0;  // percent, 200 |y - f| / (|y| + |f|); 0 when both are 0
  double mase = 0;   // mean |y - f| over the scale
  double mae = 0;
  std::vector<double> levels;    // the intervals' levels
  std::vector<double> coverage;  // percent of actuals inside each interval
  int points = 0;                // actuals compared (missing ones are skipped)
};

// The mean absolute difference between values `period` apart (NaN pairs skipped); the MASE
// denominator. Falls back to period 1, then to the mean |value|, when that is zero or undefined.
[[nodiscard]] double MaseScale(std::span<const double> history, int period);

// Sums of the errors, to be pooled over several forecasts before taking means.
class AccuracyTally {
 public:
  explicit AccuracyTally(std::span<const double> levels);
  // `actual[h]` against `forecast`'s step h; NaN actuals are skipped. `scale` from MaseScale.
  void Add(std::span<const double> actual, const ForecastResult& forecast, double scale);
  [[nodiscard]] Accuracy Summary() const;

 private:
  std::vector<double> levels_;
  std::vector<int> inside_;
  double ape_ = 0;
  int ape_points_ = 0;
  double sape_ = 0;
  double scaled_ = 0;
  double absolute_ = 0;
  int points_ = 0;
};

}  // namespace costwise::forecast
