#include "engines/forecast/forecaster.h"

#include <algorithm>
#include <cmath>
#include <functional>

#include "engines/forecast/ets.h"
#include "engines/forecast/naive.h"
#include "engines/forecast/outliers.h"

namespace costwise::forecast {
namespace {

// Models within this factor of the best backtest error share the forecast, weighted by the
// inverse of their error; the rest are dropped.
constexpr double kCombineWithin = 1.5;
// Interval calibration: the factor found on n backtest points is shrunk towards 1 as if
// kCalibrationPrior more points had needed no change.
constexpr double kCalibrationPrior = 20;
constexpr double kMinFactor = 0.5;
constexpr double kMaxFactor = 4;
// ETS seasonality beyond this many steps per cycle is left out (as forecast::ets does).
constexpr int kEtsMaxPeriod = 24;
constexpr int kNaiveMaxPeriod = 1000;
constexpr std::size_t kMinObserved = 3;
constexpr int kBacktestUncertaintySamples = 200;

// A candidate: fits on a training prefix and forecasts `horizon` steps with intervals; `final`
// is false for backtests.
struct Candidate {
  std::string name;
  std::function<Result<ForecastResult>(const RegularSeries&, int, std::span<const double>, bool)>
      run;
};

RegularSeries Prefix(const RegularSeries& series, std::size_t length) {
  RegularSeries prefix;
  prefix.start = series.start;
  prefix.frequency = series.frequency;
  prefix.values.assign(series.values.begin(),
                       series.values.begin() + static_cast<std::ptrdiff_t>(length));
  if (!series.weights.empty()) {
    prefix.weights.assign(series.weights.begin(),
                          series.weights.begin() + static_cast<std::ptrdiff_t>(length));
  }
  return prefix;
}

// Weighted average of the forecasts' means and interval bounds (quantile averaging).
ForecastResult Combine(const std::vector<ForecastResult>& forecasts,
                       const std::vector<double>& weights, std::span<const double> levels) {
  ForecastResult combined;
  const std::size_t steps = forecasts.front().mean.size();
  combined.mean.assign(steps, 0);
  for (const double level : levels) {
    combined.intervals.push_back(
        {level, std::vector<double>(steps, 0), std::vector<double>(steps, 0)});
  }
  double total = 0;
  for (double w : weights) total += w;
  for (std::size_t m = 0; m < forecasts.size(); ++m) {
    const double w = weights[m] / total;
    if (w == 0) continue;
    for (std::size_t h = 0; h < steps; ++h) combined.mean[h] += w * forecasts[m].mean[h];
    for (std::size_t l = 0; l < levels.size(); ++l) {
      const Interval* own = nullptr;
      for (const Interval& interval : forecasts[m].intervals) {
        if (interval.level == levels[l]) own = &interval;
      }
      for (std::size_t h = 0; h < steps; ++h) {
        combined.intervals[l].lower[h] += w * (own ? own->lower[h] : forecasts[m].mean[h]);
        combined.intervals[l].upper[h] += w * (own ? own->upper[h] : forecasts[m].mean[h]);
      }
    }
  }
  return combined;
}

// Per level, the factor on the half-widths that would have given the nominal coverage on the
// backtests: the level-quantile of |error| / half-width on the error's side.
std::vector<double> CalibrationFactors(const std::vector<std::vector<double>>& actuals,
                                       const std::vector<ForecastResult>& forecasts,
                                       std::span<const double> levels) {
  std::vector<double> factors;
  for (std::size_t l = 0; l < levels.size(); ++l) {
    std::vector<double> ratios;
    for (std::size_t o = 0; o < forecasts.size(); ++o) {
      const ForecastResult& f = forecasts[o];
      for (std::size_t h = 0; h < actuals[o].size(); ++h) {
        const double y = actuals[o][h];
        if (std::isnan(y)) continue;
        const double mean = f.mean[h];
        const double half =
            y >= mean ? f.intervals[l].upper[h] - mean : mean - f.intervals[l].lower[h];
        const double error = std::abs(y - mean);
        ratios.push_back(half > 0 ? error / half : (error > 0 ? kMaxFactor : 0));
      }
    }
    if (ratios.empty()) {
      factors.push_back(1);
      continue;
    }
    std::sort(ratios.begin(), ratios.end());
    const double position = levels[l] / 100 * static_cast<double>(ratios.size() - 1);
    const auto below = static_cast<std::size_t>(std::floor(position));
    const std::size_t above = std::min(below + 1, ratios.size() - 1);
    const double quantile =
        ratios[below] + (position - static_cast<double>(below)) * (ratios[above] - ratios[below]);
    const double n = static_cast<double>(ratios.size());
    const double shrunk = (n * quantile + kCalibrationPrior) / (n + kCalibrationPrior);
    factors.push_back(std::clamp(shrunk, kMinFactor, kMaxFactor));
  }
  return factors;
}

void Widen(ForecastResult& forecast, std::span<const double> factors) {
  for (std::size_t l = 0; l < forecast.intervals.size() && l < factors.size(); ++l) {
    Interval& interval = forecast.intervals[l];
    for (std::size_t h = 0; h < forecast.mean.size(); ++h) {
      const double mean = forecast.mean[h];
      interval.lower[h] = mean - factors[l] * (mean - interval.lower[h]);
      interval.upper[h] = mean + factors[l] * (interval.upper[h] - mean);
    }
  }
}

}  // namespace

int PrimaryPeriod(const Frequency& frequency, int limit) {
  for (const double period : SeasonalPeriods(frequency)) {
    if (period == std::floor(period) && period >= 2 && period <= limit) {
      return static_cast<int>(period);
    }
  }
  return 1;
}

Result<SeriesForecast> ForecastSeries(const RegularSeries& input, int horizon,
                                      const ForecasterOptions& options) {
  if (horizon < 1) {
    return MakeError(ErrorCode::kInvalidInput, "the horizon must be at least one step");
  }
  if (auto status = CheckLevels(options.levels); !status) return unexpected(status.error());
  const std::span<const double> levels = options.levels;
  const int ets_period = PrimaryPeriod(input.frequency, kEtsMaxPeriod);
  const int naive_period = PrimaryPeriod(input.frequency, kNaiveMaxPeriod);
  RegularSeries series = input;
  if (options.down_weight_spikes) {
    std::vector<double> weights = SpikeWeights(input, naive_period);
    // Without spikes or weights of its own the series stays unweighted (the models' fast path).
    if (!input.weights.empty() || std::find(weights.begin(), weights.end(), 0.0) != weights.end()) {
      series.weights = std::move(weights);
    }
  }
  if (series.CountObserved() < kMinObserved) {
    return MakeError(ErrorCode::kInvalidInput, "the series has " +
                                                   std::to_string(series.CountObserved()) +
                                                   " observed points; a forecast needs at least " +
                                                   std::to_string(kMinObserved));
  }

  std::vector<Candidate> candidates;
  std::optional<EtsModel> ets;
  if (options.use_ets) {
    // The ETS form is chosen once on the whole history (by AICc); backtests refit its parameters.
    auto selected = SelectEts(series, ets_period);
    if (selected) {
      ets = std::move(*selected);
      const EtsSpec spec = ets->spec;
      candidates.push_back(
          {spec.Name(),
           [spec](const RegularSeries& train, int steps, std::span<const double> wanted,
                  bool /*final*/) -> Result<ForecastResult> {
             auto fitted = FitEts(train, spec);
             if (!fitted) return unexpected(fitted.error());
             EtsForecastOptions paths;
             paths.paths = kBacktestUncertaintySamples;
             return ForecastEts(*fitted, steps, wanted, paths);
           }});
    }
  }
  if (options.use_additive) {
    AdditiveModelOptions additive = options.additive;
    if (options.adapt_to_frequency && series.frequency.IsSubDaily()) {
      additive.daily_order = options.sub_daily.daily_order;
      additive.weekly_order = options.sub_daily.weekly_order;
      additive.seasonality_prior_scale = options.sub_daily.seasonality_prior_scale;
      additive.changepoint_prior_scale = options.sub_daily.changepoint_prior_scale;
    }
    // Backtest intervals only feed the calibration, pooled over all their points: fewer
    // simulated paths do there; the final forecast keeps the full count.
    additive.uncertainty_samples = std::min(additive.uncertainty_samples, options.interval_paths);
    AdditiveModelOptions backtest = additive;
    backtest.uncertainty_samples =
        std::min(additive.uncertainty_samples, kBacktestUncertaintySamples);
    candidates.push_back(
        {"additive",
         [additive, backtest](const RegularSeries& train, int steps, std::span<const double> wanted,
                              bool final) -> Result<ForecastResult> {
           auto model = AdditiveModel::Fit(train, final ? additive : backtest);
           if (!model) return unexpected(model.error());
           return model->Forecast(steps, wanted, AdditiveModel::Intervals::kNormal);
         }});
  }
  if (options.use_seasonal_naive) {
    candidates.push_back(
        {naive_period > 1 ? "snaive(" + std::to_string(naive_period) + ")" : "naive",
         [naive_period](const RegularSeries& train, int steps, std::span<const double> wanted,
                        bool /*final*/) {
           return SeasonalNaive(train, naive_period, steps, wanted);
         }});
  }
  if (candidates.empty()) {
    return MakeError(ErrorCode::kInvalidInput, "no forecasting model is enabled");
  }

  SeriesForecast result;
  for (int h = 0; h < horizon; ++h) {
    result.timestamps.push_back(series.TimeAt(static_cast<std::int64_t>(series.size()) + h));
  }

  // Rolling-origin backtests: origins one backtest horizon apart, keeping at least half of the
  // history (and two weeks of points) to train on.
  const std::size_t n = series.size();
  const int backtest_horizon = std::max(1, std::min(horizon, static_cast<int>(n / 4)));
  const std::size_t min_train = std::max<std::size_t>(n / 2, 14);
  std::vector<std::size_t> origins;
  for (int k = 1; k <= options.backtest_origins; ++k) {
    const auto cut =
        static_cast<std::ptrdiff_t>(n) - static_cast<std::ptrdiff_t>(k) * backtest_horizon;
    if (cut < static_cast<std::ptrdiff_t>(min_train)) break;
    if (Prefix(series, static_cast<std::size_t>(cut)).CountObserved() < kMinObserved) break;
    origins.push_back(static_cast<std::size_t>(cut));
  }
  const double scale = MaseScale(series.values, naive_period);
  std::vector<std::vector<double>> actuals;
  for (const std::size_t origin : origins) {
    actuals.emplace_back(
        series.values.begin() + static_cast<std::ptrdiff_t>(origin),
        series.values.begin() + static_cast<std::ptrdiff_t>(origin) + backtest_horizon);
    // Points the caller down-weighted are not targets either. Detected spikes are: they stay
    // out of the fits, but the backtests measure errors as the future will have them (the
    // calibration's quantiles are not moved by a rare spike, only by frequent ones).
    for (std::size_t h = 0; h < actuals.back().size(); ++h) {
      if (!(input.WeightAt(origin + h) > 0)) actuals.back()[h] = std::nan("");
    }
  }
  // backtests[c][o]: candidate c's forecast from origin o; failed candidates drop out.
  std::vector<std::vector<ForecastResult>> backtests(candidates.size());
  std::vector<bool> usable(candidates.size(), true);
  std::vector<double> errors(candidates.size(), 0);
  for (std::size_t c = 0; c < candidates.size(); ++c) {
    AccuracyTally tally(levels);
    for (std::size_t o = 0; o < origins.size() && usable[c]; ++o) {
      auto forecast =
          candidates[c].run(Prefix(series, origins[o]), backtest_horizon, levels, false);
      if (!forecast) {
        usable[c] = false;
        break;
      }
      tally.Add(actuals[o], *forecast, scale);
      backtests[c].push_back(std::move(*forecast));
    }
    const Accuracy accuracy = tally.Summary();
    errors[c] = accuracy.points > 0 ? accuracy.mase : 0;
    result.models.push_back({candidates[c].name, 0, accuracy});
  }

  // Final forecasts on the whole history.
  std::vector<ForecastResult> finals(candidates.size());
  std::string failure;
  for (std::size_t c = 0; c < candidates.size(); ++c) {
    if (!usable[c]) continue;
    EtsForecastOptions ets_paths;
    ets_paths.paths = options.interval_paths;
    auto forecast = (c == 0 && ets)
                        ? Result<ForecastResult>(ForecastEts(*ets, horizon, levels, ets_paths))
                        : candidates[c].run(series, horizon, levels, true);
    if (!forecast) {
      usable[c] = false;
      failure = forecast.error().message;
      continue;
    }
    finals[c] = std::move(*forecast);
  }
  if (std::none_of(usable.begin(), usable.end(), [](bool u) { return u; })) {
    return MakeError(ErrorCode::kInvalidInput, "no model could be fitted: " + failure);
  }

  // Weights: inverse backtest error among the models close to the best; equal without backtests.
  std::vector<double> weights(candidates.size(), 0);
  const bool measured = !origins.empty();
  double best = std::numeric_limits<double>::infinity();
  for (std::size_t c = 0; c < candidates.size(); ++c) {
    if (usable[c] && measured) best = std::min(best, errors[c]);
  }
  for (std::size_t c = 0; c < candidates.size(); ++c) {
    if (!usable[c]) continue;
    if (!measured) {
      weights[c] = 1;
    } else if (errors[c] <= kCombineWithin * best) {
      weights[c] = 1 / std::max(errors[c], 1e-9);
    }
  }
  double total = 0;
  for (double w : weights) total += w;
  for (std::size_t c = 0; c < candidates.size(); ++c) result.models[c].weight = weights[c] / total;

  std::vector<ForecastResult> chosen;
  std::vector<double> chosen_weights;
  for (std::size_t c = 0; c < candidates.size(); ++c) {
    if (weights[c] > 0) {
      chosen.push_back(finals[c]);
      chosen_weights.push_back(weights[c]);
    }
  }
  result.forecast = Combine(chosen, chosen_weights, levels);

  // The combination's own backtests: its accuracy, and the interval calibration.
  result.backtest_horizon = backtest_horizon;
  result.backtest_origins = static_cast<int>(origins.size());
  result.interval_factors.assign(levels.size(), 1.0);
  if (measured) {
    std::vector<ForecastResult> combined_backtests;
    for (std::size_t o = 0; o < origins.size(); ++o) {
      std::vector<ForecastResult> at_origin;
      std::vector<double> at_weights;
      for (std::size_t c = 0; c < candidates.size(); ++c) {
        if (weights[c] > 0) {
          at_origin.push_back(backtests[c][o]);
          at_weights.push_back(weights[c]);
        }
      }
      combined_backtests.push_back(Combine(at_origin, at_weights, levels));
    }
    if (options.calibrate_intervals) {
      result.interval_factors = CalibrationFactors(actuals, combined_backtests, levels);
      for (ForecastResult& backtest : combined_backtests) Widen(backtest, result.interval_factors);
      Widen(result.forecast, result.interval_factors);
    }
    AccuracyTally tally(levels);
    for (std::size_t o = 0; o < origins.size(); ++o)
      tally.Add(actuals[o], combined_backtests[o], scale);
    result.backtest = tally.Summary();
  }

  // A series that was never negative (spend without credits, a utilisation) is not forecast
  // below zero.
  bool never_negative = true;
  for (std::size_t i = 0; i < series.size(); ++i) {
    if (!std::isnan(series.values[i]) && series.values[i] < 0) never_negative = false;
  }
  if (never_negative) {
    for (double& value : result.forecast.mean) value = std::max(value, 0.0);
    for (Interval& interval : result.forecast.intervals) {
      for (double& value : interval.lower) value = std::max(value, 0.0);
      for (double& value : interval.upper) value = std::max(value, 0.0);
    }
  }

  // The model's name: the single model, or the combination with its weights.
  if (chosen.size() == 1) {
    for (std::size_t c = 0; c < candidates.size(); ++c) {
      if (weights[c] > 0) result.forecast.model = candidates[c].name;
    }
  } else {
    std::string name = "combination(";
    bool first = true;
    for (std::size_t c = 0; c < candidates.size(); ++c) {
      if (weights[c] <= 0) continue;
      name += (first ? "" : ", ") + candidates[c].name + " " +
              std::to_string(static_cast<int>(std::lround(100 * result.models[c].weight))) + "%";
      first = false;
    }
    result.forecast.model = name + ")";
  }
  return result;
}

}  // namespace costwise::forecast
