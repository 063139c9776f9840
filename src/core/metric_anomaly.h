#pragma once
// An anomaly on one CloudWatch series of one instance (docs/aws.md, "Metric anomalies"): an
// excursion of the streaming series detector, from its first anomalous point to its last, with
// the most extreme value and what the baseline expected there.
#include <cstdint>
#include <string>

namespace costwise {

struct MetricAnomaly {
  std::int64_t id = 0;  // 0 until stored
  std::string instance_id;
  std::string region;
  std::string metric;           // "CPUUtilization", "mem_used_percent", ...
  std::int64_t started_at = 0;  // Unix seconds: the first anomalous point
  std::int64_t ended_at = 0;    // the last point of the excursion so far
  double peak_value = 0;        // the value furthest from the expectation
  double expected_value = 0;    // the baseline's prediction at the peak
  double score = 0;             // the detector's score at the alarm, in [0, 1]
  bool open = true;             // still outside the normal band at the newest point
  std::int64_t detected_at = 0;
  std::int64_t updated_at = 0;
};

}  // namespace costwise
