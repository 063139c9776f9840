#include "store/metric_anomaly_store.h"

#include <string>

#include "store/soci_includes.h"

namespace costwise::store {

std::vector<MetricAnomaly> UpsertMetricAnomalyRows(soci::session& session,
                                                   std::int64_t tenant_id,
                                                   std::span<const MetricAnomaly> anomalies,
                                                   std::int64_t now) {
  std::vector<MetricAnomaly> added;
  const long long tenant = tenant_id;
  const long long at = now;
  for (const MetricAnomaly& anomaly : anomalies) {
    const long long started = anomaly.started_at;
    const long long ended = anomaly.ended_at;
    const std::string status = anomaly.open ? "open" : "closed";
    long long id = 0;
    soci::indicator found = soci::i_null;
    session << "SELECT id FROM metric_anomalies WHERE tenant_id = :tenant AND instance_id = "
               ":instance AND metric = :metric AND started_at = :started",
        soci::use(tenant, "tenant"), soci::use(anomaly.instance_id, "instance"),
        soci::use(anomaly.metric, "metric"), soci::use(started, "started"),
        soci::into(id, found);
    if (session.got_data() && found == soci::i_ok) {
      session << "UPDATE metric_anomalies SET ended_at = :ended, peak_value = :peak, "
                 "expected_value = :expected, score = :score, status = :status, updated_at = :at "
                 "WHERE id = :id",
          soci::use(ended, "ended"), soci::use(anomaly.peak_value, "peak"),
          soci::use(anomaly.expected_value, "expected"), soci::use(anomaly.score, "score"),
          soci::use(status, "status"), soci::use(at, "at"), soci::use(id, "id");
      continue;
    }
    session << "INSERT INTO metric_anomalies (tenant_id, instance_id, region, metric, started_at, "
               "ended_at, peak_value, expected_value, score, status, detected_at, updated_at) "
               "VALUES (:tenant, :instance, :region, :metric, :started, :ended, :peak, "
               ":expected, :score, :status, :at, :at2) RETURNING id",
        soci::use(tenant, "tenant"), soci::use(anomaly.instance_id, "instance"),
        soci::use(anomaly.region, "region"), soci::use(anomaly.metric, "metric"),
        soci::use(started, "started"), soci::use(ended, "ended"),
        soci::use(anomaly.peak_value, "peak"), soci::use(anomaly.expected_value, "expected"),
        soci::use(anomaly.score, "score"), soci::use(status, "status"), soci::use(at, "at"),
        soci::use(at, "at2"), soci::into(id);
    MetricAnomaly stored = anomaly;
    stored.id = id;
    stored.detected_at = now;
    stored.updated_at = now;
    added.push_back(std::move(stored));
  }
  return added;
}

namespace {

constexpr std::string_view kColumns =
    "SELECT id, instance_id, region, metric, started_at, ended_at, peak_value, expected_value, "
    "score, status, detected_at, updated_at FROM metric_anomalies ";

}  // namespace

std::optional<MetricAnomaly> ReadMetricAnomaly(soci::session& session, std::int64_t tenant_id,
                                               std::int64_t id) {
  const long long tenant = tenant_id;
  const long long wanted = id;
  MetricAnomaly row;
  long long found = 0;
  long long started = 0;
  long long ended = 0;
  long long detected = 0;
  long long updated = 0;
  std::string status;
  session << std::string(kColumns) + "WHERE tenant_id = :tenant AND id = :id",
      soci::use(tenant, "tenant"), soci::use(wanted, "id"), soci::into(found),
      soci::into(row.instance_id), soci::into(row.region), soci::into(row.metric),
      soci::into(started), soci::into(ended), soci::into(row.peak_value),
      soci::into(row.expected_value), soci::into(row.score), soci::into(status),
      soci::into(detected), soci::into(updated);
  if (!session.got_data()) return std::nullopt;
  row.id = found;
  row.started_at = started;
  row.ended_at = ended;
  row.open = status == "open";
  row.detected_at = detected;
  row.updated_at = updated;
  return row;
}

std::vector<MetricAnomaly> ReadMetricAnomalies(soci::session& session, std::int64_t tenant_id,
                                               std::size_t limit) {
  const long long tenant = tenant_id;
  const long long most = static_cast<long long>(limit);
  MetricAnomaly row;
  long long id = 0;
  long long started = 0;
  long long ended = 0;
  long long detected = 0;
  long long updated = 0;
  std::string status;
  soci::statement select =
      (session.prepare << std::string(kColumns) +
                              "WHERE tenant_id = :tenant ORDER BY started_at DESC, id DESC "
                              "LIMIT :most",
       soci::use(tenant, "tenant"), soci::use(most, "most"), soci::into(id),
       soci::into(row.instance_id), soci::into(row.region), soci::into(row.metric),
       soci::into(started), soci::into(ended), soci::into(row.peak_value),
       soci::into(row.expected_value), soci::into(row.score), soci::into(status),
       soci::into(detected), soci::into(updated));
  select.execute();
  std::vector<MetricAnomaly> out;
  while (select.fetch()) {
    MetricAnomaly anomaly = row;
    anomaly.id = id;
    anomaly.started_at = started;
    anomaly.ended_at = ended;
    anomaly.open = status == "open";
    anomaly.detected_at = detected;
    anomaly.updated_at = updated;
    out.push_back(std::move(anomaly));
  }
  return out;
}

}  // namespace costwise::store
