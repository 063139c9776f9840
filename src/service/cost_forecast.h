#pragma once
// The cost-forecast use case: a tenant's daily spend (in total and per value of one dimension)
// forecast 30, 60 or 90 days ahead with 80% and 95% intervals, the groups reconciled so that they
// add up to the total, projections of the month's and the quarter's spend, and the run stored
// with its backtest accuracy and model version. docs/forecasting.md ("Cost forecasts") describes
// the series, the reconciliation math and the projections.
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/cost_forecast.h"
#include "core/error.h"
#include "store/repository.h"

namespace costwise::service {

// The forecaster configuration runs record (ml_models: model_type; the version is the number in
// forecast::kForecasterVersion, "forecaster/1").
inline constexpr std::string_view kForecasterModelType = "forecaster";

// The horizons a cost forecast offers, in days.
inline constexpr std::array<int, 3> kCostForecastHorizons = {30, 60, 90};
// Fewer days of cost data than this cannot be forecast.
inline constexpr int kMinForecastHistoryDays = 14;

struct CostForecastOptions {
  int horizon = 30;        // one of kCostForecastHorizons
  std::string group_by;    // "" (total only), service, account, region, usage-type or tag:KEY
  int top_n = 10;          // values forecast on their own, per currency; the rest is one "Other"
  int history_days = 730;  // days of cost data the models see, ending at the last day of data
  int ranking_days = 90;   // the top values are those with the most spend over these last days
  int threads = 0;         // 0 = one per core
  std::uint64_t seed = 1;  // of the interval simulation
  std::int64_t now = 0;    // Unix seconds: created_at and "this month"; 0 = the clock
};

// Spend over a span of days: what the cube already has for the days up to the last day of data,
// plus the reconciled forecast of the rest. The ranges add the days' interval bounds: a
// conservative range, since the errors of consecutive days are positively correlated.
struct SpendProjection {
  Date from;
  Date to;         // inclusive
  Money actual;    // spend in the cube over [from, last day of data]
  Money expected;  // actual plus the forecast means of the remaining days
  Money lower80;
  Money upper80;
  Money lower95;
  Money upper95;
};

// What the report adds to a stored series.
struct SeriesOutlook {
  // The next 30, 60 and 90 days (those within the horizon), from the day after the data.
  std::vector<SpendProjection> next_days;
  // This calendar month and quarter (of `now`, or of the last day of data when that is later);
  // empty when the horizon does not reach their last day.
  std::optional<SpendProjection> end_of_month;
  std::optional<SpendProjection> end_of_quarter;
  Money history_spend;  // over the history the model saw
};

struct CostForecastReport {
  std::string tenant;
  Date history_from;  // the first day the models saw; the run's as_of is the last
  int history_days = 0;
  // The last days of the month and quarter projected; the outlooks have their projections when
  // the horizon reaches them.
  Date month_end;
  Date quarter_end;
  CostForecastRun run;                 // as stored: series, points, accuracy, model version
  std::vector<SeriesOutlook> outlook;  // one per run.series, in the same order
};

// Forecasts and stores. InvalidInput for a horizon other than 30, 60 or 90, an unknown group-by,
// top_n < 1, or fewer than kMinForecastHistoryDays days of cost data (the message says how many
// there are); NotFound for an unknown tenant or one without cost data.
[[nodiscard]] Result<CostForecastReport> ForecastCosts(store::Repository& repository,
                                                       std::string_view tenant,
                                                       const CostForecastOptions& options);

// The tenant's latest stored run for the group-by ("" = the total only) and horizon; empty when
// there is none. InvalidInput for a horizon other than 30, 60 or 90; NotFound for an unknown
// tenant.
[[nodiscard]] Result<std::optional<CostForecastRun>> LatestCostForecast(
    store::Repository& repository, std::string_view tenant, std::string_view group_by, int horizon);

// One day's reconciliation input for one series: the model's mean and interval bounds, and the
// weight of the series (its error variance).
struct ReconcileInput {
  double mean = 0;
  double lower80 = 0;
  double upper80 = 0;
  double lower95 = 0;
  double upper95 = 0;
  double variance = 0;
  bool never_negative = false;  // the reconciled mean stays at or above zero
};

// MinT with a diagonal covariance (WLS with each series' error variance; Wickramasuriya,
// Athanasopoulos and Hyndman 2019) for one day of a total and its groups:
//   lambda = (mean_total - sum mean_i) / (v_total + sum v_i),
//   group i gets mean_i + lambda v_i, the total mean_total - lambda v_total,
// so the groups add up to the total exactly. A never-negative group that would go below zero is
// held at zero and lambda solved again over the others. All variances zero: equal weights.
// Each interval moves with its series' mean (its width is the model's own: a sum of quantiles is
// not a quantile of the sum); a never-negative series' lower bounds stay at or above zero.
// Returns the total first, then the groups, reconciled.
[[nodiscard]] std::vector<ReconcileInput> ReconcileDay(const ReconcileInput& total,
                                                       std::span<const ReconcileInput> groups);

}  // namespace costwise::service
