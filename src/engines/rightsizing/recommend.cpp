#include "engines/rightsizing/recommend.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "engines/rightsizing/summary_text.h"

namespace costwise::rightsizing {
namespace {

constexpr double kBitsPerByte = 8;
constexpr double kBitsPerMegabit = 1e6;
// Without memory data, a candidate must have at least the current memory (as Compute Optimizer
// does), and the confidence is lower.
constexpr double kNoMemoryConfidence = 0.8;

// Coverage times a penalty for variable load: a bursty profile's p99.5 says less about the next
// weeks than a steady one's.
double Confidence(const UtilizationProfile& profile) {
  const double variability = std::max(0.0, profile.burstiness - 1);
  double confidence = std::clamp(profile.coverage, 0.0, 1.0) / (1 + 0.1 * variability);
  if (!profile.memory) confidence *= kNoMemoryConfidence;
  return std::clamp(confidence, 0.0, 1.0);
}

}  // namespace

std::string_view FindingName(Finding finding) {
  switch (finding) {
    case Finding::kOverProvisioned:
      return "over-provisioned";
    case Finding::kUnderProvisioned:
      return "under-provisioned";
    case Finding::kOptimized:
      return "optimized";
    case Finding::kIdle:
      return "idle";
    case Finding::kInsufficientData:
      return "insufficient-data";
  }
  return "unknown";
}

std::string_view EffortName(MigrationEffort effort) {
  switch (effort) {
    case MigrationEffort::kVeryLow:
      return "very-low";
    case MigrationEffort::kLow:
      return "low";
    case MigrationEffort::kMedium:
      return "medium";
  }
  return "unknown";
}

int RiskOf(double projected_percent) {
  if (projected_percent <= 40) return 0;
  if (projected_percent <= 60) return 1;
  if (projected_percent <= 70) return 2;
  if (projected_percent <= 85) return 3;
  return 4;
}

SizingPolicy SizingPolicy::ForWorkload(Workload workload) const {
  SizingPolicy policy = *this;
  if (workload == Workload::kBursty) policy.cpu_target = std::min(cpu_target, bursty_cpu_target);
  if (workload == Workload::kMemoryBound) {
    policy.memory_target = std::min(memory_target, memory_bound_memory_target);
  }
  return policy;
}

namespace {

// The demand multiplier a significant upward trend implies projection_days past the lookback.
double Growth(const Trend& trend, const SizingPolicy& policy) {
  if (trend.days < 7 || trend.slope_per_day <= 0 || trend.t_statistic < policy.trend_t ||
      trend.last_day_fit <= 0) {
    return 1;
  }
  return (trend.last_day_fit + trend.slope_per_day * policy.projection_days) / trend.last_day_fit;
}

// Hourly CPU use of a type (fractions of its vCPUs) from demand in baseline vCPUs per hour.
std::vector<double> HourlyUse(const std::vector<double>& hourly_demand, double capacity) {
  std::vector<double> use(hourly_demand.size());
  for (std::size_t i = 0; i < use.size(); ++i) use[i] = hourly_demand[i] / capacity;
  return use;
}

}  // namespace

Result<Recommendation> Recommend(std::string_view instance_id, const UtilizationProfile& profile,
                                 std::string_view current_type, std::string_view region,
                                 const InstanceCatalog& catalog,
                                 const PerformanceTable& performance, const SizingPolicy& policy) {
  const InstanceType* current = catalog.Find(current_type);
  const std::optional<double> current_price = catalog.HourlyPrice(current_type, region);
  if (current == nullptr || !current_price) {
    std::string message = "the catalog has no price for ";
    message.append(current_type).append(" in ").append(region);
    return MakeError(ErrorCode::kInvalidInput, std::move(message));
  }
  Recommendation result;
  result.current_type = current->name;
  result.current_hourly = *current_price;
  result.current_monthly = *current_price * kHoursPerMonth;
  result.projected_cpu_current = profile.cpu.p99_5;
  result.cpu_target = policy.cpu_target;
  result.memory_target = policy.memory_target;
  const std::string id(instance_id);
  if (!profile.sufficient) {
    result.finding = Finding::kInsufficientData;
    char hours[32];
    std::snprintf(hours, sizeof hours, "%.0f", profile.hours_with_data);
    result.summary = id + ": " + hours + " hours of CPU data, at least 30 are needed";
    return result;
  }
  result.confidence = Confidence(profile);
  const double current_capacity = performance.Capacity(*current);
  // Hourly demand in baseline vCPUs: what CPU credits are earned and spent against.
  std::vector<double> hourly_demand(profile.hourly_cpu.size());
  for (std::size_t i = 0; i < hourly_demand.size(); ++i) {
    hourly_demand[i] = profile.hourly_cpu[i] / 100 * current_capacity;
  }
  const auto credit_mode = [&](const BurstableSpec& spec) {
    return policy.credit_mode.value_or(spec.default_mode);
  };
  if (const std::optional<BurstableSpec> spec = BurstableSpecOf(*current);
      spec && !hourly_demand.empty()) {
    result.current_credit_monthly = ReplayCredits(*current, *spec, credit_mode(*spec),
                                                  HourlyUse(hourly_demand, current_capacity))
                                        .monthly_surplus_usd;
    result.current_monthly += result.current_credit_monthly;
  }

  // Idle: almost no CPU and no traffic over the whole lookback.
  // Idle needs network data: without it, a quiet CPU may still be serving traffic.
  if (profile.cpu.p99 <= policy.idle_cpu && profile.network_p99 &&
      *profile.network_p99 <= policy.idle_network_bytes_per_second) {
    result.finding = Finding::kIdle;
    SizingOption stop;
    stop.type = "stop";
    stop.monthly_savings = result.current_monthly;
    result.options.push_back(std::move(stop));
    result.summary = id + ": idle (CPU p99 " + PercentText(profile.cpu.p99) +
                     ", no traffic); stop or terminate " + current->name + ", save " +
                     MoneyText(result.current_monthly) + "/month";
    return result;
  }

  // Demand in baseline vCPUs, GiB and megabits per second, grown along a significant trend.
  result.cpu_growth = Growth(profile.cpu_trend, policy);
  result.memory_growth = profile.memory_trend ? Growth(*profile.memory_trend, policy) : 1;
  const double cpu_p99_5 = profile.cpu.p99_5 * result.cpu_growth;
  const double cpu_demand = cpu_p99_5 / 100 * current_capacity;
  // The peaks must fit too, without headroom: CPU at its maximum may saturate a candidate
  // (throttling), memory at its maximum must fit (it is not elastic).
  const double cpu_peak = profile.cpu.max * result.cpu_growth / 100 * current_capacity;
  // A plain double with a flag: GCC 12 at -O3 warns about an optional here.
  const bool has_memory = profile.memory.has_value();
  const double memory_p99 = has_memory ? profile.memory->p99 * result.memory_growth : 0;
  const double memory_demand = memory_p99 / 100 * current->memory_gib;
  const double memory_peak =
      has_memory ? profile.memory->max * result.memory_growth / 100 * current->memory_gib : 0;
  const double network_demand =
      profile.network_p99 ? *profile.network_p99 * kBitsPerByte / kBitsPerMegabit : 0;

  const bool under = cpu_p99_5 > policy.under_cpu ||
                     (has_memory && (memory_p99 > policy.under_memory ||
                                     memory_peak > current->memory_gib * policy.peak_limit / 100));
  std::vector<SizingOption> fitting;
  for (const InstanceType* candidate : catalog.TypesIn(region)) {
    if (candidate->name == current->name || candidate->metal || candidate->gpus != current->gpus ||
        candidate->accelerators != current->accelerators) {
      continue;
    }
    std::optional<BurstableSpec> spec;
    if (candidate->burstable) {
      // Credits are judged on the hourly CPU: without it, or for a size the credit table does
      // not know, a burstable type is not offered.
      spec = BurstableSpecOf(*candidate);
      if (!policy.allow_burstable || !spec || hourly_demand.empty()) continue;
    }
    MigrationEffort effort = MigrationEffort::kVeryLow;
    if (candidate->architecture != current->architecture) {
      if (!policy.allow_arm64 || candidate->architecture != Architecture::kArm64) continue;
      effort = MigrationEffort::kMedium;
    } else if (candidate->family != current->family) {
      if (!policy.allow_other_families) continue;
      effort = MigrationEffort::kLow;
    }
    const double capacity = performance.Capacity(*candidate);
    SizingOption option;
    option.type = candidate->name;
    option.hourly_usd = *catalog.HourlyPrice(candidate->name, region);
    option.monthly_savings = result.current_monthly - option.hourly_usd * kHoursPerMonth;
    option.effort = effort;
    option.projected_cpu = cpu_demand / capacity * 100;
    option.projected_cpu_p99 =
        profile.cpu.p99_5 > 0 ? option.projected_cpu * profile.cpu.p99 / profile.cpu.p99_5 : 0;
    if (option.projected_cpu > policy.cpu_target || cpu_peak > capacity * policy.peak_limit / 100) {
      continue;
    }
    int risk = RiskOf(option.projected_cpu);
    if (has_memory) {
      // Memory is not elastic: its peak, not its p99, keeps the headroom (Compute Optimizer
      // sizes memory on its maximum with 20% headroom; its memory preference has no percentile).
      option.projected_memory = memory_demand / candidate->memory_gib * 100;
      const double projected_memory_max = memory_peak / candidate->memory_gib * 100;
      if (projected_memory_max > policy.memory_target) continue;
      risk = std::max(risk, RiskOf(projected_memory_max));
    } else if (candidate->memory_gib < current->memory_gib) {
      continue;
    }
    if (network_demand > 0 && candidate->network_mbps > 0) {
      const double network = network_demand / candidate->network_mbps * 100;
      if (network > policy.network_target) continue;
      risk = std::max(risk, RiskOf(network));
    }
    if (spec) {
      std::vector<double> use = HourlyUse(hourly_demand, capacity);
      for (double& hour : use) hour *= result.cpu_growth;
      const CreditMode mode = credit_mode(*spec);
      const CreditReplay credits = ReplayCredits(*candidate, *spec, mode, use);
      // Standard mode throttles to the baseline when the balance runs out: not an option.
      if (mode == CreditMode::kStandard && credits.throttled_hours > 0) continue;
      option.burstable = true;
      option.monthly_credit_cost = credits.monthly_surplus_usd;
      option.monthly_savings -= credits.monthly_surplus_usd;
      option.average_cpu_use = credits.average_use;
      option.credit_baseline = spec->baseline;
      // Living on borrowed credits is a cost, not a slowdown, in unlimited mode; running above
      // the baseline on average still leaves no reserve for a new burst.
      if (credits.average_use > spec->baseline) risk = std::max(risk, 2);
    }
    option.performance_risk = risk;
    if (!under && option.monthly_savings <= 0) continue;
    fitting.push_back(std::move(option));
  }
  // Over-provisioned: the largest savings first. Under-provisioned: the cheapest fit first.
  const auto by_savings = [](const SizingOption& a, const SizingOption& b) {
    if (a.monthly_savings != b.monthly_savings) return a.monthly_savings > b.monthly_savings;
    if (a.performance_risk != b.performance_risk) return a.performance_risk < b.performance_risk;
    return a.type < b.type;
  };
  // The options shown are the best within the preferred risk; riskier ones only fill the
  // places left, and the chosen ones are then ranked by savings.
  const int preferred = policy.preferred_max_risk;
  std::sort(fitting.begin(), fitting.end(), [&](const SizingOption& a, const SizingOption& b) {
    const bool a_preferred = a.performance_risk <= preferred;
    const bool b_preferred = b.performance_risk <= preferred;
    if (a_preferred != b_preferred) return a_preferred;
    return by_savings(a, b);
  });
  if (fitting.size() > static_cast<std::size_t>(policy.max_options)) {
    fitting.resize(static_cast<std::size_t>(policy.max_options));
  }
  std::sort(fitting.begin(), fitting.end(), by_savings);
  fitting.shrink_to_fit();  // a fleet keeps every recommendation: not the candidates' room
  result.options = std::move(fitting);
  std::string growth;
  if (result.cpu_growth > 1 || result.memory_growth > 1) {
    growth = "; growing, sized for " + std::to_string(policy.projection_days) + " days ahead";
  }
  std::string credits;
  if (result.current_credit_monthly > 0) {
    credits = "; " + current->name + " spends " + MoneyText(result.current_credit_monthly) +
              "/month of surplus CPU credits";
  }
  if (under) {
    result.finding = Finding::kUnderProvisioned;
    result.summary = id + ": under-provisioned (CPU p99.5 " + PercentText(cpu_p99_5) +
                     (has_memory ? ", memory p99 " + PercentText(memory_p99) + ", max " +
                                       PercentText(memory_peak / current->memory_gib * 100)
                                 : "") +
                     ")";
    if (!result.options.empty()) {
      const SizingOption& best = result.options.front();
      result.summary +=
          "; move " + current->name + " to " + best.type +
          (best.monthly_savings >= 0 ? ", save " + MoneyText(best.monthly_savings) + "/month"
                                     : " for " + MoneyText(-best.monthly_savings) + "/month more");
    }
  } else if (!result.options.empty()) {
    result.finding = Finding::kOverProvisioned;
    const SizingOption& best = result.options.front();
    result.summary = id + ": switch from " + current->name + " to " + best.type + ", save " +
                     MoneyText(best.monthly_savings) + "/month (CPU p99.5 " +
                     PercentText(profile.cpu.p99_5) + " now, " + PercentText(best.projected_cpu) +
                     " projected)";
  } else {
    result.finding = Finding::kOptimized;
    result.summary = id + ": " + current->name + " fits its load (CPU p99.5 " +
                     PercentText(profile.cpu.p99_5) + ")";
  }
  result.summary += growth + credits;
  return result;
}

}  // namespace costwise::rightsizing
