// The additive model's parts against hand-computed values: Fourier features, the piecewise trend,
// changepoint placement, holidays and billing events, L-BFGS.
#include <cmath>
#include <numbers>

#include <gtest/gtest.h>

#include "engines/forecast/holidays.h"
#include "engines/forecast/lbfgs.h"
#include "engines/forecast/seasonality.h"
#include "engines/forecast/trend.h"
#include "engines/forecast/uncertainty.h"

namespace costwise::forecast {
namespace {

Date Day(const char* text) { return *Date::Parse(text); }

TEST(FourierFeaturesTest, AreSinesAndCosinesOfTheHarmonics) {
  const std::vector<double> days = {0, 1.75, 3.5, 7};
  const Eigen::MatrixXd features = FourierFeatures(days, 7, 2);
  ASSERT_EQ(features.rows(), 4);
  ASSERT_EQ(features.cols(), 4);
  // Day 0 and day 7: the start of the cycle.
  EXPECT_NEAR(features(0, 0), 0, 1e-12);
  EXPECT_NEAR(features(0, 1), 1, 1e-12);
  EXPECT_NEAR(features(3, 1), 1, 1e-12);
  // A quarter cycle: sin = 1, cos = 0; second harmonic: sin(pi) = 0, cos(pi) = -1.
  EXPECT_NEAR(features(1, 0), 1, 1e-12);
  EXPECT_NEAR(features(1, 1), 0, 1e-12);
  EXPECT_NEAR(features(1, 2), 0, 1e-12);
  EXPECT_NEAR(features(1, 3), -1, 1e-12);
  // Half a cycle: cos = -1, second harmonic back at 1.
  EXPECT_NEAR(features(2, 1), -1, 1e-12);
  EXPECT_NEAR(features(2, 3), 1, 1e-12);
  // Days since 1970 are large: the phase is still exact (20,001.75 = 7 * 2,857 + 2.75).
  const std::vector<double> late = {20'001.75};
  EXPECT_NEAR(FourierFeatures(late, 7, 1)(0, 0), std::sin(2 * std::numbers::pi * 2.75 / 7), 1e-9);
}

TEST(PiecewiseLinearTest, ChangesSlopeAtChangepointsAndStaysContinuous) {
  const std::vector<double> t = {0, 0.25, 0.5, 0.75, 1};
  const std::vector<double> changepoints = {0.5};
  const std::vector<double> deltas = {-2};
  // Slope 1 up to 0.5, then 1 - 2 = -1: 0, 0.25, 0.5, 0.25, 0.
  const Eigen::VectorXd trend = PiecewiseLinear(t, 1, 0, deltas, changepoints);
  const std::vector<double> expected = {0, 0.25, 0.5, 0.25, 0};
  for (std::size_t i = 0; i < t.size(); ++i)
    EXPECT_NEAR(trend(static_cast<Eigen::Index>(i)), expected[i], 1e-12);
  // The design matrix gives the same trend for theta = (k, m, deltas).
  const Eigen::MatrixXd design = TrendDesign(t, changepoints);
  const Eigen::Vector3d theta(1, 0, -2);
  EXPECT_LT((design * theta - trend).norm(), 1e-12);
  EXPECT_DOUBLE_EQ(design(3, 2), 0.25);
  EXPECT_DOUBLE_EQ(design(1, 2), 0);
}

TEST(PlaceChangepointsTest, SpreadsThemOverTheFirstEightyPercentAsProphetDoes) {
  std::vector<double> t(100);
  for (int i = 0; i < 100; ++i) t[static_cast<std::size_t>(i)] = i / 99.0;
  const std::vector<double> changepoints = PlaceChangepoints(t, 25, 0.8);
  ASSERT_EQ(changepoints.size(), 25U);
  // numpy: linspace(0, 79, 26).round()[1:] = 3, 6, 9, 13, 16, ..., 79
  EXPECT_DOUBLE_EQ(changepoints.front(), t[3]);
  EXPECT_DOUBLE_EQ(changepoints[1], t[6]);
  EXPECT_DOUBLE_EQ(changepoints[3], t[13]);
  EXPECT_DOUBLE_EQ(changepoints.back(), t[79]);
  // Few points: at most one per point after the first in the range.
  const std::vector<double> short_t = {0, 0.25, 0.5, 0.75, 1};
  EXPECT_EQ(PlaceChangepoints(short_t, 25, 0.8).size(), 3U);
  EXPECT_TRUE(PlaceChangepoints(short_t, 0, 0.8).empty());
}

TEST(HolidaysTest, KnowsTheUsFederalCalendarAndObservedDays) {
  const auto events = CountryHolidays("US", 2020, 2024);
  ASSERT_TRUE(events);
  const auto dates_of = [&](const std::string& name) {
    for (const Event& event : *events) {
      if (event.name == name) return event.dates;
    }
    return std::vector<Date>{};
  };
  const auto has = [&](const std::string& name, const char* day) {
    const std::vector<Date> dates = dates_of(name);
    return std::find(dates.begin(), dates.end(), Day(day)) != dates.end();
  };
  EXPECT_TRUE(has("Thanksgiving", "2024-11-28"));
  EXPECT_TRUE(has("Thanksgiving", "2020-11-26"));
  EXPECT_TRUE(has("Martin Luther King Jr. Day", "2024-01-15"));
  EXPECT_TRUE(has("Memorial Day", "2024-05-27"));
  EXPECT_TRUE(has("Labor Day", "2023-09-04"));
  EXPECT_TRUE(has("Columbus Day", "2022-10-10"));
  EXPECT_TRUE(has("Washington's Birthday", "2021-02-15"));
  // 4 July 2021 was a Sunday, Christmas 2021 a Saturday.
  EXPECT_TRUE(has("Independence Day (observed)", "2021-07-05"));
  EXPECT_TRUE(has("Christmas Day (observed)", "2021-12-24"));
  // Juneteenth is a federal holiday from 2021.
  EXPECT_EQ(dates_of("Juneteenth National Independence Day").size(), 4U);
  EXPECT_EQ(dates_of("New Year's Day").size(), 5U);
  const auto unknown = CountryHolidays("XX", 2020, 2021);
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().message.find("XX"), std::string::npos);
}

TEST(HolidaysTest, BillingEventsAreMonthStartsAndEnds) {
  const std::vector<Event> events = BillingEvents(Day("2024-01-15"), Day("2024-03-02"));
  ASSERT_EQ(events.size(), 2U);
  EXPECT_EQ(events[0].name, "month start");
  EXPECT_EQ(events[0].dates,
            (std::vector<Date>{Day("2024-01-01"), Day("2024-02-01"), Day("2024-03-01")}));
  EXPECT_EQ(events[1].dates,
            (std::vector<Date>{Day("2024-01-31"), Day("2024-02-29"), Day("2024-03-31")}));
}

TEST(EventFeaturesTest, OneIndicatorPerDayOfTheWindow) {
  Event event;
  event.name = "launch";
  event.dates = {Day("2024-05-10")};
  event.lower_window = -1;
  event.upper_window = 1;
  std::vector<std::int64_t> timestamps;
  for (int day = 8; day <= 12; ++day) {
    timestamps.push_back(
        static_cast<std::int64_t>(Day("2024-05-01").AddDays(day - 1).days()) * 86'400 + 3600);
  }
  const std::vector<Event> events = {event};
  const EventColumns columns = EventFeatures(timestamps, events);
  EXPECT_EQ(columns.names, (std::vector<std::string>{"launch-1", "launch", "launch+1"}));
  Eigen::MatrixXd expected = Eigen::MatrixXd::Zero(5, 3);
  expected(1, 0) = 1;  // the 9th is the day before
  expected(2, 1) = 1;
  expected(3, 2) = 1;
  EXPECT_EQ(columns.features, expected);
}

TEST(LbfgsTest, MinimisesTheRosenbrockFunction) {
  const Objective rosenbrock = [](const Eigen::VectorXd& x, Eigen::VectorXd& gradient) {
    const double a = 1 - x(0);
    const double b = x(1) - x(0) * x(0);
    gradient(0) = -2 * a - 400 * x(0) * b;
    gradient(1) = 200 * b;
    return a * a + 100 * b * b;
  };
  const LbfgsResult result = MinimizeLbfgs(rosenbrock, Eigen::Vector2d(-1.2, 1));
  EXPECT_TRUE(result.converged);
  EXPECT_NEAR(result.x(0), 1, 1e-5);
  EXPECT_NEAR(result.x(1), 1, 1e-5);
  EXPECT_LT(result.iterations, 100);
}

TEST(LbfgsTest, SolvesAQuadraticInFewSteps) {
  Eigen::MatrixXd a(3, 3);
  a << 4, 1, 0, 1, 3, 1, 0, 1, 2;
  const Eigen::Vector3d b(1, 2, 3);
  const Objective quadratic = [&](const Eigen::VectorXd& x, Eigen::VectorXd& gradient) {
    gradient = a * x - b;
    return 0.5 * x.dot(a * x) - b.dot(x);
  };
  const LbfgsResult result = MinimizeLbfgs(quadratic, Eigen::Vector3d::Zero());
  EXPECT_LT((a * result.x - b).norm(), 1e-6);  // the gradient vanishes at the minimum
}

TEST(UncertaintyTest, IntervalsAreThePathsPercentiles) {
  // Paths 0..100 in every column: the 80% interval is the 10th and 90th percentiles.
  Eigen::MatrixXd paths(101, 2);
  for (int i = 0; i <= 100; ++i) paths.row(i) << i, 2 * i;
  const std::vector<double> levels = {80, 95};
  const std::vector<Interval> intervals = PathIntervals(paths, levels);
  ASSERT_EQ(intervals.size(), 2U);
  EXPECT_DOUBLE_EQ(intervals[0].lower[0], 10);
  EXPECT_DOUBLE_EQ(intervals[0].upper[0], 90);
  EXPECT_DOUBLE_EQ(intervals[1].lower[1], 5);
  EXPECT_DOUBLE_EQ(intervals[1].upper[1], 195);
}

TEST(UncertaintyTest, FutureTrendChangesGrowWithTheHorizon) {
  const std::vector<double> t = {1.01, 1.1, 1.5};
  const Eigen::MatrixXd paths = SimulateTrendChanges(t, 25, 0.1, 4000, 7);
  // No change before the history's end; spread grows with distance.
  const auto spread = [&](int h) { return std::sqrt(paths.col(h).array().square().mean()); };
  EXPECT_LT(spread(0), spread(1));
  EXPECT_LT(spread(1), spread(2));
  // Same seed, same paths.
  EXPECT_EQ(paths, SimulateTrendChanges(t, 25, 0.1, 4000, 7));
  // Nothing to simulate inside the history.
  const std::vector<double> inside = {0.5, 1.0};
  EXPECT_EQ(SimulateTrendChanges(inside, 25, 0.1, 10, 7).norm(), 0);
}

}  // namespace
}  // namespace costwise::forecast
