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
  static const InstanceCatalog catalog = *InstanceCatalog::Create(std::vector<CatalogRow>{
      Row("c5.large", 2, 4, "intel", 5, 750, 0.085), Row("c5.xlarge", 4, 8, "intel", 5, 1250, 0.17),
      Row("c5.2xlarge", 8, 16, "intel", 5, 2500, 0.34),
      Row("m5.large", 2, 8, "intel", 5, 750, 0.096),
      Row("m5.xlarge", 4, 16, "intel", 5, 1250, 0.192),
      Row("m5.2xlarge", 8, 32, "intel", 5, 2500, 0.384),
      Row("m5.4xlarge", 16, 64, "intel", 5, 5000, 0.768),
      Row("m6i.large", 2, 8, "intel", 6, 781, 0.096),
      Row("m6i.xlarge", 4, 16, "intel", 6, 1562, 0.192),
      Row("m6g.large", 2, 8, "aws", 6, 750, 0.077), Row("m6g.xlarge", 4, 16, "aws", 6, 1250, 0.154),
      Row("m6g.2xlarge", 8, 32, "aws", 6, 2500, 0.308),
      Row("r5.large", 2, 16, "intel", 5, 750, 0.126),
      Row("r5.xlarge", 4, 32, "intel", 5, 1250, 0.252),
      Row("r5.2xlarge", 8, 64, "intel", 5, 2500, 0.504),
      Row("r6g.large", 2, 16, "aws", 6, 750, 0.1008),
      Row("r6g.xlarge", 4, 32, "aws", 6, 1250, 0.2016),
      Row("r6g.2xlarge", 8, 64, "aws", 6, 2500, 0.4032),
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

TEST(RecommendTest, WithMemoryDataAnIdleMemoryFootprintShrinksToTheCheapestFit) {
  // 3% CPU and 10% of 64 GiB: 6.4 GiB needs 8 GiB at 80%.
  const Recommendation r = RecommendOrDie(Profile(3, 10.0), "m5.4xlarge");
  ASSERT_EQ(r.options.size(), 3U);
  EXPECT_EQ(r.options[0].type, "m6g.large");
  EXPECT_NEAR(r.options[0].monthly_savings, (0.768 - 0.077) * 730, 1e-9);
  EXPECT_NEAR(*r.options[0].projected_memory, 80, 1e-9);
  EXPECT_EQ(r.options[0].performance_risk, 3);  // memory at 80%
  EXPECT_EQ(r.options[1].type, "m5.large");     // ties on price: lower risk, then name
  EXPECT_EQ(r.options[2].type, "m6i.large");
}

TEST(RecommendTest, AnR5UsingTenPercentOfItsMemory) {
  const Recommendation r = RecommendOrDie(Profile(20, 10.0), "r5.2xlarge");
  EXPECT_EQ(r.finding, Finding::kOverProvisioned);
  ASSERT_FALSE(r.options.empty());
  EXPECT_EQ(r.options[0].type, "m6g.large");
  EXPECT_NEAR(r.options[0].projected_cpu, 0.2 * 8 / 2 * 100, 1e-9);  // 80%
  EXPECT_NEAR(r.options[0].monthly_savings, (0.504 - 0.077) * 730, 1e-9);
  for (const SizingOption& option : r.options) {
    EXPECT_LE(option.projected_cpu, 80);
    EXPECT_LE(*option.projected_memory, 80);
  }
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
