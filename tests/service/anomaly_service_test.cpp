// The cost-anomaly use case over a real (SQLite) repository. The test cubes are steady daily
// spend with noise and a weekly pattern, and a planted resource whose spend makes the total five
// times its usual on known days: unmistakable whatever the detector's tuning, so the tests check
// the use case (attribution, extension, idempotence, feedback), not the detector's scores. Where
// a spike lasts two days, the second day is larger still: a repeat of the same level may be
// taken for a level shift, a growing spike may not.
#include "service/anomaly_service.h"

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "service/model_registry.h"
#include "test_files.h"

namespace costwise::service {
namespace {

using ::testing::HasSubstr;

constexpr std::int64_t kUnit = Money::kNanosPerUnit;
const Date kFirstDay = *Date::Parse("2024-01-01");  // a Monday
// The planted resource's spend on a spike day: five times the fleet's usual total, and more
// on the day after when the spike lasts two days.
constexpr std::int64_t kSpike = 400 * kUnit;
constexpr std::int64_t kGrowingSpike = 1200 * kUnit;
constexpr std::int64_t kNow = 1'710'000'000;

Money Units(std::int64_t units) { return Money::FromNanos(units * kUnit); }

// One steady resource of the fleet.
struct Resource {
  std::string account;
  std::string service;
  std::string region;
  std::string usage_type;
  std::string id;
  std::int64_t daily = 0;  // nanos on a weekday; weekends cost 60%
  Tags tags;
};

const std::vector<Resource>& Fleet() {
  static const std::vector<Resource> fleet = {
      {"acct-a",
       "Amazon EC2",
       "us-east-1",
       "BoxUsage:m5.large",
       "i-a1",
       40 * kUnit,
       {{"team", "web"}}},
      {"acct-a",
       "Amazon S3",
       "us-east-1",
       "TimedStorage-ByteHrs",
       "bucket-logs",
       20 * kUnit,
       {{"team", "web"}}},
      {"acct-b",
       "Amazon EC2",
       "eu-west-1",
       "BoxUsage:c5.xlarge",
       "i-b1",
       30 * kUnit,
       {{"team", "data"}}},
      {"acct-c", "Amazon RDS", "us-west-2", "InstanceUsage:db.r5", "db-1", 10 * kUnit, {}},
  };
  return fleet;
}

// The planted contributor: a GPU instance in acct-b that exists only on spike days.
const Resource kSpiker = {"acct-b",  "Amazon EC2", "eu-west-1",     "BoxUsage:p3.8xlarge",
                          "i-spike", kSpike,       {{"team", "ml"}}};

// The planted resource's spend per day.
using Spikes = std::map<int, std::int64_t>;
// Ten weeks of history before the spikes: far beyond any detector warm-up.
constexpr int kSpikeDay = 70;
constexpr int kDays = 90;  // the default lookback
const Spikes kTwoDaySpike = {{kSpikeDay, kSpike}, {kSpikeDay + 1, kGrowingSpike}};

// The planted resource's spend over [start, end].
Money SpikeSpend(const Spikes& spikes, Date start, Date end) {
  std::int64_t spend = 0;
  for (const auto& [day, cost] : spikes) {
    const Date date = kFirstDay.AddDays(day);
    if (date >= start && date <= end) spend += cost;
  }
  return Money::FromNanos(spend);
}

CubeRow RowOf(const Resource& resource, Date date, std::int64_t billed) {
  CubeRow row;
  row.date = date;
  row.billing_period = date.FirstOfMonth();
  row.provider = "AWS";
  row.billing_account_id = "payer-1";
  row.sub_account_id = resource.account;
  row.service = resource.service;
  row.region = resource.region;
  row.usage_type = resource.usage_type;
  row.charge_category = "Usage";
  row.resource_id = resource.id;
  row.currency = "USD";
  row.tags = resource.tags;
  row.billed_cost = Money::FromNanos(billed);
  row.effective_cost = row.billed_cost;
  row.line_items = 24;
  return row;
}

// Days [0, days) of the fleet from kFirstDay, with the planted resource's spikes.
std::vector<CubeRow> FleetCube(int days, const Spikes& spikes) {
  std::mt19937_64 random(7);
  std::uniform_real_distribution<double> noise(0.97, 1.03);
  std::vector<CubeRow> rows;
  for (int day = 0; day < days; ++day) {
    const Date date = kFirstDay.AddDays(day);
    const bool weekend = day % 7 >= 5;
    for (const Resource& resource : Fleet()) {
      const double factor = (weekend ? 0.6 : 1.0) * noise(random);
      rows.push_back(RowOf(
          resource, date, static_cast<std::int64_t>(static_cast<double>(resource.daily) * factor)));
    }
    if (const auto spike = spikes.find(day); spike != spikes.end()) {
      rows.push_back(RowOf(kSpiker, date, spike->second));
    }
  }
  return rows;
}

bool IsTotal(const CostAnomaly& anomaly) { return !anomaly.monitor.dimension.has_value(); }

std::vector<CostAnomaly> TotalAnomalies(const std::vector<CostAnomaly>& anomalies) {
  std::vector<CostAnomaly> total;
  std::copy_if(anomalies.begin(), anomalies.end(), std::back_inserter(total), IsTotal);
  return total;
}

const RootCause* FirstOf(const CostAnomaly& anomaly, std::string_view dimension) {
  for (const RootCause& cause : anomaly.root_causes) {
    if (cause.dimension == dimension) return &cause;
  }
  return nullptr;
}

class AnomalyServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = store::OpenRepository("sqlite:" + (dir_.path() / "db.sqlite").string());
    ASSERT_TRUE(opened) << opened.error().message;
    repository_ = std::move(*opened);
    auto tenant = repository_->EnsureTenant("acme");
    ASSERT_TRUE(tenant) << tenant.error().message;
    tenant_id_ = tenant->id;
    options_.now = kNow;
  }

  // Replaces the billing periods the rows cover, as an ingest of a restated CUR would.
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

  AnomalyDetectionSummary Detect(std::string_view tenant = "acme") {
    auto summary = DetectCostAnomalies(*repository_, tenant, options_);
    EXPECT_TRUE(summary) << summary.error().message;
    return summary.value_or(AnomalyDetectionSummary{});
  }

  std::vector<CostAnomaly> Stored(std::optional<AnomalyStatus> status = std::nullopt) {
    auto anomalies = ListCostAnomalies(*repository_, "acme", status);
    EXPECT_TRUE(anomalies) << anomalies.error().message;
    return anomalies.value_or(std::vector<CostAnomaly>{});
  }

  testing::TempDir dir_;
  std::unique_ptr<store::Repository> repository_;
  std::int64_t tenant_id_ = 0;
  AnomalyDetectionOptions options_;
};

TEST_F(AnomalyServiceTest, RanksAPlantedContributorFirstWithItsDollarAmount) {
  Ingest(FleetCube(kDays, kTwoDaySpike));
  const AnomalyDetectionSummary summary = Detect();
  EXPECT_EQ(summary.from, kFirstDay);  // not before the data
  EXPECT_EQ(summary.to, kFirstDay.AddDays(kDays - 1));
  EXPECT_GT(summary.monitors, 10);
  const std::vector<CostAnomaly> total = TotalAnomalies(summary.anomalies);
  ASSERT_EQ(total.size(), 1U);
  const CostAnomaly& anomaly = total.front();
  EXPECT_EQ(anomaly.start_date, kFirstDay.AddDays(kSpikeDay));
  EXPECT_GE(anomaly.end_date, kFirstDay.AddDays(kSpikeDay));
  EXPECT_LE(anomaly.end_date, kFirstDay.AddDays(kSpikeDay + 1));
  EXPECT_EQ(anomaly.status, AnomalyStatus::kClosed);
  EXPECT_EQ(anomaly.model_version, "series-detector/1");
  EXPECT_EQ(anomaly.impact, anomaly.actual_spend - anomaly.expected_spend);
  // What the planted resource cost over the anomaly's days.
  const Money planted = SpikeSpend(kTwoDaySpike, anomaly.start_date, anomaly.end_date);
  EXPECT_GT(anomaly.impact, Money::FromNanos(planted.nanos() * 9 / 10));
  ASSERT_TRUE(anomaly.impact_percent.has_value());
  EXPECT_GT(*anomaly.impact_percent, 300);

  // The planted resource is new on the spike days: all of its spend is impact.
  ASSERT_FALSE(anomaly.root_causes.empty());
  const RootCause* top = TopRootCause(anomaly);
  ASSERT_NE(top, nullptr);
  EXPECT_EQ(top->dimension, "resource");
  EXPECT_EQ(top->value, "i-spike");
  EXPECT_EQ(top->impact, planted);
  const RootCause* resource = FirstOf(anomaly, "resource");
  ASSERT_NE(resource, nullptr);
  EXPECT_EQ(resource->value, "i-spike");
  const RootCause* account = FirstOf(anomaly, "account");
  ASSERT_NE(account, nullptr);
  EXPECT_EQ(account->value, "acct-b");
  const RootCause* usage = FirstOf(anomaly, "usage-type");
  ASSERT_NE(usage, nullptr);
  EXPECT_EQ(usage->value, "BoxUsage:p3.8xlarge");
  EXPECT_EQ(usage->impact, planted);
  const RootCause* tag = FirstOf(anomaly, "tag:team");
  ASSERT_NE(tag, nullptr);
  EXPECT_EQ(tag->value, "ml");
  for (std::size_t i = 1; i < anomaly.root_causes.size(); ++i) {
    EXPECT_GE(anomaly.root_causes[i - 1].impact, anomaly.root_causes[i].impact);
  }

  // The service monitor of the spike finds it too, without "service" among its causes.
  const auto ec2 =
      std::find_if(summary.anomalies.begin(), summary.anomalies.end(), [](const CostAnomaly& a) {
        return a.monitor.dimension && a.monitor.dimension->dimension == CostDimension::kService &&
               a.monitor.value == "Amazon EC2";
      });
  ASSERT_NE(ec2, summary.anomalies.end());
  EXPECT_EQ(FirstOf(*ec2, "service"), nullptr);
  ASSERT_NE(TopRootCause(*ec2), nullptr);
  EXPECT_EQ(TopRootCause(*ec2)->value, "i-spike");
}

TEST_F(AnomalyServiceTest, ALaterRunExtendsTheOngoingAnomalyInsteadOfDuplicatingIt) {
  Ingest(FleetCube(kSpikeDay + 1, {{kSpikeDay, kSpike}}));
  const AnomalyDetectionSummary first = Detect();
  const std::vector<CostAnomaly> before = TotalAnomalies(first.anomalies);
  ASSERT_EQ(before.size(), 1U);
  EXPECT_EQ(before[0].start_date, kFirstDay.AddDays(kSpikeDay));
  EXPECT_EQ(before[0].end_date, kFirstDay.AddDays(kSpikeDay));
  EXPECT_EQ(before[0].status, AnomalyStatus::kOpen);
  EXPECT_EQ(before[0].detected_at, kNow);

  // The next CUR restates January and February with two more days: the spike went on, larger.
  Ingest(FleetCube(kSpikeDay + 3, kTwoDaySpike));
  options_.now = kNow + 86'400;
  const AnomalyDetectionSummary second = Detect();
  EXPECT_GE(second.extended, 1);
  const std::vector<CostAnomaly> after = TotalAnomalies(second.anomalies);
  ASSERT_EQ(after.size(), 1U);
  EXPECT_EQ(after[0].id, before[0].id);
  EXPECT_EQ(after[0].start_date, kFirstDay.AddDays(kSpikeDay));
  EXPECT_EQ(after[0].end_date, kFirstDay.AddDays(kSpikeDay + 1));
  EXPECT_EQ(after[0].status, AnomalyStatus::kClosed);
  EXPECT_EQ(after[0].detected_at, kNow);
  EXPECT_EQ(after[0].updated_at, kNow + 86'400);
  EXPECT_GT(after[0].actual_spend, before[0].actual_spend);
  EXPECT_EQ(TopRootCause(after[0])->impact, Money::FromNanos(kSpike + kGrowingSpike));
  EXPECT_EQ(TotalAnomalies(Stored()).size(), 1U);
}

TEST_F(AnomalyServiceTest, AnOpenAnomalyNoLongerFoundIsClosedOnceLaterDaysArrive) {
  Ingest(FleetCube(kSpikeDay + 1, {{kSpikeDay, kSpike}}));
  const std::vector<CostAnomaly> before = TotalAnomalies(Detect().anomalies);
  ASSERT_EQ(before.size(), 1U);
  ASSERT_EQ(before[0].status, AnomalyStatus::kOpen);
  // The restated bill has no spike any more (the usage was refunded as a correction).
  Ingest(FleetCube(kSpikeDay + 3, {}));
  const AnomalyDetectionSummary second = Detect();
  EXPECT_GE(second.closed, 1);
  const auto stored = GetCostAnomaly(*repository_, "acme", before[0].id);
  ASSERT_TRUE(stored) << stored.error().message;
  EXPECT_EQ(stored->status, AnomalyStatus::kClosed);
  EXPECT_EQ(stored->end_date, before[0].end_date);
}

TEST_F(AnomalyServiceTest, DetectingTwiceOnTheSameDataChangesNothing) {
  Ingest(FleetCube(kDays, kTwoDaySpike));
  const AnomalyDetectionSummary first = Detect();
  ASSERT_FALSE(first.anomalies.empty());
  EXPECT_EQ(first.new_anomalies, static_cast<int>(first.anomalies.size()));
  const std::vector<CostAnomaly> before = Stored();

  options_.now = kNow + 3600;
  const AnomalyDetectionSummary second = Detect();
  EXPECT_EQ(second.new_anomalies, 0);
  EXPECT_EQ(second.extended, 0);
  EXPECT_EQ(second.updated, 0);
  EXPECT_EQ(second.closed, 0);
  EXPECT_EQ(second.unchanged, static_cast<int>(first.anomalies.size()));
  const std::vector<CostAnomaly> after = Stored();
  ASSERT_EQ(after.size(), before.size());
  for (std::size_t i = 0; i < after.size(); ++i) {
    EXPECT_EQ(after[i].id, before[i].id);
    EXPECT_EQ(after[i].updated_at, kNow) << MonitorLabel(after[i].monitor);
    EXPECT_EQ(after[i].impact, before[i].impact);
    EXPECT_EQ(after[i].root_causes, before[i].root_causes);
  }
}

TEST_F(AnomalyServiceTest, NoFeedbackSuppressesTheSamePatternLater) {
  Ingest(FleetCube(kSpikeDay - 10, {{kSpikeDay - 15, kSpike}}));
  const std::vector<CostAnomaly> first = TotalAnomalies(Detect().anomalies);
  ASSERT_EQ(first.size(), 1U);
  const auto judged = SetAnomalyFeedback(*repository_, "acme", first[0].id, AnomalyFeedback::kNo,
                                         "month-end batch, expected", kNow);
  ASSERT_TRUE(judged) << judged.error().message;
  EXPECT_EQ(judged->feedback, AnomalyFeedback::kNo);
  EXPECT_EQ(judged->feedback_note, "month-end batch, expected");
  EXPECT_EQ(judged->feedback_at, kNow);

  // The same spike again (another weekday: a spike recurring on the same weekday may be taken
  // for routine): stored, but suppressed and not alerting.
  Ingest(FleetCube(kDays, {{kSpikeDay - 15, kSpike}, {kSpikeDay + 3, kSpike}}));
  const AnomalyDetectionSummary second = Detect();
  EXPECT_GE(second.suppressed, 1);
  const std::vector<CostAnomaly> total = TotalAnomalies(second.anomalies);
  ASSERT_EQ(total.size(), 2U);
  const CostAnomaly& later = total[0].id == first[0].id ? total[1] : total[0];
  EXPECT_EQ(later.start_date, kFirstDay.AddDays(kSpikeDay + 3));
  EXPECT_EQ(later.status, AnomalyStatus::kSuppressed);
  EXPECT_EQ(later.suppressed_by, first[0].id);
  for (const CostAnomaly& open : Stored(AnomalyStatus::kOpen)) EXPECT_NE(open.id, later.id);
  // The judged anomaly keeps its verdict through the re-detection.
  const auto reread = GetCostAnomaly(*repository_, "acme", first[0].id);
  ASSERT_TRUE(reread) << reread.error().message;
  EXPECT_EQ(reread->feedback, AnomalyFeedback::kNo);
}

TEST_F(AnomalyServiceTest, YesFeedbackSuppressesNothing) {
  Ingest(FleetCube(kSpikeDay - 10, {{kSpikeDay - 15, kSpike}}));
  const std::vector<CostAnomaly> first = TotalAnomalies(Detect().anomalies);
  ASSERT_EQ(first.size(), 1U);
  ASSERT_TRUE(SetAnomalyFeedback(*repository_, "acme", first[0].id, AnomalyFeedback::kYes, ""));
  Ingest(FleetCube(kDays, {{kSpikeDay - 15, kSpike}, {kSpikeDay + 3, kSpike}}));
  const AnomalyDetectionSummary second = Detect();
  EXPECT_EQ(second.suppressed, 0);
  const std::vector<CostAnomaly> total = TotalAnomalies(second.anomalies);
  ASSERT_EQ(total.size(), 2U);
  for (const CostAnomaly& anomaly : total) EXPECT_NE(anomaly.status, AnomalyStatus::kSuppressed);
}

TEST_F(AnomalyServiceTest, AnotherTenantsAnomalyIsNotFound) {
  Ingest(FleetCube(kDays, kTwoDaySpike));
  const std::vector<CostAnomaly> anomalies = Detect().anomalies;
  ASSERT_FALSE(anomalies.empty());
  ASSERT_TRUE(repository_->EnsureTenant("globex"));
  const std::int64_t id = anomalies.front().id;

  const auto read = GetCostAnomaly(*repository_, "globex", id);
  ASSERT_FALSE(read);
  EXPECT_EQ(read.error().code, ErrorCode::kNotFound);
  EXPECT_THAT(read.error().message,
              HasSubstr(fmt::format("tenant 'globex' has no anomaly {}", id)));
  const auto judged = SetAnomalyFeedback(*repository_, "globex", id, AnomalyFeedback::kNo, "");
  ASSERT_FALSE(judged);
  EXPECT_EQ(judged.error().code, ErrorCode::kNotFound);
  const auto listed = ListCostAnomalies(*repository_, "globex", std::nullopt);
  ASSERT_TRUE(listed);
  EXPECT_TRUE(listed->empty());
  EXPECT_EQ(GetCostAnomaly(*repository_, "acme", id)->feedback, AnomalyFeedback::kNone);
}

TEST_F(AnomalyServiceTest, ATenantWithoutCostsScansNothing) {
  ASSERT_TRUE(repository_->EnsureTenant("empty"));
  const AnomalyDetectionSummary summary = Detect("empty");
  EXPECT_FALSE(summary.from.has_value());
  EXPECT_EQ(summary.monitors, 0);
  EXPECT_TRUE(summary.anomalies.empty());
}

TEST_F(AnomalyServiceTest, RejectsAnUnknownTenantAndBadOptions) {
  const auto unknown = DetectCostAnomalies(*repository_, "nobody", options_);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);
  options_.lookback_days = 0;
  const auto bad = DetectCostAnomalies(*repository_, "acme", options_);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidInput);
  EXPECT_THAT(bad.error().message, HasSubstr("lookback days must be at least 1"));
  const auto none = SetAnomalyFeedback(*repository_, "acme", 1, AnomalyFeedback::kNone, "");
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, ErrorCode::kInvalidInput);
}

TEST_F(AnomalyServiceTest, TopValuesLimitsTheMonitorsPerDimension) {
  Ingest(FleetCube(30, {}));
  options_.top_values = 1;
  // Total, and one each of service, account, region, usage type and tag:team.
  EXPECT_EQ(Detect().monitors, 6);
}

TEST_F(AnomalyServiceTest, LeavesExcludedChargeCategoriesOut) {
  std::vector<CubeRow> rows = FleetCube(kDays, {});
  CubeRow tax = RowOf(kSpiker, kFirstDay.AddDays(kSpikeDay), 5 * kSpike);
  tax.charge_category = "Tax";
  rows.push_back(tax);
  Ingest(rows);
  EXPECT_TRUE(TotalAnomalies(Detect().anomalies).empty());
}

// --- the rules, without the detector -------------------------------------------------------------

TEST(SeverityTest, GrowsWithTheImpactAndDropsALevelForABorderlineScore) {
  const SeverityThresholds thresholds;
  EXPECT_EQ(SeverityOf(Units(5), 1.0, thresholds), AnomalySeverity::kLow);
  EXPECT_EQ(SeverityOf(Units(10), 1.0, thresholds), AnomalySeverity::kMedium);
  EXPECT_EQ(SeverityOf(Units(100), 1.0, thresholds), AnomalySeverity::kHigh);
  EXPECT_EQ(SeverityOf(Units(1000), 1.0, thresholds), AnomalySeverity::kCritical);
  EXPECT_EQ(SeverityOf(Units(1000), 0.6, thresholds), AnomalySeverity::kHigh);
  EXPECT_EQ(SeverityOf(Units(5), 0.6, thresholds), AnomalySeverity::kLow);
}

CostAnomaly Judged(AnomalyFeedback feedback) {
  CostAnomaly anomaly;
  anomaly.id = 1;
  anomaly.monitor = AnomalyMonitor{DimensionRef{CostDimension::kService, ""}, "Amazon EC2", "USD"};
  anomaly.start_date = kFirstDay;
  anomaly.end_date = kFirstDay.AddDays(1);
  anomaly.impact = Units(100);
  anomaly.feedback = feedback;
  return anomaly;
}

TEST(SuppressesTest, SameMonitorLaterAndWithinTheToleranceOfTheImpact) {
  const CostAnomaly judged = Judged(AnomalyFeedback::kNo);
  CostAnomaly later = judged;
  later.id = 2;
  later.feedback = AnomalyFeedback::kNone;
  later.start_date = kFirstDay.AddDays(20);
  later.end_date = kFirstDay.AddDays(21);
  for (const std::int64_t impact : {50, 100, 150}) {
    later.impact = Units(impact);
    EXPECT_TRUE(Suppresses(judged, later, 0.5)) << impact;
  }
  for (const std::int64_t impact : {49, 151, 1000}) {
    later.impact = Units(impact);
    EXPECT_FALSE(Suppresses(judged, later, 0.5)) << impact;
  }
  later.impact = Units(100);
  EXPECT_TRUE(Suppresses(Judged(AnomalyFeedback::kPlanned), later, 0.5));
  EXPECT_FALSE(Suppresses(Judged(AnomalyFeedback::kYes), later, 0.5));
  EXPECT_FALSE(Suppresses(Judged(AnomalyFeedback::kNone), later, 0.5));
  EXPECT_FALSE(Suppresses(judged, judged, 0.5));  // itself
  CostAnomaly other_monitor = later;
  other_monitor.monitor.value = "Amazon S3";
  EXPECT_FALSE(Suppresses(judged, other_monitor, 0.5));
  CostAnomaly overlapping = later;
  overlapping.start_date = judged.end_date;
  EXPECT_FALSE(Suppresses(judged, overlapping, 0.5));
}

TEST(AttributeImpactTest, SharesTheExpectedSpendByBaselineSoEachDimensionAddsUpToTheImpact) {
  // Seven baseline days of 100 (r1: 70, r2: 30); two anomalous days: r1 140, r2 60, r3 (new) 800.
  SliceBreakdown breakdown;
  breakdown.total = {1000 * kUnit, 700 * kUnit};
  breakdown.values[{"resource", "r1"}] = {140 * kUnit, 490 * kUnit};
  breakdown.values[{"resource", "r2"}] = {60 * kUnit, 210 * kUnit};
  breakdown.values[{"resource", "r3"}] = {800 * kUnit, 0};
  breakdown.values[{"account", "a1"}] = {940 * kUnit, 490 * kUnit};
  breakdown.values[{"account", "a2"}] = {60 * kUnit, 210 * kUnit};
  const Money expected = Units(180);  // the detector's expectation, a little under the baseline
  const std::vector<RootCause> causes = AttributeImpact(breakdown, expected, RootCauseOptions{});
  // Impact 820. r1 expects 180 * 0.7 = 126 (contributes 14), r2 54 (6), r3 0 (800): 820 in all.
  // a1 expects 126 (814), a2 54 (6): 820. Contributions under 1% of the impact (8.20) are left
  // out: r2 and a2.
  ASSERT_EQ(causes.size(), 3U);
  EXPECT_EQ(causes[0], (RootCause{"account", "a1", Units(814)}));
  EXPECT_EQ(causes[1], (RootCause{"resource", "r3", Units(800)}));
  EXPECT_EQ(causes[2], (RootCause{"resource", "r1", Units(14)}));
}

TEST(AttributeImpactTest, WithoutBaselineSharesByActualSpendAndKeepsTheTopPerDimension) {
  SliceBreakdown breakdown;
  breakdown.total = {100 * kUnit, 0};
  for (int i = 0; i < 8; ++i) {
    breakdown.values[{"tag:team", fmt::format("t{}", i)}] = {(5 + i) * kUnit, 0};
    breakdown.values[{"tag:env", fmt::format("e{}", i)}] = {(5 + i) * kUnit, 0};
  }
  RootCauseOptions options;
  options.per_dimension = 3;
  options.min_share = 0;
  // Expected 50 of actual 100: each value expects half its own spend.
  const std::vector<RootCause> causes = AttributeImpact(breakdown, Units(50), options);
  ASSERT_EQ(causes.size(), 3U);  // all tag keys share the places of one dimension
  EXPECT_EQ(causes[0].impact, Money::FromNanos(12 * kUnit / 2));
  EXPECT_TRUE(AttributeImpact(breakdown, Units(100), options).empty());  // no impact
}

}  // namespace
}  // namespace costwise::service

namespace costwise::service {
namespace {

TEST_F(AnomalyServiceTest, FeedbackRetrainsTheDetectorAtTheNextDetection) {
  Ingest(FleetCube(kDays, kTwoDaySpike));
  const std::vector<CostAnomaly> found = TotalAnomalies(Detect().anomalies);
  ASSERT_EQ(found.size(), 1U);
  EXPECT_EQ(found[0].model_version, "series-detector/1");
  auto models = ListModels(*repository_, "acme");
  ASSERT_TRUE(models) << models.error().message;
  ASSERT_EQ(models->size(), 1U);
  EXPECT_EQ((*models)[0].data_to, kFirstDay.AddDays(kDays - 1));
  EXPECT_FALSE((*models)[0].accuracy.has_value());  // nothing judged yet

  // Without feedback, detecting again keeps the version.
  Detect();
  EXPECT_EQ(ListModels(*repository_, "acme")->size(), 1U);

  ASSERT_TRUE(
      SetAnomalyFeedback(*repository_, "acme", found[0].id, AnomalyFeedback::kYes, "", kNow + 10));
  auto marked = GetModel(*repository_, "acme", (*models)[0].id);
  ASSERT_TRUE(marked) << marked.error().message;
  EXPECT_EQ(marked->retrain_requested_at, std::optional<std::int64_t>(kNow + 10));

  Detect();
  models = ListModels(*repository_, "acme");
  ASSERT_TRUE(models) << models.error().message;
  ASSERT_EQ(models->size(), 2U);
  EXPECT_EQ((*models)[0].version, 2);
  EXPECT_EQ((*models)[0].status, "active");
  EXPECT_EQ((*models)[0].accuracy, std::optional<double>(1.0));  // 1 yes, 0 no
  EXPECT_EQ((*models)[1].status, "retired");
  const auto reread = GetCostAnomaly(*repository_, "acme", found[0].id);
  ASSERT_TRUE(reread) << reread.error().message;
  EXPECT_EQ(reread->model_version, "series-detector/2");
  // Another tenant's model is not found.
  ASSERT_TRUE(repository_->EnsureTenant("globex"));
  auto hidden = GetModel(*repository_, "globex", (*models)[0].id);
  ASSERT_FALSE(hidden);
  EXPECT_EQ(hidden.error().code, ErrorCode::kNotFound);
}

TEST_F(AnomalyServiceTest, FindsFiltersAndPagesByImpact) {
  Ingest(FleetCube(kDays, kTwoDaySpike));
  const std::vector<CostAnomaly> found = Detect().anomalies;
  ASSERT_GE(found.size(), 2U);
  AnomalyQuery query;
  auto all = FindCostAnomalies(*repository_, "acme", query);
  ASSERT_TRUE(all) << all.error().message;
  EXPECT_EQ(all->total, found.size());
  EXPECT_TRUE(std::is_sorted(
      all->anomalies.begin(), all->anomalies.end(),
      [](const CostAnomaly& a, const CostAnomaly& b) { return a.impact > b.impact; }));
  query.limit = 1;
  query.offset = 1;
  auto second = FindCostAnomalies(*repository_, "acme", query);
  ASSERT_TRUE(second) << second.error().message;
  ASSERT_EQ(second->anomalies.size(), 1U);
  EXPECT_EQ(second->anomalies[0].id, all->anomalies[1].id);
  query = AnomalyQuery{};
  query.min_impact = all->anomalies[1].impact + Money::FromNanos(1);
  const auto larger = static_cast<std::size_t>(
      std::count_if(all->anomalies.begin(), all->anomalies.end(),
                    [&](const CostAnomaly& a) { return a.impact >= *query.min_impact; }));
  EXPECT_EQ(FindCostAnomalies(*repository_, "acme", query)->total, larger);
  EXPECT_LT(larger, all->total);
  query = AnomalyQuery{};
  query.to = kFirstDay.AddDays(kSpikeDay - 1);
  EXPECT_EQ(FindCostAnomalies(*repository_, "acme", query)->total, 0U);
  query.limit = 0;
  EXPECT_FALSE(FindCostAnomalies(*repository_, "acme", query));
}

TEST_F(AnomalyServiceTest, DetailHasTheMonitorsSeriesWithTheAnomalousWindow) {
  Ingest(FleetCube(kDays, kTwoDaySpike));
  const std::vector<CostAnomaly> total = TotalAnomalies(Detect().anomalies);
  ASSERT_EQ(total.size(), 1U);
  auto detail = GetCostAnomalyDetail(*repository_, "acme", total[0].id, options_);
  ASSERT_TRUE(detail) << detail.error().message;
  ASSERT_FALSE(detail->series.empty());
  EXPECT_EQ(detail->series.back().day, kFirstDay.AddDays(kDays - 1));
  Money flagged_actual;
  Money flagged_expected;
  for (const AnomalySeriesDay& day : detail->series) {
    const bool inside = day.day >= total[0].start_date && day.day <= total[0].end_date;
    EXPECT_EQ(day.in_anomaly, inside) << day.day.ToString();
    if (inside) {
      flagged_actual += day.actual;
      flagged_expected += day.expected;
      EXPECT_GT(day.actual, day.upper) << day.day.ToString();
    }
    EXPECT_LE(day.lower, day.upper);
  }
  // The series is the detector's view the anomaly was measured on.
  EXPECT_EQ(flagged_actual, total[0].actual_spend);
  EXPECT_EQ(flagged_expected, total[0].expected_spend);
  auto missing = GetCostAnomalyDetail(*repository_, "acme", total[0].id + 1000, options_);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

// --- the detector's saved state (docs/service.md, "Model artifacts") ----------------------

// The same anomaly as another tenant's: same monitor, days, amounts, scores and causes.
void ExpectSameAnomalies(std::vector<CostAnomaly> a, std::vector<CostAnomaly> b) {
  const auto order = [](const CostAnomaly& x, const CostAnomaly& y) {
    return std::tuple(MonitorLabel(x.monitor), x.start_date) <
           std::tuple(MonitorLabel(y.monitor), y.start_date);
  };
  std::sort(a.begin(), a.end(), order);
  std::sort(b.begin(), b.end(), order);
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    SCOPED_TRACE(MonitorLabel(a[i].monitor));
    EXPECT_EQ(MonitorLabel(a[i].monitor), MonitorLabel(b[i].monitor));
    EXPECT_EQ(a[i].start_date, b[i].start_date);
    EXPECT_EQ(a[i].end_date, b[i].end_date);
    EXPECT_EQ(a[i].actual_spend, b[i].actual_spend);
    EXPECT_EQ(a[i].expected_spend, b[i].expected_spend);
    EXPECT_EQ(a[i].max_score, b[i].max_score);
    EXPECT_EQ(a[i].latest_score, b[i].latest_score);
    EXPECT_EQ(a[i].severity, b[i].severity);
    EXPECT_EQ(a[i].status, b[i].status);
    EXPECT_EQ(a[i].root_causes, b[i].root_causes);
  }
}

class SavedStateTest : public AnomalyServiceTest {
 protected:
  void SetUp() override {
    AnomalyServiceTest::SetUp();
    options_.models = &models_;
  }

  // The detector's row of the tenant (the newest version).
  store::TenantModel Model(std::string_view tenant = "acme") {
    auto models = ListModels(*repository_, tenant);
    EXPECT_TRUE(models && !models->empty());
    return models && !models->empty() ? models->front() : store::TenantModel{};
  }

  ModelStore models_{dir_.path() / "models", 8};
};

// A spike on day 70, a larger one on day 88 (a record: the detector's scores rank a day among
// the last five weeks): the second arrives in the later ingest.
const Spikes kLaterSpikes = {
    {kSpikeDay, kSpike}, {kSpikeDay + 1, kGrowingSpike}, {88, 4 * kGrowingSpike}};

TEST_F(SavedStateTest, ContinuingTheSavedStateFindsWhatARescanFromTheSameDayFinds) {
  Ingest(FleetCube(85, kLaterSpikes));
  const AnomalyDetectionSummary first = Detect();
  EXPECT_EQ(first.resumed_monitors, 0);
  EXPECT_EQ(first.model, "series-detector/1");
  EXPECT_TRUE(first.warnings.empty());
  const store::TenantModel model = Model();
  EXPECT_EQ(model.artifact_path, (dir_.path() / "models" / std::to_string(tenant_id_) /
                                  "series-detector-v1.bin")
                                     .string());
  EXPECT_TRUE(std::filesystem::exists(model.artifact_path));

  // Ten more days (the window would start on day 5: within a week of the state's day 0), and a
  // restated day 10 of one instance: the monitors that include it are rescanned, the others
  // continue from their state.
  std::vector<CubeRow> rows = FleetCube(95, kLaterSpikes);
  for (CubeRow& row : rows) {
    if (row.date == kFirstDay.AddDays(10) && row.resource_id == "i-a1") {
      row.billed_cost = row.billed_cost + Units(7);
      row.effective_cost = row.billed_cost;
    }
  }
  Ingest(rows);
  options_.now = kNow + 86'400;
  const AnomalyDetectionSummary second = Detect();
  EXPECT_TRUE(second.warnings.empty());
  EXPECT_EQ(second.model, "series-detector/1");
  EXPECT_EQ(second.from, kFirstDay);  // the state's first day, not day 5
  EXPECT_EQ(second.to, kFirstDay.AddDays(94));
  EXPECT_GT(second.resumed_monitors, second.monitors / 2);
  EXPECT_LT(second.resumed_monitors, second.monitors);  // i-a1's monitors were rescanned
  const std::vector<CostAnomaly> later = TotalAnomalies(second.anomalies);
  EXPECT_EQ(later.size(), 2U);  // the spike of day 88 too

  // Another tenant with the same bill, scanned in one go over the same days.
  Ingest(rows, "twin");
  AnomalyDetectionOptions rescan;
  rescan.now = kNow + 86'400;
  rescan.lookback_days = 95;
  auto twin = DetectCostAnomalies(*repository_, "twin", rescan);
  ASSERT_TRUE(twin) << twin.error().message;
  EXPECT_EQ(twin->from, kFirstDay);
  EXPECT_EQ(twin->monitors, second.monitors);
  auto acme = ListCostAnomalies(*repository_, "acme", std::nullopt);
  auto twins = ListCostAnomalies(*repository_, "twin", std::nullopt);
  ASSERT_TRUE(acme && twins);
  EXPECT_FALSE(acme->empty());
  ExpectSameAnomalies(*acme, *twins);
}

TEST_F(SavedStateTest, TheStateSurvivesARestartOfTheService) {
  Ingest(FleetCube(80, kLaterSpikes));
  const AnomalyDetectionSummary first = Detect();
  Ingest(FleetCube(90, kLaterSpikes));
  ModelStore restarted(dir_.path() / "models", 8);  // nothing loaded
  options_.models = &restarted;
  options_.now = kNow + 86'400;
  const AnomalyDetectionSummary second = Detect();
  EXPECT_EQ(second.resumed_monitors, second.monitors);
  EXPECT_EQ(restarted.stats().misses, 1U);  // read from its file once
  EXPECT_EQ(restarted.stats().hits, 0U);
  EXPECT_EQ(second.monitors, first.monitors);
}

TEST_F(SavedStateTest, TheScheduleTrainsANewVersionOnceTheWindowOutgrowsTheLookback) {
  options_.retrain_days = 3;
  Ingest(FleetCube(kDays, kTwoDaySpike));
  EXPECT_EQ(Detect().model, "series-detector/1");
  // Two days later the window would start on day 2; the state's day 0 is within three days.
  Ingest(FleetCube(kDays + 2, kTwoDaySpike));
  const AnomalyDetectionSummary kept = Detect();
  EXPECT_EQ(kept.model, "series-detector/1");
  EXPECT_EQ(kept.from, kFirstDay);
  EXPECT_GT(kept.resumed_monitors, 0);
  EXPECT_TRUE(kept.retrained.empty());
  // Two more and it would be four days late: a new version trains on the latest 90 days.
  Ingest(FleetCube(kDays + 4, kTwoDaySpike));
  const AnomalyDetectionSummary retrained = Detect();
  EXPECT_EQ(retrained.model, "series-detector/2");
  EXPECT_EQ(retrained.retrained, "schedule");
  EXPECT_EQ(retrained.from, kFirstDay.AddDays(4));
  EXPECT_EQ(retrained.resumed_monitors, 0);
  const store::TenantModel model = Model();
  EXPECT_EQ(model.version, 2);
  EXPECT_EQ(model.data_from, kFirstDay.AddDays(4));
  EXPECT_TRUE(std::filesystem::exists(model.artifact_path));
  const std::vector<CostAnomaly> total = TotalAnomalies(Stored());
  ASSERT_EQ(total.size(), 1U);
  EXPECT_EQ(total[0].model_version, "series-detector/2");
}

TEST_F(SavedStateTest, FeedbackStartsANewVersionFromScratch) {
  Ingest(FleetCube(kDays, kTwoDaySpike));
  const std::vector<CostAnomaly> found = TotalAnomalies(Detect().anomalies);
  ASSERT_EQ(found.size(), 1U);
  ASSERT_TRUE(SetAnomalyFeedback(*repository_, "acme", found[0].id, AnomalyFeedback::kYes, "",
                                 kNow + 10));
  const AnomalyDetectionSummary after = Detect();
  EXPECT_EQ(after.retrained, "feedback");
  EXPECT_EQ(after.model, "series-detector/2");
  EXPECT_EQ(after.resumed_monitors, 0);
  // The new version continues from its own state next time.
  EXPECT_EQ(Detect().resumed_monitors, after.monitors);
}

TEST_F(SavedStateTest, ADamagedArtifactIsAWarningAndARescan) {
  Ingest(FleetCube(80, kLaterSpikes));
  Detect();
  const store::TenantModel model = Model();
  std::ofstream(model.artifact_path, std::ios::binary | std::ios::trunc) << "CWDETECT garbage";
  ModelStore restarted(dir_.path() / "models", 8);
  options_.models = &restarted;
  Ingest(FleetCube(90, kLaterSpikes));
  const AnomalyDetectionSummary rescanned = Detect();
  ASSERT_EQ(rescanned.warnings.size(), 1U);
  EXPECT_THAT(rescanned.warnings[0], HasSubstr(model.artifact_path));
  EXPECT_THAT(rescanned.warnings[0], HasSubstr("rescanned"));
  EXPECT_EQ(rescanned.resumed_monitors, 0);
  EXPECT_EQ(TotalAnomalies(Stored()).size(), 2U);
  // It saved a good state again.
  const AnomalyDetectionSummary next = Detect();
  EXPECT_TRUE(next.warnings.empty());
  EXPECT_EQ(next.resumed_monitors, next.monitors);
}

TEST_F(SavedStateTest, TheDetailComesFromTheLoadedStateAndMatchesARescan) {
  Ingest(FleetCube(kDays, kTwoDaySpike));
  const std::vector<CostAnomaly> total = TotalAnomalies(Detect().anomalies);
  ASSERT_EQ(total.size(), 1U);
  const std::size_t hits = models_.stats().hits;
  auto saved = GetCostAnomalyDetail(*repository_, "acme", total[0].id, options_);
  ASSERT_TRUE(saved) << saved.error().message;
  EXPECT_EQ(models_.stats().hits, hits + 1);
  AnomalyDetectionOptions without = options_;
  without.models = nullptr;
  auto rescanned = GetCostAnomalyDetail(*repository_, "acme", total[0].id, without);
  ASSERT_TRUE(rescanned) << rescanned.error().message;
  ASSERT_EQ(saved->series.size(), rescanned->series.size());
  ASSERT_FALSE(saved->series.empty());
  for (std::size_t i = 0; i < saved->series.size(); ++i) {
    const AnomalySeriesDay& a = saved->series[i];
    const AnomalySeriesDay& b = rescanned->series[i];
    EXPECT_EQ(a.day, b.day);
    EXPECT_EQ(a.actual, b.actual);
    EXPECT_EQ(a.expected, b.expected);
    EXPECT_EQ(a.lower, b.lower);
    EXPECT_EQ(a.upper, b.upper);
    EXPECT_EQ(a.score, b.score);
    EXPECT_EQ(a.in_anomaly, b.in_anomaly);
  }
  // New data not yet scanned: the state is stale, so the detail rescans (and shows the new day).
  Ingest(FleetCube(kDays + 1, kTwoDaySpike));
  auto fresh = GetCostAnomalyDetail(*repository_, "acme", total[0].id, options_);
  ASSERT_TRUE(fresh) << fresh.error().message;
  EXPECT_EQ(fresh->series.back().day, kFirstDay.AddDays(kDays));
}

}  // namespace
}  // namespace costwise::service
