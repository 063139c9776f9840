#include "engines/rightsizing/recommend.h"

#include <gtest/gtest.h>

namespace costwise::rightsizing {
namespace {

// Rows of the bundled snapshot (us-east-1, prices of 2026-07-20).
CatalogRow Row(const char* name, int vcpu, double memory, const char* maker, int generation,
               double network, double price) {
  CatalogRow row;
  row.type.name = name;
  row.type.vcpu = vcpu;
  row.type.memory_gib = memory;
  row.type.cpu_manufacturer = maker;
  row.type.generation = generation;
  row.type.architecture =
      std::string(maker) == "aws" ? Architecture::kArm64 : Architecture::kX86_64;
  row.type.network_mbps = network;
  row.region = "us-east-1";
  row.hourly_usd = price;
  return row;
}

const InstanceCatalog& Catalog() {
  static const InstanceCatalog catalog = *InstanceCatalog::Create(
      std::vector<CatalogRow>{Row("c5.large", 2, 4, "intel", 5, 750, 0.085),
                              Row("c5.xlarge", 4, 8, "intel", 5, 1250, 0.17),
                              Row("c5.2xlarge", 8, 16, "intel", 5, 2500, 0.34),
                              Row("m5.large", 2, 8, "intel", 5, 750, 0.096),
                              Row("m5.xlarge", 4, 16, "intel", 5, 1250, 0.192),
                              Row("m5.2xlarge", 8, 32, "intel", 5, 2500, 0.384),
                              Row("m5.4xlarge", 16, 64, "intel", 5, 5000, 0.768),
                              Row("m6i.large", 2, 8, "intel", 6, 781, 0.096),
                              Row("m6i.xlarge", 4, 16, "intel", 6, 1562, 0.192),
                              Row("m6g.large", 2, 8, "aws", 6, 750, 0.077),
                              Row("m6g.xlarge", 4, 16, "aws", 6, 1250, 0.154),
                              Row("m6g.2xlarge", 8, 32, "aws", 6, 2500, 0.308),
                              Row("r5.large", 2, 16, "intel", 5, 750, 0.126),
                              Row("r5.xlarge", 4, 32, "intel", 5, 1250, 0.252),
                              Row("r5.2xlarge", 8, 64, "intel", 5, 2500, 0.504),
                              Row("r6g.large", 2, 16, "aws", 6, 750, 0.1008),
                              Row("r6g.xlarge", 4, 32, "aws", 6, 1250, 0.2016),
                              Row("r6g.2xlarge", 8, 64, "aws", 6, 2500, 0.4032),
                              Row("t3.medium", 2, 4, "intel", 3, 256, 0.0416),
                              Row("t3.large", 2, 8, "intel", 3, 512, 0.0832)});
  return catalog;
}

UtilizationProfile Profile(double cpu_p99_5, std::optional<double> memory_p99 = std::nullopt,
                           std::optional<double> network = 1e6) {
  UtilizationProfile profile;
  profile.cpu = {cpu_p99_5 * 0.8, cpu_p99_5 * 0.95, cpu_p99_5, cpu_p99_5, cpu_p99_5};
  if (memory_p99)
    profile.memory = Percentiles{*memory_p99, *memory_p99, *memory_p99, *memory_p99, *memory_p99};
  profile.network_p99 = network;
  profile.burstiness = 1.25;
  profile.hours_with_data = 336;
  profile.coverage = 1;
  profile.sufficient = true;
  return profile;
}

Recommendation RecommendOrDie(const UtilizationProfile& profile, const char* type,
                              const SizingPolicy& policy = {}) {
  auto recommendation = Recommend("i-0abc", profile, type, "us-east-1", Catalog(),
                                  PerformanceTable::Default(), policy);
  EXPECT_TRUE(recommendation) << recommendation.error().message;
  return recommendation ? *recommendation : Recommendation{};
}

TEST(RecommendTest, AnM5FourXlargeAtThreePercentWithoutMemoryDataKeepsItsMemory) {
  const Recommendation r = RecommendOrDie(Profile(3), "m5.4xlarge");
  EXPECT_EQ(r.finding, Finding::kOverProvisioned);
  EXPECT_NEAR(r.current_monthly, 0.768 * 730, 1e-9);
  ASSERT_EQ(r.options.size(), 2U);  // only 64 GiB types are cheaper and keep the memory
  EXPECT_EQ(r.options[0].type, "r6g.2xlarge");
  EXPECT_NEAR(r.options[0].monthly_savings, (0.768 - 0.4032) * 730, 1e-9);  // $266.30
  EXPECT_EQ(r.options[0].effort, MigrationEffort::kMedium);
  EXPECT_NEAR(r.options[0].projected_cpu, 0.03 * 16 / 8 * 100, 1e-9);  // 6%
  EXPECT_EQ(r.options[0].performance_risk, 0);
  EXPECT_EQ(r.options[1].type, "r5.2xlarge");
  EXPECT_EQ(r.options[1].effort, MigrationEffort::kLow);
  EXPECT_NEAR(r.confidence, 0.8 / 1.025, 1e-9);  // full coverage, no memory data, burstiness 1.25
  EXPECT_NE(r.summary.find("switch from m5.4xlarge to r6g.2xlarge, save $266.30/month"),
            std::string::npos)
      << r.summary;
  SizingPolicy x86_only;
  x86_only.allow_arm64 = false;
  EXPECT_EQ(RecommendOrDie(Profile(3), "m5.4xlarge", x86_only).options[0].type, "r5.2xlarge");
}

TEST(RecommendTest, WithMemoryDataAnIdleMemoryFootprintShrinksToTheCheapestFitAtMediumRisk) {
  // 3% CPU and 10% of 64 GiB: 6.4 GiB. An 8 GiB type holds it at 80% (risk 3); a 16 GiB one at
  // 40% (risk 0) comes first, since riskier options rank after those at medium risk or less.
  const Recommendation r = RecommendOrDie(Profile(3, 10.0), "m5.4xlarge");
  ASSERT_EQ(r.options.size(), 3U);
  EXPECT_EQ(r.options[0].type, "r6g.large");
  EXPECT_NEAR(r.options[0].monthly_savings, (0.768 - 0.1008) * 730, 1e-9);
  EXPECT_NEAR(*r.options[0].projected_memory, 40, 1e-9);
  EXPECT_EQ(r.options[0].performance_risk, 0);
  EXPECT_EQ(r.options[1].type, "r5.large");
  EXPECT_EQ(r.options[2].type, "m6g.xlarge");
  // Accepting any risk: the cheapest fit, m6g.large at 80% memory, then ties on price by lower
  // risk, then name.
  SizingPolicy any_risk;
  any_risk.preferred_max_risk = 4;
  const Recommendation cheapest = RecommendOrDie(Profile(3, 10.0), "m5.4xlarge", any_risk);
  ASSERT_EQ(cheapest.options.size(), 3U);
  EXPECT_EQ(cheapest.options[0].type, "m6g.large");
  EXPECT_NEAR(cheapest.options[0].monthly_savings, (0.768 - 0.077) * 730, 1e-9);
  EXPECT_NEAR(*cheapest.options[0].projected_memory, 80, 1e-9);
  EXPECT_EQ(cheapest.options[0].performance_risk, 3);
  EXPECT_EQ(cheapest.options[1].type, "m5.large");
  EXPECT_EQ(cheapest.options[2].type, "m6i.large");
}

TEST(RecommendTest, AnR5UsingTenPercentOfItsMemory) {
  // 20% of 8 vCPUs is 1.6 baseline vCPUs: 80% of an m6g.large (risk 3), 40% of an m6g.xlarge.
  const Recommendation r = RecommendOrDie(Profile(20, 10.0), "r5.2xlarge");
  EXPECT_EQ(r.finding, Finding::kOverProvisioned);
  ASSERT_FALSE(r.options.empty());
  EXPECT_EQ(r.options[0].type, "m6g.xlarge");
  EXPECT_NEAR(r.options[0].projected_cpu, 0.2 * 8 / 4 * 100, 1e-9);  // 40%
  EXPECT_NEAR(r.options[0].monthly_savings, (0.504 - 0.154) * 730, 1e-9);
  for (const SizingOption& option : r.options) {
    EXPECT_LE(option.projected_cpu, 80);
    EXPECT_LE(*option.projected_memory, 80);
  }
}

TEST(RecommendTest, MemoryPeaksAboveTheCurrentMemoryAreUnderProvisioned) {
  // Memory at 40% most of the time but at its ceiling at the peak: it swaps or runs out.
  UtilizationProfile profile = Profile(20, 40.0);
  profile.memory->max = 100;
  EXPECT_NE(RecommendOrDie(profile, "m5.xlarge").finding, Finding::kUnderProvisioned);
  profile.memory->max = 120;
  const Recommendation r = RecommendOrDie(profile, "m5.xlarge");
  EXPECT_EQ(r.finding, Finding::kUnderProvisioned);
  EXPECT_NE(r.summary.find("max 120%"), std::string::npos) << r.summary;
}

TEST(RecommendTest, MemoryPeaksMustFitNotOnlyTheP99) {
  // 10% of 64 GiB at p99, but 60% (38.4 GiB) at its peak: only 64 GiB types fit.
  UtilizationProfile profile = Profile(20, 10.0);
  profile.memory->max = 60;
  const Recommendation r = RecommendOrDie(profile, "r5.2xlarge");
  ASSERT_FALSE(r.options.empty());
  EXPECT_EQ(r.options[0].type, "r6g.2xlarge");
  for (const SizingOption& option : r.options) {
    EXPECT_GE(Catalog().Find(option.type)->memory_gib, 38.4) << option.type;
  }
  // A CPU peak above a candidate's capacity rules it out as well.
  UtilizationProfile spiky = Profile(20, 10.0);
  spiky.cpu.max = 100;  // 8 baseline vCPUs at the peak
  for (const SizingOption& option : RecommendOrDie(spiky, "r5.2xlarge").options) {
    EXPECT_GE(Catalog().Find(option.type)->vcpu, 8) << option.type;
  }
}

TEST(RecommendTest, AC5LargePinnedAtNinetyEightPercentIsUnderProvisioned) {
  SizingPolicy x86_only;
  x86_only.allow_arm64 = false;
  const Recommendation r = RecommendOrDie(Profile(98), "c5.large", x86_only);
  EXPECT_EQ(r.finding, Finding::kUnderProvisioned);
  ASSERT_FALSE(r.options.empty());
  EXPECT_EQ(r.options[0].type, "c5.xlarge");  // the cheapest type with room: 49%
  EXPECT_NEAR(r.options[0].projected_cpu, 49, 1e-9);
  EXPECT_LT(r.options[0].monthly_savings, 0);  // it costs more
  EXPECT_NE(r.summary.find("under-provisioned"), std::string::npos);
}

TEST(RecommendTest, IdleInstancesAreStopped) {
  const Recommendation r = RecommendOrDie(Profile(1, std::nullopt, 20.0), "m5.xlarge");
  EXPECT_EQ(r.finding, Finding::kIdle);
  ASSERT_EQ(r.options.size(), 1U);
  EXPECT_EQ(r.options[0].type, "stop");
  EXPECT_NEAR(r.options[0].monthly_savings, 0.192 * 730, 1e-9);  // $140.16
  // Without network data a quiet CPU is not enough to call it idle.
  EXPECT_NE(RecommendOrDie(Profile(1, std::nullopt, std::nullopt), "m5.xlarge").finding,
            Finding::kIdle);
}

TEST(RecommendTest, OneDayOfDataIsInsufficient) {
  UtilizationProfile profile = Profile(50);
  profile.sufficient = false;
  profile.hours_with_data = 24;
  const Recommendation r = RecommendOrDie(profile, "m5.xlarge");
  EXPECT_EQ(r.finding, Finding::kInsufficientData);
  EXPECT_TRUE(r.options.empty());
  EXPECT_NE(r.summary.find("24 hours"), std::string::npos);
}

TEST(RecommendTest, AWellSizedInstanceIsOptimized) {
  SizingPolicy x86_only;
  x86_only.allow_arm64 = false;
  const Recommendation r = RecommendOrDie(Profile(60, 70.0), "m5.large", x86_only);
  EXPECT_EQ(r.finding, Finding::kOptimized);
  EXPECT_TRUE(r.options.empty());
  EXPECT_FALSE(Recommend("i-1", Profile(60), "m5.large", "eu-west-1", Catalog(),
                         PerformanceTable::Default()));
}

// Hourly CPU for the credit math: `busy` percent for `busy_hours` of every day, `rest` otherwise.
std::vector<double> Hourly(double busy, int busy_hours, double rest, int days = 14) {
  std::vector<double> hourly;
  for (int hour = 0; hour < days * 24; ++hour)
    hourly.push_back(hour % 24 < busy_hours ? busy : rest);
  return hourly;
}

TEST(RecommendTest, AT3SpendingItsCreditsPaysForThemAndMovesToAFixedPerformanceType) {
  // A t3.large (2 vCPUs, baseline 30%: 36 credits an hour, 864 banked at most) running at 60%
  // day and night spends 72 credits an hour. Unlimited mode lends it one day of earnings, then
  // bills 36 surplus credits an hour: 0.6 vCPU-hours x $0.05 = $0.03 an hour, $21.90 a month.
  UtilizationProfile profile = Profile(60);
  profile.hourly_cpu = Hourly(60, 24, 60);
  SizingPolicy x86_only;
  x86_only.allow_arm64 = false;
  const Recommendation r = RecommendOrDie(profile, "t3.large", x86_only);
  EXPECT_NEAR(r.current_credit_monthly, 21.90, 1e-9);
  EXPECT_NEAR(r.current_monthly, 0.0832 * 730 + 21.90, 1e-9);  // $82.64
  EXPECT_EQ(r.finding, Finding::kOverProvisioned);
  ASSERT_FALSE(r.options.empty());
  // An m5.large has the same 2 vCPUs at full speed all the time for $70.08: $12.56 less.
  EXPECT_EQ(r.options[0].type, "m5.large");
  EXPECT_NEAR(r.options[0].monthly_savings, 0.0832 * 730 + 21.90 - 0.096 * 730, 1e-9);
  EXPECT_NEAR(r.options[0].projected_cpu, 60, 1e-9);
  EXPECT_FALSE(r.options[0].burstable);
  EXPECT_NE(r.summary.find("spends $21.90/month of surplus CPU credits"), std::string::npos)
      << r.summary;
}

TEST(RecommendTest, BurstableCandidatesAreJudgedByTheirCredits) {
  // An m5.large averaging 10% with peaks of 25% and 2.8 GiB of memory: a t3.medium (20%
  // baseline, 4 GiB) earns more credits than it spends and saves (0.096 - 0.0416) x 730.
  UtilizationProfile quiet = Profile(25, 35.0);
  quiet.hourly_cpu = Hourly(25, 2, 8.636363636363637);  // (2 x 25 + 22 x 8.64) / 24 = 10
  Recommendation r = RecommendOrDie(quiet, "m5.large");
  ASSERT_FALSE(r.options.empty());
  EXPECT_EQ(r.options[0].type, "t3.medium");
  EXPECT_TRUE(r.options[0].burstable);
  EXPECT_NEAR(r.options[0].average_cpu_use, 0.10, 1e-9);
  EXPECT_NEAR(r.options[0].monthly_credit_cost, 0, 1e-9);
  EXPECT_NEAR(r.options[0].monthly_savings, (0.096 - 0.0416) * 730, 1e-9);  // $39.71

  // At 30% all day it spends 36 credits an hour and earns 24: 12 surplus credits an hour,
  // 0.2 vCPU-hours x $0.05 x 730 = $7.30 a month, taken off its savings; living above the
  // baseline is at least a medium risk.
  UtilizationProfile busy = Profile(35, 30.0);
  busy.hourly_cpu = Hourly(30, 24, 30);
  r = RecommendOrDie(busy, "m5.large");
  ASSERT_FALSE(r.options.empty());
  EXPECT_EQ(r.options[0].type, "t3.medium");
  EXPECT_NEAR(r.options[0].monthly_credit_cost, 7.30, 1e-9);
  EXPECT_NEAR(r.options[0].monthly_savings, (0.096 - 0.0416) * 730 - 7.30, 1e-9);
  EXPECT_GE(r.options[0].performance_risk, 2);
  // In standard mode it would be throttled to its baseline: not an option.
  SizingPolicy standard;
  standard.credit_mode = CreditMode::kStandard;
  for (const SizingOption& option : RecommendOrDie(busy, "m5.large", standard).options) {
    EXPECT_NE(option.type, "t3.medium");
  }
  // Without hourly CPU the credits cannot be judged: no burstable options.
  for (const SizingOption& option : RecommendOrDie(Profile(25, 35.0), "m5.large").options) {
    EXPECT_FALSE(option.burstable) << option.type;
  }
}

TEST(RecommendTest, AGrowingLoadIsSizedForTheMonthAhead) {
  // CPU p99.5 at 50% but rising 2 points a day (t = 10): in 30 days it is at 110% of today's.
  UtilizationProfile profile = Profile(50);
  profile.cpu_trend = {.slope_per_day = 2, .t_statistic = 10, .last_day_fit = 50, .days = 14};
  const Recommendation r = RecommendOrDie(profile, "m5.xlarge");
  EXPECT_NEAR(r.cpu_growth, 110.0 / 50, 1e-12);
  EXPECT_EQ(r.finding, Finding::kUnderProvisioned);  // 50% x 2.2 = 110%
  EXPECT_NE(r.summary.find("growing"), std::string::npos) << r.summary;
  // The same slope without statistical support is noise.
  profile.cpu_trend.t_statistic = 1.5;
  const Recommendation flat = RecommendOrDie(profile, "m5.xlarge");
  EXPECT_EQ(flat.cpu_growth, 1);
  EXPECT_NE(flat.finding, Finding::kUnderProvisioned);
}

TEST(RecommendTest, WorkloadsSetTheHeadroom) {
  SizingPolicy policy;
  EXPECT_EQ(policy.ForWorkload(Workload::kSteadyLow).cpu_target, 80);
  EXPECT_EQ(policy.ForWorkload(Workload::kBursty).cpu_target, 70);
  EXPECT_EQ(policy.ForWorkload(Workload::kBursty).memory_target, 80);
  EXPECT_EQ(policy.ForWorkload(Workload::kMemoryBound).memory_target, 70);
  // 37.5% of an m5.4xlarge is 6 baseline vCPUs: 75% of an r5.2xlarge (the 64 GiB it keeps
  // without memory data). Steady, that fits the 80% target; bursty, it needs 30% headroom.
  SizingPolicy x86_only;
  x86_only.allow_arm64 = false;
  const auto types = [&](const SizingPolicy& chosen) {
    std::vector<std::string> names;
    for (const SizingOption& option : RecommendOrDie(Profile(37.5), "m5.4xlarge", chosen).options)
      names.push_back(option.type);
    return names;
  };
  EXPECT_EQ(types(x86_only.ForWorkload(Workload::kSteadyHigh)),
            std::vector<std::string>{"r5.2xlarge"});
  EXPECT_TRUE(types(x86_only.ForWorkload(Workload::kBursty)).empty());
}

TEST(RecommendTest, RiskBands) {
  EXPECT_EQ(RiskOf(10), 0);
  EXPECT_EQ(RiskOf(40), 0);
  EXPECT_EQ(RiskOf(55), 1);
  EXPECT_EQ(RiskOf(70), 2);
  EXPECT_EQ(RiskOf(80), 3);
  EXPECT_EQ(RiskOf(95), 4);
}

}  // namespace
}  // namespace costwise::rightsizing
