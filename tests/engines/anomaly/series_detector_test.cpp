#include "engines/anomaly/series_detector.h"

#include <algorithm>
#include <cmath>
#include <random>

#include <gtest/gtest.h>

namespace costwise::anomaly {
namespace {

constexpr std::int64_t kDay = 86'400;
constexpr std::int64_t kMonday = 4 * kDay;  // 1970-01-05

struct Series {
  std::vector<std::int64_t> timestamps;
  std::vector<double> values;
};

// Daily spend: a weekday/weekend pattern, a gentle trend and 3% noise.
Series DailySpend(int days, std::uint32_t seed) {
  std::mt19937 random(seed);
  std::normal_distribution<double> noise(0.0, 0.03);
  Series series;
  for (int day = 0; day < days; ++day) {
    const bool weekend = day % 7 >= 5;
    const double base = (weekend ? 600.0 : 1000.0) * (1 + 0.001 * day);
    series.timestamps.push_back(kMonday + day * kDay);
    series.values.push_back(base * (1 + noise(random)));
  }
  return series;
}

// A 5-minute metric with a daily cycle and noise.
Series FiveMinuteMetric(int points, std::uint32_t seed) {
  std::mt19937 random(seed);
  std::normal_distribution<double> noise(0.0, 1.0);
  Series series;
  for (int i = 0; i < points; ++i) {
    const double hour = (i % 288) / 12.0;
    series.timestamps.push_back(kMonday + i * 300);
    series.values.push_back(50 + 20 * std::sin(2 * M_PI * hour / 24) + noise(random));
  }
  return series;
}

std::vector<SeriesPoint> DetectOrDie(const Series& series,
                                     const SeriesDetectorOptions& options = {}) {
  auto points = DetectSeriesAnomalies(series.timestamps, series.values, options);
  EXPECT_TRUE(points) << points.error().message;
  return points ? *points : std::vector<SeriesPoint>{};
}

// The anomalous points, for failure messages: "index (z, score)".
std::string Describe(const std::vector<SeriesPoint>& points) {
  std::string text;
  for (std::size_t i = 0; i < points.size(); ++i) {
    if (!points[i].is_anomaly) continue;
    text += std::to_string(i) + " (z " + std::to_string(points[i].z) + ", score " +
            std::to_string(points[i].score) + ") ";
  }
  return text;
}

// Anomalies among points[from..].
int CountAnomalies(const std::vector<SeriesPoint>& points, std::size_t from = 0) {
  return static_cast<int>(
      std::count_if(points.begin() + static_cast<std::ptrdiff_t>(std::min(from, points.size())),
                    points.end(), [](const SeriesPoint& point) { return point.is_anomaly; }));
}

TEST(InferCadenceTest, FindsDailyAndSubDailyCycles) {
  const SeriesCadence five_minutes = InferCadence(FiveMinuteMetric(100, 1).timestamps);
  EXPECT_EQ(five_minutes.step_seconds, 300);
  EXPECT_EQ(five_minutes.daily_period, 288);
  EXPECT_EQ(five_minutes.weekly_period, 2016);
  const SeriesCadence daily = InferCadence(DailySpend(30, 1).timestamps);
  EXPECT_EQ(daily.step_seconds, kDay);
  EXPECT_EQ(daily.daily_period, 0);
  EXPECT_EQ(daily.weekly_period, 7);
  const std::vector<std::int64_t> monthly = {0, 31 * kDay, 59 * kDay, 90 * kDay};
  EXPECT_EQ(InferCadence(monthly).weekly_period, 0);
}

TEST(SeriesDetectorTest, QuietSeriesRaisesFewAlarms) {
  const std::vector<SeriesPoint> points = DetectOrDie(DailySpend(200, 7));
  EXPECT_LE(CountAnomalies(points), 2) << Describe(points);
  for (const SeriesPoint& point : points) {
    EXPECT_GE(point.score, 0.0);
    EXPECT_LE(point.score, 1.0);
  }
}

TEST(SeriesDetectorTest, FindsASpikeAndExpectsTheUsualSpend) {
  Series series = DailySpend(120, 3);
  const double usual = series.values[100];
  series.values[100] *= 2.5;
  const std::vector<SeriesPoint> points = DetectOrDie(series);
  EXPECT_TRUE(points[100].is_anomaly);
  EXPECT_GT(points[100].score, 0.9);
  EXPECT_NEAR(points[100].expected, usual, 0.1 * usual);
  EXPECT_GT(points[100].z, 0);
  EXPECT_LT(points[100].upper, series.values[100]);
  EXPECT_LE(CountAnomalies(points, 101), 1);  // the spike does not leave a trail of alarms
}

TEST(SeriesDetectorTest, AnExcursionAlarmsOnceThenIsOngoing) {
  Series series = DailySpend(120, 31);
  for (std::size_t day = 100; day < 103; ++day) series.values[day] *= 3;
  const std::vector<SeriesPoint> points = DetectOrDie(series);
  EXPECT_TRUE(points[100].is_anomaly);
  EXPECT_FALSE(points[100].ongoing);
  for (std::size_t day = 101; day < 103; ++day) {
    EXPECT_FALSE(points[day].is_anomaly) << day;
    EXPECT_TRUE(points[day].ongoing) << day;
  }
  // A three-day spike is not a new level: the days after it are normal again.
  for (std::size_t day = 103; day < 110; ++day) {
    EXPECT_FALSE(points[day].is_anomaly || points[day].ongoing) << day;
    EXPECT_FALSE(points[day].level_shift) << day;
  }
}

TEST(SeriesDetectorTest, KnowsTheWeekendIsCheaper) {
  // A weekend day at weekday spend is an anomaly only because of the weekly pattern.
  Series series = DailySpend(120, 5);
  ASSERT_EQ(103 % 7, 5);
  series.values[103] = series.values[102] * 1.25;  // Saturday at 1.25 x Friday's spend
  const std::vector<SeriesPoint> points = DetectOrDie(series);
  EXPECT_TRUE(points[103].is_anomaly);
  EXPECT_LT(points[103 - 7].expected, 0.8 * points[102].expected);
}

TEST(SeriesDetectorTest, ReportsALevelShiftOnceThenAdapts) {
  Series series = DailySpend(150, 11);
  for (std::size_t day = 100; day < series.values.size(); ++day) series.values[day] *= 1.6;
  const std::vector<SeriesPoint> points = DetectOrDie(series);
  EXPECT_TRUE(points[100].is_anomaly);
  bool shifted = false;
  for (std::size_t day = 100; day < 110; ++day) shifted |= points[day].level_shift;
  EXPECT_TRUE(shifted);
  EXPECT_LE(CountAnomalies(points, 110), 1);  // the new level is the new normal
  EXPECT_NEAR(points[140].expected, series.values[140], 0.1 * series.values[140]);
}

TEST(SeriesDetectorTest, FollowsTheDailyCycleOfSubDailyData) {
  Series series = FiveMinuteMetric(288 * 6, 13);
  const std::size_t noon = 288 * 5 + 144;  // the cycle's low point is 70 at 06:00, 30 at 18:00
  const std::size_t evening = 288 * 5 + 216;
  series.values[evening] = 55;  // normal at noon, 25 above the evening low
  const std::vector<SeriesPoint> points = DetectOrDie(series);
  EXPECT_TRUE(points[evening].is_anomaly);
  EXPECT_FALSE(points[noon].is_anomaly);
  EXPECT_NEAR(points[evening].expected, 30, 5);
  EXPECT_LE(CountAnomalies(points), 4);
}

TEST(SeriesDetectorTest, HeavyTailedSeriesDoesNotAlarmOnItsUsualJumps) {
  // Mostly 0.134 with frequent dips to 0.066: quantised CPU, as in real CloudWatch data.
  std::mt19937 random(17);
  std::bernoulli_distribution dip(0.03);
  Series series;
  for (int i = 0; i < 3000; ++i) {
    series.timestamps.push_back(kMonday + i * 300);
    series.values.push_back(dip(random) ? 0.066 : 0.134);
  }
  series.values[2500] = 2.5;
  const std::vector<SeriesPoint> points = DetectOrDie(series);
  EXPECT_TRUE(points[2500].is_anomaly);
  EXPECT_LE(CountAnomalies(points), 6);
}

// Disk writes: bursts of activity between idle stretches of zeros, up to three hours long.
Series IdleAndBusyDisk(std::uint32_t seed) {
  std::mt19937 random(seed);
  std::uniform_int_distribution<int> idle(6, 36);
  std::uniform_int_distribution<int> busy(3, 20);
  std::lognormal_distribution<double> bytes(15, 1);
  Series series;
  while (series.values.size() < 288 * 6) {
    for (int i = idle(random); i > 0; --i) series.values.push_back(0);
    for (int i = busy(random); i > 0; --i) series.values.push_back(bytes(random));
  }
  for (std::size_t i = 0; i < series.values.size(); ++i) {
    series.timestamps.push_back(kMonday + static_cast<std::int64_t>(i) * 300);
  }
  return series;
}

TEST(SeriesDetectorTest, FindsAMetricStuckForLongerThanEverBefore) {
  Series series = IdleAndBusyDisk(29);
  const std::size_t normal = series.values.size();
  const std::vector<SeriesPoint> before = DetectOrDie(series);
  // Then the disk writes nothing for ten hours: every value is a usual one, only the run is not.
  for (int i = 0; i < 120; ++i) {
    series.timestamps.push_back(series.timestamps.back() + 300);
    series.values.push_back(0);
  }
  const std::vector<SeriesPoint> points = DetectOrDie(series);
  const auto first = static_cast<std::size_t>(
      std::find_if(points.begin() + static_cast<std::ptrdiff_t>(normal), points.end(),
                   [](const SeriesPoint& point) { return point.is_anomaly; }) -
      points.begin());
  ASSERT_LT(first, points.size()) << "no alarm for the stuck disk";
  // The longest idle stretch before was at most three hours: the alarm comes right after that.
  EXPECT_LE(first - normal, 37U);
  EXPECT_GE(points[first].score, 0.99);
  EXPECT_EQ(CountAnomalies(points, first + 1), 0) << Describe(points);
  EXPECT_TRUE(points.back().ongoing);
  // Before it, the usual idle stretches raise few stuck alarms (alarms with a small residual):
  // only a record of at least an hour after the first day can, and records become rare.
  const auto stuck_alarms = std::count_if(before.begin(), before.end(), [](const SeriesPoint& p) {
    return p.is_anomaly && std::abs(p.z) < SeriesDetectorOptions{}.z_threshold / 2;
  });
  EXPECT_LE(stuck_alarms, 2) << Describe(before);
}

TEST(SeriesDetectorTest, AConstantSeriesIsNeverStuck) {
  // A metric that never varied (or a fixed daily fee) has no run to compare with.
  Series series;
  for (int i = 0; i < 288 * 3; ++i) {
    series.timestamps.push_back(kMonday + i * 300);
    series.values.push_back(12.5);
  }
  EXPECT_EQ(CountAnomalies(DetectOrDie(series)), 0);
  Series daily = DailySpend(120, 31);
  for (int day = 60; day < 120; ++day) daily.values[static_cast<std::size_t>(day)] = 800;
  const std::vector<SeriesPoint> points = DetectOrDie(daily);
  // The move to a flat 800 is a level shift, reported once; its length is no news for daily data.
  EXPECT_LE(CountAnomalies(points, 61), 1) << Describe(points);
}

TEST(SeriesDetectorTest, IsOnlineAPointDependsOnlyOnItsPast) {
  Series series = FiveMinuteMetric(900, 19);
  series.values[700] += 40;
  const std::vector<SeriesPoint> full = DetectOrDie(series);
  for (const std::size_t cut : {3UL, 9UL, 10UL, 300UL, 650UL, 701UL}) {
    const Series prefix{{series.timestamps.begin(), series.timestamps.begin() + cut},
                        {series.values.begin(), series.values.begin() + cut}};
    const std::vector<SeriesPoint> part = DetectOrDie(prefix);
    ASSERT_EQ(part.size(), cut);
    for (std::size_t i = 0; i < cut; ++i) {
      EXPECT_EQ(part[i].score, full[i].score) << "cut " << cut << " point " << i;
      EXPECT_EQ(part[i].expected, full[i].expected) << "cut " << cut << " point " << i;
      EXPECT_EQ(part[i].is_anomaly, full[i].is_anomaly);
    }
  }
}

TEST(SeriesDetectorTest, StreamingAndBatchAgree) {
  const Series series = DailySpend(80, 23);
  const std::vector<SeriesPoint> batch = DetectOrDie(series);
  StreamingDetector detector;
  for (std::size_t i = 0; i < series.values.size(); ++i) {
    const SeriesPoint point = detector.Push(series.timestamps[i], series.values[i]);
    EXPECT_EQ(point.score, batch[i].score);
    EXPECT_EQ(point.expected, batch[i].expected);
  }
}

TEST(SeriesDetectorTest, WarmUpPointsScoreZero) {
  const std::vector<SeriesPoint> points = DetectOrDie(DailySpend(20, 29));
  for (std::size_t i = 0; i < 14; ++i) EXPECT_EQ(points[i].score, 0.0);
}

TEST(SeriesDetectorTest, RejectsBadInput) {
  const std::vector<std::int64_t> times = {0, kDay, 2 * kDay};
  const std::vector<double> short_values = {1, 2};
  EXPECT_FALSE(DetectSeriesAnomalies(times, short_values));
  const std::vector<double> nan_values = {1, std::nan(""), 3};
  auto nan = DetectSeriesAnomalies(times, nan_values);
  ASSERT_FALSE(nan);
  EXPECT_NE(nan.error().message.find("point 2"), std::string::npos);
  const std::vector<std::int64_t> backwards = {0, 2 * kDay, kDay};
  const std::vector<double> values = {1, 2, 3};
  EXPECT_FALSE(DetectSeriesAnomalies(backwards, values));
  EXPECT_TRUE(DetectSeriesAnomalies({}, {}));
}

}  // namespace
}  // namespace costwise::anomaly
