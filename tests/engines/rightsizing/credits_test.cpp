#include "engines/rightsizing/credits.h"

#include <cmath>
#include <vector>

#include <gtest/gtest.h>

namespace costwise::rightsizing {
namespace {

InstanceType Burstable(const char* family, const char* size, int vcpu) {
  InstanceType type;
  type.family = family;
  type.size = size;
  type.name = std::string(family) + "." + size;
  type.vcpu = vcpu;
  type.burstable = true;
  return type;
}

TEST(CreditsTest, SpecsFromTheUserGuide) {
  const auto t3_large = BurstableSpecOf(Burstable("t3", "large", 2));
  ASSERT_TRUE(t3_large);
  EXPECT_DOUBLE_EQ(t3_large->baseline, 0.30);
  EXPECT_DOUBLE_EQ(t3_large->credits_per_hour, 36);
  EXPECT_DOUBLE_EQ(t3_large->max_balance, 864);
  EXPECT_DOUBLE_EQ(t3_large->surplus_usd_per_vcpu_hour, 0.05);
  EXPECT_EQ(t3_large->default_mode, CreditMode::kUnlimited);

  const auto t2_micro = BurstableSpecOf(Burstable("t2", "micro", 1));
  ASSERT_TRUE(t2_micro);
  EXPECT_DOUBLE_EQ(t2_micro->credits_per_hour, 6);
  EXPECT_EQ(t2_micro->default_mode, CreditMode::kStandard);
  EXPECT_DOUBLE_EQ(BurstableSpecOf(Burstable("t2", "xlarge", 4))->credits_per_hour, 54);
  EXPECT_DOUBLE_EQ(BurstableSpecOf(Burstable("t3", "2xlarge", 8))->credits_per_hour, 192);
  EXPECT_DOUBLE_EQ(BurstableSpecOf(Burstable("t4g", "small", 2))->surplus_usd_per_vcpu_hour, 0.04);

  InstanceType m5 = Burstable("m5", "large", 2);
  m5.burstable = false;
  EXPECT_FALSE(BurstableSpecOf(m5));
  EXPECT_FALSE(BurstableSpecOf(Burstable("t3", "9xlarge", 36)));
}

TEST(CreditsTest, BelowTheBaselineNothingIsBilled) {
  const InstanceType type = Burstable("t3", "large", 2);
  const BurstableSpec spec = *BurstableSpecOf(type);
  const std::vector<double> use(336, 0.2);
  const CreditReplay replay = ReplayCredits(type, spec, CreditMode::kUnlimited, use);
  EXPECT_DOUBLE_EQ(replay.monthly_surplus_usd, 0);
  EXPECT_NEAR(replay.average_use, 0.2, 1e-12);
  EXPECT_DOUBLE_EQ(replay.min_balance, 864);  // the steady state: a full bank
}

TEST(CreditsTest, SustainedUseAboveTheBaselineIsBilledPerVcpuHour) {
  // 60% of 2 vCPUs spends 72 credits an hour against 36 earned: after borrowing one day of
  // earnings, 36 surplus credits an hour are billed: 0.6 vCPU-hours x $0.05 x 730 = $21.90.
  const InstanceType type = Burstable("t3", "large", 2);
  const BurstableSpec spec = *BurstableSpecOf(type);
  const std::vector<double> use(336, 0.6);
  const CreditReplay replay = ReplayCredits(type, spec, CreditMode::kUnlimited, use);
  EXPECT_NEAR(replay.surplus_credits_per_hour, 36, 1e-9);
  EXPECT_NEAR(replay.monthly_surplus_usd, 21.90, 1e-9);
  EXPECT_DOUBLE_EQ(replay.min_balance, -864);
}

TEST(CreditsTest, DailyBurstsPaidForByQuietHoursCostNothing) {
  // Two hours a day at 100% (120 credits each) and 22 hours at 10% (12 each): 264 spent and
  // 864 earned a day. The bank covers the bursts; nothing is billed or throttled.
  const InstanceType type = Burstable("t3", "large", 2);
  const BurstableSpec spec = *BurstableSpecOf(type);
  std::vector<double> use;
  for (int hour = 0; hour < 336; ++hour) use.push_back(hour % 24 < 2 ? 1.0 : 0.1);
  for (const CreditMode mode : {CreditMode::kUnlimited, CreditMode::kStandard}) {
    const CreditReplay replay = ReplayCredits(type, spec, mode, use);
    EXPECT_DOUBLE_EQ(replay.monthly_surplus_usd, 0);
    EXPECT_DOUBLE_EQ(replay.throttled_hours, 0);
    EXPECT_NEAR(replay.min_balance, 864 - 2 * (120 - 36), 1e-9);
  }
}

TEST(CreditsTest, StandardModeThrottlesWhenTheBankIsEmpty) {
  // A t2.micro (1 vCPU, 6 credits an hour) at 50% spends 30 an hour: 24 more than it earns.
  const InstanceType type = Burstable("t2", "micro", 1);
  const BurstableSpec spec = *BurstableSpecOf(type);
  const std::vector<double> use(48, 0.5);
  const CreditReplay replay = ReplayCredits(type, spec, CreditMode::kStandard, use);
  EXPECT_NEAR(replay.throttled_hours, 48, 1e-9);  // in the steady state the bank is empty
  EXPECT_DOUBLE_EQ(replay.monthly_surplus_usd, 0);
  // Hours without data are skipped, not counted as idle.
  std::vector<double> gaps(48, std::nan(""));
  EXPECT_DOUBLE_EQ(ReplayCredits(type, spec, CreditMode::kStandard, gaps).average_use, 0);
}

}  // namespace
}  // namespace costwise::rightsizing
