// The cost-forecast use case over a real (SQLite) repository: series from the cube, top values
// and Other, reconciliation (the groups add up to the total every day), projections of the
// month and the quarter, storage with the model version, and the errors a user can act on. The
// test cubes are a few services with known daily spend, so the expectations are exact where the
// use case's arithmetic is, and generous where a model's forecast is.
#include "service/cost_forecast.h"

#include <cmath>
#include <cstdint>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "test_files.h"

namespace costwise::service {
namespace {

using ::testing::HasSubstr;

constexpr std::int64_t kUnit = Money::kNanosPerUnit;
const Date kFirstDay = *Date::Parse("2024-01-01");  // a Monday
constexpr std::int64_t kSecondsPerDay = 86'400;

// One service's daily spend: weekday and weekend amounts, from `first` to `last` day index.
struct ServiceSpend {
  std::string service;
  std::int64_t weekday = 0;  // nanos
  std::int64_t weekend = 0;
  int first = 0;
  int last = 1'000'000;
  std::string currency = "USD";
  Tags tags = {};
};

CubeRow RowOf(const ServiceSpend& spend, Date date, std::int64_t billed) {
  CubeRow row;
  row.date = date;
  row.billing_period = date.FirstOfMonth();
  row.provider = "AWS";
  row.billing_account_id = spend.currency == "USD" ? "payer-1" : "payer-eu";
  row.sub_account_id = "acct-a";
  row.service = spend.service;
  row.region = "us-east-1";
  row.usage_type = "Usage";
  row.charge_category = "Usage";
  row.resource_id = "r-" + spend.service;
  row.currency = spend.currency;
  row.tags = spend.tags;
  row.billed_cost = Money::FromNanos(billed);
  row.effective_cost = row.billed_cost;
  row.line_items = 1;
  return row;
}

// Days [0, days) from kFirstDay; each amount times a noise factor in [1 - noise, 1 + noise].
std::vector<CubeRow> Cube(const std::vector<ServiceSpend>& services, int days,
                          double noise = 0.02) {
  std::mt19937_64 random(5);
  std::uniform_real_distribution<double> factor(1 - noise, 1 + noise);
  std::vector<CubeRow> rows;
  for (int day = 0; day < days; ++day) {
    const Date date = kFirstDay.AddDays(day);
    const bool weekend = day % 7 >= 5;
    for (const ServiceSpend& spend : services) {
      if (day < spend.first || day > spend.last) continue;
      const double amount = static_cast<double>(weekend ? spend.weekend : spend.weekday);
      rows.push_back(RowOf(spend, date, std::llround(amount * factor(random))));
    }
  }
  return rows;
}

// Noon UTC of a day.
std::int64_t NoonOf(Date day) {
  return static_cast<std::int64_t>(day.days()) * kSecondsPerDay + kSecondsPerDay / 2;
}

std::int64_t SpendOn(const std::vector<CubeRow>& rows, Date from, Date to,
                     std::string_view currency = "USD") {
  std::int64_t sum = 0;
  for (const CubeRow& row : rows) {
    if (row.date >= from && row.date <= to && row.currency == currency) {
      sum += row.billed_cost.nanos();
    }
  }
  return sum;
}

class CostForecastTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = store::OpenRepository("sqlite:" + (dir_.path() / "db.sqlite").string());
    ASSERT_TRUE(opened) << opened.error().message;
    repository_ = std::move(*opened);
    options_.threads = 2;
  }

  void Ingest(const std::vector<CubeRow>& rows, std::string_view tenant = "acme") {
    auto found = repository_->EnsureTenant(tenant);
    ASSERT_TRUE(found) << found.error().message;
    store::IngestBatch batch;
    std::set<store::BillingScope> scopes;
    for (const CubeRow& row : rows) {
      scopes.insert({row.provider, row.billing_account_id, row.billing_period});
    }
    batch.scopes.assign(scopes.begin(), scopes.end());
    batch.rows = rows;
    const auto replaced = repository_->ReplaceBillingScopes(found->id, batch);
    ASSERT_TRUE(replaced) << replaced.error().message;
  }

  CostForecastReport Forecast(std::string_view tenant = "acme") {
    auto report = ForecastCosts(*repository_, tenant, options_);
    EXPECT_TRUE(report) << report.error().message;
    return report.value_or(CostForecastReport{});
  }

  Error ForecastError(std::string_view tenant = "acme") {
    auto report = ForecastCosts(*repository_, tenant, options_);
    EXPECT_FALSE(report);
    return report ? Error{} : report.error();
  }

  testing::TempDir dir_;
  std::unique_ptr<store::Repository> repository_;
  CostForecastOptions options_;
};

// Seven services, two of them tiny, and a third that was large long ago only.
std::vector<ServiceSpend> Fleet() {
  return {
      {"Amazon EC2", 100 * kUnit, 40 * kUnit},
      {"Amazon S3", 30 * kUnit, 30 * kUnit},
      {"Amazon RDS", 20 * kUnit, 20 * kUnit},
      {"AWS Lambda", 3 * kUnit, 1 * kUnit},
      {"Amazon SQS", kUnit / 2, kUnit / 2},
      {"Amazon Redshift", 500 * kUnit, 500 * kUnit, 0, 20},  // switched off after three weeks
      {"Amazon CloudWatch", 2 * kUnit, 2 * kUnit},
  };
}

TEST_F(CostForecastTest, GroupsAddUpToTheTotalOnEveryDay) {
  const std::vector<CubeRow> rows = Cube(Fleet(), 120);
  Ingest(rows);
  options_.group_by = "service";
  options_.top_n = 3;
  const CostForecastReport report = Forecast();
  const CostForecastRun& run = report.run;
  EXPECT_EQ(run.group_by, "service");
  EXPECT_EQ(run.horizon, 30);
  EXPECT_EQ(run.as_of, kFirstDay.AddDays(119));
  ASSERT_EQ(run.series.size(), 5U);  // total, three services, Other
  ASSERT_EQ(report.outlook.size(), run.series.size());
  EXPECT_EQ(run.series[0].kind, ForecastSeriesKind::kTotal);
  // The top three by recent spend: Redshift's old spend does not count.
  EXPECT_EQ(run.series[1].group_value, "Amazon EC2");
  EXPECT_EQ(run.series[2].group_value, "Amazon S3");
  EXPECT_EQ(run.series[3].group_value, "Amazon RDS");
  EXPECT_EQ(run.series[4].kind, ForecastSeriesKind::kOther);
  EXPECT_EQ(run.series[4].other_values, 4);
  EXPECT_EQ(ForecastSeriesLabel(run.group_by, run.series[4]), "service=(other)");
  // Other's history is the rest of the spend: the series partition the total.
  Money groups_history;
  for (std::size_t s = 1; s < run.series.size(); ++s) {
    groups_history += report.outlook[s].history_spend;
  }
  EXPECT_EQ(groups_history, report.outlook[0].history_spend);
  EXPECT_EQ(report.outlook[0].history_spend.nanos(),
            SpendOn(rows, kFirstDay, kFirstDay.AddDays(119)));

  for (std::size_t h = 0; h < 30; ++h) {
    const CostForecastPoint& total = run.series[0].points.at(h);
    EXPECT_EQ(total.day, run.as_of.AddDays(static_cast<std::int32_t>(h) + 1));
    double groups = 0;
    for (std::size_t s = 1; s < run.series.size(); ++s) {
      const CostForecastPoint& point = run.series[s].points.at(h);
      EXPECT_EQ(point.day, total.day);
      groups += static_cast<double>(point.mean.nanos()) / kUnit;
      EXPECT_LE(point.lower95, point.lower80);
      EXPECT_LE(point.lower80, point.mean);
      EXPECT_LE(point.mean, point.upper80);
      EXPECT_LE(point.upper80, point.upper95);
      EXPECT_GE(point.lower95.nanos(), 0) << "spend that was never negative stays so";
    }
    EXPECT_NEAR(groups, static_cast<double>(total.mean.nanos()) / kUnit, 1e-6) << "day " << h;
    EXPECT_LE(total.lower80, total.mean);
    EXPECT_GE(total.upper80, total.mean);
  }
  for (const CostForecast& series : run.series) {
    EXPECT_GT(series.backtest.points, 0);
    EXPECT_TRUE(series.backtest.mase.has_value());
    EXPECT_TRUE(series.backtest.coverage80.has_value());
    EXPECT_FALSE(series.model.empty());
  }
  // Next 30 days of the total: about 30 days of the fleet's current spend.
  ASSERT_EQ(report.outlook[0].next_days.size(), 1U);
  const SpendProjection& next = report.outlook[0].next_days[0];
  EXPECT_EQ(next.from, run.as_of.AddDays(1));
  EXPECT_EQ(next.to, run.as_of.AddDays(30));
  EXPECT_EQ(next.actual, Money());
  const double week = 5 * 155.5 + 2 * 93.5;
  EXPECT_NEAR(static_cast<double>(next.expected.nanos()) / kUnit, week * 30 / 7,
              week * 30 / 7 * 0.1);
  EXPECT_LE(next.lower95, next.lower80);
  EXPECT_LE(next.lower80, next.expected);
  EXPECT_LE(next.expected, next.upper80);
  EXPECT_LE(next.upper80, next.upper95);
}

TEST_F(CostForecastTest, ForecastsAPlantedWeeklyPattern) {
  Ingest(Cube({{"Amazon EC2", 1000 * kUnit, 400 * kUnit}}, 112, 0.01));
  options_.horizon = 60;
  const CostForecastReport report = Forecast();
  ASSERT_EQ(report.run.series.size(), 1U);
  const CostForecast& total = report.run.series[0];
  ASSERT_EQ(total.points.size(), 60U);
  EXPECT_EQ(total.adjustment, Money());  // nothing to reconcile
  for (const CostForecastPoint& point : total.points) {
    const bool weekend = (point.day.days() - kFirstDay.days()) % 7 >= 5;
    const double expected = weekend ? 400 : 1000;
    EXPECT_NEAR(static_cast<double>(point.mean.nanos()) / kUnit, expected, expected * 0.08)
        << point.day.ToString();
    EXPECT_LE(point.lower95.nanos(), point.mean.nanos());
    EXPECT_GE(point.upper95.nanos(), point.mean.nanos());
  }
  EXPECT_LT(total.backtest.mape.value_or(100), 5);
  ASSERT_EQ(report.outlook[0].next_days.size(), 2U);  // 30 and 60 days
  EXPECT_EQ(report.outlook[0].next_days[1].to, report.run.as_of.AddDays(60));
}

TEST_F(CostForecastTest, ProjectsTheMonthAndQuarterFromActualsAndTheForecast) {
  // Data to 2024-05-14; the projections are made on the 15th.
  const std::vector<CubeRow> rows = Cube(Fleet(), 135);
  const Date as_of = kFirstDay.AddDays(134);
  ASSERT_EQ(as_of.ToString(), "2024-05-14");
  Ingest(rows);
  options_.group_by = "service";
  options_.top_n = 2;
  options_.now = NoonOf(as_of.AddDays(1));
  options_.horizon = 30;
  const CostForecastReport thirty = Forecast();
  ASSERT_FALSE(thirty.run.series.empty());
  for (std::size_t s = 0; s < thirty.run.series.size(); ++s) {
    SCOPED_TRACE(ForecastSeriesLabel("service", thirty.run.series[s]));
    const SeriesOutlook& outlook = thirty.outlook[s];
    ASSERT_TRUE(outlook.end_of_month.has_value());
    const SpendProjection& month = *outlook.end_of_month;
    EXPECT_EQ(month.from.ToString(), "2024-05-01");
    EXPECT_EQ(month.to.ToString(), "2024-05-31");
    Money remaining;
    Money lower80;
    Money upper95;
    for (const CostForecastPoint& point : thirty.run.series[s].points) {
      if (point.day > month.to) continue;
      remaining += point.mean;
      lower80 += point.lower80;
      upper95 += point.upper95;
    }
    EXPECT_EQ(month.expected, month.actual + remaining);
    EXPECT_EQ(month.lower80, month.actual + lower80);
    EXPECT_EQ(month.upper95, month.actual + upper95);
    // Q2 ends on 2024-06-30, beyond 30 days.
    EXPECT_FALSE(outlook.end_of_quarter.has_value());
  }
  // The total's month-to-date is the cube's spend from the 1st to the 14th.
  EXPECT_EQ(thirty.outlook[0].end_of_month->actual.nanos(),
            SpendOn(rows, *Date::Parse("2024-05-01"), as_of));

  options_.horizon = 60;
  const CostForecastReport sixty = Forecast();
  const std::optional<SpendProjection>& quarter = sixty.outlook[0].end_of_quarter;
  ASSERT_TRUE(quarter.has_value());
  EXPECT_EQ(quarter->from.ToString(), "2024-04-01");
  EXPECT_EQ(quarter->to.ToString(), "2024-06-30");
  EXPECT_EQ(quarter->actual.nanos(), SpendOn(rows, *Date::Parse("2024-04-01"), as_of));
  Money remaining;
  for (const CostForecastPoint& point : sixty.run.series[0].points) {
    if (point.day <= quarter->to) remaining += point.mean;
  }
  EXPECT_EQ(quarter->expected, quarter->actual + remaining);
  EXPECT_GT(quarter->upper95, quarter->expected);
  EXPECT_LT(quarter->lower95, quarter->expected);
}

TEST_F(CostForecastTest, StoresTheRunWithTheModelVersionAndReplacesTheLastOne) {
  Ingest(Cube(Fleet(), 60));
  options_.group_by = "service";
  options_.top_n = 2;
  options_.now = 1'720'000'000;
  const CostForecastReport first = Forecast();
  const auto tenant = repository_->FindTenant("acme");
  ASSERT_TRUE(tenant);
  const auto stored = repository_->LatestForecastRun(tenant->id, "service", 30);
  ASSERT_TRUE(stored) << stored.error().message;
  ASSERT_TRUE(stored->has_value());
  EXPECT_EQ((*stored)->model_version, "forecaster/1");
  EXPECT_EQ((*stored)->model_id, first.run.model_id);
  EXPECT_EQ((*stored)->created_at, 1'720'000'000);
  ASSERT_EQ((*stored)->series.size(), first.run.series.size());
  for (std::size_t s = 0; s < first.run.series.size(); ++s) {
    EXPECT_EQ((*stored)->series[s].id, first.run.series[s].id);
    EXPECT_EQ((*stored)->series[s].points, first.run.series[s].points);
    EXPECT_EQ((*stored)->series[s].model, first.run.series[s].model);
    EXPECT_EQ((*stored)->series[s].adjustment, first.run.series[s].adjustment);
    EXPECT_EQ((*stored)->series[s].backtest.points, first.run.series[s].backtest.points);
  }
  options_.now += 3600;
  const CostForecastReport second = Forecast();
  const auto replaced = repository_->LatestForecastRun(tenant->id, "service", 30);
  ASSERT_TRUE(replaced && replaced->has_value());
  EXPECT_EQ((*replaced)->created_at, 1'720'003'600);
  EXPECT_EQ((*replaced)->series.front().id, second.run.series.front().id);
  EXPECT_EQ((*replaced)->series.size(), second.run.series.size());
  EXPECT_EQ(second.run.model_id, first.run.model_id);  // the same configuration
}

TEST_F(CostForecastTest, ForecastsEachCurrencyOnItsOwn) {
  std::vector<ServiceSpend> fleet = {{"Amazon EC2", 100 * kUnit, 50 * kUnit},
                                     {"Amazon S3", 10 * kUnit, 10 * kUnit},
                                     {"Amazon EC2", 20 * kUnit, 20 * kUnit, 0, 1'000'000, "EUR"}};
  Ingest(Cube(fleet, 42));
  options_.group_by = "service";
  const CostForecastReport report = Forecast();
  std::vector<std::string> labels;
  for (const CostForecast& series : report.run.series) {
    labels.push_back(series.currency + " " + ForecastSeriesLabel("service", series));
  }
  EXPECT_EQ(labels, (std::vector<std::string>{"USD total", "USD service=Amazon EC2",
                                              "USD service=Amazon S3", "EUR total",
                                              "EUR service=Amazon EC2"}));
  for (std::size_t h = 0; h < 30; ++h) {
    EXPECT_EQ(report.run.series[0].points[h].mean,
              report.run.series[1].points[h].mean + report.run.series[2].points[h].mean);
    EXPECT_EQ(report.run.series[3].points[h].mean, report.run.series[4].points[h].mean);
  }
}

TEST_F(CostForecastTest, GroupsByATagWithTheUntaggedSpendAsAValue) {
  std::vector<ServiceSpend> fleet = {
      {"Amazon EC2", 100 * kUnit, 50 * kUnit, 0, 1'000'000, "USD", {{"team", "web"}}},
      {"Amazon RDS", 40 * kUnit, 40 * kUnit, 0, 1'000'000, "USD", {{"team", "data"}}},
      {"Amazon S3", 10 * kUnit, 10 * kUnit}};
  Ingest(Cube(fleet, 35));
  options_.group_by = "tag:team";
  const CostForecastReport report = Forecast();
  EXPECT_EQ(report.run.group_by, "tag:team");
  std::vector<std::string> labels;
  for (const CostForecast& series : report.run.series) {
    labels.push_back(ForecastSeriesLabel(report.run.group_by, series));
  }
  EXPECT_EQ(labels,
            (std::vector<std::string>{"total", "tag:team=web", "tag:team=data", "tag:team="}));
  for (std::size_t h = 0; h < 30; ++h) {
    Money groups;
    for (std::size_t s = 1; s < report.run.series.size(); ++s) {
      groups += report.run.series[s].points[h].mean;
    }
    EXPECT_EQ(groups, report.run.series[0].points[h].mean);
  }
}

TEST_F(CostForecastTest, ExplainsWhatCannotBeForecast) {
  EXPECT_EQ(ForecastError("nobody").code, ErrorCode::kNotFound);
  ASSERT_TRUE(repository_->EnsureTenant("empty"));
  const Error empty = ForecastError("empty");
  EXPECT_EQ(empty.code, ErrorCode::kNotFound);
  EXPECT_THAT(empty.message, HasSubstr("tenant 'empty' has no cost data"));

  Ingest(Cube(Fleet(), 10));
  const Error short_history = ForecastError();
  EXPECT_EQ(short_history.code, ErrorCode::kInvalidInput);
  EXPECT_THAT(short_history.message,
              HasSubstr("tenant 'acme' has 10 days of cost data (2024-01-01 .. 2024-01-10); a "
                        "cost forecast needs at least 14"));

  Ingest(Cube(Fleet(), 30));
  options_.horizon = 45;
  EXPECT_THAT(ForecastError().message, HasSubstr("must be 30, 60 or 90 days, not 45"));
  options_.horizon = 30;
  for (const std::string bad : {"resource", "tag:", "colour"}) {
    options_.group_by = bad;
    const Error error = ForecastError();
    EXPECT_EQ(error.code, ErrorCode::kInvalidInput) << bad;
    EXPECT_THAT(error.message, HasSubstr("service, account, region, usage-type or tag:KEY")) << bad;
  }
  options_.group_by = "service";
  options_.top_n = 0;
  EXPECT_EQ(ForecastError().code, ErrorCode::kInvalidInput);
}

TEST(ReconcileDayTest, SpreadsTheGapByVariance) {
  const ReconcileInput total{100, 90, 110, 80, 120, 1, true};
  const std::vector<ReconcileInput> groups = {{50, 45, 55, 40, 60, 1, true},
                                              {30, 20, 40, 10, 50, 2, true}};
  // lambda = (100 - 80) / (1 + 1 + 2) = 5
  const std::vector<ReconcileInput> reconciled = ReconcileDay(total, groups);
  ASSERT_EQ(reconciled.size(), 3U);
  EXPECT_DOUBLE_EQ(reconciled[0].mean, 95);
  EXPECT_DOUBLE_EQ(reconciled[1].mean, 55);
  EXPECT_DOUBLE_EQ(reconciled[2].mean, 40);
  // Intervals move with their means, widths unchanged.
  EXPECT_DOUBLE_EQ(reconciled[0].lower80, 85);
  EXPECT_DOUBLE_EQ(reconciled[0].upper95, 115);
  EXPECT_DOUBLE_EQ(reconciled[2].lower95, 20);
  EXPECT_DOUBLE_EQ(reconciled[2].upper80, 50);
}

TEST(ReconcileDayTest, HoldsNeverNegativeGroupsAtZero) {
  const ReconcileInput total{10, 5, 15, 0, 20, 1, true};
  const std::vector<ReconcileInput> groups = {{30, 25, 35, 20, 40, 1, true},
                                              {5, 4, 6, 3, 7, 100, true}};
  const std::vector<ReconcileInput> reconciled = ReconcileDay(total, groups);
  // The second group would go to 5 - 24.5; held at 0, lambda = (10 - 30) / 2 = -10.
  EXPECT_DOUBLE_EQ(reconciled[2].mean, 0);
  EXPECT_DOUBLE_EQ(reconciled[2].lower95, 0);
  EXPECT_DOUBLE_EQ(reconciled[2].upper95, 2);
  EXPECT_DOUBLE_EQ(reconciled[1].mean, 20);
  EXPECT_DOUBLE_EQ(reconciled[0].mean, 20);
  EXPECT_DOUBLE_EQ(reconciled[0].mean, reconciled[1].mean + reconciled[2].mean);
}

TEST(ReconcileDayTest, UsesEqualWeightsWithoutVariances) {
  const ReconcileInput total{12, 12, 12, 12, 12, 0, false};
  const std::vector<ReconcileInput> groups = {{3, 3, 3, 3, 3, 0, false}, {3, 3, 3, 3, 3, 0, false}};
  const std::vector<ReconcileInput> reconciled = ReconcileDay(total, groups);
  // lambda = (12 - 6) / 3 = 2
  EXPECT_DOUBLE_EQ(reconciled[0].mean, 10);
  EXPECT_DOUBLE_EQ(reconciled[1].mean, 5);
  EXPECT_DOUBLE_EQ(reconciled[2].mean, 5);
}

}  // namespace
}  // namespace costwise::service
