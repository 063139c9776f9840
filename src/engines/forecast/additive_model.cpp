#include "engines/forecast/additive_model.h"

#include <algorithm>
#include <cmath>
#include <istream>
#include <limits>
#include <ostream>

#include "core/date.h"
#include "engines/forecast/fit.h"
#include "engines/forecast/seasonality.h"
#include "engines/forecast/trend.h"
#include "engines/forecast/uncertainty.h"

namespace costwise::forecast {
namespace {

constexpr double kDaySeconds = 86'400;
constexpr double kYearDays = 365.25;
// Holidays and billing events are generated this many years past the history, so forecasts
// (and a saved model) cover them.
constexpr int kEventYearsAhead = 5;
constexpr std::string_view kMagic = "costwise-additive-model";
constexpr int kFormatVersion = 1;

// Length-prefixed strings survive spaces and apostrophes ("New Year's Day").
void WriteString(std::ostream& out, const std::string& text) {
  out << text.size() << ' ' << text << '\n';
}

bool ReadString(std::istream& in, std::string& text) {
  std::size_t length = 0;
  if (!(in >> length) || length > 4096) return false;
  in.get();  // the separating space
  text.resize(length);
  return static_cast<bool>(in.read(text.data(), static_cast<std::streamsize>(length)));
}

}  // namespace

struct AdditiveModel::Features {
  std::vector<double> t;
  Design design;
};

double AdditiveModel::ScaledTime(std::int64_t timestamp) const {
  return static_cast<double>(timestamp - start_) / span_seconds_;
}

AdditiveModel::Features AdditiveModel::BuildFeatures(
    std::span<const std::int64_t> timestamps) const {
  Features features;
  const auto rows = static_cast<Eigen::Index>(timestamps.size());
  std::vector<double> days(timestamps.size());
  for (std::size_t i = 0; i < timestamps.size(); ++i) {
    features.t.push_back(ScaledTime(timestamps[i]));
    days[i] = static_cast<double>(timestamps[i]) / kDaySeconds;
  }
  // Columns of each mode, with their prior scales.
  std::vector<Eigen::MatrixXd> blocks[2];
  std::vector<double> scales[2];
  const auto add = [&](SeasonalityMode mode, Eigen::MatrixXd block, double scale) {
    const int which = mode == SeasonalityMode::kAdditive ? 0 : 1;
    for (Eigen::Index j = 0; j < block.cols(); ++j) scales[which].push_back(scale);
    blocks[which].push_back(std::move(block));
  };
  for (const Seasonality& seasonality : seasonalities_) {
    add(seasonality.mode, FourierFeatures(days, seasonality.period, seasonality.order),
        seasonality.prior_scale);
  }
  if (!event_names_.empty()) {
    const EventColumns all = EventFeatures(timestamps, events_);
    for (std::size_t kept = 0; kept < event_names_.size(); ++kept) {
      const auto it = std::find(all.names.begin(), all.names.end(), event_names_[kept]);
      const auto column = static_cast<Eigen::Index>(it - all.names.begin());
      add(event_modes_[kept], all.features.col(column),
          all.prior_scales[static_cast<std::size_t>(column)]);
    }
  }
  const Eigen::MatrixXd trend = TrendDesign(features.t, changepoints_);
  features.design.trend_columns = static_cast<int>(trend.cols());
  Eigen::Index additive_columns = trend.cols();
  for (const auto& block : blocks[0]) additive_columns += block.cols();
  Eigen::Index multiplicative_columns = 0;
  for (const auto& block : blocks[1]) multiplicative_columns += block.cols();
  features.design.additive.resize(rows, additive_columns);
  features.design.additive.leftCols(trend.cols()) = trend;
  Eigen::Index column = trend.cols();
  for (const auto& block : blocks[0]) {
    features.design.additive.middleCols(column, block.cols()) = block;
    column += block.cols();
  }
  features.design.multiplicative.resize(rows, multiplicative_columns);
  column = 0;
  for (const auto& block : blocks[1]) {
    features.design.multiplicative.middleCols(column, block.cols()) = block;
    column += block.cols();
  }
  features.design.prior_scales = Eigen::VectorXd::Zero(additive_columns + multiplicative_columns);
  for (std::size_t j = 0; j < scales[0].size(); ++j) {
    features.design.prior_scales(trend.cols() + static_cast<Eigen::Index>(j)) = scales[0][j];
  }
  for (std::size_t j = 0; j < scales[1].size(); ++j) {
    features.design.prior_scales(additive_columns + static_cast<Eigen::Index>(j)) = scales[1][j];
  }
  return features;
}

Result<AdditiveModel> AdditiveModel::Fit(const RegularSeries& series,
                                         const AdditiveModelOptions& options) {
  if (series.CountObserved() < 2) {
    return MakeError(ErrorCode::kInvalidInput,
                     "the series has " + std::to_string(series.CountObserved()) +
                         " observed points; a forecast needs at least two");
  }
  if (options.changepoints < 0 ||
      !(options.changepoint_range > 0 && options.changepoint_range <= 1) ||
      !(options.changepoint_prior_scale > 0) || !(options.seasonality_prior_scale > 0) ||
      !(options.holidays_prior_scale > 0) || options.uncertainty_samples < 0) {
    return MakeError(ErrorCode::kInvalidInput,
                     "model options out of range: changepoints >= 0, changepoint range in (0, 1], "
                     "prior scales > 0, uncertainty samples >= 0");
  }
  AdditiveModel model;
  model.frequency_ = series.frequency;
  model.start_ = series.start;
  model.history_points_ = static_cast<std::int64_t>(series.size());
  model.uncertainty_samples_ = options.uncertainty_samples;
  model.seed_ = options.seed;
  const std::int64_t end = series.TimeAt(model.history_points_ - 1);
  model.span_seconds_ = std::max<double>(1, static_cast<double>(end - series.start));

  std::vector<std::int64_t> timestamps(series.size());
  Eigen::VectorXd y = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(series.size()));
  Eigen::VectorXd weights = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(series.size()));
  std::vector<double> observed_t;
  double scale = 0;
  for (std::size_t i = 0; i < series.size(); ++i) {
    timestamps[i] = series.TimeAt(static_cast<std::int64_t>(i));
    const double value = series.values[i];
    const double weight = series.WeightAt(i);
    if (std::isnan(value) || !(weight > 0)) continue;
    y(static_cast<Eigen::Index>(i)) = value;
    weights(static_cast<Eigen::Index>(i)) = weight;
    observed_t.push_back(model.ScaledTime(timestamps[i]));
    scale = std::max(scale, std::abs(value));
  }
  model.y_scale_ = scale > 0 ? scale : 1;
  y /= model.y_scale_;
  model.changepoints_ =
      PlaceChangepoints(observed_t, options.changepoints, options.changepoint_range);

  // Seasonalities: Prophet's automatic rules, Fourier orders capped at what the sampling can
  // resolve (half the points per cycle).
  const double span_days = model.span_seconds_ / kDaySeconds;
  const double step_days = series.frequency.months > 0
                               ? 30.4375 * series.frequency.months
                               : static_cast<double>(series.frequency.seconds) / kDaySeconds;
  const auto wanted = [](const std::optional<bool>& choice, bool automatic) {
    return choice.value_or(automatic);
  };
  const auto add_seasonality = [&](Seasonality seasonality) {
    const int resolvable = static_cast<int>(std::floor(seasonality.period / step_days / 2));
    seasonality.order = std::min(seasonality.order, resolvable);
    if (seasonality.order >= 1) model.seasonalities_.push_back(std::move(seasonality));
  };
  if (wanted(options.yearly, span_days >= 2 * kYearDays)) {
    add_seasonality({"yearly", kYearDays, options.yearly_order, options.seasonality_prior_scale,
                     options.seasonality_mode});
  }
  if (wanted(options.weekly, span_days >= 14 && step_days < 7)) {
    add_seasonality({"weekly", 7, options.weekly_order, options.seasonality_prior_scale,
                     options.seasonality_mode});
  }
  if (wanted(options.daily, span_days >= 2 && step_days < 1)) {
    add_seasonality({"daily", 1, options.daily_order, options.seasonality_prior_scale,
                     options.seasonality_mode});
  }
  for (const Seasonality& extra : options.extra_seasonalities) {
    if (!(extra.period > 0) || extra.order < 1 || !(extra.prior_scale > 0)) {
      return MakeError(ErrorCode::kInvalidInput, "seasonality '" + extra.name +
                                                     "' needs a period > 0 days, an order >= 1 "
                                                     "and a prior scale > 0");
    }
    add_seasonality(extra);
  }

  // Events: holidays and billing effects from the history's start to a few years past its end.
  const Date first_day = DateOfTimestamp(series.start);
  const Date last_day = DateOfTimestamp(end);
  const int last_year = last_day.ToCivil().year + kEventYearsAhead;
  std::vector<SeasonalityMode> candidate_modes;
  if (!options.country_holidays.empty()) {
    auto holidays =
        CountryHolidays(options.country_holidays, first_day.ToCivil().year - 1, last_year);
    if (!holidays) return unexpected(holidays.error());
    for (Event& holiday : *holidays) {
      holiday.prior_scale = options.holidays_prior_scale;
      model.events_.push_back(std::move(holiday));
      candidate_modes.push_back(options.holidays_mode);
    }
  }
  if (options.billing_events) {
    for (Event& event : BillingEvents(first_day, *Date::FromCivil({last_year, 12, 31}))) {
      event.prior_scale = options.holidays_prior_scale;
      model.events_.push_back(std::move(event));
      candidate_modes.push_back(options.holidays_mode);
    }
  }
  for (const Event& event : options.events) {
    if (event.name.empty() || event.dates.empty() || event.lower_window > 0 ||
        event.upper_window < 0 || !(event.prior_scale > 0)) {
      return MakeError(ErrorCode::kInvalidInput,
                       "event '" + event.name +
                           "' needs a name, dates, a lower window <= 0, an upper window >= 0 "
                           "and a prior scale > 0");
    }
    model.events_.push_back(event);
    candidate_modes.push_back(options.holidays_mode);
  }
  if (!model.events_.empty()) {
    // Keep the columns the history has seen: an effect never observed cannot be estimated.
    const EventColumns all = EventFeatures(timestamps, model.events_);
    std::size_t column = 0;
    for (std::size_t e = 0; e < model.events_.size(); ++e) {
      const Event& event = model.events_[e];
      const int width = std::max(event.upper_window, 0) - std::min(event.lower_window, 0) + 1;
      for (int w = 0; w < width; ++w, ++column) {
        const auto col = all.features.col(static_cast<Eigen::Index>(column));
        if ((col.array() * (weights.array() > 0).cast<double>()).sum() > 0) {
          model.event_names_.push_back(all.names[column]);
          model.event_modes_.push_back(candidate_modes[e]);
        }
      }
    }
  }

  Features features = model.BuildFeatures(timestamps);
  features.design.changepoint_scale = options.changepoint_prior_scale;
  const MapFit fit = FitMap(features.design, y, weights);
  model.theta_ = fit.theta;
  model.sigma_ = fit.sigma;
  return model;
}

Eigen::VectorXd AdditiveModel::Predict(std::span<const std::int64_t> timestamps) const {
  Features features = BuildFeatures(timestamps);
  return FittedValues(features.design, theta_) * y_scale_;
}

ForecastResult AdditiveModel::Forecast(int horizon, std::span<const double> levels,
                                       Intervals method) const {
  ForecastResult result;
  result.model = "additive";
  if (horizon <= 0) return result;
  std::vector<std::int64_t> timestamps(static_cast<std::size_t>(horizon));
  for (int h = 0; h < horizon; ++h) {
    timestamps[static_cast<std::size_t>(h)] = StepForward(start_, frequency_, history_points_ + h);
  }
  Features features = BuildFeatures(timestamps);
  const Eigen::VectorXd mean = FittedValues(features.design, theta_);
  result.mean.assign(mean.data(), mean.data() + mean.size());
  for (double& value : result.mean) value *= y_scale_;
  if (levels.empty()) return result;

  double mean_abs_delta = 0;
  const int changepoints = static_cast<int>(changepoints_.size());
  for (int j = 0; j < changepoints; ++j) mean_abs_delta += std::abs(theta_(2 + j));
  mean_abs_delta = changepoints > 0 ? mean_abs_delta / changepoints + 1e-8 : 0;
  Eigen::VectorXd trend_factor = Eigen::VectorXd::Ones(horizon);
  if (features.design.multiplicative.cols() > 0) {
    trend_factor +=
        features.design.multiplicative * theta_.tail(features.design.multiplicative.cols());
  }
  if (method == Intervals::kNormal) {
    for (const double level : levels) {
      Interval interval{level, std::vector<double>(static_cast<std::size_t>(horizon)),
                        std::vector<double>(static_cast<std::size_t>(horizon))};
      const double z = NormalQuantile(0.5 + level / 200);
      for (int h = 0; h < horizon; ++h) {
        const double ahead = std::max(features.t[static_cast<std::size_t>(h)] - 1, 0.0);
        const double trend_variance = changepoints * 2 * mean_abs_delta * mean_abs_delta * ahead *
                                      ahead * ahead / 3 * trend_factor(h) * trend_factor(h);
        const double half = z * std::sqrt(sigma_ * sigma_ + trend_variance) * y_scale_;
        interval.lower[static_cast<std::size_t>(h)] =
            result.mean[static_cast<std::size_t>(h)] - half;
        interval.upper[static_cast<std::size_t>(h)] =
            result.mean[static_cast<std::size_t>(h)] + half;
      }
      result.intervals.push_back(std::move(interval));
    }
    return result;
  }

  // Paths around the mean: future trend changes (scaled by the multiplicative terms, as the
  // trend is) plus noise.
  const int samples = std::max(uncertainty_samples_, 1);
  Eigen::MatrixXd paths = SimulateTrendChanges(features.t, changepoints, mean_abs_delta,
                                               uncertainty_samples_ > 0 ? samples : 0, seed_);
  if (uncertainty_samples_ <= 0) paths = Eigen::MatrixXd::Zero(1, horizon);
  if (features.design.multiplicative.cols() > 0) {
    paths.array().rowwise() *= trend_factor.transpose().array();
  }
  if (uncertainty_samples_ > 0) AddNoise(paths, sigma_, seed_ + 1);
  paths.array().rowwise() += mean.transpose().array();
  paths *= y_scale_;
  result.intervals = PathIntervals(paths, levels);
  return result;
}

std::vector<double> AdditiveModel::ChangepointDeltasPerDay() const {
  std::vector<double> deltas;
  const double per_day = y_scale_ * kDaySeconds / span_seconds_;
  for (std::size_t j = 0; j < changepoints_.size(); ++j) {
    deltas.push_back(theta_(2 + static_cast<Eigen::Index>(j)) * per_day);
  }
  return deltas;
}

double AdditiveModel::RatePerDay() const {
  return theta_(0) * y_scale_ * kDaySeconds / span_seconds_;
}

void AdditiveModel::Save(std::ostream& out) const {
  const auto precision = out.precision(std::numeric_limits<double>::max_digits10);
  out << kMagic << ' ' << kFormatVersion << '\n';
  out << start_ << ' ' << span_seconds_ << ' ' << y_scale_ << ' ' << frequency_.seconds << ' '
      << frequency_.months << ' ' << (frequency_.month_end ? 1 : 0) << ' ' << history_points_ << ' '
      << sigma_ << ' ' << uncertainty_samples_ << ' ' << seed_ << '\n';
  out << changepoints_.size();
  for (const double c : changepoints_) out << ' ' << c;
  out << '\n' << seasonalities_.size() << '\n';
  for (const Seasonality& s : seasonalities_) {
    WriteString(out, s.name);
    out << s.period << ' ' << s.order << ' ' << s.prior_scale << ' '
        << (s.mode == SeasonalityMode::kMultiplicative ? 1 : 0) << '\n';
  }
  out << events_.size() << '\n';
  for (const Event& event : events_) {
    WriteString(out, event.name);
    out << event.lower_window << ' ' << event.upper_window << ' ' << event.prior_scale << ' '
        << event.dates.size();
    for (const Date date : event.dates) out << ' ' << date.days();
    out << '\n';
  }
  out << event_names_.size() << '\n';
  for (std::size_t i = 0; i < event_names_.size(); ++i) {
    WriteString(out, event_names_[i]);
    out << (event_modes_[i] == SeasonalityMode::kMultiplicative ? 1 : 0) << '\n';
  }
  out << theta_.size();
  for (Eigen::Index i = 0; i < theta_.size(); ++i) out << ' ' << theta_(i);
  out << '\n';
  out.precision(precision);
}

Result<AdditiveModel> AdditiveModel::Load(std::istream& in) {
  const auto bad = [](const std::string& what) {
    return MakeError(ErrorCode::kInvalidInput, "not a costwise additive model: " + what);
  };
  std::string magic;
  int version = 0;
  if (!(in >> magic >> version) || magic != kMagic) return bad("wrong header");
  if (version != kFormatVersion) {
    return MakeError(ErrorCode::kInvalidInput, "additive model format " + std::to_string(version) +
                                                   " is not supported (this build reads format " +
                                                   std::to_string(kFormatVersion) + ")");
  }
  AdditiveModel model;
  int month_end = 0;
  if (!(in >> model.start_ >> model.span_seconds_ >> model.y_scale_ >> model.frequency_.seconds >>
        model.frequency_.months >> month_end >> model.history_points_ >> model.sigma_ >>
        model.uncertainty_samples_ >> model.seed_)) {
    return bad("truncated header");
  }
  model.frequency_.month_end = month_end != 0;
  if (!(model.span_seconds_ > 0) || !(model.y_scale_ > 0) || model.history_points_ < 1 ||
      (model.frequency_.seconds <= 0 && model.frequency_.months <= 0)) {
    return bad("scales out of range");
  }
  constexpr std::size_t kMaxCount = 1'000'000;
  std::size_t count = 0;
  if (!(in >> count) || count > kMaxCount) return bad("changepoints");
  model.changepoints_.resize(count);
  for (double& c : model.changepoints_) {
    if (!(in >> c)) return bad("changepoints");
  }
  if (!(in >> count) || count > kMaxCount) return bad("seasonalities");
  for (std::size_t i = 0; i < count; ++i) {
    Seasonality s;
    int mode = 0;
    if (!ReadString(in, s.name) || !(in >> s.period >> s.order >> s.prior_scale >> mode) ||
        !(s.period > 0) || s.order < 1) {
      return bad("seasonality " + std::to_string(i + 1));
    }
    s.mode = mode != 0 ? SeasonalityMode::kMultiplicative : SeasonalityMode::kAdditive;
    model.seasonalities_.push_back(std::move(s));
  }
  if (!(in >> count) || count > kMaxCount) return bad("events");
  for (std::size_t i = 0; i < count; ++i) {
    Event event;
    std::size_t dates = 0;
    if (!ReadString(in, event.name) ||
        !(in >> event.lower_window >> event.upper_window >> event.prior_scale >> dates) ||
        dates > kMaxCount) {
      return bad("event " + std::to_string(i + 1));
    }
    for (std::size_t d = 0; d < dates; ++d) {
      std::int32_t days = 0;
      if (!(in >> days)) return bad("event " + std::to_string(i + 1));
      event.dates.push_back(Date::FromDays(days));
    }
    model.events_.push_back(std::move(event));
  }
  if (!(in >> count) || count > kMaxCount) return bad("event columns");
  for (std::size_t i = 0; i < count; ++i) {
    std::string name;
    int mode = 0;
    if (!ReadString(in, name) || !(in >> mode)) return bad("event column " + std::to_string(i + 1));
    model.event_names_.push_back(std::move(name));
    model.event_modes_.push_back(mode != 0 ? SeasonalityMode::kMultiplicative
                                           : SeasonalityMode::kAdditive);
  }
  // Every kept column must name a column of the events.
  if (!model.event_names_.empty()) {
    const EventColumns all = EventFeatures({}, model.events_);
    for (const std::string& name : model.event_names_) {
      if (std::find(all.names.begin(), all.names.end(), name) == all.names.end()) {
        return bad("event column '" + name + "' has no event");
      }
    }
  }
  if (!(in >> count) || count > kMaxCount) return bad("coefficients");
  model.theta_.resize(static_cast<Eigen::Index>(count));
  for (Eigen::Index i = 0; i < model.theta_.size(); ++i) {
    if (!(in >> model.theta_(i))) return bad("coefficients");
  }
  // The coefficient count must match the features the model builds.
  const std::vector<std::int64_t> probe = {model.start_};
  const Features features = model.BuildFeatures(probe);
  if (features.design.additive.cols() + features.design.multiplicative.cols() !=
      model.theta_.size()) {
    return bad("coefficient count does not match its features");
  }
  return model;
}

}  // namespace costwise::forecast
