#include "engines/rightsizing/profile.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <vector>

#include <gtest/gtest.h>

namespace costwise::rightsizing {
namespace {

constexpr std::int64_t kEnd = 1'700'006'400;  // a whole day boundary: 2023-11-15 00:00 UTC
constexpr std::int64_t kFiveMinutes = 300;

struct Series {
  std::vector<std::int64_t> t;
  std::vector<double> v;
  MetricSamples View() const { return {t, v}; }
};

// Five-minute samples over the last `days` days before kEnd, from f(hour of day, day index).
template <typename F>
Series FiveMinute(int days, F value) {
  Series series;
  const std::int64_t start = kEnd - days * 86'400;
  for (std::int64_t t = start; t < kEnd; t += kFiveMinutes) {
    const double hour = static_cast<double>((t % 86'400) / 3600);
    series.t.push_back(t);
    series.v.push_back(value(hour, static_cast<int>((t - start) / 86'400)));
  }
  return series;
}

ProfileOptions Options() {
  ProfileOptions options;
  options.lookback_end = kEnd;
  return options;
}

TEST(QuantileTest, InterpolatesBetweenOrderStatistics) {
  std::vector<double> values = {5, 1, 4, 2, 3};
  EXPECT_DOUBLE_EQ(Quantile(values, 0.5), 3);
  EXPECT_DOUBLE_EQ(Quantile(values, 0.25), 2);
  EXPECT_DOUBLE_EQ(Quantile(values, 0.9), 4.6);  // position 3.6 between 4 and 5
  EXPECT_DOUBLE_EQ(Quantile(values, 1), 5);
  std::vector<double> none;
  EXPECT_EQ(Quantile(none, 0.5), 0);
}

TEST(ProfileTest, SteadyLowCpuIsFlatAndFullyCovered) {
  // An m5.4xlarge at 3% CPU, every five minutes for 14 days.
  const Series cpu = FiveMinute(14, [](double, int) { return 3.0; });
  const auto profile = BuildProfile(cpu.View(), {}, {}, 300, Options());
  ASSERT_TRUE(profile) << profile.error().message;
  EXPECT_DOUBLE_EQ(profile->cpu.p50, 3);
  EXPECT_DOUBLE_EQ(profile->cpu.p99_5, 3);
  EXPECT_DOUBLE_EQ(profile->burstiness, 1);
  EXPECT_EQ(profile->samples, 14 * 288);
  EXPECT_DOUBLE_EQ(profile->hours_with_data, 14 * 24);
  EXPECT_DOUBLE_EQ(profile->coverage, 1);
  EXPECT_TRUE(profile->sufficient);
  EXPECT_FALSE(profile->memory);
  EXPECT_FALSE(profile->network_p99);
}

TEST(ProfileTest, PercentilesOfAKnownDistribution) {
  // CPU cycles through 0, 1, ..., 99 percent, 40 samples each: p50 = 49.5, p99 = 98.01.
  Series cpu;
  for (int i = 0; i < 4000; ++i) {
    cpu.t.push_back(kEnd - 1 - static_cast<std::int64_t>(i) * kFiveMinutes);
    cpu.v.push_back(static_cast<double>(i % 100));
  }
  const auto profile = BuildProfile(cpu.View(), {}, {}, 300, Options());
  ASSERT_TRUE(profile);
  EXPECT_DOUBLE_EQ(profile->cpu.max, 99);
  EXPECT_NEAR(profile->cpu.p50, 49.5, 0.05);
  EXPECT_NEAR(profile->cpu.p99, 98.01, 1e-9);
  EXPECT_DOUBLE_EQ(profile->cpu.p99_5, 99);  // position 3979.0 of 4000: the first of the 99s
}

TEST(ProfileTest, DiurnalLoadHasDailyPeriodicityAndMemoryAndNetwork) {
  const Series cpu = FiveMinute(
      14, [](double hour, int) { return 40 + 30 * std::sin(2 * std::numbers::pi * hour / 24); });
  const Series memory = FiveMinute(14, [](double, int) { return 10.0; });  // r5 using 10%
  // NetworkIn and NetworkOut, 3 MB and 1 MB per five minutes, as separate samples.
  Series network = FiveMinute(14, [](double, int) { return 3e6; });
  const Series out = FiveMinute(14, [](double, int) { return 1e6; });
  network.t.insert(network.t.end(), out.t.begin(), out.t.end());
  network.v.insert(network.v.end(), out.v.begin(), out.v.end());
  const auto profile = BuildProfile(cpu.View(), memory.View(), network.View(), 300, Options());
  ASSERT_TRUE(profile);
  EXPECT_GT(profile->daily_periodicity, 0.9);
  ASSERT_TRUE(profile->memory);
  EXPECT_DOUBLE_EQ(profile->memory->p99, 10);
  ASSERT_TRUE(profile->network_p99);
  EXPECT_NEAR(*profile->network_p99, 4e6 / 300, 1e-6);  // bytes per second, in + out
  EXPECT_GT(profile->burstiness, 1.5);
}

TEST(ProfileTest, OneDayOfDataIsInsufficient) {
  const Series cpu = FiveMinute(1, [](double, int) { return 50.0; });
  const auto profile = BuildProfile(cpu.View(), {}, {}, 300, Options());
  ASSERT_TRUE(profile);
  EXPECT_FALSE(profile->sufficient);
  EXPECT_DOUBLE_EQ(profile->hours_with_data, 24);
  EXPECT_NEAR(profile->coverage, 24.0 / (14 * 24), 1e-12);
  EXPECT_EQ(profile->daily_periodicity, 0);  // one day: no pairs a day apart
}

TEST(ProfileTest, OnlyTheLookbackCounts) {
  // 30 days of data; a 14-day lookback sees the last 14, where CPU is 80, not the earlier 10.
  const Series cpu = FiveMinute(30, [](double, int day) { return day < 16 ? 10.0 : 80.0; });
  const auto profile = BuildProfile(cpu.View(), {}, {}, 300, Options());
  ASSERT_TRUE(profile);
  EXPECT_DOUBLE_EQ(profile->cpu.p50, 80);
  EXPECT_DOUBLE_EQ(profile->cpu.p99_5, 80);
  ProfileOptions longer = Options();
  longer.lookback_days = 32;
  EXPECT_DOUBLE_EQ(BuildProfile(cpu.View(), {}, {}, 300, longer)->cpu.p50, 10);
}

TEST(ProfileTest, DailyPeaksTrendAndHourlyMeans) {
  // Peaks of 20 + 2 x day at noon, 10 otherwise: the daily p99 rises exactly 2 points a day.
  const Series cpu =
      FiveMinute(14, [](double hour, int day) { return hour == 12 ? 20.0 + 2 * day : 10.0; });
  const Series memory = FiveMinute(14, [](double, int) { return 40.0; });
  const auto profile = BuildProfile(cpu.View(), memory.View(), {}, 300, Options());
  ASSERT_TRUE(profile);
  EXPECT_EQ(profile->cpu_trend.days, 14);
  EXPECT_NEAR(profile->cpu_trend.slope_per_day, 2, 1e-9);
  EXPECT_NEAR(profile->cpu_trend.last_day_fit, 20 + 2 * 13, 1e-9);
  EXPECT_GT(profile->cpu_trend.t_statistic, 1e6);  // an exact line
  ASSERT_TRUE(profile->memory_trend);
  EXPECT_DOUBLE_EQ(profile->memory_trend->slope_per_day, 0);
  EXPECT_DOUBLE_EQ(profile->memory_trend->t_statistic, 0);
  ASSERT_EQ(profile->hourly_cpu.size(), 14U * 24);
  EXPECT_DOUBLE_EQ(profile->hourly_cpu[12], 20);  // day 0, noon
  EXPECT_DOUBLE_EQ(profile->hourly_cpu[13 * 24 + 12], 46);
  EXPECT_DOUBLE_EQ(profile->hourly_cpu[0], 10);
  // Fewer than 7 days with data: no trend.
  const Series short_cpu = FiveMinute(5, [](double, int day) { return 10.0 + day; });
  EXPECT_EQ(BuildProfile(short_cpu.View(), {}, {}, 300, Options())->cpu_trend.slope_per_day, 0);
}

TEST(ProfileTest, PercentilesAgreeWithQuantileOnRandomSamples) {
  // The profile's partial sort must give Quantile's answers, for any sample count.
  std::uint64_t state = 12345;
  for (const int days : {2, 3, 14}) {
    Series cpu = FiveMinute(days, [&](double, int) {
      state = state * 6364136223846793005ULL + 1442695040888963407ULL;
      return static_cast<double>(state >> 40) / static_cast<double>(1ULL << 24) * 100;
    });
    cpu.t.resize(cpu.t.size() - static_cast<std::size_t>(days));  // odd lengths too
    cpu.v.resize(cpu.t.size());
    const auto profile = BuildProfile(cpu.View(), {}, {}, 300, Options());
    ASSERT_TRUE(profile);
    std::vector<double> values = cpu.v;
    EXPECT_DOUBLE_EQ(profile->cpu.p50, Quantile(values, 0.5));
    EXPECT_DOUBLE_EQ(profile->cpu.p95, Quantile(values, 0.95));
    EXPECT_DOUBLE_EQ(profile->cpu.p99, Quantile(values, 0.99));
    EXPECT_DOUBLE_EQ(profile->cpu.p99_5, Quantile(values, 0.995));
    EXPECT_DOUBLE_EQ(profile->cpu.max, *std::max_element(values.begin(), values.end()));
  }
}

TEST(ProfileTest, RejectsBadInput) {
  const Series cpu = FiveMinute(2, [](double, int) { return 1.0; });
  ProfileOptions bad = Options();
  bad.lookback_days = 10;
  const auto lookback = BuildProfile(cpu.View(), {}, {}, 300, bad);
  ASSERT_FALSE(lookback);
  EXPECT_NE(lookback.error().message.find("14, 32 or 93"), std::string::npos);
  Series broken = cpu;
  broken.v[5] = std::nan("");
  const auto nan = BuildProfile(broken.View(), {}, {}, 300, Options());
  ASSERT_FALSE(nan);
  EXPECT_NE(nan.error().message.find("CPUUtilization sample 6"), std::string::npos);
  broken.v.pop_back();
  EXPECT_FALSE(BuildProfile(broken.View(), {}, {}, 300, Options()));
}

}  // namespace
}  // namespace costwise::rightsizing
