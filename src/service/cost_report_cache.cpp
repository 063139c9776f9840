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

CostReportCache::CostReportCache(std::size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

Result<CostReport> CostReportCache::Query(store::Repository& repository, std::int64_t tenant_id,
                                          std::string_view tenant_name, const CostQuery& query) {
  const Result<std::int64_t> version = repository.CubeVersion(tenant_id);
  if (!version) return unexpected(version.error());
  const std::string key = CostQueryKey(tenant_id, query);
  {
    const std::lock_guard lock(mutex_);
    const auto found = entries_.find(key);
    if (found != entries_.end() && found->second.version == *version) {
      ++hits_;
      recency_.splice(recency_.begin(), recency_, found->second.recency);
      CostReport report = found->second.report;
      report.tenant = std::string(tenant_name);
      return report;
    }
    ++misses_;
  }
  Result<CostReport> report = QueryCostsOfTenant(repository, tenant_id, tenant_name, query);
  if (!report) return report;
  const std::lock_guard lock(mutex_);
  auto found = entries_.find(key);
  if (found == entries_.end()) {
    if (entries_.size() >= capacity_) {
      entries_.erase(recency_.back());
      recency_.pop_back();
    }
    recency_.push_front(key);
    found = entries_.emplace(key, Entry{*version, *report, recency_.begin()}).first;
  } else if (found->second.version <= *version) {
    found->second.version = *version;
    found->second.report = *report;
    recency_.splice(recency_.begin(), recency_, found->second.recency);
  }
  return report;
}

std::size_t CostReportCache::hits() const {
  const std::lock_guard lock(mutex_);
  return hits_;
}

std::size_t CostReportCache::misses() const {
  const std::lock_guard lock(mutex_);
  return misses_;
}

}  // namespace costwise::service
