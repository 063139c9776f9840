#include "engines/rightsizing/workload.h"

#include <random>
#include <set>
#include <vector>

#include <gtest/gtest.h>

namespace costwise::rightsizing {
namespace {

UtilizationProfile Shape(double p50, double p99_5, double daily, std::optional<double> memory) {
  UtilizationProfile profile;
  profile.cpu = {p50, p99_5 * 0.9, p99_5 * 0.95, p99_5, p99_5 * 1.1};
  profile.burstiness = p50 > 0 ? profile.cpu.p99 / p50 : 1;
  profile.daily_periodicity = daily;
  if (memory) profile.memory = Percentiles{*memory, *memory, *memory, *memory, *memory};
  profile.sufficient = true;
  return profile;
}

TEST(WorkloadTest, NamesFollowTheRulesInOrder) {
  const auto name = [](const UtilizationProfile& profile) {
    return NameWorkload(WorkloadFeatures(profile));
  };
  EXPECT_EQ(name(Shape(1, 3, 0, 60.0)), Workload::kIdle);  // idle before memory bound
  EXPECT_EQ(name(Shape(10, 20, 0, 70.0)), Workload::kMemoryBound);
  EXPECT_EQ(name(Shape(5, 60, 0, std::nullopt)), Workload::kBursty);
  EXPECT_EQ(name(Shape(30, 60, 0.8, 40.0)), Workload::kDiurnal);
  EXPECT_EQ(name(Shape(5, 60, 0.9, std::nullopt)), Workload::kDiurnal);  // before bursty
  EXPECT_EQ(name(Shape(55, 70, 0.1, std::nullopt)), Workload::kSteadyHigh);
  EXPECT_EQ(name(Shape(20, 30, 0.1, std::nullopt)), Workload::kSteadyLow);
  EXPECT_EQ(WorkloadName(Workload::kMemoryBound), "memory-bound");
}

TEST(WorkloadTest, KMeansFindsTheFleetsGroupsAndNamesThem) {
  std::mt19937_64 random(7);
  std::normal_distribution<double> jitter(0, 1);
  std::vector<UtilizationProfile> fleet;
  std::vector<Workload> truth;
  for (int i = 0; i < 20; ++i) {
    fleet.push_back(Shape(1 + 0.1 * jitter(random), 3 + 0.2 * jitter(random), 0, std::nullopt));
    truth.push_back(Workload::kIdle);
    fleet.push_back(Shape(60 + jitter(random), 75 + jitter(random), 0.1, 50.0));
    truth.push_back(Workload::kSteadyHigh);
    fleet.push_back(Shape(6 + 0.3 * jitter(random), 70 + 2 * jitter(random), 0, std::nullopt));
    truth.push_back(Workload::kBursty);
    fleet.push_back(Shape(30 + jitter(random), 55 + jitter(random), 0.85, 40.0));
    truth.push_back(Workload::kDiurnal);
  }
  std::vector<const UtilizationProfile*> pointers;
  for (const UtilizationProfile& profile : fleet) pointers.push_back(&profile);
  auto groups = GroupWorkloads(pointers);
  ASSERT_TRUE(groups) << groups.error().message;
  EXPECT_EQ(groups->k, 4);
  EXPECT_EQ(groups->workloads, truth);
  EXPECT_EQ(groups->features.rows(), 80);
  EXPECT_EQ(groups->silhouettes.size(), 7U);  // k = 2..8
  // Deterministic for a seed.
  EXPECT_EQ(GroupWorkloads(pointers)->clusters, groups->clusters);
}

TEST(WorkloadTest, ASmallFleetIsNamedOneByOne) {
  const std::vector<UtilizationProfile> fleet = {Shape(1, 3, 0, std::nullopt),
                                                 Shape(5, 60, 0, std::nullopt)};
  const std::vector<const UtilizationProfile*> pointers = {&fleet[0], &fleet[1]};
  auto groups = GroupWorkloads(pointers);
  ASSERT_TRUE(groups);
  EXPECT_EQ(groups->k, 0);
  EXPECT_EQ(groups->clusters, (std::vector<int>{-1, -1}));
  EXPECT_EQ(groups->workloads, (std::vector<Workload>{Workload::kIdle, Workload::kBursty}));
  WorkloadOptions bad;
  bad.k_min = 1;
  EXPECT_FALSE(GroupWorkloads(pointers, bad));
}

}  // namespace
}  // namespace costwise::rightsizing
