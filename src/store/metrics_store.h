#pragma once
// The SQL of instance metrics (instance_metrics, schema version 4). Every function runs in the
// caller's session, inside its transaction when one is open, and throws SOCI errors.
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "core/cloud_inventory.h"
#include "store/backend.h"

namespace soci {
class session;
}  // namespace soci

namespace costwise::store {

// Upserts samples of one tenant, chunk by chunk, inside the caller's transaction: a stored
// (instance, metric, time) takes the new value; of a key written twice the last value wins.
// The chunks go into a temporary table (dropped by Finish or with a rollback) and are upserted in
// one statement at Finish, which counts a key given twice once, on both backends.
class MetricSampleWriter {
 public:
  virtual ~MetricSampleWriter() = default;
  MetricSampleWriter() = default;
  MetricSampleWriter(const MetricSampleWriter&) = delete;
  MetricSampleWriter& operator=(const MetricSampleWriter&) = delete;

  // The samples must be valid (non-empty ids and metrics, finite values, UTF-8).
  virtual void Write(std::span<const MetricSample> samples) = 0;
  // The number of rows inserted or whose value changed.
  [[nodiscard]] virtual std::int64_t Finish() = 0;
};

[[nodiscard]] std::unique_ptr<MetricSampleWriter> MakeMetricSampleWriter(soci::session& session,
                                                                         Backend backend,
                                                                         std::int64_t tenant_id);

[[nodiscard]] std::int64_t CountMetricSamples(soci::session& session, std::int64_t tenant_id);

[[nodiscard]] std::optional<std::int64_t> ReadNewestMetricSample(soci::session& session,
                                                                 std::int64_t tenant_id);

// The instance's samples with from <= time < to, one series per metric (by name), in time order.
[[nodiscard]] std::vector<MetricSeriesRecord> ReadMetricSeries(soci::session& session,
                                                               std::int64_t tenant_id,
                                                               std::string_view instance_id,
                                                               std::int64_t from, std::int64_t to);

}  // namespace costwise::store
