#pragma once
// Cost reports kept in memory until the tenant's cube changes. A dashboard asks the same few
// questions over and over while the cube changes only when an ingest commits: each hit costs one
// indexed read of the tenant's cube version (store::Repository::CubeVersion) instead of an
// aggregation over the cube, and is exact, also when another process (the CLI, a second server)
// ingests.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.h"
#include "service/cost_service.h"
#include "service/versioned_cache.h"
#include "store/repository.h"

namespace costwise::service {

class CostReportCache {
 public:
  explicit CostReportCache(std::size_t capacity = 512);

  // QueryCosts for the tenant (by id; its name goes into the report), answered from memory when
  // the same query was answered at the cube's current version. The least recently used report
  // is dropped when the cache is full.
  [[nodiscard]] Result<CostReport> Query(store::Repository& repository, std::int64_t tenant_id,
                                         std::string_view tenant_name, const CostQuery& query);

  [[nodiscard]] std::size_t hits() const { return reports_.hits(); }
  [[nodiscard]] std::size_t misses() const { return reports_.misses(); }

 private:
  VersionedCache<CostReport> reports_;
};

// The canonical text of a query within a tenant: equal for queries that give the same report.
[[nodiscard]] std::string CostQueryKey(std::int64_t tenant_id, const CostQuery& query);

}  // namespace costwise::service
