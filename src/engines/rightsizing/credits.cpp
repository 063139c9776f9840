#include "engines/rightsizing/credits.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace costwise::rightsizing {
namespace {

constexpr double kMinutesPerHour = 60;
constexpr double kHoursBanked = 24;

struct SizeBaseline {
  std::string_view size;
  double baseline;  // per vCPU
};

// T3, T3a and T4g share their baselines; T2 has its own (its sizes have other vCPU counts).
constexpr std::array kT3Baselines = {SizeBaseline{"nano", 0.05},   SizeBaseline{"micro", 0.10},
                                     SizeBaseline{"small", 0.20},  SizeBaseline{"medium", 0.20},
                                     SizeBaseline{"large", 0.30},  SizeBaseline{"xlarge", 0.40},
                                     SizeBaseline{"2xlarge", 0.40}};
constexpr std::array kT2Baselines = {SizeBaseline{"nano", 0.05},      SizeBaseline{"micro", 0.10},
                                     SizeBaseline{"small", 0.20},     SizeBaseline{"medium", 0.20},
                                     SizeBaseline{"large", 0.30},     SizeBaseline{"xlarge", 0.225},
                                     SizeBaseline{"2xlarge", 0.16875}};

}  // namespace

std::optional<BurstableSpec> BurstableSpecOf(const InstanceType& type) {
  if (!type.burstable || type.vcpu <= 0) return std::nullopt;
  const bool t2 = type.family == "t2";
  if (!t2 && type.family != "t3" && type.family != "t3a" && type.family != "t4g") {
    return std::nullopt;
  }
  const auto& table = t2 ? std::span<const SizeBaseline>(kT2Baselines)
                         : std::span<const SizeBaseline>(kT3Baselines);
  const auto found = std::find_if(table.begin(), table.end(), [&](const SizeBaseline& entry) {
    return entry.size == type.size;
  });
  if (found == table.end()) return std::nullopt;
  BurstableSpec spec;
  spec.baseline = found->baseline;
  spec.credits_per_hour = found->baseline * type.vcpu * kMinutesPerHour;
  spec.max_balance = spec.credits_per_hour * kHoursBanked;
  spec.surplus_usd_per_vcpu_hour = type.family == "t4g" ? 0.04 : 0.05;
  spec.default_mode = t2 ? CreditMode::kStandard : CreditMode::kUnlimited;
  return spec;
}

CreditReplay ReplayCredits(const InstanceType& type, const BurstableSpec& spec, CreditMode mode,
                           std::span<const double> hourly_use) {
  const double vcpu = type.vcpu;
  // Unlimited mode may borrow up to one day of earnings; standard mode cannot borrow.
  const double floor = mode == CreditMode::kUnlimited ? -spec.max_balance : 0;
  CreditReplay replay;
  double balance = 0;
  for (int pass = 0; pass < 2; ++pass) {
    replay = {};
    replay.min_balance = balance;
    double billed = 0;
    double hours = 0;
    double use_sum = 0;
    for (const double use : hourly_use) {
      if (std::isnan(use)) continue;
      const double fraction = std::clamp(use, 0.0, 1.0);
      hours += 1;
      use_sum += fraction;
      balance += spec.credits_per_hour - fraction * vcpu * kMinutesPerHour;
      if (balance < floor) {
        if (mode == CreditMode::kUnlimited) {
          billed += floor - balance;
        } else {
          // Throttled to the baseline for the part of the hour the balance could not cover.
          const double overdraw_per_hour = (fraction - spec.baseline) * vcpu * kMinutesPerHour;
          replay.throttled_hours += std::min(1.0, (floor - balance) / overdraw_per_hour);
        }
        balance = floor;
      }
      balance = std::min(balance, spec.max_balance);
      replay.min_balance = std::min(replay.min_balance, balance);
    }
    if (hours > 0) {
      replay.average_use = use_sum / hours;
      replay.surplus_credits_per_hour = billed / hours;
    }
  }
  replay.monthly_surplus_usd = replay.surplus_credits_per_hour / kMinutesPerHour *
                               spec.surplus_usd_per_vcpu_hour * kHoursPerMonth;
  return replay;
}

}  // namespace costwise::rightsizing
