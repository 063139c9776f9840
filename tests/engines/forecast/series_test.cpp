#include "engines/forecast/series.h"

#include <cmath>

#include <gtest/gtest.h>

#include "core/date.h"

namespace costwise::forecast {
namespace {

std::int64_t At(const char* text) { return *ParseTimestamp(text); }

TEST(FrequencyTest, DetectsFixedStepsFromTheMostCommonGap) {
  const std::vector<std::int64_t> hourly = {At("2024-01-01T00:00:00"), At("2024-01-01T01:00:00"),
                                            At("2024-01-01T03:00:00"), At("2024-01-01T04:00:00")};
  const auto frequency = DetectFrequency(hourly);
  ASSERT_TRUE(frequency);
  EXPECT_EQ(frequency->seconds, 3600);
  EXPECT_EQ(frequency->Name(), "hourly");
  const std::vector<std::int64_t> daily = {At("2024-01-30"), At("2024-01-31"), At("2024-02-01")};
  EXPECT_TRUE(DetectFrequency(daily)->IsDaily());
}

TEST(FrequencyTest, DetectsCalendarMonthsAndMonthEnds) {
  const std::vector<std::int64_t> monthly = {At("1949-01-01"), At("1949-02-01"), At("1949-03-01"),
                                             At("1949-05-01")};
  const auto frequency = DetectFrequency(monthly);
  ASSERT_TRUE(frequency);
  EXPECT_EQ(frequency->months, 1);
  EXPECT_FALSE(frequency->month_end);
  EXPECT_EQ(StepForward(At("1949-01-01"), *frequency, 13), At("1950-02-01"));

  // Day 31, clamped to each month's length, is the month end.
  const std::vector<std::int64_t> ends = {At("2023-12-31"), At("2024-01-31"), At("2024-02-29"),
                                          At("2024-03-31")};
  const auto thirty_first = DetectFrequency(ends);
  ASSERT_TRUE(thirty_first);
  EXPECT_EQ(thirty_first->months, 1);
  EXPECT_EQ(StepForward(At("2023-12-31"), *thirty_first, 2), At("2024-02-29"));
  EXPECT_EQ(StepForward(At("2023-12-31"), *thirty_first, 4), At("2024-04-30"));
  // Starting on 29 February, only month ends fit.
  const std::vector<std::int64_t> from_february = {At("2024-02-29"), At("2024-03-31"),
                                                   At("2024-04-30")};
  const auto month_end = DetectFrequency(from_february);
  ASSERT_TRUE(month_end);
  EXPECT_TRUE(month_end->month_end);
  EXPECT_EQ(StepForward(At("2024-02-29"), *month_end, 3), At("2024-05-31"));

  const std::vector<std::int64_t> quarterly = {At("2020-01-01"), At("2020-04-01"),
                                               At("2020-07-01")};
  EXPECT_EQ(DetectFrequency(quarterly)->Name(), "quarterly");
}

TEST(FrequencyTest, RejectsTimestampsThatDoNotIncrease) {
  const std::vector<std::int64_t> backwards = {At("2024-01-02"), At("2024-01-01")};
  const auto frequency = DetectFrequency(backwards);
  ASSERT_FALSE(frequency);
  EXPECT_NE(frequency.error().message.find("point 2"), std::string::npos);
  EXPECT_FALSE(DetectFrequency(std::vector<std::int64_t>{At("2024-01-01")}));
}

TEST(RegularizeTest, FillsGapsWithMissingValues) {
  const std::vector<std::int64_t> times = {At("2024-01-01"), At("2024-01-02"), At("2024-01-05")};
  const std::vector<double> values = {1, 2, 5};
  const auto series = Regularize(times, values, Frequency{.seconds = 86'400});
  ASSERT_TRUE(series);
  ASSERT_EQ(series->size(), 5U);
  EXPECT_EQ(series->values[1], 2);
  EXPECT_TRUE(std::isnan(series->values[2]));
  EXPECT_TRUE(std::isnan(series->values[3]));
  EXPECT_EQ(series->values[4], 5);
  EXPECT_EQ(series->CountObserved(), 3U);
  EXPECT_EQ(series->TimeAt(4), At("2024-01-05"));
}

TEST(RegularizeTest, NamesThePointOffTheGrid) {
  const std::vector<std::int64_t> times = {At("2024-01-01"), At("2024-01-02T12:00:00")};
  const std::vector<double> values = {1, 2};
  const auto series = Regularize(times, values, Frequency{.seconds = 86'400});
  ASSERT_FALSE(series);
  EXPECT_NE(series.error().message.find("point 2 is not on the series' daily grid"),
            std::string::npos)
      << series.error().message;
  const std::vector<double> infinite = {1, INFINITY};
  const std::vector<std::int64_t> good = {At("2024-01-01"), At("2024-01-02")};
  EXPECT_FALSE(Regularize(good, infinite, Frequency{.seconds = 86'400}));
  const std::vector<double> missing = {1, std::nan("")};
  ASSERT_TRUE(Regularize(good, missing, Frequency{.seconds = 86'400}));
  EXPECT_EQ(Regularize(good, missing, Frequency{.seconds = 86'400})->CountObserved(), 1U);
}

TEST(SeasonalPeriodsTest, FollowTheFrequency) {
  EXPECT_EQ(SeasonalPeriods(Frequency{.seconds = 3600}), (std::vector<double>{24, 168}));
  EXPECT_EQ(SeasonalPeriods(Frequency{.seconds = 86'400}), (std::vector<double>{7, 365.25}));
  EXPECT_EQ(SeasonalPeriods(Frequency{.months = 1}), (std::vector<double>{12}));
  EXPECT_EQ(SeasonalPeriods(Frequency{.months = 3}), (std::vector<double>{4}));
  EXPECT_TRUE(SeasonalPeriods(Frequency{.months = 12}).empty());
}

TEST(NormalQuantileTest, MatchesTheTable) {
  EXPECT_NEAR(NormalQuantile(0.975), 1.959963984540054, 1e-12);
  EXPECT_NEAR(NormalQuantile(0.9), 1.2815515655446004, 1e-12);
  EXPECT_NEAR(NormalQuantile(0.5), 0, 1e-12);
  EXPECT_NEAR(NormalQuantile(0.025), -1.959963984540054, 1e-12);
  EXPECT_TRUE(CheckLevels(std::vector<double>{80, 95}));
  EXPECT_FALSE(CheckLevels(std::vector<double>{0.95, 100}));
}

}  // namespace
}  // namespace costwise::forecast
