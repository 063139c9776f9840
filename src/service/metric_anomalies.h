#pragma once
// Synced CloudWatch series through the streaming series detector (docs/aws.md, "Metric
// anomalies"): each instance's metrics over the lookback are scored point by point, each point
// from its past only, and every excursion (the alarm and the points that stay outside the band
// after it) is stored as a metric anomaly. The detector is online: data appended later never
// changes an earlier answer, so a later sync finds the same excursions again, extends the open
// ones and adds only what is new.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/error.h"
#include "core/metric_anomaly.h"
#include "service/auth.h"
#include "store/repository.h"

namespace costwise::service {

struct MetricDetectionSummary {
  std::int64_t series = 0;
  std::int64_t points = 0;
  std::vector<MetricAnomaly> found;  // every excursion in the lookback
  std::vector<MetricAnomaly> added;  // those stored for the first time, with ids
};

// The instances are (region, instance id) pairs; their samples with now - lookback <= time <
// now + 1 are read from the store.
[[nodiscard]] Result<MetricDetectionSummary> DetectMetricAnomalies(
    store::Repository& repository, std::int64_t tenant_id,
    const std::vector<std::pair<std::string, std::string>>& instances, std::int64_t now,
    int lookback_days = 14);

// The caller's organisation's metric anomalies, the latest start first. InvalidInput for a limit
// of 0 or over 1,000.
[[nodiscard]] Result<std::vector<MetricAnomaly>> ListMetricAnomalies(store::Repository& repository,
                                                                     const Principal& caller,
                                                                     std::size_t limit);

// The excursions of one series (timestamps ascending), as the detector sees them.
[[nodiscard]] std::vector<MetricAnomaly> SeriesExcursions(const std::vector<std::int64_t>& times,
                                                          const std::vector<double>& values);

}  // namespace costwise::service
