#include "engines/forecast/additive_model.h"

#include <cmath>
#include <fstream>
#include <numbers>
#include <random>
#include <sstream>

#include <gtest/gtest.h>

#include "core/date.h"

namespace costwise::forecast {
namespace {

constexpr std::int64_t kDay = 86'400;
const std::int64_t kStart =
    static_cast<std::int64_t>(Date::Parse("2023-01-02")->days()) * kDay;  // a Monday

// Daily: 100 + slope * day + a weekly shape + Normal(0, noise).
RegularSeries WeeklyDaily(int days, double slope, double noise, std::uint32_t seed) {
  std::mt19937 random(seed);
  std::normal_distribution<double> error(0.0, noise);
  RegularSeries series;
  series.start = kStart;
  series.frequency.seconds = kDay;
  for (int d = 0; d < days; ++d) {
    const double weekly = 10 * std::sin(2 * std::numbers::pi * d / 7.0);
    series.values.push_back(100 + slope * d + weekly + error(random));
  }
  return series;
}

double Truth(int day, double slope) {
  return 100 + slope * day + 10 * std::sin(2 * std::numbers::pi * day / 7.0);
}

const std::vector<double> kLevels = {80, 95};

TEST(AdditiveModelTest, RecoversTrendAndWeeklySeasonality) {
  const RegularSeries series = WeeklyDaily(365, 0.5, 1.0, 3);
  const auto model = AdditiveModel::Fit(series);
  ASSERT_TRUE(model) << model.error().message;
  ASSERT_EQ(model->seasonalities().size(), 1U);  // weekly only: under two years of history
  EXPECT_EQ(model->seasonalities()[0].name, "weekly");
  EXPECT_NEAR(model->RatePerDay(), 0.5, 0.05);
  EXPECT_NEAR(model->sigma(), 1.0, 0.15);
  const ForecastResult forecast = model->Forecast(30, kLevels);
  ASSERT_EQ(forecast.mean.size(), 30U);
  for (int h = 0; h < 30; ++h) {
    EXPECT_NEAR(forecast.mean[static_cast<std::size_t>(h)], Truth(365 + h, 0.5), 1.5)
        << "step " << h;
    EXPECT_LT(forecast.intervals[0].lower[static_cast<std::size_t>(h)],
              forecast.mean[static_cast<std::size_t>(h)]);
    EXPECT_GT(forecast.intervals[1].upper[static_cast<std::size_t>(h)],
              forecast.intervals[0].upper[static_cast<std::size_t>(h)]);
  }
}

TEST(AdditiveModelTest, PutsTheLargestRateChangeWhereTheTrendBreaks) {
  // Up 1 a day for 200 days, then down 1 a day.
  RegularSeries series;
  series.start = kStart;
  series.frequency.seconds = kDay;
  std::mt19937 random(5);
  std::normal_distribution<double> error(0.0, 1.0);
  for (int d = 0; d < 300; ++d) series.values.push_back((d < 200 ? d : 400 - d) + error(random));
  AdditiveModelOptions options;
  options.weekly = false;
  const auto model = AdditiveModel::Fit(series, options);
  ASSERT_TRUE(model);
  const std::vector<double> deltas = model->ChangepointDeltasPerDay();
  std::size_t largest = 0;
  for (std::size_t j = 1; j < deltas.size(); ++j) {
    if (std::abs(deltas[j]) > std::abs(deltas[largest])) largest = j;
  }
  const double day = model->changepoints()[largest] * 299;
  EXPECT_NEAR(day, 200, 12);
  double total = 0;
  for (const double delta : deltas) total += delta;
  EXPECT_NEAR(model->RatePerDay() + total, -1, 0.1);  // the final slope
}

TEST(AdditiveModelTest, IntervalsCoverAsPromisedOnSimulatedData) {
  // Many short forecasts of simulated series: the empirical coverage of each level.
  int inside80 = 0;
  int inside95 = 0;
  int total = 0;
  std::mt19937 random(11);
  std::normal_distribution<double> error(0.0, 2.0);
  for (std::uint32_t seed = 0; seed < 60; ++seed) {
    RegularSeries series = WeeklyDaily(200, 0.2, 2.0, 100 + seed);
    AdditiveModelOptions options;
    options.seed = seed + 1;
    const auto model = AdditiveModel::Fit(series, options);
    ASSERT_TRUE(model);
    const ForecastResult forecast = model->Forecast(14, kLevels);
    for (int h = 0; h < 14; ++h) {
      const auto i = static_cast<std::size_t>(h);
      const double actual = Truth(200 + h, 0.2) + error(random);
      inside80 +=
          actual >= forecast.intervals[0].lower[i] && actual <= forecast.intervals[0].upper[i];
      inside95 +=
          actual >= forecast.intervals[1].lower[i] && actual <= forecast.intervals[1].upper[i];
      ++total;
    }
  }
  // The MAP fit's intervals leave out the coefficients' own uncertainty, as Prophet's do, so they
  // run slightly narrow (about 91% for 95% here); the forecaster calibrates them on backtests.
  EXPECT_NEAR(100.0 * inside80 / total, 80, 5);
  EXPECT_NEAR(100.0 * inside95 / total, 95, 5);
}

TEST(AdditiveModelTest, NormalIntervalsHaveTheSimulatedPathsVariance) {
  // A trend that bends often, so future trend changes matter, forecast far ahead.
  RegularSeries series = WeeklyDaily(300, 0.0, 1.0, 9);
  for (int d = 0; d < 300; ++d) {
    series.values[static_cast<std::size_t>(d)] += 20 * std::sin(d / 25.0);
  }
  AdditiveModelOptions options;
  options.uncertainty_samples = 20'000;
  const auto model = AdditiveModel::Fit(series, options);
  ASSERT_TRUE(model);
  const std::vector<double> level = {68.27};  // one standard deviation either side
  const ForecastResult simulated = model->Forecast(120, level);
  const ForecastResult normal = model->Forecast(120, level, AdditiveModel::Intervals::kNormal);
  EXPECT_EQ(simulated.mean, normal.mean);
  for (std::size_t h : {0U, 30U, 119U}) {
    const double a = simulated.intervals[0].upper[h] - simulated.intervals[0].lower[h];
    const double b = normal.intervals[0].upper[h] - normal.intervals[0].lower[h];
    // Near: the noise dominates, both are 2 sigma wide. Far: the compound Poisson trend changes
    // are heavy-tailed, so the central 68% of the paths is narrower than two standard deviations.
    if (h == 0) {
      EXPECT_NEAR(b / a, 1.0, 0.05) << "step " << h;
    }
    EXPECT_GE(b / a, 0.95) << "step " << h;
    EXPECT_LE(b / a, 1.6) << "step " << h;
  }
  // The width grows with the horizon as the trend's variance does.
  EXPECT_GT(normal.intervals[0].upper[119] - normal.intervals[0].lower[119],
            1.2 * (normal.intervals[0].upper[0] - normal.intervals[0].lower[0]));
}

TEST(AdditiveModelTest, GapsAreMissingPointsAndZeroWeightsAreIgnored) {
  RegularSeries series = WeeklyDaily(120, 0.0, 1.0, 21);
  RegularSeries with_gaps = series;
  for (int d = 40; d < 50; ++d) with_gaps.values[static_cast<std::size_t>(d)] = std::nan("");
  const auto gapped = AdditiveModel::Fit(with_gaps);
  ASSERT_TRUE(gapped);
  EXPECT_NEAR(gapped->Forecast(7, {}).mean[0], Truth(120, 0), 1.5);

  // A spike of 500 on one day: with weight 0 it neither moves the forecast nor widens the band.
  RegularSeries spiked = series;
  spiked.values[100] += 500;
  RegularSeries ignored = spiked;
  ignored.weights.assign(spiked.size(), 1.0);
  ignored.weights[100] = 0;
  RegularSeries without = series;
  without.values[100] = std::nan("");
  const ForecastResult a = AdditiveModel::Fit(ignored)->Forecast(7, kLevels);
  const ForecastResult b = AdditiveModel::Fit(without)->Forecast(7, kLevels);
  const ForecastResult c = AdditiveModel::Fit(spiked)->Forecast(7, kLevels);
  for (std::size_t h = 0; h < 7; ++h) {
    EXPECT_NEAR(a.mean[h], b.mean[h], 1e-6);
    EXPECT_NEAR(a.intervals[1].upper[h], b.intervals[1].upper[h], 1e-6);
  }
  const double width_ignored = a.intervals[1].upper[0] - a.intervals[1].lower[0];
  const double width_spiked = c.intervals[1].upper[0] - c.intervals[1].lower[0];
  EXPECT_GT(width_spiked, 3 * width_ignored);
}

TEST(AdditiveModelTest, LearnsAHolidayAndForecastsItNextYear) {
  RegularSeries series = WeeklyDaily(800, 0.0, 1.0, 8);
  const auto holidays = CountryHolidays("US", 2023, 2025);
  std::vector<std::int32_t> thanksgiving;
  for (const Event& event : *holidays) {
    if (event.name == "Thanksgiving") {
      for (const Date date : event.dates) thanksgiving.push_back(date.days());
    }
  }
  for (std::size_t d = 0; d < series.size(); ++d) {
    const auto day = static_cast<std::int32_t>(series.TimeAt(static_cast<std::int64_t>(d)) / kDay);
    if (std::find(thanksgiving.begin(), thanksgiving.end(), day) != thanksgiving.end()) {
      series.values[d] += 50;
    }
  }
  AdditiveModelOptions options;
  options.country_holidays = "US";
  const auto model = AdditiveModel::Fit(series, options);
  ASSERT_TRUE(model) << model.error().message;
  // History: 2023-01-02 to 2025-03-11; Thanksgiving 2025 is 27 November.
  const std::int64_t next = static_cast<std::int64_t>(Date::Parse("2025-11-27")->days()) * kDay;
  const std::vector<std::int64_t> days = {next - kDay, next};
  const Eigen::VectorXd predicted = model->Predict(days);
  EXPECT_NEAR(predicted(1) - predicted(0) -
                  (Truth(static_cast<int>((next - kStart) / kDay), 0) -
                   Truth(static_cast<int>((next - kDay - kStart) / kDay), 0)),
              50, 8);
}

TEST(AdditiveModelTest, BillingEventsCatchTheFirstOfTheMonth) {
  RegularSeries series = WeeklyDaily(400, 0.0, 1.0, 12);
  for (std::size_t d = 0; d < series.size(); ++d) {
    const CivilDate date = DateOfTimestamp(series.TimeAt(static_cast<std::int64_t>(d))).ToCivil();
    if (date.day == 1) series.values[d] += 300;  // monthly fees
  }
  AdditiveModelOptions with;
  with.billing_events = true;
  const auto billing = AdditiveModel::Fit(series, with);
  const auto plain = AdditiveModel::Fit(series);
  ASSERT_TRUE(billing && plain);
  // Day 400 is 2024-02-06; the next first of the month, 2024-03-01, is day 424.
  const ForecastResult f = billing->Forecast(30, {});
  const ForecastResult g = plain->Forecast(30, {});
  EXPECT_NEAR(f.mean[24] - Truth(424, 0), 300, 15);
  EXPECT_NEAR(f.mean[10], Truth(410, 0), 3);
  EXPECT_LT(g.mean[24] - Truth(424, 0), 100);
}

TEST(AdditiveModelTest, HandlesMonthlyDataAndCapsFourierOrders) {
  RegularSeries series;
  series.start = static_cast<std::int64_t>(Date::Parse("2015-01-01")->days()) * kDay;
  series.frequency.months = 1;
  for (int m = 0; m < 60; ++m) {
    series.values.push_back(200 + 2 * m + 30 * std::cos(2 * std::numbers::pi * m / 12.0));
  }
  const auto model = AdditiveModel::Fit(series);
  ASSERT_TRUE(model);
  ASSERT_EQ(model->seasonalities().size(), 1U);
  EXPECT_EQ(model->seasonalities()[0].name, "yearly");
  EXPECT_LE(model->seasonalities()[0].order, 6);
  const ForecastResult forecast = model->Forecast(12, {});
  for (int m = 0; m < 12; ++m) {
    EXPECT_NEAR(forecast.mean[static_cast<std::size_t>(m)],
                200 + 2 * (60 + m) + 30 * std::cos(2 * std::numbers::pi * m / 12.0), 8)
        << "month " << m;
  }
}

TEST(AdditiveModelTest, MultiplicativeSeasonalityScalesWithTheTrend) {
  RegularSeries series;
  series.start = kStart;
  series.frequency.seconds = kDay;
  for (int d = 0; d < 300; ++d) {
    const double trend = 100 + d;
    series.values.push_back(trend * (1 + 0.2 * std::sin(2 * std::numbers::pi * d / 7.0)));
  }
  AdditiveModelOptions options;
  options.seasonality_mode = SeasonalityMode::kMultiplicative;
  const auto model = AdditiveModel::Fit(series, options);
  ASSERT_TRUE(model);
  const ForecastResult forecast = model->Forecast(14, kLevels);
  for (int h = 0; h < 14; ++h) {
    const double trend = 100 + 300 + h;
    EXPECT_NEAR(forecast.mean[static_cast<std::size_t>(h)],
                trend * (1 + 0.2 * std::sin(2 * std::numbers::pi * (300 + h) / 7.0)), 6);
  }
}

TEST(AdditiveModelTest, SaveAndLoadGiveTheSameForecast) {
  AdditiveModelOptions options;
  options.country_holidays = "US";
  options.billing_events = true;
  const auto model = AdditiveModel::Fit(WeeklyDaily(500, 0.1, 1.0, 4), options);
  ASSERT_TRUE(model);
  std::stringstream stream;
  model->Save(stream);
  const auto loaded = AdditiveModel::Load(stream);
  ASSERT_TRUE(loaded) << loaded.error().message;
  const ForecastResult a = model->Forecast(90, kLevels);
  const ForecastResult b = loaded->Forecast(90, kLevels);
  EXPECT_EQ(a.mean, b.mean);
  EXPECT_EQ(a.intervals[1].lower, b.intervals[1].lower);

  std::stringstream garbage("costwise-isolation-forest 2\n1 2 3");
  EXPECT_FALSE(AdditiveModel::Load(garbage));
  std::string text = stream.str();
  std::stringstream truncated(text.substr(0, text.size() / 2));
  EXPECT_FALSE(AdditiveModel::Load(truncated));
  std::stringstream future_version("costwise-additive-model 99\n");
  const auto refused = AdditiveModel::Load(future_version);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("format 99"), std::string::npos);
}

TEST(AdditiveModelTest, RejectsTooLittleDataAndBadOptions) {
  RegularSeries one;
  one.start = kStart;
  one.frequency.seconds = kDay;
  one.values = {5, std::nan("")};
  EXPECT_FALSE(AdditiveModel::Fit(one));
  AdditiveModelOptions bad;
  bad.changepoint_prior_scale = 0;
  EXPECT_FALSE(AdditiveModel::Fit(WeeklyDaily(30, 0, 1, 1), bad));
  AdditiveModelOptions country;
  country.country_holidays = "Atlantis";
  EXPECT_FALSE(AdditiveModel::Fit(WeeklyDaily(30, 0, 1, 1), country));
}

// R's prophet 1.0 (Debian r-cran-prophet, defaults) on example_wp_log_peyton_manning.csv without
// its last 30 days: the first five forecasts are 8.070943, 7.897143, 7.907775, 7.927324,
// 7.702393 and sigma_obs * y.scale = 0.484492 (bench/forecast has the script).
TEST(AdditiveModelTest, AgreesWithProphetOnPeytonManning) {
  std::ifstream in(std::string(COSTWISE_SHARED_DATA_DIR) +
                   "/prophet-examples/example_wp_log_peyton_manning.csv");
  if (!in) GTEST_SKIP() << "shared data not found";
  std::string line;
  std::getline(in, line);
  std::vector<std::int64_t> times;
  std::vector<double> values;
  while (std::getline(in, line)) {
    const auto comma = line.find(',');
    std::string ds = line.substr(0, comma);
    if (ds.front() == '"') ds = ds.substr(1, ds.size() - 2);
    times.push_back(*ParseTimestamp(ds));
    values.push_back(std::stod(line.substr(comma + 1)));
  }
  times.resize(times.size() - 30);
  values.resize(values.size() - 30);
  const auto series = Regularize(times, values, *DetectFrequency(times));
  ASSERT_TRUE(series);
  const auto model = AdditiveModel::Fit(*series);
  ASSERT_TRUE(model);
  const ForecastResult forecast = model->Forecast(5, {});
  const std::vector<double> prophet = {8.070943, 7.897143, 7.907775, 7.927324, 7.702393};
  for (std::size_t h = 0; h < 5; ++h) EXPECT_NEAR(forecast.mean[h], prophet[h], 0.01);
  EXPECT_NEAR(model->sigma(), 0.484492, 0.002);
}

}  // namespace
}  // namespace costwise::forecast
