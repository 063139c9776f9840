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
#include "engines/rightsizing/credits.h"
#include "engines/rightsizing/performance.h"
#include "engines/rightsizing/profile.h"
#include "engines/rightsizing/workload.h"

namespace costwise::rightsizing {

enum class Finding { kOverProvisioned, kUnderProvisioned, kOptimized, kIdle, kInsufficientData };
[[nodiscard]] std::string_view FindingName(Finding finding);  // "over-provisioned", ...

enum class MigrationEffort { kVeryLow, kLow, kMedium };  // same family, other family, arm64
[[nodiscard]] std::string_view EffortName(MigrationEffort effort);

// Every threshold, with Compute Optimizer's defaults where it has one.
struct SizingPolicy {
  double cpu_target = 80;      // projected CPU p99.5 at most this (20% headroom)
  double memory_target = 80;   // projected memory maximum at most this, when memory is reported
  double network_target = 80;  // projected network p99 at most this % of baseline bandwidth
  double peak_limit = 100;     // projected CPU maximum at most this % of the candidate's
  double under_cpu = 90;       // the current type is under-provisioned above these (and when
  double under_memory = 90;    // its memory peak is above peak_limit: it swaps or runs out)
  double idle_cpu = 5;         // idle: CPU p99 at most this ...
  double idle_network_bytes_per_second = 5e6 / 86'400;  // ... and network p99 (5 MB a day)
  int max_options = 3;
  // The options shown are the best within this risk; riskier ones only fill the places left.
  // The options shown are ranked by savings.
  int preferred_max_risk = 2;
  bool allow_arm64 = true;
  bool allow_other_families = true;
  // Burstable candidates (T3, T3a, T4g, T2) are judged on the hourly CPU by their credit math;
  // credit_mode empty = each family's default (unlimited for T3, T3a and T4g, standard for T2).
  bool allow_burstable = true;
  std::optional<CreditMode> credit_mode;
  // Growth: when the daily CPU or memory p99 rises with a t statistic of at least trend_t over
  // at least 7 days, demand is projected projection_days past the lookback along that line.
  int projection_days = 30;
  double trend_t = 3;
  // More headroom where peaks are least predictable (workload.h): 30%, Compute Optimizer's most
  // cautious setting, for bursty CPU and for memory-bound instances' memory.
  double bursty_cpu_target = 70;
  double memory_bound_memory_target = 70;

  // This policy with the targets for a workload profile.
  [[nodiscard]] SizingPolicy ForWorkload(Workload workload) const;
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
  bool burstable = false;
  double monthly_credit_cost = 0;  // burstable: surplus CPU credits billed, included in savings
  double average_cpu_use = 0;      // burstable: mean share of the vCPUs used (vs the baseline)
  double credit_baseline = 0;      // burstable: the baseline share per vCPU
};

struct Recommendation {
  Finding finding = Finding::kInsufficientData;
  std::string current_type;
  double current_hourly = 0;
  double current_monthly = 0;
  double current_credit_monthly = 0;  // a burstable current type: surplus credits it is billed
  double projected_cpu_current = 0;   // CPU p99.5 on the current type (its own p99.5)
  double cpu_growth = 1;              // demand multiplier from the CPU trend (1: no growth)
  double memory_growth = 1;
  double cpu_target = 0;  // the targets applied (the workload's)
  double memory_target = 0;
  Workload workload = Workload::kUnclassified;  // set by the caller that grouped the fleet
  std::vector<SizingOption> options;            // best first
  double confidence = 0;                        // [0, 1]
  std::string summary;                          // one line
};

// Monthly savings of an option are (current - option hourly price) x 730, plus the current type's
// surplus credits, minus the option's. InvalidInput when the catalog has no price for the
// current type in the region.
[[nodiscard]] Result<Recommendation> Recommend(
    std::string_view instance_id, const UtilizationProfile& profile, std::string_view current_type,
    std::string_view region, const InstanceCatalog& catalog, const PerformanceTable& performance,
    const SizingPolicy& policy = {});

// Performance risk of a projected utilization (percent of capacity): 0 up to 40%, 1 up to 60%,
// 2 up to 70%, 3 up to 85%, 4 above.
[[nodiscard]] int RiskOf(double projected_percent);

}  // namespace costwise::rightsizing
