// The anomaly, model-registry and cube-scan parts of store::Repository against both real
// backends; run through scripts/with-postgres.sh, or the PostgreSQL cases fail.
#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <ostream>
#include <set>
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
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::TestDatabase;

constexpr std::int64_t kUnit = Money::kNanosPerUnit;
const Date kDay = *Date::Parse("2024-03-10");

AnomalyMonitor ServiceMonitor(std::string service) {
  return AnomalyMonitor{DimensionRef{CostDimension::kService, ""}, std::move(service), "USD"};
}

// An anomaly with every field set to something other than its default.
CostAnomaly MakeAnomaly(AnomalyMonitor monitor, Date start, Date end) {
  CostAnomaly anomaly;
  anomaly.monitor = std::move(monitor);
  anomaly.start_date = start;
  anomaly.end_date = end;
  anomaly.actual_spend = Money::FromNanos(1234 * kUnit + 560'000'000);
  anomaly.expected_spend = Money::FromNanos(234 * kUnit + 560'000'000);
  anomaly.impact = Money::FromNanos(1000 * kUnit);
  anomaly.impact_percent = 427.1;
  anomaly.max_score = 0.97;
  anomaly.latest_score = 0.61;
  anomaly.severity = AnomalySeverity::kCritical;
  anomaly.root_causes = {{"resource", "i-0abc", Money::FromNanos(900 * kUnit)},
                         {"account", "111122223333", Money::FromNanos(850 * kUnit)},
                         {"tag:team", "ml", Money::FromNanos(12 * kUnit)}};
  anomaly.detected_at = 1'700'000'000;
  anomaly.updated_at = 1'700'000'100;
  anomaly.status = AnomalyStatus::kOpen;
  return anomaly;
}

CubeRow MakeRow(Date date, std::string resource, std::int64_t billed, Tags tags = {}) {
  CubeRow row;
  row.date = date;
  row.billing_period = date.FirstOfMonth();
  row.provider = "AWS";
  row.billing_account_id = "payer";
  row.sub_account_id = "acct";
  row.service = "Amazon EC2";
  row.region = "us-east-1";
  row.usage_type = "BoxUsage";
  row.charge_category = "Usage";
  row.resource_id = std::move(resource);
  row.currency = "USD";
  row.tags = std::move(tags);
  row.billed_cost = Money::FromNanos(billed);
  row.effective_cost = Money::FromNanos(billed - 1);
  row.list_cost = Money::FromNanos(billed + 1);
  row.has_list_cost = true;
  row.usage_quantity = 2.5;
  row.line_items = 3;
  return row;
}

class AnomalyRepositoryTest : public testing::BackendRepositoryTest {
 protected:
  void SetUp() override {
    BackendRepositoryTest::SetUp();
    if (HasFatalFailure()) return;
    tenant_id_ = Tenant("acme");
    auto model = repository_->EnsureModel(ModelRecord{"series-detector", 1, "{}", ""});
    ASSERT_TRUE(model) << model.error().message;
    model_id_ = *model;
  }

  std::vector<std::int64_t> Upsert(std::vector<CostAnomaly> anomalies, std::int64_t tenant = 0) {
    const auto ids = repository_->UpsertAnomalies(tenant == 0 ? tenant_id_ : tenant, anomalies);
    EXPECT_TRUE(ids) << ids.error().message;
    return ids.value_or(std::vector<std::int64_t>{});
  }

  CostAnomaly Get(std::int64_t id) {
    const auto anomaly = repository_->GetAnomaly(tenant_id_, id);
    EXPECT_TRUE(anomaly) << anomaly.error().message;
    return anomaly.value_or(CostAnomaly{});
  }

  std::int64_t tenant_id_ = 0;
  std::int64_t model_id_ = 0;
};

INSTANTIATE_TEST_SUITE_P(Backends, AnomalyRepositoryTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgresql),
                         BackendParamName);

TEST_P(AnomalyRepositoryTest, StoresAndReadsBackEveryField) {
  CostAnomaly anomaly = MakeAnomaly(ServiceMonitor("Amazon EC2"), kDay, kDay.AddDays(2));
  anomaly.model_id = model_id_;
  const std::vector<std::int64_t> ids = Upsert({anomaly});
  ASSERT_EQ(ids.size(), 1U);
  const CostAnomaly stored = Get(ids[0]);
  EXPECT_EQ(stored.id, ids[0]);
  EXPECT_TRUE(SameMonitor(stored.monitor, anomaly.monitor));
  EXPECT_EQ(MonitorLabel(stored.monitor), "service=Amazon EC2");
  EXPECT_EQ(stored.start_date, kDay);
  EXPECT_EQ(stored.end_date, kDay.AddDays(2));
  EXPECT_EQ(stored.actual_spend, anomaly.actual_spend);
  EXPECT_EQ(stored.expected_spend, anomaly.expected_spend);
  EXPECT_EQ(stored.impact, anomaly.impact);
  EXPECT_EQ(stored.impact_percent, anomaly.impact_percent);
  EXPECT_EQ(stored.max_score, anomaly.max_score);
  EXPECT_EQ(stored.latest_score, anomaly.latest_score);
  EXPECT_EQ(stored.severity, AnomalySeverity::kCritical);
  EXPECT_EQ(stored.root_causes, anomaly.root_causes);  // in order
  EXPECT_EQ(stored.model_id, model_id_);
  EXPECT_EQ(stored.model_version, "series-detector/1");
  EXPECT_EQ(stored.detected_at, anomaly.detected_at);
  EXPECT_EQ(stored.updated_at, anomaly.updated_at);
  EXPECT_EQ(stored.status, AnomalyStatus::kOpen);
  EXPECT_EQ(stored.suppressed_by, 0);
  EXPECT_EQ(stored.feedback, AnomalyFeedback::kNone);
  EXPECT_EQ(stored.feedback_at, 0);
  // The columns of schema version 1 keep their meaning.
  EXPECT_EQ(database_->Query(fmt::format("SELECT anomaly_type, affected_service, "
                                         "estimated_impact FROM anomalies WHERE id = {}",
                                         ids[0])),
            (std::vector<std::vector<std::string>>{
                {"cost-increase", "Amazon EC2", std::to_string(1000 * kUnit)}}));
}

TEST_P(AnomalyRepositoryTest, StoresTotalAndTagMonitorsAndAnAbsentImpactPercent) {
  CostAnomaly total = MakeAnomaly(AnomalyMonitor{std::nullopt, "", "EUR"}, kDay, kDay);
  total.impact_percent.reset();
  CostAnomaly tag = MakeAnomaly(
      AnomalyMonitor{DimensionRef{CostDimension::kTag, "team"}, "web", "USD"}, kDay, kDay);
  tag.root_causes.clear();
  const std::vector<std::int64_t> ids = Upsert({total, tag});
  ASSERT_EQ(ids.size(), 2U);
  const CostAnomaly stored_total = Get(ids[0]);
  EXPECT_EQ(MonitorLabel(stored_total.monitor), "total");
  EXPECT_EQ(stored_total.monitor.currency, "EUR");
  EXPECT_FALSE(stored_total.impact_percent.has_value());
  EXPECT_EQ(stored_total.model_version, "");  // no model recorded
  const CostAnomaly stored_tag = Get(ids[1]);
  EXPECT_EQ(MonitorLabel(stored_tag.monitor), "tag:team=web");
  EXPECT_TRUE(stored_tag.root_causes.empty());
  EXPECT_EQ(database_->Query(fmt::format(
                "SELECT monitor_dimension, monitor_key, monitor_value FROM anomalies WHERE id = {}",
                ids[1])),
            (std::vector<std::vector<std::string>>{{"tag", "team", "web"}}));
}

TEST_P(AnomalyRepositoryTest, UpdatesKeepDetectionTimeAndFeedbackAndReplaceRootCauses) {
  const std::int64_t id = Upsert({MakeAnomaly(ServiceMonitor("Amazon S3"), kDay, kDay)})[0];
  ASSERT_TRUE(repository_->SetAnomalyFeedback(tenant_id_, id, AnomalyFeedback::kPlanned,
                                              "migration week", 1'700'000'500));
  CostAnomaly extended = MakeAnomaly(ServiceMonitor("Amazon S3"), kDay, kDay.AddDays(1));
  extended.id = id;
  extended.detected_at = 1;  // ignored: detected_at stays
  extended.updated_at = 1'700'086'400;
  extended.status = AnomalyStatus::kClosed;
  extended.root_causes = {{"region", "eu-west-1", Money::FromNanos(5 * kUnit)}};
  EXPECT_EQ(Upsert({extended}), std::vector<std::int64_t>{id});
  const CostAnomaly stored = Get(id);
  EXPECT_EQ(stored.end_date, kDay.AddDays(1));
  EXPECT_EQ(stored.detected_at, 1'700'000'000);
  EXPECT_EQ(stored.updated_at, 1'700'086'400);
  EXPECT_EQ(stored.status, AnomalyStatus::kClosed);
  EXPECT_EQ(stored.root_causes, extended.root_causes);
  EXPECT_EQ(stored.feedback, AnomalyFeedback::kPlanned);
  EXPECT_EQ(stored.feedback_note, "migration week");
  EXPECT_EQ(stored.feedback_at, 1'700'000'500);
  EXPECT_EQ(database_->QueryInt("SELECT COUNT(*) FROM anomaly_root_causes"), 1);
}

TEST_P(AnomalyRepositoryTest, RefusesANewAnomalyTouchingAStoredOneOfTheSameMonitor) {
  const std::int64_t id =
      Upsert({MakeAnomaly(ServiceMonitor("Amazon EC2"), kDay, kDay.AddDays(2))})[0];
  // Another monitor, and a gap of a day, are fine.
  Upsert({MakeAnomaly(ServiceMonitor("Amazon S3"), kDay, kDay.AddDays(2)),
          MakeAnomaly(ServiceMonitor("Amazon EC2"), kDay.AddDays(4), kDay.AddDays(4))});
  // Ends the day before it, overlaps it, starts the day after it.
  for (const auto& [first, last] :
       {std::pair{-3, -1}, std::pair{0, 0}, std::pair{1, 5}, std::pair{3, 3}}) {
    const std::vector<CostAnomaly> batch = {
        MakeAnomaly(ServiceMonitor("AWS Lambda"), kDay, kDay),
        MakeAnomaly(ServiceMonitor("Amazon EC2"), kDay.AddDays(first), kDay.AddDays(last))};
    const auto refused = repository_->UpsertAnomalies(tenant_id_, batch);
    ASSERT_FALSE(refused) << first;
    EXPECT_EQ(refused.error().code, ErrorCode::kConflict);
    EXPECT_THAT(refused.error().message, HasSubstr(fmt::format("stored anomaly {}", id)));
    EXPECT_THAT(refused.error().message, HasSubstr("service=Amazon EC2"));
  }
  // Nothing of the refused batches was kept.
  EXPECT_EQ(database_->QueryInt("SELECT COUNT(*) FROM anomalies"), 3);
}

TEST_P(AnomalyRepositoryTest, ListsNewestFirstAndByStatus) {
  CostAnomaly closed = MakeAnomaly(ServiceMonitor("a"), kDay, kDay);
  closed.status = AnomalyStatus::kClosed;
  CostAnomaly suppressed = MakeAnomaly(ServiceMonitor("b"), kDay.AddDays(5), kDay.AddDays(5));
  suppressed.status = AnomalyStatus::kSuppressed;
  const CostAnomaly open = MakeAnomaly(ServiceMonitor("c"), kDay.AddDays(2), kDay.AddDays(3));
  const std::vector<std::int64_t> ids = Upsert({closed, suppressed, open});
  suppressed.id = ids[1];
  suppressed.suppressed_by = ids[0];
  Upsert({suppressed});

  const auto all = repository_->ListAnomalies(tenant_id_, std::nullopt);
  ASSERT_TRUE(all) << all.error().message;
  std::vector<std::int64_t> order;
  for (const CostAnomaly& anomaly : *all) order.push_back(anomaly.id);
  EXPECT_THAT(order, ElementsAre(ids[1], ids[2], ids[0]));
  EXPECT_EQ((*all)[0].suppressed_by, ids[0]);
  EXPECT_EQ((*all)[0].root_causes.size(), 3U);
  const auto open_only = repository_->ListAnomalies(tenant_id_, AnomalyStatus::kOpen);
  ASSERT_TRUE(open_only);
  ASSERT_EQ(open_only->size(), 1U);
  EXPECT_EQ(open_only->front().id, ids[2]);
  EXPECT_EQ(open_only->front().root_causes.size(), 3U);
}

TEST_P(AnomalyRepositoryTest, EveryWriteRaisesTheTenantsAnomaliesRevision) {
  const auto revision = [&](std::int64_t tenant) {
    const auto read = repository_->AnomaliesRevision(tenant);
    EXPECT_TRUE(read) << read.error().message;
    return read.value_or(-1);
  };
  const std::int64_t other = Tenant("globex");
  EXPECT_EQ(revision(tenant_id_), 0);
  const std::int64_t id = Upsert({MakeAnomaly(ServiceMonitor("Amazon EC2"), kDay, kDay)})[0];
  const std::int64_t after_insert = revision(tenant_id_);
  EXPECT_GT(after_insert, 0);
  CostAnomaly extended = MakeAnomaly(ServiceMonitor("Amazon EC2"), kDay, kDay.AddDays(1));
  extended.id = id;
  Upsert({extended});
  const std::int64_t after_update = revision(tenant_id_);
  EXPECT_GT(after_update, after_insert);
  ASSERT_TRUE(repository_->SetAnomalyFeedback(tenant_id_, id, AnomalyFeedback::kYes, "", 1));
  EXPECT_GT(revision(tenant_id_), after_update);
  // A refused write and another tenant's leave it as it was.
  const std::int64_t before = revision(tenant_id_);
  EXPECT_FALSE(repository_->SetAnomalyFeedback(tenant_id_, id + 1000, AnomalyFeedback::kNo, "", 1));
  Upsert({MakeAnomaly(ServiceMonitor("Amazon EC2"), kDay, kDay)}, other);
  EXPECT_EQ(revision(tenant_id_), before);
  EXPECT_GT(revision(other), 0);
}

TEST_P(AnomalyRepositoryTest, KeepsTenantsApart) {
  const std::int64_t id = Upsert({MakeAnomaly(ServiceMonitor("Amazon EC2"), kDay, kDay)})[0];
  const std::int64_t other = Tenant("globex");
  const auto read = repository_->GetAnomaly(other, id);
  ASSERT_FALSE(read);
  EXPECT_EQ(read.error().code, ErrorCode::kNotFound);
  const auto judged = repository_->SetAnomalyFeedback(other, id, AnomalyFeedback::kNo, "", 1);
  ASSERT_FALSE(judged);
  EXPECT_EQ(judged.error().code, ErrorCode::kNotFound);
  CostAnomaly hijack = MakeAnomaly(ServiceMonitor("Amazon EC2"), kDay, kDay.AddDays(9));
  hijack.id = id;
  const auto updated = repository_->UpsertAnomalies(other, std::vector<CostAnomaly>{hijack});
  ASSERT_FALSE(updated);
  EXPECT_EQ(updated.error().code, ErrorCode::kNotFound);
  const auto listed = repository_->ListAnomalies(other, std::nullopt);
  ASSERT_TRUE(listed);
  EXPECT_TRUE(listed->empty());
  // The same monitor and days are free in another tenant.
  Upsert({MakeAnomaly(ServiceMonitor("Amazon EC2"), kDay, kDay)}, other);
  const CostAnomaly mine = Get(id);
  EXPECT_EQ(mine.end_date, kDay);
  EXPECT_EQ(mine.feedback, AnomalyFeedback::kNone);
  const auto unknown_tenant = repository_->UpsertAnomalies(
      other + 100, std::vector<CostAnomaly>{MakeAnomaly(ServiceMonitor("x"), kDay, kDay)});
  ASSERT_FALSE(unknown_tenant);
  EXPECT_EQ(unknown_tenant.error().code, ErrorCode::kNotFound);
}

TEST_P(AnomalyRepositoryTest, RejectsInvalidAnomalies) {
  const CostAnomaly backwards = MakeAnomaly(ServiceMonitor("x"), kDay, kDay.AddDays(-1));
  const auto reversed = repository_->UpsertAnomalies(tenant_id_, std::vector{backwards});
  ASSERT_FALSE(reversed);
  EXPECT_EQ(reversed.error().code, ErrorCode::kInvalidInput);
  EXPECT_THAT(reversed.error().message, HasSubstr("ends (2024-03-09) before it starts"));
  CostAnomaly bad_text = MakeAnomaly(ServiceMonitor("x"), kDay, kDay);
  bad_text.root_causes[0].value = std::string("i-\xff", 3);
  const auto rejected = repository_->UpsertAnomalies(tenant_id_, std::vector{bad_text});
  ASSERT_FALSE(rejected);
  EXPECT_EQ(rejected.error().code, ErrorCode::kInvalidInput);
  EXPECT_THAT(rejected.error().message, HasSubstr("root cause value"));
  EXPECT_EQ(database_->QueryInt("SELECT COUNT(*) FROM anomalies"), 0);
}

TEST_P(AnomalyRepositoryTest, RegistersEachModelConfigurationOnce) {
  const ModelRecord model{"series-detector", 1, "{}", ""};
  EXPECT_EQ(repository_->EnsureModel(model).value_or(-1), model_id_);
  const auto tuned = repository_->EnsureModel(ModelRecord{"series-detector", 1, R"({"z":5})", ""});
  ASSERT_TRUE(tuned);
  EXPECT_NE(*tuned, model_id_);
  const auto next = repository_->EnsureModel(ModelRecord{"series-detector", 2, "{}", ""});
  ASSERT_TRUE(next);
  EXPECT_NE(*next, model_id_);
  EXPECT_EQ(database_->QueryInt("SELECT COUNT(*) FROM ml_models"), 3);
  const auto nameless = repository_->EnsureModel(ModelRecord{"", 1, "{}", ""});
  ASSERT_FALSE(nameless);
  EXPECT_EQ(nameless.error().code, ErrorCode::kInvalidInput);
}

TEST_P(AnomalyRepositoryTest, ScansTheCubeOfOneTenantWithTags) {
  EXPECT_FALSE(repository_->CostDayRange(tenant_id_).value_or(DayRange{}).has_value());
  std::vector<CubeRow> rows;
  for (int day = 0; day < 20; ++day) {
    rows.push_back(MakeRow(kDay.AddDays(day), "i-1", (day + 1) * kUnit, {{"team", "web"}}));
    rows.push_back(MakeRow(kDay.AddDays(day), "i-2", kUnit, {}));
  }
  IngestBatch batch;
  batch.scopes = {BillingScope{"AWS", "payer", kDay.FirstOfMonth()},
                  BillingScope{"AWS", "payer", kDay.AddDays(19).FirstOfMonth()}};
  batch.rows = rows;
  ASSERT_TRUE(repository_->ReplaceBillingScopes(tenant_id_, batch));
  ASSERT_TRUE(repository_->ReplaceBillingScopes(Tenant("globex"), batch));

  const auto range = repository_->CostDayRange(tenant_id_);
  ASSERT_TRUE(range) << range.error().message;
  ASSERT_TRUE(range->has_value());
  EXPECT_EQ((*range)->first, kDay);
  EXPECT_EQ((*range)->last, kDay.AddDays(19));

  std::vector<CubeRow> scanned;
  const Status status = repository_->ScanCubeRows(
      tenant_id_, kDay.AddDays(5), kDay.AddDays(9), [&](std::span<const CubeRow> chunk) {
        scanned.insert(scanned.end(), chunk.begin(), chunk.end());
      });
  ASSERT_TRUE(status) << status.error().message;
  ASSERT_EQ(scanned.size(), 10U);
  std::sort(scanned.begin(), scanned.end(), [](const CubeRow& a, const CubeRow& b) {
    return std::tie(a.date, a.resource_id) < std::tie(b.date, b.resource_id);
  });
  const CubeRow& first = scanned.front();
  EXPECT_EQ(first.date, kDay.AddDays(5));
  EXPECT_EQ(first.billing_period, kDay.FirstOfMonth());
  EXPECT_EQ(first.resource_id, "i-1");
  EXPECT_EQ(first.tags, (Tags{{"team", "web"}}));
  EXPECT_EQ(first.billed_cost, Money::FromNanos(6 * kUnit));
  EXPECT_EQ(first.effective_cost, Money::FromNanos(6 * kUnit - 1));
  EXPECT_EQ(first.list_cost, Money::FromNanos(6 * kUnit + 1));
  EXPECT_TRUE(first.has_list_cost);
  EXPECT_EQ(first.usage_quantity, 2.5);
  EXPECT_EQ(first.line_items, 3);
  EXPECT_EQ(first.service, "Amazon EC2");
  EXPECT_EQ(first.sub_account_id, "acct");
  EXPECT_TRUE(scanned[1].tags.empty());
}

}  // namespace
}  // namespace costwise::store
