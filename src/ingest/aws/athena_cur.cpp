#include "ingest/aws/athena_cur.h"

#include <algorithm>
#include <cstdio>
#include <fstream>

#include <fmt/format.h>

#include "ingest/aws/xml.h"
#include "ingest/text.h"

namespace costwise::aws {
namespace {

std::string Quoted(std::string_view identifier) {
  std::string out = "\"";
  for (char c : identifier) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  return out + "\"";
}

// COALESCE over the columns the table has, empty strings read as missing; "" when none exists.
std::string FirstPresent(const CurTable& table, std::initializer_list<std::string_view> columns,
                         std::string_view map_fallback = "") {
  std::vector<std::string> parts;
  for (std::string_view column : columns) {
    if (table.Has(column)) parts.push_back(fmt::format("NULLIF({}, '')", column));
  }
  if (!map_fallback.empty()) parts.emplace_back(map_fallback);
  if (parts.empty()) return "";
  if (parts.size() == 1) return parts[0];
  return fmt::format("COALESCE({})", fmt::join(parts, ", "));
}

std::string DecimalSum(std::string_view column) {
  return fmt::format("SUM(CAST({} AS DECIMAL(38,10)))", column);
}

std::string PeriodFilter(const CurTable& table, Date period, std::string_view period_column) {
  const CivilDate civil = period.ToCivil();
  switch (table.partitions) {
    case PartitionStyle::kYearMonth:
      // The CUR's Athena integration partitions by year and unpadded month.
      return fmt::format("year = '{}' AND month = '{}'", civil.year, civil.month);
    case PartitionStyle::kBillingPeriod:
      return fmt::format("billing_period = '{:04}-{:02}'", civil.year, civil.month);
    case PartitionStyle::kNone:
      break;
  }
  return fmt::format("date_format({}, '%Y-%m-%d') = '{}'", period_column, period.ToString());
}

// One CSV field, quoted when it must be.
void AppendCsvField(std::string& out, const std::optional<std::string>& value) {
  if (!value) return;
  const bool quote = value->find_first_of(",\"\r\n") != std::string::npos;
  if (!quote) {
    out.append(*value);
    return;
  }
  out.push_back('"');
  for (char c : *value) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
}

AwsError LocalError(std::string_view operation, ErrorCode code, std::string message) {
  AwsError error;
  error.code = code;
  error.service = "athena";
  error.operation = std::string(operation);
  error.message = std::move(message);
  return error;
}

}  // namespace

bool CurTable::Has(std::string_view column) const {
  return std::find(columns.begin(), columns.end(), column) != columns.end();
}

std::string_view CurTableKindName(CurTableKind kind) {
  switch (kind) {
    case CurTableKind::kLegacyCur:
      return "cur-legacy";
    case CurTableKind::kCur2:
      return "cur-2.0";
    case CurTableKind::kFocus:
      return "focus";
  }
  return "unknown";
}

Result<CurTable> DescribeCurTable(std::string database, std::string table_name,
                                  std::vector<std::string> columns) {
  CurTable table;
  table.database = std::move(database);
  table.table = std::move(table_name);
  for (std::string& column : columns) column = ingest::LowerAscii(column);
  table.columns = std::move(columns);
  const std::string name = table.database + "." + table.table;
  if (table.Has("line_item_unblended_cost") && table.Has("line_item_usage_start_date")) {
    for (std::string_view needed : {"bill_billing_period_start_date", "line_item_line_item_type"}) {
      if (!table.Has(needed)) {
        return MakeError(
            ErrorCode::kInvalidInput,
            fmt::format("Athena table {} looks like a CUR but has no {} column", name, needed));
      }
    }
    table.kind = table.Has("resource_tags") || table.Has("product") ? CurTableKind::kCur2
                                                                    : CurTableKind::kLegacyCur;
  } else if (table.Has("billedcost") && table.Has("chargeperiodstart")) {
    if (!table.Has("billingperiodstart")) {
      return MakeError(
          ErrorCode::kInvalidInput,
          fmt::format("Athena table {} looks like FOCUS but has no BillingPeriodStart", name));
    }
    table.kind = CurTableKind::kFocus;
  } else {
    return MakeError(ErrorCode::kInvalidInput,
                     fmt::format("Athena table {} is neither a CUR (line_item_unblended_cost, "
                                 "line_item_usage_start_date, ...) nor a FOCUS export "
                                 "(billedcost, chargeperiodstart, ...); its columns start {}",
                                 name,
                                 fmt::join(table.columns.begin(),
                                           table.columns.begin() +
                                               static_cast<std::ptrdiff_t>(
                                                   std::min<std::size_t>(table.columns.size(), 6)),
                                           ", ")));
  }
  if (table.Has("year") && table.Has("month")) {
    table.partitions = PartitionStyle::kYearMonth;
  } else if (table.Has("billing_period")) {
    table.partitions = PartitionStyle::kBillingPeriod;
  }
  return table;
}

std::string CurAggregationSql(const CurTable& table, Date billing_period) {
  std::vector<std::string> keys;  // grouped output columns, "expression AS name"
  std::vector<std::string> sums;
  auto key = [&](const std::string& expression, std::string_view name) {
    if (!expression.empty()) keys.push_back(fmt::format("{} AS {}", expression, name));
  };
  auto sum = [&](std::string_view column, std::string_view name) {
    if (table.Has(column)) sums.push_back(fmt::format("{} AS {}", DecimalSum(column), name));
  };
  std::string period_column;
  if (table.kind == CurTableKind::kFocus) {
    period_column = "billingperiodstart";
    key("date_format(chargeperiodstart, '%Y-%m-%d')", "ChargePeriodStart");
    key("date_format(billingperiodstart, '%Y-%m-%d')", "BillingPeriodStart");
    key(FirstPresent(table, {"providername", "serviceprovidername", "invoiceissuername"}),
        "ProviderName");
    key(FirstPresent(table, {"billingaccountid"}), "BillingAccountId");
    key(FirstPresent(table, {"subaccountid"}), "SubAccountId");
    key(FirstPresent(table, {"servicename"}), "ServiceName");
    key(FirstPresent(table, {"regionid", "regionname"}), "RegionId");
    key(FirstPresent(table, {"x_usagetype", "chargedescription", "skuid"}), "x_UsageType");
    key(FirstPresent(table, {"chargecategory"}), "ChargeCategory");
    key(FirstPresent(table, {"resourceid"}), "ResourceId");
    key(FirstPresent(table, {"billingcurrency"}), "BillingCurrency");
    if (table.Has("tags")) key("json_format(CAST(tags AS JSON))", "Tags");
    sum("billedcost", "BilledCost");
    sum("effectivecost", "EffectiveCost");
    sum("listcost", "ListCost");
    if (table.Has("consumedquantity"))
      sums.emplace_back("SUM(consumedquantity) AS ConsumedQuantity");
  } else {
    period_column = "bill_billing_period_start_date";
    key("date_format(line_item_usage_start_date, '%Y-%m-%d')", "line_item_usage_start_date");
    key("date_format(bill_billing_period_start_date, '%Y-%m-%d')",
        "bill_billing_period_start_date");
    key(FirstPresent(table, {"bill_payer_account_id"}), "bill_payer_account_id");
    key(FirstPresent(table, {"line_item_usage_account_id"}), "line_item_usage_account_id");
    key(FirstPresent(table, {"product_product_name"},
                     table.Has("product") ? "element_at(product, 'product_name')" : ""),
        "product_product_name");
    key(FirstPresent(table, {"line_item_product_code"}), "line_item_product_code");
    key(FirstPresent(table, {"product_region_code", "product_region"}), "product_region_code");
    key(FirstPresent(table, {"line_item_usage_type"}), "line_item_usage_type");
    key("line_item_line_item_type", "line_item_line_item_type");
    key(FirstPresent(table, {"line_item_resource_id"}), "line_item_resource_id");
    key(FirstPresent(table, {"line_item_currency_code"}), "line_item_currency_code");
    if (table.Has("reservation_reservation_a_r_n")) {
      // Only an RI's upfront fee needs the ARN (its effective cost is amortised instead).
      key("CASE WHEN line_item_line_item_type = 'Fee' THEN NULLIF(reservation_reservation_a_r_n, "
          "'') END",
          "reservation_reservation_a_r_n");
    }
    if (table.Has("resource_tags"))
      key("json_format(CAST(resource_tags AS JSON))", "resource_tags");
    for (const std::string& column : table.columns) {
      if (column.starts_with("resource_tags_")) key(column, column);
    }
    sum("line_item_unblended_cost", "line_item_unblended_cost");
    sum("pricing_public_on_demand_cost", "pricing_public_on_demand_cost");
    if (table.Has("line_item_usage_amount")) {
      sums.emplace_back("SUM(line_item_usage_amount) AS line_item_usage_amount");
    }
    for (std::string_view column :
         {"savings_plan_savings_plan_effective_cost", "savings_plan_total_commitment_to_date",
          "savings_plan_used_commitment", "reservation_effective_cost",
          "reservation_unused_amortized_upfront_fee_for_billing_period",
          "reservation_unused_recurring_fee"}) {
      sum(column, column);
    }
  }
  std::vector<std::string> positions;
  for (std::size_t i = 1; i <= keys.size(); ++i) positions.push_back(std::to_string(i));
  std::vector<std::string> select = keys;
  select.insert(select.end(), sums.begin(), sums.end());
  return fmt::format("SELECT {}\nFROM {}.{}\nWHERE {}\nGROUP BY {}", fmt::join(select, ",\n  "),
                     Quoted(table.database), Quoted(table.table),
                     PeriodFilter(table, billing_period, period_column),
                     fmt::join(positions, ", "));
}

AwsResult<CurTable> ReadCurTable(AwsClient& client, const AthenaLocation& location,
                                 const AthenaWait& wait) {
  AthenaQuery query{
      fmt::format("SELECT * FROM {}.{} LIMIT 0", Quoted(location.database), Quoted(location.table)),
      location.database, location.workgroup, location.output_location};
  auto id = StartQueryExecution(client, query);
  if (!id) return unexpected<AwsError>(std::move(id.error()));
  auto execution = WaitForQuery(client, *id, wait);
  if (!execution) return unexpected<AwsError>(std::move(execution.error()));
  std::vector<std::string> columns;
  auto read = ReadQueryResults(
      client, *id, [&](std::vector<std::string> names) { columns = std::move(names); },
      [](const AthenaRow&) { return true; });
  if (!read) return unexpected<AwsError>(std::move(read.error()));
  auto table = DescribeCurTable(location.database, location.table, std::move(columns));
  if (!table) {
    return unexpected<AwsError>(
        LocalError("GetQueryResults", table.error().code, table.error().message));
  }
  return *table;
}

AwsResult<AthenaExport> ExportBillingPeriod(AwsClient& client, const AthenaLocation& location,
                                            const CurTable& table, Date billing_period,
                                            const std::string& csv_path, const AthenaWait& wait) {
  AthenaExport out;
  out.sql = CurAggregationSql(table, billing_period);
  auto id = StartQueryExecution(client, AthenaQuery{out.sql, location.database, location.workgroup,
                                                    location.output_location});
  if (!id) return unexpected<AwsError>(std::move(id.error()));
  auto execution = WaitForQuery(client, *id, wait);
  if (!execution) return unexpected<AwsError>(std::move(execution.error()));
  out.execution = *execution;

  std::ofstream file(csv_path, std::ios::binary | std::ios::trunc);
  if (!file) {
    return unexpected<AwsError>(LocalError("GetQueryResults", ErrorCode::kInternal,
                                           fmt::format("cannot write {}", csv_path)));
  }
  std::string line;
  auto read = ReadQueryResults(
      client, *id,
      [&](std::vector<std::string> names) {
        line.clear();
        for (std::size_t i = 0; i < names.size(); ++i) {
          if (i > 0) line.push_back(',');
          AppendCsvField(line, names[i]);
        }
        line.push_back('\n');
        file << line;
      },
      [&](const AthenaRow& row) {
        line.clear();
        for (std::size_t i = 0; i < row.size(); ++i) {
          if (i > 0) line.push_back(',');
          AppendCsvField(line, row[i]);
        }
        line.push_back('\n');
        file << line;
        ++out.rows;
        return static_cast<bool>(file);
      });
  if (!read) return unexpected<AwsError>(std::move(read.error()));
  file.close();
  if (!file) {
    return unexpected<AwsError>(LocalError("GetQueryResults", ErrorCode::kInternal,
                                           fmt::format("writing {} failed", csv_path)));
  }
  return out;
}

}  // namespace costwise::aws
