#include "api/forecast_render.h"

#include <fmt/format.h>

#include "api/json_values.h"

namespace costwise::api {
namespace {

nlohmann::json Optional(const std::optional<double>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

nlohmann::json AccuracyJson(const ForecastAccuracy& accuracy) {
  return {{"points", accuracy.points},
          {"mape", Optional(accuracy.mape)},
          {"smape", Optional(accuracy.smape)},
          {"mase", Optional(accuracy.mase)},
          {"coverage80", Optional(accuracy.coverage80)},
          {"coverage95", Optional(accuracy.coverage95)}};
}

nlohmann::json ProjectionJson(const service::SpendProjection& projection) {
  return {{"from", projection.from.ToString()},       {"to", projection.to.ToString()},
          {"actual", MoneyText(projection.actual)},   {"expected", MoneyText(projection.expected)},
          {"lower80", MoneyText(projection.lower80)}, {"upper80", MoneyText(projection.upper80)},
          {"lower95", MoneyText(projection.lower95)}, {"upper95", MoneyText(projection.upper95)}};
}

nlohmann::json OptionalProjection(const std::optional<service::SpendProjection>& projection) {
  return projection ? ProjectionJson(*projection) : nlohmann::json(nullptr);
}

nlohmann::json PointJson(const CostForecastPoint& point) {
  return {{"date", point.day.ToString()},     {"yhat", MoneyText(point.mean)},
          {"lo80", MoneyText(point.lower80)}, {"hi80", MoneyText(point.upper80)},
          {"lo95", MoneyText(point.lower95)}, {"hi95", MoneyText(point.upper95)}};
}

nlohmann::json SeriesJson(const std::string& group_by, const CostForecast& forecast,
                          const service::SeriesOutlook& outlook) {
  nlohmann::json next_days = nlohmann::json::array();
  for (const service::SpendProjection& window : outlook.next_days) {
    nlohmann::json json = ProjectionJson(window);
    json.erase("actual");
    json["days"] = window.to.days() - window.from.days() + 1;
    next_days.push_back(std::move(json));
  }
  nlohmann::json points = nlohmann::json::array();
  for (const CostForecastPoint& point : forecast.points) points.push_back(PointJson(point));
  return {
      {"id", forecast.id},
      {"kind", ForecastSeriesKindName(forecast.kind)},
      {"value", forecast.kind == ForecastSeriesKind::kValue ? nlohmann::json(forecast.group_value)
                                                            : nlohmann::json(nullptr)},
      {"other_values", forecast.other_values},
      {"label", ForecastSeriesLabel(group_by, forecast)},
      {"currency", forecast.currency},
      {"model", forecast.model},
      {"backtest", AccuracyJson(forecast.backtest)},
      {"reconciliation_adjustment", MoneyText(forecast.adjustment)},
      {"history_spend", MoneyText(outlook.history_spend)},
      {"next_days", next_days},
      {"end_of_month", OptionalProjection(outlook.end_of_month)},
      {"end_of_quarter", OptionalProjection(outlook.end_of_quarter)},
      {"points", points},
  };
}

}  // namespace

nlohmann::json CostForecastToJson(const service::CostForecastReport& report) {
  const CostForecastRun& run = report.run;
  nlohmann::json series = nlohmann::json::array();
  for (std::size_t i = 0; i < run.series.size() && i < report.outlook.size(); ++i) {
    series.push_back(SeriesJson(run.group_by, run.series[i], report.outlook[i]));
  }
  return {
      {"tenant", report.tenant},
      {"group_by", run.group_by.empty() ? nlohmann::json(nullptr) : nlohmann::json(run.group_by)},
      {"horizon", run.horizon},
      {"as_of", run.as_of.ToString()},
      {"forecast_from", run.as_of.AddDays(1).ToString()},
      {"forecast_to", run.as_of.AddDays(run.horizon).ToString()},
      {"history",
       {{"from", report.history_from.ToString()},
        {"to", run.as_of.ToString()},
        {"days", report.history_days}}},
      {"created_at", TimeJson(run.created_at)},
      {"model_version", run.model_version},
      {"levels", {kInnerForecastLevel, kOuterForecastLevel}},
      {"month_end", report.month_end.ToString()},
      {"quarter_end", report.quarter_end.ToString()},
      {"series", series},
  };
}

nlohmann::json StoredForecastToJson(std::string_view tenant, const CostForecastRun& run) {
  nlohmann::json series = nlohmann::json::array();
  for (const CostForecast& forecast : run.series) {
    nlohmann::json points = nlohmann::json::array();
    for (const CostForecastPoint& point : forecast.points) points.push_back(PointJson(point));
    series.push_back({
        {"id", forecast.id},
        {"kind", ForecastSeriesKindName(forecast.kind)},
        {"value", forecast.kind == ForecastSeriesKind::kValue ? nlohmann::json(forecast.group_value)
                                                              : nlohmann::json(nullptr)},
        {"other_values", forecast.other_values},
        {"label", ForecastSeriesLabel(run.group_by, forecast)},
        {"currency", forecast.currency},
        {"model", forecast.model},
        {"backtest", AccuracyJson(forecast.backtest)},
        {"reconciliation_adjustment", MoneyText(forecast.adjustment)},
        {"points", points},
    });
  }
  return {
      {"tenant", tenant},
      {"group_by", run.group_by.empty() ? nlohmann::json(nullptr) : nlohmann::json(run.group_by)},
      {"horizon", run.horizon},
      {"as_of", run.as_of.ToString()},
      {"forecast_from", run.as_of.AddDays(1).ToString()},
      {"forecast_to", run.as_of.AddDays(run.horizon).ToString()},
      {"created_at", TimeJson(run.created_at)},
      {"model_id", run.model_id},
      {"model_version", run.model_version},
      {"levels", {kInnerForecastLevel, kOuterForecastLevel}},
      {"series", series},
  };
}

}  // namespace costwise::api
