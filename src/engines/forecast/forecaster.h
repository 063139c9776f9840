#pragma once
// The forecaster: per series, several models (the additive model, ETS selected by AICc, seasonal
// naive) are tried on rolling-origin backtests over the series' own recent past; the forecast is
// their combination weighted by backtest accuracy, and its intervals are calibrated so that they
// would have covered the backtests as often as they promise. The backtest accuracy comes with
// every forecast.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/error.h"
#include "engines/forecast/accuracy.h"
#include "engines/forecast/additive_model.h"
#include "engines/forecast/series.h"

namespace costwise::forecast {

inline constexpr std::string_view kForecasterVersion = "forecaster/1";

// Sub-daily data (hourly metrics, hourly cost) has sharp daily shapes that differ by weekday:
// the additive model gets enough Fourier terms to draw them (a weekly order of 60 can represent
// most of a 168-hour profile), a tighter prior so that many terms do not overfit, and a stiffer
// trend. Chosen on M4 Hourly (bench/RESULTS.md has the sensitivity).
struct SubDailyProfile {
  int daily_order = 12;
  int weekly_order = 60;
  double seasonality_prior_scale = 1;
  double changepoint_prior_scale = 0.01;
};

struct ForecasterOptions {
  std::vector<double> levels = {80, 95};
  AdditiveModelOptions additive;   // Prophet's defaults
  bool adapt_to_frequency = true;  // sub-daily series use `sub_daily` instead of those orders
  SubDailyProfile sub_daily;
  bool use_additive = true;
  bool use_ets = true;
  bool use_seasonal_naive = true;
  int backtest_origins = 3;  // rolling origins, one backtest horizon apart
  bool calibrate_intervals = true;
  // Spikes (outliers.h) get weight 0 in every model's fit, so a one-day spike neither bends the
  // forecast nor widens its intervals; they remain backtest targets.
  bool down_weight_spikes = true;
  // Paths simulated for intervals without a closed form (the additive model's, multiplicative
  // ETS'); Prophet's default is 1,000, and the calibration on backtests corrects the width, so
  // fewer do. Backtests use 200.
  int interval_paths = 500;
};

struct ModelWeight {
  std::string model;  // "additive", "ETS(A,Ad,A)", "snaive(7)"
  double weight = 0;
  Accuracy backtest;  // this model alone
};

struct SeriesForecast {
  std::vector<std::int64_t> timestamps;  // one per horizon step
  ForecastResult forecast;
  Accuracy backtest;         // of the combined forecast; points = 0 when history is too short
  int backtest_horizon = 0;  // steps ahead the backtests forecast
  int backtest_origins = 0;
  std::vector<ModelWeight> models;
  std::vector<double> interval_factors;  // per level: the backtest calibration applied
};

// InvalidInput for horizon < 1, bad levels, fewer than three observed points, or when no model
// can be fitted (the message says why).
[[nodiscard]] Result<SeriesForecast> ForecastSeries(const RegularSeries& series, int horizon,
                                                    const ForecasterOptions& options = {});

// The season length (in steps) ETS and seasonal naive use: the shortest seasonal period of the
// frequency when it is a whole number of steps, at most `limit`; 1 otherwise.
[[nodiscard]] int PrimaryPeriod(const Frequency& frequency, int limit);

}  // namespace costwise::forecast
