#pragma once
// The one JSON shape of a cost forecast, shared by `costwise forecast --format json` and (later)
// the REST API.
#include <string_view>

#include <nlohmann/json.hpp>

#include "service/cost_forecast.h"

namespace costwise::api {

// {"tenant", "group_by" (null for the total only), "horizon", "as_of", "forecast_from",
//  "forecast_to", "history": {"from", "to", "days"}, "created_at", "model_version", "levels",
//  "month_end", "quarter_end",
//  "series": [{"id", "kind" (total|value|other), "value" (null for the total and Other),
//    "other_values", "label", "currency", "model",
//    "backtest": {"points", "mape", "smape", "mase", "coverage80", "coverage95"} (measures null
//      when not measured), "reconciliation_adjustment", "history_spend",
//    "next_days": [{"days", "from", "to", "expected", "lower80", "upper80", "lower95",
//      "upper95"}],
//    "end_of_month", "end_of_quarter": {"from", "to", "actual", "expected", "lower80",
//      "upper80", "lower95", "upper95"} or null (beyond the horizon),
//    "points": [{"date", "yhat", "lo80", "hi80", "lo95", "hi95"}]}]}.
// Money as decimal strings with the full 9 decimals; times as ISO 8601 UTC.
[[nodiscard]] nlohmann::json CostForecastToJson(const service::CostForecastReport& report);

// A stored run as GET /api/ml/forecast answers it: {"tenant", "group_by", "horizon", "as_of",
// "forecast_from", "forecast_to", "created_at", "model_id", "model_version", "levels",
// "series": [{"id", "kind", "value", "other_values", "label", "currency", "model", "backtest",
// "reconciliation_adjustment", "points"}]}: the shape above without what needs the cube (the
// history and the projections).
[[nodiscard]] nlohmann::json StoredForecastToJson(std::string_view tenant,
                                                  const CostForecastRun& run);

}  // namespace costwise::api
