#include "store/forecast_store.h"

#include <string>
#include <unordered_map>
#include <utility>

#include <fmt/format.h>

#include "store/soci_includes.h"

namespace costwise::store {
namespace {

// An optional double as a value and an indicator for SOCI.
struct NullableDouble {
  double value = 0;
  soci::indicator indicator = soci::i_null;

  void Set(const std::optional<double>& from) {
    value = from.value_or(0);
    indicator = from ? soci::i_ok : soci::i_null;
  }
  [[nodiscard]] std::optional<double> Get() const {
    return indicator == soci::i_ok ? std::optional<double>(value) : std::nullopt;
  }
};

// The columns of a forecasts row, in their stored types: bound to the INSERT (refilled for each
// series) and to the SELECT.
struct ForecastColumns {
  long long id = 0;
  long long tenant = 0;
  long long model_id = 0;
  soci::indicator model_indicator = soci::i_null;
  long long created_at = 0;
  long long as_of = 0;
  int horizon = 0;
  std::string group_by;
  std::string kind;
  std::string group_value;
  int other_values = 0;
  std::string currency;
  std::string model;
  int backtest_points = 0;
  NullableDouble mape;
  NullableDouble smape;
  NullableDouble mase;
  NullableDouble coverage80;
  NullableDouble coverage95;
  std::string levels;
  long long adjustment = 0;

  void FillRun(std::int64_t tenant_id, const CostForecastRun& run) {
    tenant = tenant_id;
    model_id = run.model_id;
    model_indicator = run.model_id != 0 ? soci::i_ok : soci::i_null;
    created_at = run.created_at;
    as_of = run.as_of.days();
    horizon = run.horizon;
    group_by = run.group_by;
    levels = ForecastLevelsText();
  }

  void FillSeries(const CostForecast& forecast) {
    kind = ForecastSeriesKindName(forecast.kind);
    group_value = forecast.group_value;
    other_values = forecast.other_values;
    currency = forecast.currency;
    model = forecast.model;
    backtest_points = forecast.backtest.points;
    mape.Set(forecast.backtest.mape);
    smape.Set(forecast.backtest.smape);
    mase.Set(forecast.backtest.mase);
    coverage80.Set(forecast.backtest.coverage80);
    coverage95.Set(forecast.backtest.coverage95);
    adjustment = forecast.adjustment.nanos();
  }
};

constexpr std::string_view kRunFilter =
    " WHERE f.tenant_id = :tenant AND f.group_by = :group_by AND f.horizon = :horizon";

// The point columns of one row, refilled for each day.
struct PointColumns {
  long long forecast_id = 0;
  long long day = 0;
  long long mean = 0;
  long long lower80 = 0;
  long long upper80 = 0;
  long long lower95 = 0;
  long long upper95 = 0;

  void Fill(const CostForecastPoint& point) {
    day = point.day.days();
    mean = point.mean.nanos();
    lower80 = point.lower80.nanos();
    upper80 = point.upper80.nanos();
    lower95 = point.lower95.nanos();
    upper95 = point.upper95.nanos();
  }

  [[nodiscard]] CostForecastPoint ToPoint() const {
    return CostForecastPoint{Date::FromDays(static_cast<std::int32_t>(day)),
                             Money::FromNanos(mean),
                             Money::FromNanos(lower80),
                             Money::FromNanos(upper80),
                             Money::FromNanos(lower95),
                             Money::FromNanos(upper95)};
  }
};

void AttachPoints(soci::session& session, long long tenant, const std::string& group_by,
                  int horizon, long long created_at, CostForecastRun& run) {
  std::unordered_map<std::int64_t, std::size_t> index;
  for (std::size_t i = 0; i < run.series.size(); ++i) index.emplace(run.series[i].id, i);
  PointColumns row;
  soci::statement select =
      (session.prepare << "SELECT p.forecast_id, p.day, p.yhat, p.lo80, p.hi80, p.lo95, p.hi95 "
                          "FROM forecast_points p JOIN forecasts f ON f.id = p.forecast_id" +
                              std::string(kRunFilter) +
                              " AND f.created_at = :created_at ORDER BY p.forecast_id, p.day",
       soci::use(tenant, "tenant"), soci::use(group_by, "group_by"), soci::use(horizon, "horizon"),
       soci::use(created_at, "created_at"), soci::into(row.forecast_id), soci::into(row.day),
       soci::into(row.mean), soci::into(row.lower80), soci::into(row.upper80),
       soci::into(row.lower95), soci::into(row.upper95));
  select.execute();
  while (select.fetch()) {
    const auto it = index.find(row.forecast_id);
    if (it != index.end()) run.series[it->second].points.push_back(row.ToPoint());
  }
}

}  // namespace

void DeleteForecastRun(soci::session& session, std::int64_t tenant_id, std::string_view group_by,
                       int horizon) {
  const long long tenant = tenant_id;
  const std::string dimension(group_by);
  session << "DELETE FROM forecast_points WHERE forecast_id IN (SELECT f.id FROM forecasts f" +
                 std::string(kRunFilter) + ")",
      soci::use(tenant, "tenant"), soci::use(dimension, "group_by"), soci::use(horizon, "horizon");
  session << "DELETE FROM forecasts WHERE tenant_id = :tenant AND group_by = :group_by "
             "AND horizon = :horizon",
      soci::use(tenant, "tenant"), soci::use(dimension, "group_by"), soci::use(horizon, "horizon");
}

std::vector<std::int64_t> WriteForecastRun(soci::session& session, std::int64_t tenant_id,
                                           const CostForecastRun& run) {
  ForecastColumns row;
  row.FillRun(tenant_id, run);
  long long new_id = 0;
  soci::statement insert =
      (session.prepare
           << "INSERT INTO forecasts (tenant_id, model_id, created_at, as_of, horizon, group_by, "
              "series_kind, group_value, other_values, currency, model, backtest_points, mape, "
              "smape, mase, coverage80, coverage95, levels, adjustment) VALUES (:tenant, "
              ":model_id, :created_at, :as_of, :horizon, :group_by, :kind, :group_value, "
              ":other_values, :currency, :model, :points, :mape, :smape, :mase, :coverage80, "
              ":coverage95, :levels, :adjustment) RETURNING id",
       soci::use(row.tenant, "tenant"), soci::use(row.model_id, row.model_indicator, "model_id"),
       soci::use(row.created_at, "created_at"), soci::use(row.as_of, "as_of"),
       soci::use(row.horizon, "horizon"), soci::use(row.group_by, "group_by"),
       soci::use(row.kind, "kind"), soci::use(row.group_value, "group_value"),
       soci::use(row.other_values, "other_values"), soci::use(row.currency, "currency"),
       soci::use(row.model, "model"), soci::use(row.backtest_points, "points"),
       soci::use(row.mape.value, row.mape.indicator, "mape"),
       soci::use(row.smape.value, row.smape.indicator, "smape"),
       soci::use(row.mase.value, row.mase.indicator, "mase"),
       soci::use(row.coverage80.value, row.coverage80.indicator, "coverage80"),
       soci::use(row.coverage95.value, row.coverage95.indicator, "coverage95"),
       soci::use(row.levels, "levels"), soci::use(row.adjustment, "adjustment"),
       soci::into(new_id));
  PointColumns point;
  soci::statement insert_point =
      (session.prepare << "INSERT INTO forecast_points (forecast_id, day, yhat, lo80, hi80, lo95, "
                          "hi95) VALUES (:id, :day, :yhat, :lo80, :hi80, :lo95, :hi95)",
       soci::use(point.forecast_id, "id"), soci::use(point.day, "day"),
       soci::use(point.mean, "yhat"), soci::use(point.lower80, "lo80"),
       soci::use(point.upper80, "hi80"), soci::use(point.lower95, "lo95"),
       soci::use(point.upper95, "hi95"));
  std::vector<std::int64_t> ids;
  ids.reserve(run.series.size());
  for (const CostForecast& forecast : run.series) {
    row.FillSeries(forecast);
    insert.execute(true);
    point.forecast_id = new_id;
    for (const CostForecastPoint& day : forecast.points) {
      point.Fill(day);
      insert_point.execute(true);
    }
    ids.push_back(new_id);
  }
  return ids;
}

Result<std::optional<CostForecastRun>> ReadForecastRun(soci::session& session,
                                                       std::int64_t tenant_id,
                                                       std::string_view group_by, int horizon) {
  const long long tenant = tenant_id;
  const std::string dimension(group_by);
  long long latest = 0;
  soci::indicator latest_indicator = soci::i_null;
  session << "SELECT MAX(f.created_at) FROM forecasts f" + std::string(kRunFilter),
      soci::use(tenant, "tenant"), soci::use(dimension, "group_by"), soci::use(horizon, "horizon"),
      soci::into(latest, latest_indicator);
  if (latest_indicator != soci::i_ok) return std::optional<CostForecastRun>();

  ForecastColumns row;
  std::string model_version;
  soci::statement select =
      (session.prepare
           << "SELECT f.id, f.model_id, f.as_of, f.series_kind, f.group_value, f.other_values, "
              "f.currency, f.model, f.backtest_points, f.mape, f.smape, f.mase, f.coverage80, "
              "f.coverage95, f.levels, f.adjustment, "
              "COALESCE(m.model_type || '/' || CAST(m.version AS TEXT), '') "
              "FROM forecasts f LEFT JOIN ml_models m ON m.id = f.model_id" +
                  std::string(kRunFilter) + " AND f.created_at = :created_at ORDER BY f.id",
       soci::use(tenant, "tenant"), soci::use(dimension, "group_by"), soci::use(horizon, "horizon"),
       soci::use(latest, "created_at"), soci::into(row.id),
       soci::into(row.model_id, row.model_indicator), soci::into(row.as_of), soci::into(row.kind),
       soci::into(row.group_value), soci::into(row.other_values), soci::into(row.currency),
       soci::into(row.model), soci::into(row.backtest_points),
       soci::into(row.mape.value, row.mape.indicator),
       soci::into(row.smape.value, row.smape.indicator),
       soci::into(row.mase.value, row.mase.indicator),
       soci::into(row.coverage80.value, row.coverage80.indicator),
       soci::into(row.coverage95.value, row.coverage95.indicator), soci::into(row.levels),
       soci::into(row.adjustment), soci::into(model_version));
  select.execute();
  CostForecastRun run;
  run.group_by = dimension;
  run.horizon = horizon;
  run.created_at = latest;
  while (select.fetch()) {
    const std::optional<ForecastSeriesKind> kind = ParseForecastSeriesKind(row.kind);
    if (!kind) {
      return MakeError(ErrorCode::kInternal, fmt::format("stored forecast {} has an unknown "
                                                         "series kind '{}'",
                                                         row.id, row.kind));
    }
    if (row.levels != ForecastLevelsText()) {
      return MakeError(ErrorCode::kInternal,
                       fmt::format("stored forecast {} has interval levels {}; this build reads {}",
                                   row.id, row.levels, ForecastLevelsText()));
    }
    run.as_of = Date::FromDays(static_cast<std::int32_t>(row.as_of));
    run.model_id = row.model_indicator == soci::i_ok ? row.model_id : 0;
    run.model_version = model_version;
    CostForecast forecast;
    forecast.id = row.id;
    forecast.kind = *kind;
    forecast.group_value = row.group_value;
    forecast.other_values = row.other_values;
    forecast.currency = row.currency;
    forecast.model = row.model;
    forecast.backtest =
        ForecastAccuracy{row.backtest_points, row.mape.Get(),       row.smape.Get(),
                         row.mase.Get(),      row.coverage80.Get(), row.coverage95.Get()};
    forecast.adjustment = Money::FromNanos(row.adjustment);
    run.series.push_back(std::move(forecast));
  }
  AttachPoints(session, tenant, dimension, horizon, latest, run);
  return std::optional<CostForecastRun>(std::move(run));
}

}  // namespace costwise::store
