#pragma once
// Bulk insertion of daily cost cube rows into cost_daily: SOCI vector binding of a prepared
// INSERT in batches on SQLite, COPY FROM STDIN on PostgreSQL.
#include <cstdint>
#include <span>

#include "core/cost_cube.h"
#include "store/backend.h"

namespace soci {
class session;
}  // namespace soci

namespace costwise::store {

// tag_set_ids[i] is the tag set of rows[i] (0 when untagged). Runs inside the caller's
// transaction; throws SOCI errors.
void InsertCubeRows(soci::session& session, Backend backend, std::int64_t tenant_id,
                    std::span<const CubeRow> rows, std::span<const std::int64_t> tag_set_ids);

}  // namespace costwise::store
