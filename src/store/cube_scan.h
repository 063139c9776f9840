#pragma once
// Reading the daily cube back row by row, for the analyses that need every cell (anomaly
// detection) rather than the sums of a cost query.
#include <cstdint>
#include <optional>

#include "store/repository.h"

namespace soci {
class session;
}  // namespace soci

namespace costwise::store {

// The first and last usage day of the tenant's cube; empty when it has no rows. Throws SOCI
// errors.
[[nodiscard]] std::optional<DayRange> ReadCostDayRange(soci::session& session,
                                                       std::int64_t tenant_id);

// Hands the tenant's cube rows dated in [from, to], tags included, to `sink` in chunks. Throws
// SOCI errors (and whatever the sink throws).
void ScanCube(soci::session& session, std::int64_t tenant_id, Date from, Date to,
              const CubeRowSink& sink);

}  // namespace costwise::store
