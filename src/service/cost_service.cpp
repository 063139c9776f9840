#include "service/cost_service.h"

#include <map>

#include <fmt/format.h>

namespace costwise::service {
namespace {

constexpr std::int32_t kDefaultLookbackDays = 30;

Result<Date> ParseDateParameter(std::string_view name, std::string_view text) {
  const std::optional<Date> date = Date::Parse(text);
  if (!date) {
    return MakeError(ErrorCode::kInvalidInput,
                     fmt::format("{} must be a date as YYYY-MM-DD, got '{}'", name, text));
  }
  return *date;
}

std::vector<std::string> SplitComma(std::string_view text) {
  std::vector<std::string> parts;
  while (true) {
    const std::size_t comma = text.find(',');
    parts.emplace_back(text.substr(0, comma));
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return parts;
}

}  // namespace

Result<CostQuery> ParseCostQuery(const CostQueryText& text, Date today) {
  CostQuery query;
  if (text.to.empty()) {
    query.to = today;
  } else {
    auto to = ParseDateParameter("to", text.to);
    if (!to) return unexpected(to.error());
    query.to = *to;
  }
  if (text.from.empty()) {
    query.from = query.to.AddDays(-(kDefaultLookbackDays - 1));
  } else {
    auto from = ParseDateParameter("from", text.from);
    if (!from) return unexpected(from.error());
    query.from = *from;
  }
  if (query.from > query.to) {
    return MakeError(
        ErrorCode::kInvalidInput,
        fmt::format("from ({}) is after to ({})", query.from.ToString(), query.to.ToString()));
  }
  if (!text.group_by.empty() && text.group_by != "none") {
    const std::optional<DimensionRef> dimension = ParseDimension(text.group_by);
    if (!dimension) {
      return MakeError(ErrorCode::kInvalidInput,
                       fmt::format("group-by '{}' is not a dimension; use one of: {}",
                                   text.group_by, KnownDimensionNames()));
    }
    query.group_by = *dimension;
  }
  if (text.granularity.empty() || text.granularity == "day" || text.granularity == "daily") {
    query.granularity = Granularity::kDay;
  } else if (text.granularity == "month" || text.granularity == "monthly") {
    query.granularity = Granularity::kMonth;
  } else {
    return MakeError(ErrorCode::kInvalidInput,
                     fmt::format("granularity must be day or month, got '{}'", text.granularity));
  }
  for (const std::string& filter : text.filters) {
    const std::size_t equals = filter.find('=');
    if (equals == std::string::npos || equals == 0 || equals + 1 == filter.size()) {
      return MakeError(ErrorCode::kInvalidInput,
                       fmt::format("filter '{}' must read DIMENSION=VALUE[,VALUE...]", filter));
    }
    const std::optional<DimensionRef> dimension = ParseDimension(filter.substr(0, equals));
    if (!dimension) {
      return MakeError(ErrorCode::kInvalidInput,
                       fmt::format("filter '{}': '{}' is not a dimension; use one of: {}", filter,
                                   filter.substr(0, equals), KnownDimensionNames()));
    }
    query.filters.push_back(CostFilter{*dimension, SplitComma(filter.substr(equals + 1))});
  }
  return query;
}

Result<CostReport> QueryCosts(store::Repository& repository, std::string_view tenant,
                              const CostQuery& query) {
  auto tenant_row = repository.FindTenant(tenant);
  if (!tenant_row) return unexpected(tenant_row.error());
  return QueryCostsOfTenant(repository, tenant_row->id, tenant, query);
}

Result<CostReport> QueryCostsOfTenant(store::Repository& repository, std::int64_t tenant_id,
                                      std::string_view tenant_name, const CostQuery& query) {
  auto rows = repository.QueryCosts(tenant_id, query);
  if (!rows) return unexpected(rows.error());
  CostReport report;
  report.tenant = std::string(tenant_name);
  report.query = query;
  report.rows = std::move(*rows);
  std::map<std::string, CostTotal> totals;
  for (const CostGroupRow& row : report.rows) {
    CostTotal& total = totals[row.currency];
    total.currency = row.currency;
    total.billed_cost += row.billed_cost;
    total.effective_cost += row.effective_cost;
    total.list_cost += row.list_cost;
    total.usage_quantity += row.usage_quantity;
    total.line_items += row.line_items;
  }
  for (auto& [currency, total] : totals) report.totals.push_back(std::move(total));
  return report;
}

std::string CostQueryKey(std::int64_t tenant_id, const CostQuery& query) {
  std::string key =
      fmt::format("{}|{}|{}|{}|{}", tenant_id, query.from.ToString(), query.to.ToString(),
                  query.granularity == Granularity::kDay ? "day" : "month",
                  query.group_by ? DimensionName(*query.group_by) : "");
  for (const CostFilter& filter : query.filters) {
    // Lengths make the key unambiguous whatever the values contain.
    const std::string dimension = DimensionName(filter.dimension);
    key += fmt::format("|{}:{}", dimension.size(), dimension);
    for (const std::string& value : filter.values)
      key += fmt::format(",{}:{}", value.size(), value);
  }
  return key;
}

}  // namespace costwise::service
