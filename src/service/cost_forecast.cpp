#include "service/cost_forecast.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>

#include <fmt/format.h>

#include "core/clock.h"
#include "core/tags.h"
#include "engines/forecast/forecaster.h"
#include "service/forecast_service.h"
#include "service/model_registry.h"

namespace costwise::service {
namespace {

constexpr std::int64_t kSecondsPerDay = 86'400;
constexpr double kNanosPerUnit = 1e9;
constexpr int kMonthsPerQuarter = 3;
// Days from the first of a month that always land in the next month.
constexpr int kIntoNextMonth = 32;
constexpr double kPercent = 100;

Date LastDayOfMonth(Date day) {
  return day.FirstOfMonth().AddDays(kIntoNextMonth).FirstOfMonth().AddDays(-1);
}

Date QuarterStart(Date day) {
  const CivilDate civil = day.ToCivil();
  const int month = (civil.month - 1) / kMonthsPerQuarter * kMonthsPerQuarter + 1;
  return *Date::FromCivil(CivilDate{civil.year, month, 1});
}

Date QuarterEnd(Date day) {
  const CivilDate start = QuarterStart(day).ToCivil();
  return LastDayOfMonth(
      *Date::FromCivil(CivilDate{start.year, start.month + kMonthsPerQuarter - 1, 1}));
}

// The dimensions a cost forecast groups by.
bool IsForecastDimension(const DimensionRef& dimension) {
  switch (dimension.dimension) {
    case CostDimension::kService:
    case CostDimension::kAccount:
    case CostDimension::kRegion:
    case CostDimension::kUsageType:
      return true;
    case CostDimension::kTag:
      return !dimension.tag_key.empty();
    default:
      return false;
  }
}

Result<std::optional<DimensionRef>> ParseGroupBy(std::string_view text) {
  if (text.empty()) return std::optional<DimensionRef>();
  const std::optional<DimensionRef> dimension = ParseDimension(text);
  if (!dimension || !IsForecastDimension(*dimension)) {
    return MakeError(ErrorCode::kInvalidInput,
                     fmt::format("cost forecasts group by service, account, region, usage-type or "
                                 "tag:KEY, not '{}'",
                                 text));
  }
  return dimension;
}

Status ValidateOptions(const CostForecastOptions& options) {
  if (std::find(kCostForecastHorizons.begin(), kCostForecastHorizons.end(), options.horizon) ==
      kCostForecastHorizons.end()) {
    return MakeError(
        ErrorCode::kInvalidInput,
        fmt::format("the forecast horizon must be 30, 60 or 90 days, not {}", options.horizon));
  }
  if (options.top_n < 1) {
    return MakeError(ErrorCode::kInvalidInput,
                     fmt::format("top values must be at least 1, not {}", options.top_n));
  }
  if (options.history_days < kMinForecastHistoryDays) {
    return MakeError(ErrorCode::kInvalidInput,
                     fmt::format("the history must be at least {} days, not {}",
                                 kMinForecastHistoryDays, options.history_days));
  }
  if (options.ranking_days < 1) {
    return MakeError(
        ErrorCode::kInvalidInput,
        fmt::format("the ranking window must be at least 1 day, not {}", options.ranking_days));
  }
  return {};
}

// The registry's accuracy of a run: the backtest of its first series (the total, or the first
// currency's): MAPE as the headline, every measure in the metrics.
void SetAccuracy(const ForecastAccuracy& backtest, ModelTraining& training) {
  const auto number = [](const std::optional<double>& value) {
    return value ? fmt::format("{}", *value) : std::string("null");
  };
  training.accuracy = backtest.mape;
  training.metrics = fmt::format(
      R"({{"backtest_points":{},"mape":{},"smape":{},"mase":{},"coverage80":{},"coverage95":{}}})",
      backtest.points, number(backtest.mape), number(backtest.smape), number(backtest.mase),
      number(backtest.coverage80), number(backtest.coverage95));
}

// The run's configuration as ml_models.params.
std::string ModelParams(const CostForecastOptions& options, const std::string& group_by) {
  std::string quoted;
  AppendJsonString(quoted, group_by);
  return fmt::format(
      R"({{"horizon":{},"group_by":{},"top_n":{},"history_days":{},"ranking_days":{},)"
      R"("levels":[{},{}],"billing_events":true,"models":["additive","ets","snaive"],)"
      R"("backtest_origins":{},"calibrate_intervals":true,"seed":{}}})",
      options.horizon, quoted, options.top_n, options.history_days, options.ranking_days,
      kInnerForecastLevel, kOuterForecastLevel, forecast::ForecasterOptions{}.backtest_origins,
      options.seed);
}

forecast::ForecasterOptions ForecasterOptionsOf(const CostForecastOptions& options) {
  forecast::ForecasterOptions forecaster;
  forecaster.levels = {kInnerForecastLevel, kOuterForecastLevel};
  forecaster.additive.billing_events = true;
  forecaster.additive.seed = options.seed;
  return forecaster;
}

// The days the report works on: the models' history [history_from, as_of], within a loaded range
// [first, as_of] that reaches back to the start of the quarter for the projections.
struct DayPlan {
  Date first;
  Date history_from;
  Date as_of;
  Date reference;  // "today": the month and quarter projected are this day's

  [[nodiscard]] std::size_t Days() const {
    return static_cast<std::size_t>(as_of.days() - first.days() + 1);
  }
  [[nodiscard]] std::size_t IndexOf(Date day) const {
    return static_cast<std::size_t>(day.days() - first.days());
  }
};

// One currency's daily spend over the loaded range, in nanos: the total and per group value.
struct CurrencySpend {
  std::vector<std::int64_t> total;
  std::map<std::string, std::vector<std::int64_t>> values;
};

Result<std::map<std::string, CurrencySpend>> LoadSpend(
    store::Repository& repository, std::int64_t tenant_id, const DayPlan& plan,
    const std::optional<DimensionRef>& group_by) {
  CostQuery query;
  query.from = plan.first;
  query.to = plan.as_of;
  query.group_by = group_by;
  query.granularity = Granularity::kDay;
  auto rows = repository.QueryCosts(tenant_id, query);
  if (!rows) return unexpected(std::move(rows.error()));
  std::map<std::string, CurrencySpend> spend;
  for (const CostGroupRow& row : *rows) {
    const std::optional<Date> day = Date::Parse(row.period);
    if (!day || *day < plan.first || *day > plan.as_of) {
      return MakeError(ErrorCode::kInternal,
                       fmt::format("the cost query returned an unexpected day '{}'", row.period));
    }
    CurrencySpend& currency = spend[row.currency];
    if (currency.total.empty()) currency.total.assign(plan.Days(), 0);
    const std::size_t index = plan.IndexOf(*day);
    currency.total[index] += row.billed_cost.nanos();
    if (group_by) {
      std::vector<std::int64_t>& value = currency.values[row.group];
      if (value.empty()) value.assign(plan.Days(), 0);
      value[index] += row.billed_cost.nanos();
    }
  }
  return spend;
}

std::int64_t SumFrom(std::span<const std::int64_t> daily, std::size_t from) {
  std::int64_t sum = 0;
  for (std::size_t i = from; i < daily.size(); ++i) sum += daily[i];
  return sum;
}

// A series to forecast: what it is and its daily spend over the loaded range.
struct PlannedSeries {
  CostForecast forecast;
  std::vector<std::int64_t> daily;
};

// One currency's series: the total; with a group-by, the top values by spend over the ranking
// window (ties: by spend over the history, then by value), and Other for the rest.
std::vector<PlannedSeries> PlanCurrency(const std::string& currency, CurrencySpend spend,
                                        bool grouped, const CostForecastOptions& options,
                                        const DayPlan& plan) {
  std::vector<PlannedSeries> planned;
  CostForecast total;
  total.kind = ForecastSeriesKind::kTotal;
  total.currency = currency;
  planned.push_back({total, spend.total});
  if (!grouped) return planned;
  const std::size_t history = plan.IndexOf(plan.history_from);
  const std::size_t ranking = std::max(
      history, plan.Days() - std::min<std::size_t>(plan.Days(),
                                                   static_cast<std::size_t>(options.ranking_days)));
  struct Ranked {
    std::string value;
    std::int64_t recent = 0;
    std::int64_t overall = 0;
  };
  std::vector<Ranked> ranked;
  for (const auto& [value, daily] : spend.values) {
    ranked.push_back({value, SumFrom(daily, ranking), SumFrom(daily, history)});
  }
  std::sort(ranked.begin(), ranked.end(), [](const Ranked& a, const Ranked& b) {
    return std::tie(b.recent, b.overall, a.value) < std::tie(a.recent, a.overall, b.value);
  });
  const std::size_t kept = std::min(ranked.size(), static_cast<std::size_t>(options.top_n));
  for (std::size_t i = 0; i < kept; ++i) {
    CostForecast value;
    value.kind = ForecastSeriesKind::kValue;
    value.group_value = ranked[i].value;
    value.currency = currency;
    planned.push_back({value, std::move(spend.values[ranked[i].value])});
  }
  if (kept == ranked.size()) return planned;
  CostForecast other;
  other.kind = ForecastSeriesKind::kOther;
  other.currency = currency;
  other.other_values = static_cast<std::int32_t>(ranked.size() - kept);
  std::vector<std::int64_t> rest(plan.Days(), 0);
  for (std::size_t i = kept; i < ranked.size(); ++i) {
    const std::vector<std::int64_t>& daily = spend.values[ranked[i].value];
    for (std::size_t d = 0; d < rest.size(); ++d) rest[d] += daily[d];
  }
  planned.push_back({other, std::move(rest)});
  return planned;
}

forecast::RegularSeries ModelInput(const PlannedSeries& series, const DayPlan& plan) {
  forecast::RegularSeries input;
  input.start = static_cast<std::int64_t>(plan.history_from.days()) * kSecondsPerDay;
  input.frequency.seconds = kSecondsPerDay;
  for (std::size_t i = plan.IndexOf(plan.history_from); i < series.daily.size(); ++i) {
    input.values.push_back(static_cast<double>(series.daily[i]) / kNanosPerUnit);
  }
  return input;
}

bool NeverNegative(std::span<const std::int64_t> daily) {
  return std::all_of(daily.begin(), daily.end(), [](std::int64_t nanos) { return nanos >= 0; });
}

ForecastAccuracy AccuracyOf(const forecast::Accuracy& accuracy) {
  ForecastAccuracy measured;
  measured.points = accuracy.points;
  if (accuracy.points == 0) return measured;
  // MAPE is undefined when every actual was zero (NaN from the engine): absent, not NaN.
  if (!std::isnan(accuracy.mape)) measured.mape = accuracy.mape;
  measured.smape = accuracy.smape;
  measured.mase = accuracy.mase;
  if (accuracy.coverage.size() == 2) {
    measured.coverage80 = accuracy.coverage[0];
    measured.coverage95 = accuracy.coverage[1];
  }
  return measured;
}

// The series' day-h input to the reconciliation (its variance filled in later).
ReconcileInput DayInput(const forecast::SeriesForecast& result, std::size_t h,
                        bool never_negative) {
  const forecast::ForecastResult& f = result.forecast;
  return ReconcileInput{f.mean[h],
                        f.intervals[0].lower[h],
                        f.intervals[0].upper[h],
                        f.intervals[1].lower[h],
                        f.intervals[1].upper[h],
                        0,
                        never_negative};
}

// The error variance weighting a series in the reconciliation. With backtests for every series
// of the currency: the backtest MAE squared (the variance up to a factor, the same for every
// series with errors of one shape, and MinT's weights depend only on the ratios). Otherwise the
// variance the 80% interval implies, averaged over the horizon.
std::vector<double> Variances(std::span<const forecast::SeriesForecast> results) {
  const bool backtested =
      std::all_of(results.begin(), results.end(),
                  [](const forecast::SeriesForecast& r) { return r.backtest.points > 0; });
  const double z80 = forecast::NormalQuantile(0.5 + kInnerForecastLevel / kPercent / 2);
  std::vector<double> variances;
  for (const forecast::SeriesForecast& result : results) {
    if (backtested) {
      variances.push_back(result.backtest.mae * result.backtest.mae);
      continue;
    }
    const forecast::Interval& interval = result.forecast.intervals[0];
    double sum = 0;
    for (std::size_t h = 0; h < interval.lower.size(); ++h) {
      const double sigma = (interval.upper[h] - interval.lower[h]) / (2 * z80);
      sum += sigma * sigma;
    }
    variances.push_back(interval.lower.empty() ? 0
                                               : sum / static_cast<double>(interval.lower.size()));
  }
  return variances;
}

std::int64_t ToNanos(double units) { return std::llround(units * kNanosPerUnit); }

CostForecastPoint PointOf(Date day, const ReconcileInput& value) {
  return CostForecastPoint{day,
                           Money::FromNanos(ToNanos(value.mean)),
                           Money::FromNanos(ToNanos(value.lower80)),
                           Money::FromNanos(ToNanos(value.upper80)),
                           Money::FromNanos(ToNanos(value.lower95)),
                           Money::FromNanos(ToNanos(value.upper95))};
}

// Reconciles one currency's series day by day and writes their points and adjustments. The total
// is series[0]; the groups follow. The groups' means are rounded to nanos and the total's is
// their sum, so that the stored groups add up to the stored total exactly.
void ReconcileCurrency(std::span<PlannedSeries> series,
                       std::span<const forecast::SeriesForecast> results, const DayPlan& plan,
                       int horizon) {
  const std::vector<double> variances = Variances(results);
  std::vector<bool> never_negative;
  for (const PlannedSeries& planned : series)
    never_negative.push_back(NeverNegative(planned.daily));
  std::vector<std::int64_t> adjustments(series.size(), 0);
  for (std::size_t h = 0; h < static_cast<std::size_t>(horizon); ++h) {
    const Date day = plan.as_of.AddDays(static_cast<std::int32_t>(h) + 1);
    std::vector<ReconcileInput> inputs;
    for (std::size_t s = 0; s < series.size(); ++s) {
      inputs.push_back(DayInput(results[s], h, never_negative[s]));
      inputs.back().variance = variances[s];
    }
    std::vector<ReconcileInput> reconciled =
        series.size() > 1 ? ReconcileDay(inputs[0], std::span(inputs).subspan(1)) : inputs;
    std::int64_t groups_sum = 0;
    for (std::size_t s = 0; s < series.size(); ++s) {
      CostForecastPoint point = PointOf(day, reconciled[s]);
      if (s > 0) groups_sum += point.mean.nanos();
      series[s].forecast.points.push_back(point);
    }
    if (series.size() > 1) {
      CostForecastPoint& total = series[0].forecast.points.back();
      total.mean = Money::FromNanos(groups_sum);
      total.lower80 = std::min(total.lower80, total.mean);
      total.lower95 = std::min(total.lower95, total.mean);
      total.upper80 = std::max(total.upper80, total.mean);
      total.upper95 = std::max(total.upper95, total.mean);
    }
    for (std::size_t s = 0; s < series.size(); ++s) {
      adjustments[s] += series[s].forecast.points.back().mean.nanos() - ToNanos(inputs[s].mean);
    }
  }
  for (std::size_t s = 0; s < series.size(); ++s) {
    series[s].forecast.adjustment = Money::FromNanos(series.size() > 1 ? adjustments[s] : 0);
  }
}

// The spend over [from, to]: the cube's actuals up to the last day of data, the forecast after.
SpendProjection Project(const PlannedSeries& series, const DayPlan& plan, Date from, Date to) {
  SpendProjection projection{from, to, {}, {}, {}, {}, {}, {}};
  for (Date day = std::max(from, plan.first); day <= std::min(to, plan.as_of);
       day = day.AddDays(1)) {
    projection.actual += Money::FromNanos(series.daily[plan.IndexOf(day)]);
  }
  projection.expected = projection.actual;
  projection.lower80 = projection.actual;
  projection.upper80 = projection.actual;
  projection.lower95 = projection.actual;
  projection.upper95 = projection.actual;
  for (const CostForecastPoint& point : series.forecast.points) {
    if (point.day < from || point.day > to) continue;
    projection.expected += point.mean;
    projection.lower80 += point.lower80;
    projection.upper80 += point.upper80;
    projection.lower95 += point.lower95;
    projection.upper95 += point.upper95;
  }
  return projection;
}

SeriesOutlook OutlookOf(const PlannedSeries& series, const DayPlan& plan, int horizon) {
  SeriesOutlook outlook;
  const Date last_forecast = plan.as_of.AddDays(horizon);
  for (const int days : kCostForecastHorizons) {
    if (days > horizon) break;
    outlook.next_days.push_back(
        Project(series, plan, plan.as_of.AddDays(1), plan.as_of.AddDays(days)));
  }
  const Date month_end = LastDayOfMonth(plan.reference);
  if (month_end <= last_forecast) {
    outlook.end_of_month = Project(series, plan, plan.reference.FirstOfMonth(), month_end);
  }
  const Date quarter_end = QuarterEnd(plan.reference);
  if (quarter_end <= last_forecast) {
    outlook.end_of_quarter = Project(series, plan, QuarterStart(plan.reference), quarter_end);
  }
  outlook.history_spend = Money::FromNanos(SumFrom(series.daily, plan.IndexOf(plan.history_from)));
  return outlook;
}

Result<DayPlan> PlanDays(const store::DayRange& range, std::string_view tenant,
                         const CostForecastOptions& options, std::int64_t now) {
  const int covered = range.last.days() - range.first.days() + 1;
  if (covered < kMinForecastHistoryDays) {
    return MakeError(ErrorCode::kInvalidInput,
                     fmt::format("tenant '{}' has {} day{} of cost data ({} .. {}); a cost "
                                 "forecast needs at least {}",
                                 tenant, covered, covered == 1 ? "" : "s", range.first.ToString(),
                                 range.last.ToString(), kMinForecastHistoryDays));
  }
  DayPlan plan;
  plan.as_of = range.last;
  plan.history_from = std::max(range.first, plan.as_of.AddDays(1 - options.history_days));
  plan.reference = std::max(DateOfTimestamp(now), plan.as_of);
  plan.first = std::max(range.first, std::min(plan.history_from, QuarterStart(plan.reference)));
  return plan;
}

// Currencies with the most spend over the history first.
std::vector<std::string> CurrencyOrder(const std::map<std::string, CurrencySpend>& spend,
                                       const DayPlan& plan) {
  std::vector<std::pair<std::int64_t, std::string>> order;
  for (const auto& [currency, daily] : spend) {
    order.emplace_back(-SumFrom(daily.total, plan.IndexOf(plan.history_from)), currency);
  }
  std::sort(order.begin(), order.end());
  std::vector<std::string> currencies;
  for (auto& [negative_spend, currency] : order) currencies.push_back(std::move(currency));
  return currencies;
}

}  // namespace

std::vector<ReconcileInput> ReconcileDay(const ReconcileInput& total,
                                         std::span<const ReconcileInput> groups) {
  const std::size_t n = groups.size();
  // Weights: the variances; equal ones when none is positive.
  bool any_variance = total.variance > 0;
  for (const ReconcileInput& group : groups) any_variance = any_variance || group.variance > 0;
  const auto weight = [&](const ReconcileInput& series) {
    return any_variance ? std::max(series.variance, 0.0) : 1.0;
  };
  std::vector<bool> held(n, false);  // never-negative groups held at zero
  double lambda = 0;
  for (bool changed = true; changed;) {
    double free_means = 0;
    double free_weights = weight(total);
    for (std::size_t i = 0; i < n; ++i) {
      if (held[i]) continue;
      free_means += groups[i].mean;
      free_weights += weight(groups[i]);
    }
    lambda = free_weights > 0 ? (total.mean - free_means) / free_weights : 0;
    changed = false;
    for (std::size_t i = 0; i < n; ++i) {
      if (!held[i] && groups[i].never_negative && groups[i].mean + lambda * weight(groups[i]) < 0) {
        held[i] = true;
        changed = true;
      }
    }
  }
  const auto shifted = [](const ReconcileInput& series, double delta) {
    ReconcileInput moved = series;
    moved.mean += delta;
    moved.lower80 += delta;
    moved.upper80 += delta;
    moved.lower95 += delta;
    moved.upper95 += delta;
    if (series.never_negative) {
      moved.lower80 = std::max(moved.lower80, std::min(0.0, moved.mean));
      moved.lower95 = std::max(moved.lower95, std::min(0.0, moved.mean));
    }
    return moved;
  };
  std::vector<ReconcileInput> reconciled;
  reconciled.reserve(n + 1);
  reconciled.push_back(shifted(total, -lambda * weight(total)));
  for (std::size_t i = 0; i < n; ++i) {
    reconciled.push_back(
        shifted(groups[i], held[i] ? -groups[i].mean : lambda * weight(groups[i])));
  }
  return reconciled;
}

Result<CostForecastReport> ForecastCosts(store::Repository& repository, std::string_view tenant,
                                         const CostForecastOptions& options) {
  if (Status valid = ValidateOptions(options); !valid) return unexpected(valid.error());
  auto group_by = ParseGroupBy(options.group_by);
  if (!group_by) return unexpected(std::move(group_by.error()));
  auto tenant_row = repository.FindTenant(tenant);
  if (!tenant_row) return unexpected(std::move(tenant_row.error()));
  auto range = repository.CostDayRange(tenant_row->id);
  if (!range) return unexpected(std::move(range.error()));
  if (!*range) {
    return MakeError(ErrorCode::kNotFound,
                     fmt::format("tenant '{}' has no cost data to forecast: ingest billing files "
                                 "first (costwise ingest)",
                                 tenant));
  }
  const std::int64_t now = options.now != 0 ? options.now : UnixSecondsNow();
  auto plan = PlanDays(**range, tenant, options, now);
  if (!plan) return unexpected(std::move(plan.error()));
  auto spend = LoadSpend(repository, tenant_row->id, *plan, *group_by);
  if (!spend) return unexpected(std::move(spend.error()));

  CostForecastReport report;
  report.tenant = std::string(tenant);
  report.history_from = plan->history_from;
  report.history_days = plan->as_of.days() - plan->history_from.days() + 1;
  report.run.group_by = *group_by ? DimensionName(**group_by) : "";
  report.run.horizon = options.horizon;
  report.run.as_of = plan->as_of;
  report.run.created_at = now;
  report.month_end = LastDayOfMonth(plan->reference);
  report.quarter_end = QuarterEnd(plan->reference);

  // Every series of every currency, each currency's total first.
  std::vector<PlannedSeries> planned;
  std::vector<std::pair<std::size_t, std::size_t>> blocks;  // [first, end) per currency
  for (const std::string& currency : CurrencyOrder(*spend, *plan)) {
    const std::size_t first = planned.size();
    for (PlannedSeries& series : PlanCurrency(currency, std::move((*spend)[currency]),
                                              group_by->has_value(), options, *plan)) {
      planned.push_back(std::move(series));
    }
    blocks.emplace_back(first, planned.size());
  }
  std::vector<forecast::RegularSeries> inputs;
  inputs.reserve(planned.size());
  for (const PlannedSeries& series : planned) inputs.push_back(ModelInput(series, *plan));
  std::vector<Result<forecast::SeriesForecast>> results =
      ForecastRegularSeries(inputs, options.horizon, ForecasterOptionsOf(options), options.threads);
  std::vector<forecast::SeriesForecast> forecasts;
  forecasts.reserve(results.size());
  for (std::size_t i = 0; i < results.size(); ++i) {
    if (!results[i]) {
      return MakeError(results[i].error().code,
                       fmt::format("forecasting {} ({}): {}",
                                   ForecastSeriesLabel(report.run.group_by, planned[i].forecast),
                                   planned[i].forecast.currency, results[i].error().message));
    }
    planned[i].forecast.model = results[i]->forecast.model;
    planned[i].forecast.backtest = AccuracyOf(results[i]->backtest);
    forecasts.push_back(std::move(*results[i]));
  }
  for (const auto& [first, end] : blocks) {
    ReconcileCurrency(
        std::span(planned).subspan(first, end - first),
        std::span<const forecast::SeriesForecast>(forecasts).subspan(first, end - first), *plan,
        options.horizon);
  }

  ModelTraining training;
  training.model_type = kForecasterModelType;
  training.engine = forecast::kForecasterVersion;
  training.params = ModelParams(options, report.run.group_by);
  training.data_from = report.history_from;
  training.data_to = report.run.as_of;
  training.now = now;
  if (!planned.empty()) SetAccuracy(planned.front().forecast.backtest, training);
  auto model = RecordTraining(repository, tenant_row->id, training);
  if (!model) return unexpected(std::move(model.error()));
  report.run.model_id = model->id;
  report.run.model_version = ModelVersionLabel(*model);
  for (const PlannedSeries& series : planned) {
    report.run.series.push_back(series.forecast);
    report.outlook.push_back(OutlookOf(series, *plan, options.horizon));
  }
  auto ids = repository.ReplaceForecastRun(tenant_row->id, report.run);
  if (!ids) return unexpected(std::move(ids.error()));
  for (std::size_t i = 0; i < ids->size() && i < report.run.series.size(); ++i) {
    report.run.series[i].id = (*ids)[i];
  }
  return report;
}

Result<std::optional<CostForecastRun>> LatestCostForecast(store::Repository& repository,
                                                          std::string_view tenant,
                                                          std::string_view group_by, int horizon) {
  if (std::find(kCostForecastHorizons.begin(), kCostForecastHorizons.end(), horizon) ==
      kCostForecastHorizons.end()) {
    return MakeError(
        ErrorCode::kInvalidInput,
        fmt::format("the forecast horizon must be 30, 60 or 90 days, not {}", horizon));
  }
  auto tenant_row = repository.FindTenant(tenant);
  if (!tenant_row) return unexpected(std::move(tenant_row.error()));
  return repository.LatestForecastRun(tenant_row->id, group_by, horizon);
}

}  // namespace costwise::service
