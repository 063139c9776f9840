#include "engines/forecast/naive.h"

#include <cmath>
#include <limits>

#include <gtest/gtest.h>

namespace costwise::forecast {
namespace {

const double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kZ80 = 1.2815515655446004;
constexpr double kZ95 = 1.959963984540054;

RegularSeries Series(std::vector<double> values) {
  RegularSeries series;
  series.frequency.seconds = 86'400;
  series.values = std::move(values);
  return series;
}

TEST(SeasonalNaiveTest, RepeatsTheLastCycleWithWideningIntervals) {
  // Period 4: the forecasts repeat 2, 4, 3, 7. Residuals y_t - y_(t-4) are 1, 2, 0, 3, so
  // sigma^2 = (1 + 4 + 0 + 9) / 4 = 3.5; steps 5 and 6 are a second cycle out (sqrt(2) wider).
  const std::vector<double> levels = {80, 95};
  const auto forecast = SeasonalNaive(Series({1, 2, 3, 4, 2, 4, 3, 7}), 4, 6, levels);
  ASSERT_TRUE(forecast) << forecast.error().message;
  EXPECT_EQ(forecast->model, "snaive");
  EXPECT_EQ(forecast->mean, (std::vector<double>{2, 4, 3, 7, 2, 4}));
  ASSERT_EQ(forecast->intervals.size(), 2U);
  EXPECT_EQ(forecast->intervals[0].level, 80);
  // R 4.2, forecast 8.20: snaive(ts(c(1, 2, 3, 4, 2, 4, 3, 7), frequency = 4), h = 6,
  // level = 80)$upper is 4.397563 at h = 1 and 5.390667 at h = 5.
  EXPECT_NEAR(forecast->intervals[0].upper[0], 4.397563, 1e-6);
  EXPECT_NEAR(forecast->intervals[0].upper[4], 5.390667, 1e-6);
  const double sigma = std::sqrt(3.5);
  for (std::size_t h = 0; h < 6; ++h) {
    const double cycles = h < 4 ? 1 : 2;
    EXPECT_NEAR(forecast->intervals[0].upper[h],
                forecast->mean[h] + kZ80 * sigma * std::sqrt(cycles), 1e-12);
    EXPECT_NEAR(forecast->intervals[1].lower[h],
                forecast->mean[h] - kZ95 * sigma * std::sqrt(cycles), 1e-12);
  }
}

TEST(SeasonalNaiveTest, PeriodOneIsTheNaiveRandomWalk) {
  // Differences 2, -1, 3: sigma^2 = 14 / 3; step h has sigma sqrt(h).
  const auto forecast = SeasonalNaive(Series({10, 12, 11, 14}), 1, 3, std::vector<double>{95});
  ASSERT_TRUE(forecast) << forecast.error().message;
  EXPECT_EQ(forecast->model, "naive");
  EXPECT_EQ(forecast->mean, (std::vector<double>{14, 14, 14}));
  for (std::size_t h = 0; h < 3; ++h) {
    EXPECT_NEAR(forecast->intervals[0].upper[h] - 14,
                kZ95 * std::sqrt(14.0 / 3 * static_cast<double>(h + 1)), 1e-12);
  }
  // No levels: point forecasts only.
  const auto points = SeasonalNaive(Series({10, 12, 11, 14}), 1, 2, {});
  ASSERT_TRUE(points);
  EXPECT_TRUE(points->intervals.empty());
  EXPECT_EQ(points->mean, (std::vector<double>{14, 14}));
}

TEST(SeasonalNaiveTest, SkipsMissingAndIgnoredPoints) {
  // Period 3. The last value at the first position is missing and the last at the second is
  // ignored (weight 0): the cycle before stands in for them. Residuals come only from observed
  // pairs three steps apart: (5 - 1) at t = 3, (9 - 3) at t = 5 and (7 - 9) at t = 8: 4, 6, -2.
  RegularSeries series = Series({1, 2, 3, 5, kNaN, 9, kNaN, 100, 7});
  series.weights = {1, 1, 1, 1, 1, 1, 1, 0, 1};
  const auto forecast = SeasonalNaive(series, 3, 3, std::vector<double>{80});
  ASSERT_TRUE(forecast) << forecast.error().message;
  EXPECT_EQ(forecast->mean, (std::vector<double>{5, 2, 7}));
  const double sigma = std::sqrt((16.0 + 36.0 + 4.0) / 3);
  EXPECT_NEAR(forecast->intervals[0].upper[0], 5 + kZ80 * sigma, 1e-12);
}

TEST(SeasonalNaiveTest, RejectsWhatItCannotForecast) {
  const RegularSeries series = Series({1, 2, 3, 4, 5, 6, 7, 8});
  const std::vector<double> levels = {80};
  EXPECT_FALSE(SeasonalNaive(series, 0, 3, levels));
  EXPECT_FALSE(SeasonalNaive(series, 4, -1, levels));
  EXPECT_FALSE(SeasonalNaive(series, 4, 3, std::vector<double>{100}));
  // A position of the cycle never observed.
  const auto unseen = SeasonalNaive(Series({1, kNaN, 3, 4, 5, kNaN, 7, 8}), 4, 3, levels);
  ASSERT_FALSE(unseen);
  EXPECT_EQ(unseen.error().code, ErrorCode::kInvalidInput);
  // One cycle only: no residual for the intervals, but point forecasts are fine.
  EXPECT_FALSE(SeasonalNaive(Series({1, 2, 3, 4}), 4, 3, levels));
  EXPECT_TRUE(SeasonalNaive(Series({1, 2, 3, 4}), 4, 3, {}));
  RegularSeries mismatched = series;
  mismatched.weights = {1, 1};
  EXPECT_FALSE(SeasonalNaive(mismatched, 4, 3, levels));
  // Horizon 0: nothing to forecast, and no error.
  const auto none = SeasonalNaive(series, 4, 0, levels);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->mean.empty());
}

}  // namespace
}  // namespace costwise::forecast
