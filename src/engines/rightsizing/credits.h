#pragma once
// CPU credits of burstable instances (T2, T3, T3a, T4g). A T instance earns credits at its
// baseline (a fraction of each vCPU, by size), banks at most one day of earnings, and spends one
// credit per vCPU-minute at 100%. In unlimited mode (the default of T3, T3a and T4g) it may spend
// up to one day of earnings beyond its balance as surplus credits, repaid from later earnings;
// surplus beyond that is billed per vCPU-hour. In standard mode (T2's default) it is throttled to
// its baseline when the balance is empty. Figures from the Amazon EC2 user guide ("Burstable
// performance instances", "CPU credits and baseline utilization") and the on-demand price page.
#include <optional>
#include <span>
#include <string_view>

#include "engines/rightsizing/catalog.h"

namespace costwise::rightsizing {

enum class CreditMode { kUnlimited, kStandard };

struct BurstableSpec {
  double baseline = 0;                   // fraction of each vCPU, e.g. 0.3 for t3.large
  double credits_per_hour = 0;           // baseline x vCPU x 60
  double max_balance = 0;                // 24 hours of earnings
  double surplus_usd_per_vcpu_hour = 0;  // $0.05 (T2, T3, T3a), $0.04 (T4g), Linux
  CreditMode default_mode = CreditMode::kUnlimited;
};

// The credit figures of a burstable type; empty for a type that is not burstable or whose size
// is not in the table.
[[nodiscard]] std::optional<BurstableSpec> BurstableSpecOf(const InstanceType& type);

struct CreditReplay {
  double surplus_credits_per_hour = 0;  // billed surplus, averaged over the hours replayed
  double monthly_surplus_usd = 0;       // at 730 hours a month
  double average_use = 0;               // mean vCPU fraction used, to compare with the baseline
  double min_balance = 0;               // lowest balance reached (negative: surplus borrowed)
  double throttled_hours = 0;           // standard mode: hours the balance could not cover
};

// Replays hourly CPU use (each the mean fraction of the type's vCPUs in use that hour, in [0, 1];
// NaN for an hour without data, which is skipped) on a burstable type. The lookback is taken as
// the steady state: a first pass from an empty balance finds the balance the pattern settles at,
// and the second pass, starting from it, is the one reported.
[[nodiscard]] CreditReplay ReplayCredits(const InstanceType& type, const BurstableSpec& spec,
                                         CreditMode mode, std::span<const double> hourly_use);

}  // namespace costwise::rightsizing
