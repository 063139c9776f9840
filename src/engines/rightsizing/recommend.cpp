#include "engines/rightsizing/recommend.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace costwise::rightsizing {
namespace {

constexpr double kBitsPerByte = 8;
constexpr double kBitsPerMegabit = 1e6;
// Without memory data, a candidate must have at least the current memory (as Compute Optimizer
// does), and the confidence is lower.
constexpr double kNoMemoryConfidence = 0.8;

std::string Money(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "$%.2f", value);
  return text;
}

std::string Percent(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.0f%%", value);
  return text;
}

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
  const std::string id(instance_id);
  if (!profile.sufficient) {
    result.finding = Finding::kInsufficientData;
    char hours[32];
    std::snprintf(hours, sizeof hours, "%.0f", profile.hours_with_data);
    result.summary = id + ": " + hours + " hours of CPU data, at least 30 are needed";
    return result;
  }
  result.confidence = Confidence(profile);

  // Idle: almost no CPU and no traffic over the whole lookback.
  // Idle needs network data: without it, a quiet CPU may still be serving traffic.
  if (profile.cpu.p99 <= policy.idle_cpu && profile.network_p99 &&
      *profile.network_p99 <= policy.idle_network_bytes_per_second) {
    result.finding = Finding::kIdle;
    SizingOption stop;
    stop.type = "stop";
    stop.monthly_savings = result.current_monthly;
    result.options.push_back(std::move(stop));
    result.summary = id + ": idle (CPU p99 " + Percent(profile.cpu.p99) +
                     ", no traffic); stop or terminate " + current->name + ", save " +
                     Money(result.current_monthly) + "/month";
    return result;
  }

  // Demand in baseline vCPUs, GiB and megabits per second.
  const double cpu_demand = profile.cpu.p99_5 / 100 * performance.Capacity(*current);
  // The peaks must fit too, without headroom: CPU at its maximum may saturate a candidate
  // (throttling), memory at its maximum must fit (it is not elastic).
  const double cpu_peak = profile.cpu.max / 100 * performance.Capacity(*current);
  // A plain double with a flag: GCC 12 at -O3 warns about an optional here.
  const bool has_memory = profile.memory.has_value();
  const double memory_demand = has_memory ? profile.memory->p99 / 100 * current->memory_gib : 0;
  const double memory_peak = has_memory ? profile.memory->max / 100 * current->memory_gib : 0;
  const double network_demand =
      profile.network_p99 ? *profile.network_p99 * kBitsPerByte / kBitsPerMegabit : 0;

  const bool under = profile.cpu.p99_5 > policy.under_cpu ||
                     (profile.memory && profile.memory->p99 > policy.under_memory);
  std::vector<SizingOption> fitting;
  for (const InstanceType* candidate : catalog.TypesIn(region)) {
    if (candidate->name == current->name || candidate->metal || candidate->burstable ||
        candidate->gpus != current->gpus || candidate->accelerators != current->accelerators) {
      continue;
    }
    MigrationEffort effort = MigrationEffort::kVeryLow;
    if (candidate->architecture != current->architecture) {
      if (!policy.allow_arm64 || candidate->architecture != Architecture::kArm64) continue;
      effort = MigrationEffort::kMedium;
    } else if (candidate->family != current->family) {
      if (!policy.allow_other_families) continue;
      effort = MigrationEffort::kLow;
    }
    SizingOption option;
    option.type = candidate->name;
    option.hourly_usd = *catalog.HourlyPrice(candidate->name, region);
    option.monthly_savings = (result.current_hourly - option.hourly_usd) * kHoursPerMonth;
    option.effort = effort;
    option.projected_cpu = cpu_demand / performance.Capacity(*candidate) * 100;
    option.projected_cpu_p99 =
        profile.cpu.p99_5 > 0 ? option.projected_cpu * profile.cpu.p99 / profile.cpu.p99_5 : 0;
    if (option.projected_cpu > policy.cpu_target ||
        cpu_peak > performance.Capacity(*candidate) * policy.peak_limit / 100) {
      continue;
    }
    int risk = RiskOf(option.projected_cpu);
    if (has_memory) {
      option.projected_memory = memory_demand / candidate->memory_gib * 100;
      if (*option.projected_memory > policy.memory_target ||
          memory_peak > candidate->memory_gib * policy.peak_limit / 100) {
        continue;
      }
      risk = std::max(risk, RiskOf(*option.projected_memory));
    } else if (candidate->memory_gib < current->memory_gib) {
      continue;
    }
    if (network_demand > 0 && candidate->network_mbps > 0) {
      const double network = network_demand / candidate->network_mbps * 100;
      if (network > policy.network_target) continue;
      risk = std::max(risk, RiskOf(network));
    }
    option.performance_risk = risk;
    if (!under && option.monthly_savings <= 0) continue;
    fitting.push_back(std::move(option));
  }
  // Over-provisioned: the largest savings first. Under-provisioned: the cheapest fit first.
  std::sort(fitting.begin(), fitting.end(), [](const SizingOption& a, const SizingOption& b) {
    if (a.monthly_savings != b.monthly_savings) return a.monthly_savings > b.monthly_savings;
    if (a.performance_risk != b.performance_risk) return a.performance_risk < b.performance_risk;
    return a.type < b.type;
  });
  if (fitting.size() > static_cast<std::size_t>(policy.max_options)) {
    fitting.resize(static_cast<std::size_t>(policy.max_options));
  }
  result.options = std::move(fitting);
  if (under) {
    result.finding = Finding::kUnderProvisioned;
    result.summary = id + ": under-provisioned (CPU p99.5 " + Percent(profile.cpu.p99_5) +
                     (profile.memory ? ", memory p99 " + Percent(profile.memory->p99) : "") + ")";
    if (!result.options.empty()) {
      const SizingOption& best = result.options.front();
      result.summary +=
          "; move " + current->name + " to " + best.type +
          (best.monthly_savings >= 0 ? ", save " + Money(best.monthly_savings) + "/month"
                                     : " for " + Money(-best.monthly_savings) + "/month more");
    }
  } else if (!result.options.empty()) {
    result.finding = Finding::kOverProvisioned;
    const SizingOption& best = result.options.front();
    result.summary = id + ": switch from " + current->name + " to " + best.type + ", save " +
                     Money(best.monthly_savings) + "/month (CPU p99.5 " +
                     Percent(profile.cpu.p99_5) + " now, " + Percent(best.projected_cpu) +
                     " projected)";
  } else {
    result.finding = Finding::kOptimized;
    result.summary =
        id + ": " + current->name + " fits its load (CPU p99.5 " + Percent(profile.cpu.p99_5) + ")";
  }
  return result;
}

}  // namespace costwise::rightsizing
