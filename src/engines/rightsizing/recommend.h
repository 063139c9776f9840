#pragma once
// Right-sizing one instance: from its utilization profile, the options that would serve its
// observed demand with headroom, ranked by monthly savings, each with projected utilization, a
// performance risk and a migration effort, and a finding (AWS Compute Optimizer's vocabulary).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "engines/rightsizing/catalog.h"
#include "engines/rightsizing/performance.h"
#include "engines/rightsizing/profile.h"

namespace costwise::rightsizing {

enum class Finding { kOverProvisioned, kUnderProvisioned, kOptimized, kIdle, kInsufficientData };
[[nodiscard]] std::string_view FindingName(Finding finding);  // "over-provisioned", ...

enum class MigrationEffort { kVeryLow, kLow, kMedium };  // same family, other family, arm64
[[nodiscard]] std::string_view EffortName(MigrationEffort effort);

// Every threshold, with Compute Optimizer's defaults where it has one.
struct SizingPolicy {
  double cpu_target = 80;      // projected CPU p99.5 at most this (20% headroom)
  double memory_target = 80;   // projected memory p99 at most this, when memory is reported
  double network_target = 80;  // projected network p99 at most this % of baseline bandwidth
  double peak_limit = 100;     // projected CPU and memory maxima at most this % of the candidate's
  double under_cpu = 90;       // the current type is under-provisioned above these
  double under_memory = 90;
  double idle_cpu = 5;                                  // idle: CPU p99 at most this ...
  double idle_network_bytes_per_second = 5e6 / 86'400;  // ... and network p99 (5 MB a day)
  int max_options = 3;
  bool allow_arm64 = true;
  bool allow_other_families = true;
};

struct SizingOption {
  std::string type;  // "m5.large", or "stop" for an idle instance
  double hourly_usd = 0;
  double monthly_savings = 0;              // (current - option hourly) x 730
  double projected_cpu = 0;                // p99.5 of CPU on the option, percent
  double projected_cpu_p99 = 0;            // p99 of CPU on the option, percent
  std::optional<double> projected_memory;  // p99, percent, when memory is reported
  int performance_risk = 0;                // 0 (very low) .. 4 (very high)
  MigrationEffort effort = MigrationEffort::kVeryLow;
};

struct Recommendation {
  Finding finding = Finding::kInsufficientData;
  std::string current_type;
  double current_hourly = 0;
  double current_monthly = 0;
  double projected_cpu_current = 0;   // CPU p99.5 on the current type (its own p99.5)
  std::vector<SizingOption> options;  // best first
  double confidence = 0;              // [0, 1]
  std::string summary;                // one line
};

// InvalidInput when the catalog has no price for the current type in the region.
[[nodiscard]] Result<Recommendation> Recommend(
    std::string_view instance_id, const UtilizationProfile& profile, std::string_view current_type,
    std::string_view region, const InstanceCatalog& catalog, const PerformanceTable& performance,
    const SizingPolicy& policy = {});

// Performance risk of a projected utilization (percent of capacity): 0 up to 40%, 1 up to 60%,
// 2 up to 70%, 3 up to 85%, 4 above.
[[nodiscard]] int RiskOf(double projected_percent);

}  // namespace costwise::rightsizing
