#pragma once
// SQL of metric_anomalies (schema version 12): excursions of synced CloudWatch series.
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "core/metric_anomaly.h"

namespace soci {
class session;
}

namespace costwise::store {

// Inserts the anomalies whose (instance, metric, start) is new and updates the others' end,
// peak, expectation, score and status; returns the new ones with their ids.
[[nodiscard]] std::vector<MetricAnomaly> UpsertMetricAnomalyRows(
    soci::session& session, std::int64_t tenant_id, std::span<const MetricAnomaly> anomalies,
    std::int64_t now);

// One of the tenant's metric anomalies; empty when it has no such id.
[[nodiscard]] std::optional<MetricAnomaly> ReadMetricAnomaly(soci::session& session,
                                                             std::int64_t tenant_id,
                                                             std::int64_t id);

// The tenant's metric anomalies, the latest start first, at most `limit`.
[[nodiscard]] std::vector<MetricAnomaly> ReadMetricAnomalies(soci::session& session,
                                                             std::int64_t tenant_id,
                                                             std::size_t limit);

}  // namespace costwise::store
