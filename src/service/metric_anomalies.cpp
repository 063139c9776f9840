#include "service/metric_anomalies.h"

#include <cmath>

#include "engines/anomaly/series_detector.h"

namespace costwise::service {

std::vector<MetricAnomaly> SeriesExcursions(const std::vector<std::int64_t>& times,
                                            const std::vector<double>& values) {
  std::vector<MetricAnomaly> excursions;
  anomaly::StreamingDetector detector;
  bool inside = false;
  for (std::size_t i = 0; i < times.size() && i < values.size(); ++i) {
    if (!std::isfinite(values[i])) continue;
    const anomaly::SeriesPoint point = detector.Push(times[i], values[i]);
    if (point.is_anomaly) {
      MetricAnomaly excursion;
      excursion.started_at = times[i];
      excursion.ended_at = times[i];
      excursion.peak_value = values[i];
      excursion.expected_value = point.expected;
      excursion.score = point.score;
      excursions.push_back(excursion);
      inside = true;
    } else if (point.ongoing && inside) {
      MetricAnomaly& current = excursions.back();
      current.ended_at = times[i];
      if (std::abs(values[i] - point.expected) >
          std::abs(current.peak_value - current.expected_value)) {
        current.peak_value = values[i];
        current.expected_value = point.expected;
      }
    } else if (inside) {
      excursions.back().open = false;
      inside = false;
    }
  }
  return excursions;
}

Result<std::vector<MetricAnomaly>> ListMetricAnomalies(store::Repository& repository,
                                                      const Principal& caller,
                                                      std::size_t limit) {
  if (limit == 0 || limit > 1000) {
    return MakeError(ErrorCode::kInvalidInput, "limit must be from 1 to 1000");
  }
  return repository.ListMetricAnomalies(caller.tenant_id, limit);
}

Result<MetricDetectionSummary> DetectMetricAnomalies(
    store::Repository& repository, std::int64_t tenant_id,
    const std::vector<std::pair<std::string, std::string>>& instances, std::int64_t now,
    int lookback_days) {
  MetricDetectionSummary summary;
  const std::int64_t from = now - std::int64_t{lookback_days} * 86'400;
  for (const auto& [region, instance_id] : instances) {
    auto series = repository.ReadInstanceMetrics(tenant_id, instance_id, from, now + 1);
    if (!series) return unexpected(std::move(series.error()));
    for (const MetricSeriesRecord& record : *series) {
      ++summary.series;
      summary.points += static_cast<std::int64_t>(record.timestamps.size());
      for (MetricAnomaly& excursion : SeriesExcursions(record.timestamps, record.values)) {
        excursion.instance_id = instance_id;
        excursion.region = region;
        excursion.metric = record.metric;
        summary.found.push_back(std::move(excursion));
      }
    }
  }
  if (summary.found.empty()) return summary;
  auto added = repository.RecordMetricAnomalies(tenant_id, summary.found, now);
  if (!added) return unexpected(std::move(added.error()));
  summary.added = std::move(*added);
  return summary;
}

}  // namespace costwise::service
