#include "api/cost_render.h"

#include <cmath>

#include <fmt/format.h>

namespace costwise::api {
namespace {

constexpr int kExactDecimals = 9;
constexpr double kQuantityScale = 1e6;

// Usage quantities are floating-point sums whose last bits depend on summation order (threads,
// database plans); six decimals are more than any billing unit needs and make output stable.
double RoundQuantity(double value) { return std::round(value * kQuantityScale) / kQuantityScale; }

std::string CsvField(const std::string& text) {
  if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

std::string_view GranularityName(Granularity granularity) {
  return granularity == Granularity::kDay ? "day" : "month";
}

}  // namespace

nlohmann::json CostReportToJson(const service::CostReport& report) {
  nlohmann::json query = {
      {"from", report.query.from.ToString()},
      {"to", report.query.to.ToString()},
      {"granularity", GranularityName(report.query.granularity)},
      {"group_by", report.query.group_by ? nlohmann::json(DimensionName(*report.query.group_by))
                                         : nlohmann::json(nullptr)},
  };
  nlohmann::json filters = nlohmann::json::array();
  for (const CostFilter& filter : report.query.filters) {
    filters.push_back({{"dimension", DimensionName(filter.dimension)}, {"values", filter.values}});
  }
  query["filters"] = filters;
  nlohmann::json rows = nlohmann::json::array();
  for (const CostGroupRow& row : report.rows) {
    rows.push_back({
        {"period", row.period},
        {"group", row.group},
        {"currency", row.currency},
        {"billed_cost", row.billed_cost.ToString(kExactDecimals)},
        {"effective_cost", row.effective_cost.ToString(kExactDecimals)},
        {"list_cost", row.list_cost.ToString(kExactDecimals)},
        {"usage_quantity", RoundQuantity(row.usage_quantity)},
        {"line_items", row.line_items},
    });
  }
  nlohmann::json totals = nlohmann::json::array();
  for (const service::CostTotal& total : report.totals) {
    totals.push_back({
        {"currency", total.currency},
        {"billed_cost", total.billed_cost.ToString(kExactDecimals)},
        {"effective_cost", total.effective_cost.ToString(kExactDecimals)},
        {"list_cost", total.list_cost.ToString(kExactDecimals)},
        {"usage_quantity", RoundQuantity(total.usage_quantity)},
        {"line_items", total.line_items},
    });
  }
  return {{"tenant", report.tenant}, {"query", query}, {"rows", rows}, {"totals", totals}};
}

std::string CostReportToCsv(const service::CostReport& report) {
  std::string out =
      "period,group,currency,billed_cost,effective_cost,list_cost,usage_quantity,line_items\n";
  for (const CostGroupRow& row : report.rows) {
    out += fmt::format(
        "{},{},{},{},{},{},{},{}\n", row.period, CsvField(row.group), CsvField(row.currency),
        row.billed_cost.ToString(kExactDecimals), row.effective_cost.ToString(kExactDecimals),
        row.list_cost.ToString(kExactDecimals), RoundQuantity(row.usage_quantity), row.line_items);
  }
  return out;
}

}  // namespace costwise::api
