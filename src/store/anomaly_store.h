#pragma once
// The SQL of cost anomalies (anomalies and anomaly_root_causes, schema version 2). Every function
// runs in the caller's session, inside its transaction when one is open, and throws SOCI errors;
// rule violations (an unknown id, an overlapping new anomaly) come back as Error values.
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "core/cost_anomaly.h"
#include "core/error.h"

namespace soci {
class session;
}  // namespace soci

namespace costwise::store {

// Inserts (id 0) or updates each anomaly with its root causes; returns the ids in order.
// Updates keep detected_at and the feedback. NotFound for an id that is not the tenant's;
// Conflict for a new anomaly that overlaps or touches a stored one of the same monitor.
[[nodiscard]] Result<std::vector<std::int64_t>> WriteAnomalies(
    soci::session& session, std::int64_t tenant_id, std::span<const CostAnomaly> anomalies);

// The tenant's anomalies, newest start first, optionally only one of them or one status.
struct AnomalySelection {
  std::optional<std::int64_t> id;
  std::optional<AnomalyStatus> status;
};
[[nodiscard]] Result<std::vector<CostAnomaly>> ReadAnomalies(soci::session& session,
                                                             std::int64_t tenant_id,
                                                             const AnomalySelection& selection);

// Sets the feedback columns; false when the tenant has no anomaly with that id.
[[nodiscard]] bool WriteAnomalyFeedback(soci::session& session, std::int64_t tenant_id,
                                        std::int64_t anomaly_id, AnomalyFeedback feedback,
                                        std::string_view note, std::int64_t at);

}  // namespace costwise::store
