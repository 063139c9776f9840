#include "store/cube_writer.h"

#include <algorithm>
#include <string>
#include <vector>

#include "store/pg_copy.h"
#include "store/soci_includes.h"

namespace costwise::store {
namespace {

constexpr std::size_t kSqliteBatchRows = 10'000;

constexpr std::string_view kCubeColumns =
    "tenant_id, usage_date, billing_period, provider, billing_account_id, sub_account_id, "
    "service, region, usage_type, charge_category, resource_id, currency, tag_set_id, "
    "billed_cost_nanos, effective_cost_nanos, list_cost_nanos, has_list_cost, usage_quantity, "
    "line_items";

// One batch of rows as column vectors, bound once to the prepared INSERT.
struct CubeColumns {
  std::vector<long long> tenant_id;
  std::vector<long long> usage_date;
  std::vector<long long> billing_period;
  std::vector<std::string> provider;
  std::vector<std::string> billing_account_id;
  std::vector<std::string> sub_account_id;
  std::vector<std::string> service;
  std::vector<std::string> region;
  std::vector<std::string> usage_type;
  std::vector<std::string> charge_category;
  std::vector<std::string> resource_id;
  std::vector<std::string> currency;
  std::vector<long long> tag_set_id;
  std::vector<long long> billed_cost_nanos;
  std::vector<long long> effective_cost_nanos;
  std::vector<long long> list_cost_nanos;
  std::vector<int> has_list_cost;
  std::vector<double> usage_quantity;
  std::vector<long long> line_items;

  void Resize(std::size_t size) {
    tenant_id.resize(size);
    usage_date.resize(size);
    billing_period.resize(size);
    provider.resize(size);
    billing_account_id.resize(size);
    sub_account_id.resize(size);
    service.resize(size);
    region.resize(size);
    usage_type.resize(size);
    charge_category.resize(size);
    resource_id.resize(size);
    currency.resize(size);
    tag_set_id.resize(size);
    billed_cost_nanos.resize(size);
    effective_cost_nanos.resize(size);
    list_cost_nanos.resize(size);
    has_list_cost.resize(size);
    usage_quantity.resize(size);
    line_items.resize(size);
  }

  void Set(std::size_t i, std::int64_t tenant, const CubeRow& row, std::int64_t tag_set) {
    tenant_id[i] = tenant;
    usage_date[i] = row.date.days();
    billing_period[i] = row.billing_period.days();
    provider[i] = row.provider;
    billing_account_id[i] = row.billing_account_id;
    sub_account_id[i] = row.sub_account_id;
    service[i] = row.service;
    region[i] = row.region;
    usage_type[i] = row.usage_type;
    charge_category[i] = row.charge_category;
    resource_id[i] = row.resource_id;
    currency[i] = row.currency;
    tag_set_id[i] = tag_set;
    billed_cost_nanos[i] = row.billed_cost.nanos();
    effective_cost_nanos[i] = row.effective_cost.nanos();
    list_cost_nanos[i] = row.list_cost.nanos();
    has_list_cost[i] = row.has_list_cost ? 1 : 0;
    usage_quantity[i] = row.usage_quantity;
    line_items[i] = row.line_items;
  }
};

void InsertSqlite(soci::session& session, std::int64_t tenant_id, std::span<const CubeRow> rows,
                  std::span<const std::int64_t> tag_set_ids) {
  CubeColumns columns;
  columns.Resize(std::min(rows.size(), kSqliteBatchRows));
  soci::statement insert =
      (session.prepare << "INSERT INTO cost_daily (" << kCubeColumns
                       << ") VALUES (:tenant_id, :usage_date, :billing_period, :provider, "
                          ":billing_account_id, :sub_account_id, :service, :region, :usage_type, "
                          ":charge_category, :resource_id, :currency, :tag_set_id, "
                          ":billed_cost_nanos, :effective_cost_nanos, :list_cost_nanos, "
                          ":has_list_cost, :usage_quantity, :line_items)",
       soci::use(columns.tenant_id, "tenant_id"), soci::use(columns.usage_date, "usage_date"),
       soci::use(columns.billing_period, "billing_period"), soci::use(columns.provider, "provider"),
       soci::use(columns.billing_account_id, "billing_account_id"),
       soci::use(columns.sub_account_id, "sub_account_id"), soci::use(columns.service, "service"),
       soci::use(columns.region, "region"), soci::use(columns.usage_type, "usage_type"),
       soci::use(columns.charge_category, "charge_category"),
       soci::use(columns.resource_id, "resource_id"), soci::use(columns.currency, "currency"),
       soci::use(columns.tag_set_id, "tag_set_id"),
       soci::use(columns.billed_cost_nanos, "billed_cost_nanos"),
       soci::use(columns.effective_cost_nanos, "effective_cost_nanos"),
       soci::use(columns.list_cost_nanos, "list_cost_nanos"),
       soci::use(columns.has_list_cost, "has_list_cost"),
       soci::use(columns.usage_quantity, "usage_quantity"),
       soci::use(columns.line_items, "line_items"));
  for (std::size_t begin = 0; begin < rows.size(); begin += kSqliteBatchRows) {
    const std::size_t count = std::min(kSqliteBatchRows, rows.size() - begin);
    columns.Resize(count);
    for (std::size_t i = 0; i < count; ++i) {
      columns.Set(i, tenant_id, rows[begin + i], tag_set_ids[begin + i]);
    }
    insert.execute(true);
  }
}

void InsertPostgres(soci::session& session, std::int64_t tenant_id, std::span<const CubeRow> rows,
                    std::span<const std::int64_t> tag_set_ids) {
  PgCopyWriter copy(session, "cost_daily", kCubeColumns);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const CubeRow& row = rows[i];
    copy.Integer(tenant_id);
    copy.Integer(row.date.days());
    copy.Integer(row.billing_period.days());
    copy.Text(row.provider);
    copy.Text(row.billing_account_id);
    copy.Text(row.sub_account_id);
    copy.Text(row.service);
    copy.Text(row.region);
    copy.Text(row.usage_type);
    copy.Text(row.charge_category);
    copy.Text(row.resource_id);
    copy.Text(row.currency);
    copy.Integer(tag_set_ids[i]);
    copy.Integer(row.billed_cost.nanos());
    copy.Integer(row.effective_cost.nanos());
    copy.Integer(row.list_cost.nanos());
    copy.Integer(row.has_list_cost ? 1 : 0);
    copy.Double(row.usage_quantity);
    copy.Integer(row.line_items);
    copy.EndRow();
  }
  copy.Finish();
}

}  // namespace

void InsertCubeRows(soci::session& session, Backend backend, std::int64_t tenant_id,
                    std::span<const CubeRow> rows, std::span<const std::int64_t> tag_set_ids) {
  if (rows.empty()) return;
  if (backend == Backend::kSqlite) {
    InsertSqlite(session, tenant_id, rows, tag_set_ids);
  } else {
    InsertPostgres(session, tenant_id, rows, tag_set_ids);
  }
}

}  // namespace costwise::store
