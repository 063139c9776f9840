#pragma once
// The additive forecasting model in the shape of Prophet (Taylor and Letham 2018):
//   y(t) = g(t) + s(t) + h(t) + e(t)   (or g(t) (1 + s(t) + h(t)) + ... for multiplicative terms)
// with g a piecewise-linear trend with automatic changepoints under a sparse Laplace prior
// (trend.h), s Fourier seasonalities (seasonality.h), h holidays, billing effects and user events
// (holidays.h), fitted by MAP with L-BFGS (fit.h), and intervals from simulated future trend
// changes plus noise (uncertainty.h). Beyond Prophet: per-point weights (an anomaly can be
// down-weighted so it neither bends the fit nor widens the intervals) and gaps handled as
// missing points.
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "core/error.h"
#include "engines/forecast/holidays.h"
#include "engines/forecast/series.h"

namespace costwise::forecast {

enum class SeasonalityMode { kAdditive, kMultiplicative };

struct Seasonality {
  std::string name;   // "yearly", "weekly", "daily", or a user's
  double period = 0;  // days
  int order = 0;      // Fourier order
  double prior_scale = 10;
  SeasonalityMode mode = SeasonalityMode::kAdditive;
};

struct AdditiveModelOptions {
  int changepoints = 25;
  double changepoint_range = 0.8;
  double changepoint_prior_scale = 0.05;
  // Built-in seasonalities: empty = automatic (Prophet's rules: yearly with two years of history,
  // weekly with two weeks and a step under a week, daily with two days and a sub-daily step).
  std::optional<bool> yearly;
  std::optional<bool> weekly;
  std::optional<bool> daily;
  int yearly_order = 10;
  int weekly_order = 3;
  int daily_order = 4;
  double seasonality_prior_scale = 10;
  SeasonalityMode seasonality_mode = SeasonalityMode::kAdditive;
  std::vector<Seasonality> extra_seasonalities;
  std::string country_holidays;  // "" = none, "US"
  bool billing_events = false;   // month start and month end effects
  std::vector<Event> events;     // user events (their own prior scales and windows)
  double holidays_prior_scale = 10;
  SeasonalityMode holidays_mode = SeasonalityMode::kAdditive;
  int uncertainty_samples = 1000;
  std::uint64_t seed = 1;
};

// A fitted model: everything needed to forecast, and to save and load.
class AdditiveModel final {
 public:
  // InvalidInput when the series has fewer than two observed points or options are out of range.
  [[nodiscard]] static Result<AdditiveModel> Fit(const RegularSeries& series,
                                                 const AdditiveModelOptions& options = {});

  // How intervals are computed. kSimulated: Prophet's way, percentiles of simulated paths
  // (future trend changes plus noise). kNormal: a normal interval with the same variance, in
  // closed form: sigma^2 + S * 2 b^2 * (t - 1)^3 / 3 for S changepoints per unit of time with
  // Laplace(0, b) sizes (the variance of that compound Poisson process); no simulation. Its tails
  // are lighter than the simulated ones, so it suits callers that calibrate widths per level on
  // backtests, as the forecaster does.
  enum class Intervals { kSimulated, kNormal };

  // The next `horizon` steps after the history, with intervals at `levels` (percent).
  [[nodiscard]] ForecastResult Forecast(int horizon, std::span<const double> levels,
                                        Intervals method = Intervals::kSimulated) const;
  // The model's mean at any timestamps (history or future), in the data's units.
  [[nodiscard]] Eigen::VectorXd Predict(std::span<const std::int64_t> timestamps) const;

  [[nodiscard]] const std::vector<Seasonality>& seasonalities() const { return seasonalities_; }
  [[nodiscard]] const std::vector<double>& changepoints() const { return changepoints_; }
  // Rate changes at the changepoints, in data units per day.
  [[nodiscard]] std::vector<double> ChangepointDeltasPerDay() const;
  // Initial growth rate, in data units per day.
  [[nodiscard]] double RatePerDay() const;
  [[nodiscard]] double sigma() const { return sigma_ * y_scale_; }  // noise, data units
  [[nodiscard]] const std::vector<std::string>& event_columns() const { return event_names_; }

  void Save(std::ostream& out) const;
  [[nodiscard]] static Result<AdditiveModel> Load(std::istream& in);

 private:
  AdditiveModel() = default;
  struct Features;
  [[nodiscard]] Features BuildFeatures(std::span<const std::int64_t> timestamps) const;
  [[nodiscard]] double ScaledTime(std::int64_t timestamp) const;

  // Scaling: t = (timestamp - start) / span; y / y_scale.
  std::int64_t start_ = 0;
  double span_seconds_ = 1;
  double y_scale_ = 1;
  Frequency frequency_;
  std::int64_t history_points_ = 0;
  std::vector<double> changepoints_;  // scaled times
  std::vector<Seasonality> seasonalities_;
  std::vector<Event> events_;             // all candidate events, dates over history and future
  std::vector<std::string> event_names_;  // the columns kept (seen in the history)
  std::vector<SeasonalityMode> event_modes_;
  Eigen::VectorXd theta_;  // trend [k, m, deltas], additive features, multiplicative features
  double sigma_ = 0;       // scaled noise
  int uncertainty_samples_ = 1000;
  std::uint64_t seed_ = 1;
};

}  // namespace costwise::forecast
