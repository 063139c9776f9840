#include "store/cost_query.h"

#include <algorithm>
#include <map>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>

#include <fmt/format.h>

#include "store/soci_includes.h"

namespace costwise::store {
namespace {

// The SQL text with its string parameters, bound by name as :p0, :p1, ... in order.
struct SqlText {
  std::string sql;
  std::vector<std::string> params;

  std::string Param(std::string value) {
    params.push_back(std::move(value));
    return fmt::format(":p{}", params.size() - 1);
  }
  std::string ParamList(const std::vector<std::string>& values) {
    std::string list;
    for (const std::string& value : values) {
      if (!list.empty()) list += ", ";
      list += Param(value);
    }
    return list;
  }
};

std::string_view ColumnOf(CostDimension dimension) {
  switch (dimension) {
    case CostDimension::kProvider:
      return "c.provider";
    case CostDimension::kBillingAccount:
      return "c.billing_account_id";
    case CostDimension::kAccount:
      return "c.sub_account_id";
    case CostDimension::kService:
      return "c.service";
    case CostDimension::kRegion:
      return "c.region";
    case CostDimension::kUsageType:
      return "c.usage_type";
    case CostDimension::kResource:
      return "c.resource_id";
    case CostDimension::kChargeCategory:
      return "c.charge_category";
    case CostDimension::kTag:
      break;
  }
  return "";
}

// A filter as a condition on the cube row c. A tag that a row does not carry has the value "",
// as in a group-by, so filtering on "" selects the rows without the tag.
std::string FilterCondition(SqlText& text, const CostFilter& filter) {
  if (filter.values.empty()) return "1 = 0";  // any of nothing
  if (filter.dimension.dimension != CostDimension::kTag) {
    return fmt::format("{} IN ({})", ColumnOf(filter.dimension.dimension),
                       text.ParamList(filter.values));
  }
  std::vector<std::string> present;
  bool absent = false;
  for (const std::string& value : filter.values) {
    if (value.empty()) {
      absent = true;
    } else {
      present.push_back(value);
    }
  }
  std::vector<std::string> conditions;
  if (!present.empty()) {
    conditions.push_back(fmt::format(
        "EXISTS (SELECT 1 FROM tag_values f WHERE f.tag_set_id = c.tag_set_id AND f.key = {} "
        "AND f.value IN ({}))",
        text.Param(filter.dimension.tag_key), text.ParamList(present)));
  }
  if (absent) {
    conditions.push_back(fmt::format(
        "NOT EXISTS (SELECT 1 FROM tag_values f WHERE f.tag_set_id = c.tag_set_id AND f.key = {})",
        text.Param(filter.dimension.tag_key)));
  }
  return conditions.size() == 1 ? conditions.front()
                                : fmt::format("({} OR {})", conditions[0], conditions[1]);
}

SqlText BuildSql(const CostQuery& query) {
  SqlText text;
  std::string group_expression = "''";
  std::string join;
  if (query.group_by) {
    if (query.group_by->dimension == CostDimension::kTag) {
      join = fmt::format(" LEFT JOIN tag_values g ON g.tag_set_id = c.tag_set_id AND g.key = {}",
                         text.Param(query.group_by->tag_key));
      group_expression = "COALESCE(g.value, '')";
    } else {
      group_expression = std::string(ColumnOf(query.group_by->dimension));
    }
  }
  text.sql = fmt::format(
      "SELECT c.usage_date, {0}, c.currency,"
      " CAST(SUM(c.billed_cost_nanos) AS BIGINT),"
      " CAST(SUM(c.effective_cost_nanos) AS BIGINT),"
      " CAST(SUM(CASE WHEN c.has_list_cost = 1 THEN c.list_cost_nanos ELSE 0 END) AS BIGINT),"
      " SUM(c.usage_quantity),"
      " CAST(SUM(c.line_items) AS BIGINT)"
      " FROM cost_daily c{1}"
      " WHERE c.tenant_id = :tenant AND c.usage_date >= :from_day AND c.usage_date <= :to_day",
      group_expression, join);
  for (const CostFilter& filter : query.filters) {
    text.sql += " AND ";
    text.sql += FilterCondition(text, filter);
  }
  text.sql += " GROUP BY c.usage_date, c.currency";
  if (query.group_by) text.sql += ", " + group_expression;
  return text;
}

struct DayRow {
  std::int32_t day = 0;
  CostGroupRow sums;  // period unset
};

std::int32_t PeriodKey(std::int32_t day, Granularity granularity) {
  return granularity == Granularity::kDay ? day : Date::FromDays(day).FirstOfMonth().days();
}

std::string PeriodText(std::int32_t key, Granularity granularity) {
  const Date date = Date::FromDays(key);
  return granularity == Granularity::kDay ? date.ToString() : date.MonthString();
}

}  // namespace

Status ValidateCostQuery(const CostQuery& query) {
  if (query.to < query.from) {
    return MakeError(ErrorCode::kInvalidInput,
                     fmt::format("the query range is empty: {} is after {}", query.from.ToString(),
                                 query.to.ToString()));
  }
  if (query.group_by && query.group_by->dimension == CostDimension::kTag &&
      query.group_by->tag_key.empty()) {
    return MakeError(ErrorCode::kInvalidInput, "group by tag needs a tag key (tag:KEY)");
  }
  for (const CostFilter& filter : query.filters) {
    if (filter.dimension.dimension == CostDimension::kTag && filter.dimension.tag_key.empty()) {
      return MakeError(ErrorCode::kInvalidInput, "a tag filter needs a tag key (tag:KEY)");
    }
  }
  return {};
}

std::vector<CostGroupRow> RunCostQuery(soci::session& session, std::int64_t tenant_id,
                                       const CostQuery& query) {
  const SqlText text = BuildSql(query);
  long long tenant = tenant_id;
  long long from_day = query.from.days();
  long long to_day = query.to.days();
  long long day = 0;
  std::string group;
  std::string currency;
  long long billed = 0;
  long long effective = 0;
  long long list = 0;
  double quantity = 0;
  long long line_items = 0;

  soci::statement statement(session);
  statement.exchange(soci::use(tenant, "tenant"));
  statement.exchange(soci::use(from_day, "from_day"));
  statement.exchange(soci::use(to_day, "to_day"));
  for (std::size_t i = 0; i < text.params.size(); ++i) {
    statement.exchange(soci::use(text.params[i], fmt::format("p{}", i)));
  }
  statement.exchange(soci::into(day));
  statement.exchange(soci::into(group));
  statement.exchange(soci::into(currency));
  statement.exchange(soci::into(billed));
  statement.exchange(soci::into(effective));
  statement.exchange(soci::into(list));
  statement.exchange(soci::into(quantity));
  statement.exchange(soci::into(line_items));
  statement.alloc();
  statement.prepare(text.sql);
  statement.define_and_bind();
  statement.execute();

  std::vector<DayRow> days;
  while (statement.fetch()) {
    DayRow row;
    row.day = static_cast<std::int32_t>(day);
    row.sums.group = group;
    row.sums.currency = currency;
    row.sums.billed_cost = Money::FromNanos(billed);
    row.sums.effective_cost = Money::FromNanos(effective);
    row.sums.list_cost = Money::FromNanos(list);
    row.sums.usage_quantity = quantity;
    row.sums.line_items = line_items;
    days.push_back(std::move(row));
  }

  // Fold in a fixed order so that the double sums do not depend on the backend's row order.
  std::sort(days.begin(), days.end(), [](const DayRow& a, const DayRow& b) {
    return std::tie(a.day, a.sums.group, a.sums.currency) <
           std::tie(b.day, b.sums.group, b.sums.currency);
  });
  using Key = std::tuple<std::int32_t, std::string, std::string>;
  std::map<Key, CostGroupRow> periods;
  for (DayRow& row : days) {
    Key key{PeriodKey(row.day, query.granularity), row.sums.group, row.sums.currency};
    auto [it, inserted] = periods.try_emplace(std::move(key));
    CostGroupRow& sums = it->second;
    if (inserted) {
      sums = std::move(row.sums);
      continue;
    }
    sums.billed_cost += row.sums.billed_cost;
    sums.effective_cost += row.sums.effective_cost;
    sums.list_cost += row.sums.list_cost;
    sums.usage_quantity += row.sums.usage_quantity;
    sums.line_items += row.sums.line_items;
  }

  std::vector<std::pair<std::int32_t, CostGroupRow>> keyed;
  keyed.reserve(periods.size());
  for (auto& [key, sums] : periods) {
    sums.period = PeriodText(std::get<0>(key), query.granularity);
    keyed.emplace_back(std::get<0>(key), std::move(sums));
  }
  std::sort(keyed.begin(), keyed.end(), [](const auto& a, const auto& b) {
    if (a.first != b.first) return a.first < b.first;
    if (a.second.billed_cost != b.second.billed_cost) {
      return a.second.billed_cost > b.second.billed_cost;
    }
    return std::tie(a.second.group, a.second.currency) <
           std::tie(b.second.group, b.second.currency);
  });
  std::vector<CostGroupRow> answer;
  answer.reserve(keyed.size());
  for (auto& [key, row] : keyed) answer.push_back(std::move(row));
  return answer;
}

}  // namespace costwise::store
