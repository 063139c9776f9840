#pragma once
// The one rendering of a cost report as JSON and CSV, shared by GET /api/costs and `costwise
// costs`.
#include <string>

#include <nlohmann/json.hpp>

#include "service/cost_service.h"

namespace costwise::api {

// {"tenant", "query": {...}, "rows": [{"period","group","currency","billed_cost",...}],
//  "totals": [...]}. Money as decimal strings with the full 9 decimals kept exact, plus rounded
// numbers for charts.
[[nodiscard]] nlohmann::json CostReportToJson(const service::CostReport& report);

// period,group,currency,billed_cost,effective_cost,list_cost,usage_quantity,line_items
[[nodiscard]] std::string CostReportToCsv(const service::CostReport& report);

}  // namespace costwise::api
