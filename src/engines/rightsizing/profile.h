#pragma once
// An instance's utilization profile over the lookback: what right-sizing decides from. CPU
// percentiles (p99.5 is what AWS Compute Optimizer sizes CPU by), memory when the CloudWatch agent
// reports it, network, how bursty the load is, whether it follows the day or the week, and how
// much of the lookback the data covers.
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "core/error.h"

namespace costwise::rightsizing {

// One metric's samples: timestamps (seconds since the epoch, any order) and values.
struct MetricSamples {
  std::span<const std::int64_t> timestamps;
  std::span<const double> values;
};

struct Percentiles {
  double p50 = 0;
  double p95 = 0;
  double p99 = 0;
  double p99_5 = 0;
  double max = 0;
};

// A least-squares line through the daily p99 of a metric: how fast the load grows.
struct Trend {
  double slope_per_day = 0;  // percentage points per day
  double t_statistic = 0;    // slope over its standard error (0 with fewer than 7 days)
  double last_day_fit = 0;   // the line's value on the last day with data
  int days = 0;              // days with at least 12 hours of samples
};

struct ProfileOptions {
  std::int64_t lookback_end = 0;  // seconds since the epoch; samples at or after it are ignored
  int lookback_days = 14;         // 14, 32 or 93 (Compute Optimizer's choices)
  double min_hours = 30;          // fewer hours with CPU data: insufficient data
};

struct UtilizationProfile {
  Percentiles cpu;                    // percent of the instance's vCPUs
  std::optional<Percentiles> memory;  // percent used (mem_used_percent), when reported
  std::optional<double> network_p99;  // bytes per second, in + out, when reported
  // p99 over p50 of CPU: 1 for a flat load, large for rare peaks.
  double burstiness = 0;
  // Autocorrelation of hourly CPU at one day and one week (0 when there is too little data).
  double daily_periodicity = 0;
  double weekly_periodicity = 0;
  // Daily p99 trends; right-sizing projects demand forward with them (recommend.h).
  Trend cpu_trend;
  std::optional<Trend> memory_trend;
  // Mean CPU percent of each hour of the lookback, oldest first (NaN: no data). Burstable types
  // are judged on it: CPU credits are earned and spent by the hour.
  std::vector<double> hourly_cpu;
  double hours_with_data = 0;  // distinct hours with a CPU sample
  double coverage = 0;         // hours_with_data / lookback hours, in [0, 1]
  std::int64_t samples = 0;    // CPU samples used
  bool sufficient = false;     // at least min_hours hours of CPU data
};

// The profile from CPUUtilization (required), mem_used_percent and NetworkIn + NetworkOut (bytes
// per period; `network_period_seconds` turns them into rates) over the lookback window ending at
// options.lookback_end. InvalidInput for mismatched lengths, a lookback other than 14, 32 or 93
// days, or values that are not finite.
[[nodiscard]] Result<UtilizationProfile> BuildProfile(const MetricSamples& cpu,
                                                      const MetricSamples& memory,
                                                      const MetricSamples& network,
                                                      std::int64_t network_period_seconds,
                                                      const ProfileOptions& options);

// The q-quantile (q in [0, 1]) of values by linear interpolation between order statistics;
// reorders `values`. 0 for no values.
[[nodiscard]] double Quantile(std::span<double> values, double q);

}  // namespace costwise::rightsizing
