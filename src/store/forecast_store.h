#pragma once
// The SQL of cost forecasts (forecasts and forecast_points, schema version 3). Every function
// runs in the caller's session, inside its transaction when one is open, and throws SOCI errors.
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "core/cost_forecast.h"
#include "core/error.h"

namespace soci {
class session;
}  // namespace soci

namespace costwise::store {

// Deletes the tenant's stored forecasts of the run's group-by and horizon, with their points.
void DeleteForecastRun(soci::session& session, std::int64_t tenant_id, std::string_view group_by,
                       int horizon);

// Inserts every series of the run with its points; returns their ids in order.
[[nodiscard]] std::vector<std::int64_t> WriteForecastRun(soci::session& session,
                                                         std::int64_t tenant_id,
                                                         const CostForecastRun& run);

// The tenant's stored run for the group-by and horizon, series in the order they were written;
// empty when there is none. Internal error for a row the reader does not understand.
[[nodiscard]] Result<std::optional<CostForecastRun>> ReadForecastRun(soci::session& session,
                                                                     std::int64_t tenant_id,
                                                                     std::string_view group_by,
                                                                     int horizon);

}  // namespace costwise::store
