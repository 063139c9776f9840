#pragma once
// The cost query use case: sums of the daily cube for a tenant, by period and one dimension.
#include <string>
#include <string_view>
#include <vector>

#include "core/cost_cube.h"
#include "core/error.h"
#include "store/repository.h"

namespace costwise::service {

// Per currency: the sums of all rows of a report.
struct CostTotal {
  std::string currency;
  Money billed_cost;
  Money effective_cost;
  Money list_cost;
  double usage_quantity = 0;
  std::int64_t line_items = 0;
};

struct CostReport {
  std::string tenant;
  CostQuery query;
  std::vector<CostGroupRow> rows;
  std::vector<CostTotal> totals;
};

// Textual form of a cost query, as the CLI and the REST API take it. Empty strings mean defaults:
// the last 30 days up to today, no group-by, daily granularity.
struct CostQueryText {
  std::string from;
  std::string to;
  std::string group_by;
  std::string granularity;
  std::vector<std::string> filters;  // "service=Amazon S3,AWS Glue" or "tag:team=data"
};

// InvalidInput with a message that names the bad parameter and what it accepts.
[[nodiscard]] Result<CostQuery> ParseCostQuery(const CostQueryText& text, Date today);

// NotFound when the tenant does not exist.
[[nodiscard]] Result<CostReport> QueryCosts(store::Repository& repository, std::string_view tenant,
                                            const CostQuery& query);
// The same for a tenant known by its id (the caller's organisation).
[[nodiscard]] Result<CostReport> QueryCostsOfTenant(store::Repository& repository,
                                                    std::int64_t tenant_id,
                                                    std::string_view tenant_name,
                                                    const CostQuery& query);

// The canonical text of a query within a tenant: equal for queries that give the same report
// (the key of the server's cache of cost answers).
[[nodiscard]] std::string CostQueryKey(std::int64_t tenant_id, const CostQuery& query);

}  // namespace costwise::service
