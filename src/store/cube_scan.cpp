#include "store/cube_scan.h"

#include <string>
#include <unordered_map>
#include <vector>

#include "store/soci_includes.h"
#include "store/tag_sets.h"

namespace costwise::store {
namespace {

constexpr std::size_t kChunkRows = 8192;

// The tenant's tag sets, by id, each sorted by key (canonical).
std::unordered_map<std::int64_t, Tags> LoadTags(soci::session& session, std::int64_t tenant_id) {
  std::unordered_map<std::int64_t, Tags> tags;
  const long long tenant = tenant_id;
  long long set_id = 0;
  Tag tag;
  soci::statement statement =
      (session.prepare << "SELECT v.tag_set_id, v.key, v.value FROM tag_values v "
                          "JOIN tag_sets s ON s.id = v.tag_set_id WHERE s.tenant_id = :tenant "
                          "ORDER BY v.tag_set_id, v.key",
       soci::use(tenant, "tenant"), soci::into(set_id), soci::into(tag.key), soci::into(tag.value));
  statement.execute();
  while (statement.fetch()) tags[set_id].push_back(tag);
  return tags;
}

}  // namespace

std::optional<DayRange> ReadCostDayRange(soci::session& session, std::int64_t tenant_id) {
  const long long tenant = tenant_id;
  long long first = 0;
  long long last = 0;
  soci::indicator first_indicator = soci::i_ok;
  soci::indicator last_indicator = soci::i_ok;
  session << "SELECT MIN(usage_date), MAX(usage_date) FROM cost_daily WHERE tenant_id = :tenant",
      soci::use(tenant, "tenant"), soci::into(first, first_indicator),
      soci::into(last, last_indicator);
  if (first_indicator != soci::i_ok || last_indicator != soci::i_ok) return std::nullopt;
  return DayRange{Date::FromDays(static_cast<std::int32_t>(first)),
                  Date::FromDays(static_cast<std::int32_t>(last))};
}

void ScanCube(soci::session& session, std::int64_t tenant_id, Date from, Date to,
              const CubeRowSink& sink) {
  const std::unordered_map<std::int64_t, Tags> tags = LoadTags(session, tenant_id);
  const long long tenant = tenant_id;
  const long long from_day = from.days();
  const long long to_day = to.days();
  CubeRow row;
  long long day = 0;
  long long period = 0;
  long long tag_set_id = 0;
  long long billed = 0;
  long long effective = 0;
  long long list = 0;
  int has_list = 0;
  long long line_items = 0;
  soci::statement statement =
      (session.prepare
           << "SELECT usage_date, billing_period, provider, billing_account_id, sub_account_id, "
              "service, region, usage_type, charge_category, resource_id, currency, tag_set_id, "
              "billed_cost_nanos, effective_cost_nanos, list_cost_nanos, has_list_cost, "
              "usage_quantity, line_items FROM cost_daily WHERE tenant_id = :tenant "
              "AND usage_date >= :from_day AND usage_date <= :to_day",
       soci::use(tenant, "tenant"), soci::use(from_day, "from_day"), soci::use(to_day, "to_day"),
       soci::into(day), soci::into(period), soci::into(row.provider),
       soci::into(row.billing_account_id), soci::into(row.sub_account_id), soci::into(row.service),
       soci::into(row.region), soci::into(row.usage_type), soci::into(row.charge_category),
       soci::into(row.resource_id), soci::into(row.currency), soci::into(tag_set_id),
       soci::into(billed), soci::into(effective), soci::into(list), soci::into(has_list),
       soci::into(row.usage_quantity), soci::into(line_items));
  statement.execute();
  std::vector<CubeRow> chunk;
  chunk.reserve(kChunkRows);
  while (statement.fetch()) {
    row.date = Date::FromDays(static_cast<std::int32_t>(day));
    row.billing_period = Date::FromDays(static_cast<std::int32_t>(period));
    row.billed_cost = Money::FromNanos(billed);
    row.effective_cost = Money::FromNanos(effective);
    row.list_cost = Money::FromNanos(list);
    row.has_list_cost = has_list != 0;
    row.line_items = line_items;
    row.tags.clear();
    if (tag_set_id != kUntaggedTagSetId) {
      if (const auto it = tags.find(tag_set_id); it != tags.end()) row.tags = it->second;
    }
    chunk.push_back(row);
    if (chunk.size() == kChunkRows) {
      sink(chunk);
      chunk.clear();
    }
  }
  if (!chunk.empty()) sink(chunk);
}

}  // namespace costwise::store
