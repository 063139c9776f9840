#include "engines/forecast/forecaster.h"

#include <cmath>
#include <numbers>
#include <random>

#include <gtest/gtest.h>

#include "engines/forecast/accuracy.h"
#include "engines/forecast/outliers.h"

namespace costwise::forecast {
namespace {

constexpr std::int64_t kDay = 86'400;
constexpr std::int64_t kStart = 19'723 * kDay;  // 2024-01-01, a Monday

RegularSeries DailySpend(int days, double noise, std::uint32_t seed) {
  std::mt19937 random(seed);
  std::normal_distribution<double> error(0.0, noise);
  RegularSeries series;
  series.start = kStart;
  series.frequency.seconds = kDay;
  for (int d = 0; d < days; ++d) {
    series.values.push_back((d % 7 >= 5 ? 600 : 1000) + 0.5 * d + error(random));
  }
  return series;
}

TEST(PrimaryPeriodTest, IsTheShortestWholeCycleWithinTheLimit) {
  EXPECT_EQ(PrimaryPeriod(Frequency{.seconds = kDay}, 24), 7);
  EXPECT_EQ(PrimaryPeriod(Frequency{.seconds = 3600}, 24), 24);
  EXPECT_EQ(PrimaryPeriod(Frequency{.seconds = 300}, 24), 1);  // 288 a day: too long for ETS
  EXPECT_EQ(PrimaryPeriod(Frequency{.seconds = 300}, 1000), 288);
  EXPECT_EQ(PrimaryPeriod(Frequency{.months = 1}, 24), 12);
  EXPECT_EQ(PrimaryPeriod(Frequency{.months = 12}, 24), 1);
}

TEST(AccuracyTest, MatchesHandComputedValues) {
  // Seasonal differences at lag 2 of 1, 2, 4, 3, 5: |4-1|, |3-2|, |5-4| -> mean 5/3.
  const std::vector<double> history = {1, 2, 4, 3, 5};
  EXPECT_DOUBLE_EQ(MaseScale(history, 2), 5.0 / 3.0);
  // A flat history falls back to the mean |value|.
  const std::vector<double> flat = {4, 4, 4};
  EXPECT_DOUBLE_EQ(MaseScale(flat, 1), 4);

  const std::vector<double> levels = {80};
  AccuracyTally tally(levels);
  ForecastResult forecast;
  forecast.mean = {10, 20};
  Interval interval;
  interval.level = 80;
  interval.lower = {9, 10};
  interval.upper = {11, 25};
  forecast.intervals.push_back(interval);
  const std::vector<double> actual = {12, 20};
  tally.Add(actual, forecast, 2.0);
  const Accuracy a = tally.Summary();
  EXPECT_EQ(a.points, 2);
  EXPECT_DOUBLE_EQ(a.mae, 1);
  EXPECT_DOUBLE_EQ(a.mase, 0.5);
  EXPECT_DOUBLE_EQ(a.mape, (100.0 * 2 / 12 + 0) / 2);
  EXPECT_DOUBLE_EQ(a.smape, (200.0 * 2 / 22 + 0) / 2);
  ASSERT_EQ(a.coverage.size(), 1U);
  EXPECT_DOUBLE_EQ(a.coverage[0], 50);  // 12 is above [9, 11]; 20 is inside [10, 25]
}

TEST(ForecasterTest, CombinesModelsAndReportsItsBacktest) {
  const RegularSeries series = DailySpend(400, 20, 1);
  const auto result = ForecastSeries(series, 30);
  ASSERT_TRUE(result) << result.error().message;
  ASSERT_EQ(result->forecast.mean.size(), 30U);
  ASSERT_EQ(result->timestamps.size(), 30U);
  EXPECT_EQ(result->timestamps[0], kStart + 400 * kDay);
  EXPECT_EQ(result->backtest_horizon, 30);
  EXPECT_EQ(result->backtest_origins, 3);
  EXPECT_EQ(result->backtest.points, 90);
  ASSERT_EQ(result->models.size(), 3U);
  double total = 0;
  for (const ModelWeight& model : result->models) total += model.weight;
  EXPECT_NEAR(total, 1, 1e-12);
  // A clean weekly pattern with a trend: seasonal naive (which lags the trend) is the worst.
  EXPECT_GT(result->models[2].backtest.mase, result->models[1].backtest.mase);
  for (std::size_t h = 0; h < 30; ++h) {
    const int day = 400 + static_cast<int>(h);
    EXPECT_NEAR(result->forecast.mean[h], (day % 7 >= 5 ? 600 : 1000) + 0.5 * day, 40);
    EXPECT_LE(result->forecast.intervals[1].lower[h], result->forecast.intervals[0].lower[h]);
    EXPECT_GE(result->forecast.intervals[1].upper[h], result->forecast.intervals[0].upper[h]);
  }
  // Calibrated intervals cover the backtests about as promised.
  EXPECT_NEAR(result->backtest.coverage[0], 80, 12);
  EXPECT_NEAR(result->backtest.coverage[1], 95, 8);
}

TEST(ForecasterTest, AOneDaySpikeDoesNotWidenTheIntervals) {
  const RegularSeries clean = DailySpend(300, 20, 4);
  RegularSeries spiked = clean;
  spiked.values[240] *= 20;  // a one-day spike two months before the end
  const auto width = [](const SeriesForecast& f) {
    double total = 0;
    for (std::size_t h = 0; h < f.forecast.mean.size(); ++h) {
      total += f.forecast.intervals[1].upper[h] - f.forecast.intervals[1].lower[h];
    }
    return total;
  };
  const auto base = ForecastSeries(clean, 30);
  const auto robust = ForecastSeries(spiked, 30);
  ForecasterOptions naive_options;
  naive_options.down_weight_spikes = false;
  const auto fooled = ForecastSeries(spiked, 30, naive_options);
  ASSERT_TRUE(base && robust && fooled);
  // Out of the fits, the spike no longer widens the models' intervals; it still counts as one
  // backtest error among 90, which moves the calibration's 95% quantile a little (about 17%
  // here, and only while it is inside the backtest windows). Fitted as an ordinary point, it
  // widens them by more than half.
  EXPECT_LT(width(*robust) / width(*base), 1.25);
  EXPECT_GT(width(*fooled) / width(*base), 1.5);
  EXPECT_GT(width(*fooled) / width(*robust), 1.3);
  for (std::size_t h = 0; h < 30; ++h) {
    EXPECT_NEAR(robust->forecast.mean[h], base->forecast.mean[h], 15);
  }
}

TEST(SpikeWeightsTest, FlagsSpikesButNotLevelShiftsOrTheNewestPoints) {
  RegularSeries series = DailySpend(200, 10, 5);
  series.values[50] += 5000;                                         // a spike
  for (std::size_t d = 120; d < 200; ++d) series.values[d] += 3000;  // a lasting shift
  series.values[196] += 5000;  // a spike among the newest points: kept
  const std::vector<double> weights = SpikeWeights(series, 7);
  ASSERT_EQ(weights.size(), 200U);
  EXPECT_EQ(weights[50], 0);
  EXPECT_EQ(weights[196], 1);
  int flagged = 0;
  for (const double w : weights) flagged += w == 0 ? 1 : 0;
  EXPECT_EQ(flagged, 1);
  // The caller's own zero weights stay.
  series.weights.assign(200, 1.0);
  series.weights[10] = 0;
  EXPECT_EQ(SpikeWeights(series, 7)[10], 0);
}

TEST(ForecasterTest, ShortHistoriesStillForecast) {
  const RegularSeries series = DailySpend(16, 5, 2);
  const auto result = ForecastSeries(series, 14);
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(result->forecast.mean.size(), 14U);
  for (const double value : result->forecast.mean) EXPECT_TRUE(std::isfinite(value));
}

TEST(ForecasterTest, RejectsBadRequests) {
  const RegularSeries series = DailySpend(60, 5, 3);
  EXPECT_FALSE(ForecastSeries(series, 0));
  ForecasterOptions bad_levels;
  bad_levels.levels = {80, 100};
  EXPECT_FALSE(ForecastSeries(series, 7, bad_levels));
  ForecasterOptions nothing;
  nothing.use_additive = nothing.use_ets = nothing.use_seasonal_naive = false;
  const auto none = ForecastSeries(series, 7, nothing);
  ASSERT_FALSE(none);
  EXPECT_NE(none.error().message.find("no forecasting model"), std::string::npos);
  RegularSeries tiny = series;
  tiny.values.resize(2);
  EXPECT_FALSE(ForecastSeries(tiny, 7));
}

}  // namespace
}  // namespace costwise::forecast
