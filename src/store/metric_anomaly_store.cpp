#include "store/metric_anomaly_store.h"

#include <string>

#include "store/soci_includes.h"

namespace costwise::store {

std::vector<MetricAnomaly> UpsertMetricAnomalyRows(soci::session& session, std::int64_t tenant_id,
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
        soci::use(anomaly.metric, "metric"), soci::use(started, "started"), soci::into(id, found);
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

// Bound output columns of one metric_anomalies row, in kColumns order.
struct MetricAnomalyRow {
  long long id = 0;
  MetricAnomaly anomaly;
  long long started = 0;
  long long ended = 0;
  std::string status;
  long long detected = 0;
  long long updated = 0;

  void Bind(soci::statement& statement) {
    statement.exchange(soci::into(id));
    statement.exchange(soci::into(anomaly.instance_id));
    statement.exchange(soci::into(anomaly.region));
    statement.exchange(soci::into(anomaly.metric));
    statement.exchange(soci::into(started));
    statement.exchange(soci::into(ended));
    statement.exchange(soci::into(anomaly.peak_value));
    statement.exchange(soci::into(anomaly.expected_value));
    statement.exchange(soci::into(anomaly.score));
    statement.exchange(soci::into(status));
    statement.exchange(soci::into(detected));
    statement.exchange(soci::into(updated));
  }

  [[nodiscard]] MetricAnomaly Record() const {
    MetricAnomaly out = anomaly;
    out.id = id;
    out.started_at = started;
    out.ended_at = ended;
    out.open = status == "open";
    out.detected_at = detected;
    out.updated_at = updated;
    return out;
  }
};

// The rows `where` selects (it binds :tenant and, when given, :extra).
std::vector<MetricAnomaly> SelectMetricAnomalies(soci::session& session, std::int64_t tenant_id,
                                                 std::string_view where, const char* extra_name,
                                                 long long extra) {
  const long long tenant = tenant_id;
  MetricAnomalyRow row;
  soci::statement select(session);
  row.Bind(select);
  select.exchange(soci::use(tenant, "tenant"));
  select.exchange(soci::use(extra, extra_name));
  select.alloc();
  select.prepare(std::string(kColumns) + std::string(where));
  select.define_and_bind();
  select.execute();
  std::vector<MetricAnomaly> out;
  while (select.fetch()) out.push_back(row.Record());
  return out;
}

}  // namespace

std::optional<MetricAnomaly> ReadMetricAnomaly(soci::session& session, std::int64_t tenant_id,
                                               std::int64_t id) {
  std::vector<MetricAnomaly> found =
      SelectMetricAnomalies(session, tenant_id, "WHERE tenant_id = :tenant AND id = :id", "id", id);
  if (found.empty()) return std::nullopt;
  return std::move(found.front());
}

std::vector<MetricAnomaly> ReadMetricAnomalies(soci::session& session, std::int64_t tenant_id,
                                               std::size_t limit) {
  return SelectMetricAnomalies(
      session, tenant_id, "WHERE tenant_id = :tenant ORDER BY started_at DESC, id DESC LIMIT :most",
      "most", static_cast<long long>(limit));
}

}  // namespace costwise::store
