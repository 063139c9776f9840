// The cost-forecast part of store::Repository against both real backends; run through
// scripts/with-postgres.sh, or the PostgreSQL cases fail.
#include <cstdint>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "repository_fixture.h"
#include "store/repository.h"
#include "test_databases.h"

namespace costwise::store {

// Names the backend in gtest's messages (defined in repository_test.cpp).
void PrintTo(Backend backend, std::ostream* out);

namespace {

using testing::BackendParamName;
using ::testing::HasSubstr;
using testing::TestDatabase;

constexpr std::int64_t kUnit = Money::kNanosPerUnit;
const Date kAsOf = *Date::Parse("2024-03-10");

// `days` points from the day after kAsOf around `level` units a day, with nanos that a double
// would not keep.
std::vector<CostForecastPoint> Points(int days, std::int64_t level) {
  std::vector<CostForecastPoint> points;
  for (int day = 0; day < days; ++day) {
    const std::int64_t mean = level * kUnit + day * 1'000'000 + 123'456'789;
    points.push_back(CostForecastPoint{
        kAsOf.AddDays(day + 1), Money::FromNanos(mean), Money::FromNanos(mean - 10 * kUnit),
        Money::FromNanos(mean + 10 * kUnit), Money::FromNanos(mean - 25 * kUnit - 1),
        Money::FromNanos(mean + 25 * kUnit + 1)});
  }
  return points;
}

CostForecast Series(ForecastSeriesKind kind, std::string value, std::int64_t level, int days) {
  CostForecast forecast;
  forecast.kind = kind;
  forecast.group_value = std::move(value);
  forecast.currency = "USD";
  forecast.model = "combination(ETS(A,N,A) 60%, additive 40%)";
  forecast.backtest = ForecastAccuracy{90, 4.25, 4.125, 0.71, 83.3, 96.7};
  forecast.adjustment = Money::FromNanos(-12 * kUnit - 340'000'000);
  forecast.points = Points(days, level);
  return forecast;
}

// A run by `group_by` (or of the total only) with every field set.
CostForecastRun MakeRun(std::string group_by, int horizon, std::int64_t created_at) {
  CostForecastRun run;
  run.group_by = std::move(group_by);
  run.horizon = horizon;
  run.as_of = kAsOf;
  run.created_at = created_at;
  run.series.push_back(Series(ForecastSeriesKind::kTotal, "", 300, horizon));
  if (!run.group_by.empty()) {
    run.series.push_back(Series(ForecastSeriesKind::kValue, "Amazon EC2", 200, horizon));
    run.series.push_back(Series(ForecastSeriesKind::kValue, "", 60, horizon));
    CostForecast other = Series(ForecastSeriesKind::kOther, "", 40, horizon);
    other.other_values = 7;
    other.backtest = ForecastAccuracy{};  // not measured
    run.series.push_back(other);
  }
  return run;
}

class ForecastRepositoryTest : public testing::BackendRepositoryTest {
 protected:
  void SetUp() override {
    BackendRepositoryTest::SetUp();
    if (HasFatalFailure()) return;
    tenant_id_ = Tenant("acme");
    auto model = repository_->EnsureModel(ModelRecord{"forecaster", 1, "{}", ""});
    ASSERT_TRUE(model) << model.error().message;
    model_id_ = *model;
  }

  std::vector<std::int64_t> Save(CostForecastRun run, std::int64_t tenant = 0) {
    run.model_id = model_id_;
    const auto ids = repository_->ReplaceForecastRun(tenant == 0 ? tenant_id_ : tenant, run);
    EXPECT_TRUE(ids) << ids.error().message;
    return ids.value_or(std::vector<std::int64_t>{});
  }

  std::optional<CostForecastRun> Latest(std::string_view group_by, int horizon,
                                        std::int64_t tenant = 0) {
    const auto run =
        repository_->LatestForecastRun(tenant == 0 ? tenant_id_ : tenant, group_by, horizon);
    EXPECT_TRUE(run) << run.error().message;
    return run.value_or(std::nullopt);
  }

  std::int64_t tenant_id_ = 0;
  std::int64_t model_id_ = 0;
};

INSTANTIATE_TEST_SUITE_P(Backends, ForecastRepositoryTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgresql),
                         BackendParamName);

TEST_P(ForecastRepositoryTest, StoresAndReadsBackEveryField) {
  EXPECT_FALSE(Latest("service", 30).has_value());
  const CostForecastRun run = MakeRun("service", 30, 1'710'000'000);
  const std::vector<std::int64_t> ids = Save(run);
  ASSERT_EQ(ids.size(), 4U);
  const std::optional<CostForecastRun> stored = Latest("service", 30);
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->group_by, "service");
  EXPECT_EQ(stored->horizon, 30);
  EXPECT_EQ(stored->as_of, kAsOf);
  EXPECT_EQ(stored->created_at, 1'710'000'000);
  EXPECT_EQ(stored->model_id, model_id_);
  EXPECT_EQ(stored->model_version, "forecaster/1");
  ASSERT_EQ(stored->series.size(), run.series.size());
  for (std::size_t i = 0; i < run.series.size(); ++i) {
    const CostForecast& expected = run.series[i];
    const CostForecast& actual = stored->series[i];
    SCOPED_TRACE(ForecastSeriesLabel("service", expected));
    EXPECT_EQ(actual.id, ids[i]);
    EXPECT_EQ(actual.kind, expected.kind);
    EXPECT_EQ(actual.group_value, expected.group_value);
    EXPECT_EQ(actual.other_values, expected.other_values);
    EXPECT_EQ(actual.currency, expected.currency);
    EXPECT_EQ(actual.model, expected.model);
    EXPECT_EQ(actual.backtest, expected.backtest);
    EXPECT_EQ(actual.adjustment, expected.adjustment);
    EXPECT_EQ(actual.points, expected.points);  // exact to the nano, in day order
  }
  EXPECT_EQ(ForecastSeriesLabel("service", stored->series[1]), "service=Amazon EC2");
  EXPECT_EQ(ForecastSeriesLabel("service", stored->series[3]), "service=(other)");
  EXPECT_FALSE(stored->series[3].backtest.mape.has_value());
  EXPECT_EQ(database_->Query(fmt::format(
                "SELECT series_kind, levels, mape IS NULL FROM forecasts WHERE id = {}", ids[3])),
            (std::vector<std::vector<std::string>>{
                {"other", "80,95", GetParam() == Backend::kSqlite ? "1" : "t"}}));
}

TEST_P(ForecastRepositoryTest, ReplacesThePreviousRunOfTheSameGroupByAndHorizonOnly) {
  Save(MakeRun("service", 30, 100));
  Save(MakeRun("service", 60, 100));
  Save(MakeRun("", 30, 100));
  Save(MakeRun("region", 30, 100));
  EXPECT_EQ(database_->QueryInt("SELECT COUNT(*) FROM forecasts"), 4 + 4 + 1 + 4);

  CostForecastRun again = MakeRun("service", 30, 200);
  again.series.resize(2);
  again.series[1].group_value = "Amazon S3";
  const std::vector<std::int64_t> ids = Save(again);
  const std::optional<CostForecastRun> latest = Latest("service", 30);
  ASSERT_TRUE(latest.has_value());
  EXPECT_EQ(latest->created_at, 200);
  ASSERT_EQ(latest->series.size(), 2U);
  EXPECT_EQ(latest->series[0].id, ids[0]);
  EXPECT_EQ(latest->series[1].group_value, "Amazon S3");
  // The old run's rows and points are gone; the other runs are untouched.
  EXPECT_EQ(database_->QueryInt("SELECT COUNT(*) FROM forecasts"), 2 + 4 + 1 + 4);
  EXPECT_EQ(database_->QueryInt("SELECT COUNT(*) FROM forecast_points"),
            2 * 30 + 4 * 60 + 1 * 30 + 4 * 30);
  ASSERT_TRUE(Latest("service", 60).has_value());
  EXPECT_EQ(Latest("service", 60)->series.size(), 4U);
  ASSERT_TRUE(Latest("", 30).has_value());
  EXPECT_EQ(Latest("", 30)->series.size(), 1U);
  EXPECT_FALSE(Latest("service", 90).has_value());
  EXPECT_FALSE(Latest("account", 30).has_value());

  // A run without series clears the stored one.
  CostForecastRun empty = MakeRun("service", 30, 300);
  empty.series.clear();
  EXPECT_TRUE(Save(empty).empty());
  EXPECT_FALSE(Latest("service", 30).has_value());
}

TEST_P(ForecastRepositoryTest, EveryStoredRunRaisesTheTenantsForecastsRevision) {
  const auto revision = [&](std::int64_t tenant) {
    const auto read = repository_->ForecastsRevision(tenant);
    EXPECT_TRUE(read) << read.error().message;
    return read.value_or(-1);
  };
  const std::int64_t other = Tenant("globex");
  EXPECT_EQ(revision(tenant_id_), 0);
  Save(MakeRun("service", 30, 100));
  const std::int64_t first = revision(tenant_id_);
  EXPECT_GT(first, 0);
  // Replacing a run with one of the same ids (SQLite reuses freed ids) still changes it.
  Save(MakeRun("service", 30, 100));
  EXPECT_GT(revision(tenant_id_), first);
  EXPECT_EQ(revision(other), 0);
}

TEST_P(ForecastRepositoryTest, KeepsTenantsApart) {
  Save(MakeRun("service", 30, 100));
  const std::int64_t other = Tenant("globex");
  EXPECT_FALSE(Latest("service", 30, other).has_value());
  // Another tenant's run of the same group-by and horizon replaces nothing of ours.
  CostForecastRun theirs = MakeRun("service", 30, 200);
  theirs.series.resize(1);
  Save(theirs, other);
  const std::optional<CostForecastRun> mine = Latest("service", 30);
  ASSERT_TRUE(mine.has_value());
  EXPECT_EQ(mine->created_at, 100);
  EXPECT_EQ(mine->series.size(), 4U);
  ASSERT_TRUE(Latest("service", 30, other).has_value());
  EXPECT_EQ(Latest("service", 30, other)->series.size(), 1U);

  const auto unknown = repository_->ReplaceForecastRun(other + 100, MakeRun("service", 30, 1));
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);
  EXPECT_FALSE(Latest("service", 30, other + 100).has_value());
  EXPECT_EQ(database_->QueryInt("SELECT COUNT(*) FROM forecasts"), 5);
}

TEST_P(ForecastRepositoryTest, RejectsInvalidRunsAndKeepsThePreviousOne) {
  Save(MakeRun("service", 30, 100));
  CostForecastRun backwards = MakeRun("service", 30, 200);
  std::swap(backwards.series[1].points[3], backwards.series[1].points[4]);
  const auto reversed = repository_->ReplaceForecastRun(tenant_id_, backwards);
  ASSERT_FALSE(reversed);
  EXPECT_EQ(reversed.error().code, ErrorCode::kInvalidInput);
  EXPECT_THAT(reversed.error().message, HasSubstr("service=Amazon EC2 are not in day order"));
  CostForecastRun bad_text = MakeRun("service", 30, 200);
  bad_text.series[2].group_value = std::string("a\xff", 2);
  const auto rejected = repository_->ReplaceForecastRun(tenant_id_, bad_text);
  ASSERT_FALSE(rejected);
  EXPECT_EQ(rejected.error().code, ErrorCode::kInvalidInput);
  EXPECT_THAT(rejected.error().message, HasSubstr("group value"));
  CostForecastRun no_horizon = MakeRun("service", 0, 200);
  EXPECT_FALSE(repository_->ReplaceForecastRun(tenant_id_, no_horizon));
  const std::optional<CostForecastRun> kept = Latest("service", 30);
  ASSERT_TRUE(kept.has_value());
  EXPECT_EQ(kept->created_at, 100);
}

}  // namespace
}  // namespace costwise::store
