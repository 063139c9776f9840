#pragma once
// The cost query over the daily cube. SQL sums per day, currency and group value; the answer is
// then folded to months and sorted in C++, so both backends produce identical rows (money is
// exact integer nanos; usage quantities are doubles summed by the database).
#include <cstdint>
#include <vector>

#include "core/cost_cube.h"
#include "core/error.h"

namespace soci {
class session;
}  // namespace soci

namespace costwise::store {

// InvalidInput for from after to, or a tag dimension without a key.
[[nodiscard]] Status ValidateCostQuery(const CostQuery& query);

// Rows ordered by period, billed cost descending, group, then currency. Throws SOCI errors.
[[nodiscard]] std::vector<CostGroupRow> RunCostQuery(soci::session& session, std::int64_t tenant_id,
                                                     const CostQuery& query);

}  // namespace costwise::store
