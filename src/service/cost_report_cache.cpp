#include "service/cost_report_cache.h"

#include <utility>

#include <fmt/format.h>

namespace costwise::service {

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

CostReportCache::CostReportCache(std::size_t capacity) : reports_(capacity) {}

Result<CostReport> CostReportCache::Query(store::Repository& repository, std::int64_t tenant_id,
                                          std::string_view tenant_name, const CostQuery& query) {
  const Result<std::int64_t> version = repository.CubeVersion(tenant_id);
  if (!version) return unexpected(version.error());
  const std::string key = CostQueryKey(tenant_id, query);
  if (std::optional<CostReport> cached = reports_.Find(key, *version)) {
    cached->tenant = std::string(tenant_name);
    return std::move(*cached);
  }
  Result<CostReport> report = QueryCostsOfTenant(repository, tenant_id, tenant_name, query);
  if (report) reports_.Store(key, *version, *report);
  return report;
}

}  // namespace costwise::service
