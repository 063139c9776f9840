// Excursions of a CloudWatch series through the streaming detector: a spike is one closed
// anomaly with its peak; a spike still going on at the newest point is open; a quiet series has
// none; appending points never moves an excursion's start.
#include "service/metric_anomalies.h"

#include <gtest/gtest.h>

#include <cmath>

namespace costwise::service {
namespace {

constexpr std::int64_t kStart = 1'790'000'000 - 1'790'000'000 % 300;

void Series(int points, std::vector<std::int64_t>& times, std::vector<double>& values,
            int spike_from = -1, int spike_to = -1) {
  for (int i = 0; i < points; ++i) {
    times.push_back(kStart + std::int64_t{i} * 300);
    const double daily = 3 + 2 * std::sin(2 * M_PI * (i % 288) / 288.0);
    values.push_back(i >= spike_from && i < spike_to ? 85.0 : daily + 0.1 * (i % 7));
  }
}

TEST(MetricAnomaliesTest, ASpikeIsOneClosedExcursionWithItsPeak) {
  std::vector<std::int64_t> times;
  std::vector<double> values;
  Series(288 * 10, times, values, 288 * 8, 288 * 8 + 6);
  const auto excursions = SeriesExcursions(times, values);
  ASSERT_EQ(excursions.size(), 1U);
  EXPECT_EQ(excursions[0].started_at, times[288 * 8]);
  EXPECT_GE(excursions[0].ended_at, times[288 * 8]);
  EXPECT_DOUBLE_EQ(excursions[0].peak_value, 85.0);
  EXPECT_LT(excursions[0].expected_value, 10);
  EXPECT_FALSE(excursions[0].open);
}

TEST(MetricAnomaliesTest, ASpikeAtTheNewestPointIsOpenAndKeepsItsStart) {
  std::vector<std::int64_t> times;
  std::vector<double> values;
  Series(288 * 10, times, values, 288 * 10 - 3, 288 * 10);
  const auto open = SeriesExcursions(times, values);
  ASSERT_EQ(open.size(), 1U);
  EXPECT_TRUE(open[0].open);
  // More points of the same excursion, then back to normal: the same start.
  std::vector<std::int64_t> more_times;
  std::vector<double> more_values;
  Series(288 * 11, more_times, more_values, 288 * 10 - 3, 288 * 10 + 2);
  const auto later = SeriesExcursions(more_times, more_values);
  ASSERT_EQ(later.size(), 1U);
  EXPECT_EQ(later[0].started_at, open[0].started_at);
  EXPECT_FALSE(later[0].open);
}

TEST(MetricAnomaliesTest, AQuietSeriesHasNone) {
  std::vector<std::int64_t> times;
  std::vector<double> values;
  Series(288 * 10, times, values);
  EXPECT_TRUE(SeriesExcursions(times, values).empty());
}

}  // namespace
}  // namespace costwise::service
