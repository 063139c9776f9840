#pragma once
// A cost forecast as terminal tables.
#include <string>

#include "service/cost_forecast.h"

namespace costwise::cli {

// A heading (tenant, group-by, forecast days, history, model version); then per series the spend
// table (next 30/60/90 days within the horizon, end of month, end of quarter: actual to date,
// forecast, 80% and 95% ranges); then per series its model, backtest accuracy (days, MAPE,
// sMAPE, MASE, coverage of each interval) and reconciliation adjustment. Money with 2 decimals.
[[nodiscard]] std::string CostForecastTables(const service::CostForecastReport& report);

}  // namespace costwise::cli
