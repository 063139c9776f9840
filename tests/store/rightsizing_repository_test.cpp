// The right-sizing part of store::Repository (schema version 4: a tenant's inventory, instance
// metrics and stored recommendations) against both real backends; run through
// scripts/with-postgres.sh, or the PostgreSQL cases fail.
#include <cmath>
#include <cstdint>
#include <fstream>
#include <limits>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include "repository_fixture.h"
#include "store/migrations.h"
#include "store/repository.h"
#include "test_databases.h"

namespace costwise::store {

// Names the backend in gtest's messages (defined in repository_test.cpp).
void PrintTo(Backend backend, std::ostream* out);

namespace {

using testing::BackendParamName;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::TestDatabase;

constexpr std::int64_t kUnit = Money::kNanosPerUnit;
constexpr std::int64_t kNow = 1'790'000'000;
constexpr std::int64_t kDay = 86'400;

CloudInstance Instance(std::string id, std::string type = "m5.large", std::int64_t line = 2) {
  return CloudInstance{std::move(id),
                       std::move(type),
                       "us-east-1",
                       "Linux/UNIX",
                       "running",
                       R"({"Name": "web-1", "team": "ñ"})",
                       ResourceSource{"inventory.csv", line}};
}

CloudVolume Volume(std::string id, std::string state = "available") {
  return CloudVolume{std::move(id),
                     "gp3",
                     500.5,
                     3000,
                     125,
                     "eu-west-1",
                     std::move(state),
                     "",
                     "",
                     ResourceSource{"volumes.csv", 2}};
}

CloudAddress Address(std::string allocation, std::string ip) {
  return CloudAddress{std::move(allocation),
                      std::move(ip),
                      "us-east-1",
                      "",
                      "",
                      "",
                      ResourceSource{"addresses.csv", 2}};
}

std::vector<MetricSample> Samples(const std::string& instance, const std::string& metric,
                                  std::int64_t first, int count, double value) {
  std::vector<MetricSample> samples;
  for (int i = 0; i < count; ++i) {
    samples.push_back(MetricSample{instance, metric, first + i * 300, value + i});
  }
  return samples;
}

// A reader over `chunks`, one chunk per call.
MetricSampleReader ChunkReader(std::vector<std::vector<MetricSample>> chunks) {
  auto next = std::make_shared<std::size_t>(0);
  auto owned = std::make_shared<std::vector<std::vector<MetricSample>>>(std::move(chunks));
  return [next, owned](std::vector<MetricSample>& chunk) {
    if (*next < owned->size()) chunk = (*owned)[(*next)++];
    return *next < owned->size();
  };
}

ResourceRecommendation Resize(std::string id, std::string to, double savings) {
  ResourceRecommendation r;
  r.kind = RecommendationKind::kInstance;
  r.resource_id = std::move(id);
  r.region = "us-east-1";
  r.finding = "over-provisioned";
  r.action = "resize";
  r.current_type = "m5.4xlarge";
  r.recommended_type = std::move(to);
  r.summary = fmt::format("{}: switch from m5.4xlarge to {}", r.resource_id, r.recommended_type);
  r.options_json = R"([{"type":"m5.large","monthly_savings":420.48}])";
  r.performance_risk = 2;
  r.current_monthly_cost = Money::FromNanos(560 * kUnit + 640'000'000);
  r.monthly_savings = Money::FromNanos(static_cast<std::int64_t>(savings * kUnit) + 123);
  r.confidence = 0.875;
  r.aws_cli = {"# a comment",
               "aws ec2 stop-instances --region us-east-1 --instance-ids " + r.resource_id};
  r.terraform = "resource \"aws_instance\" \"web\" {\n  instance_type = \"m5.large\"\n}\n";
  return r;
}

ResourceRecommendation DeleteVolume(std::string id) {
  ResourceRecommendation r;
  r.kind = RecommendationKind::kVolume;
  r.resource_id = std::move(id);
  r.region = "eu-west-1";
  r.finding = "unattached-volume";
  r.action = "delete";
  r.summary = r.resource_id + ": attached to no instance";
  r.current_monthly_cost = Money::FromNanos(40 * kUnit);
  r.monthly_savings = Money::FromNanos(40 * kUnit);
  r.confidence = 1;
  r.aws_cli = {"aws ec2 delete-volume --region eu-west-1 --volume-id " + r.resource_id};
  r.terraform = "# remove the block\n";
  return r;
}

class RightsizingRepositoryTest : public testing::BackendRepositoryTest {
 protected:
  void SetUp() override {
    BackendRepositoryTest::SetUp();
    if (HasFatalFailure()) return;
    tenant_id_ = Tenant("acme");
  }

  void Open() {
    OpenRepositoryOrFail();
    tenant_id_ = Tenant("acme");
  }

  InventoryReplaceSummary ReplaceInventory(const InventoryReplacement& replacement,
                                           std::int64_t tenant = 0) {
    const auto summary =
        repository_->ReplaceInventory(tenant == 0 ? tenant_id_ : tenant, replacement);
    EXPECT_TRUE(summary) << summary.error().message;
    return summary.value_or(InventoryReplaceSummary{});
  }

  CloudInventory Inventory(std::int64_t tenant = 0) {
    const auto inventory = repository_->LoadInventory(tenant == 0 ? tenant_id_ : tenant);
    EXPECT_TRUE(inventory) << inventory.error().message;
    return inventory.value_or(CloudInventory{});
  }

  MetricUpsertSummary Upsert(std::vector<std::vector<MetricSample>> chunks,
                             std::int64_t tenant = 0) {
    const auto summary =
        repository_->UpsertMetricSamples(tenant == 0 ? tenant_id_ : tenant, ChunkReader(chunks));
    EXPECT_TRUE(summary) << summary.error().message;
    return summary.value_or(MetricUpsertSummary{});
  }

  std::vector<MetricSeriesRecord> Metrics(const std::string& instance, std::int64_t from,
                                          std::int64_t to, std::int64_t tenant = 0) {
    const auto series =
        repository_->ReadInstanceMetrics(tenant == 0 ? tenant_id_ : tenant, instance, from, to);
    EXPECT_TRUE(series) << series.error().message;
    return series.value_or(std::vector<MetricSeriesRecord>{});
  }

  std::vector<std::int64_t> Store(const std::vector<ResourceRecommendation>& recommendations,
                                  std::int64_t now = kNow, std::int64_t tenant = 0) {
    const auto ids = repository_->ReplaceRecommendations(tenant == 0 ? tenant_id_ : tenant,
                                                         recommendations, now);
    EXPECT_TRUE(ids) << ids.error().message;
    return ids.value_or(std::vector<std::int64_t>{});
  }

  std::vector<ResourceRecommendation> List(std::optional<RecommendationStatus> status = {},
                                           std::int64_t tenant = 0) {
    const auto list = repository_->ListRecommendations(tenant == 0 ? tenant_id_ : tenant, status);
    EXPECT_TRUE(list) << list.error().message;
    return list.value_or(std::vector<ResourceRecommendation>{});
  }

  long long Count(std::string_view table) {
    return database_->QueryInt(fmt::format("SELECT COUNT(*) FROM {}", table));
  }

  // Declared first so that it outlives the repository's connection.
  std::int64_t tenant_id_ = 0;
};

INSTANTIATE_TEST_SUITE_P(Backends, RightsizingRepositoryTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgresql),
                         BackendParamName);

// --- migration 4 ----------------------------------------------------------------------------

// A database at schema version 3 with recommendations rows as version 1 defined them, opened
// by this build: migration 4 keeps the rows (estimated_savings becomes monthly_savings, an
// unknown status becomes open) and new ids continue after the old ones.
TEST_P(RightsizingRepositoryTest, MigrationFourKeepsVersionOneRecommendations) {
  std::unique_ptr<TestDatabase> old;
  {
    std::string error;
    old = TestDatabase::Create(GetParam(), &error);
    ASSERT_NE(old, nullptr) << error;
  }
  if (GetParam() == Backend::kSqlite) std::ofstream(old->folder() / "store.db");  // empty
  const std::string id_column = GetParam() == Backend::kSqlite
                                    ? "INTEGER PRIMARY KEY"
                                    : "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY";
  old->Query(
      "CREATE TABLE schema_migrations (version INTEGER NOT NULL PRIMARY KEY, applied_at BIGINT "
      "NOT NULL)");
  for (const Migration& migration : Migrations()) {
    if (migration.version > 3) break;
    for (const std::string_view sql :
         {migration.common_sql,
          GetParam() == Backend::kSqlite ? migration.sqlite_sql : migration.postgres_sql}) {
      std::string_view rest = sql;
      while (!rest.empty()) {
        const std::size_t end = rest.find(';');
        std::string statement(rest.substr(0, end));
        rest.remove_prefix(end == std::string_view::npos ? rest.size() : end + 1);
        if (statement.find_first_not_of(" \t\r\n") == std::string::npos) continue;
        for (std::size_t at = statement.find("{{ID}}"); at != std::string::npos;
             at = statement.find("{{ID}}")) {
          statement.replace(at, 6, id_column);
        }
        old->Query(statement);
      }
    }
    old->Query(fmt::format("INSERT INTO schema_migrations VALUES ({}, 1)", migration.version));
  }
  old->Query("INSERT INTO tenants (id, name, created_at) VALUES (7, 'old', 1)");
  old->Query(
      "INSERT INTO recommendations (id, tenant_id, resource_id, current_instance_type, "
      "recommended_instance_type, estimated_savings, confidence_score, created_at, finding, "
      "status) VALUES (40, 7, 'i-1', 'm5.xlarge', 'm5.large', 70000000000, 0.5, 100, "
      "'over-provisioned', 'dismissed'), (41, 7, 'i-2', 'c5.large', '', 0, 0, 100, '', "
      "'whatever')");

  auto opened = OpenRepository(old->url());
  ASSERT_TRUE(opened) << opened.error().message;
  Repository& repository = **opened;
  EXPECT_EQ(repository.SchemaVersion().value_or(0), LatestSchemaVersion());
  auto stored = repository.ListRecommendations(7, std::nullopt);
  ASSERT_TRUE(stored) << stored.error().message;
  ASSERT_EQ(stored->size(), 2U);
  const ResourceRecommendation& kept = stored->front();
  EXPECT_EQ(kept.id, 40);
  EXPECT_EQ(kept.kind, RecommendationKind::kInstance);
  EXPECT_EQ(kept.resource_id, "i-1");
  EXPECT_EQ(kept.current_type, "m5.xlarge");
  EXPECT_EQ(kept.recommended_type, "m5.large");
  EXPECT_EQ(kept.monthly_savings, Money::FromNanos(70 * kUnit));
  EXPECT_EQ(kept.status, RecommendationStatus::kDismissed);
  EXPECT_EQ(kept.options_json, "[]");
  EXPECT_EQ(kept.created_at, 100);
  EXPECT_EQ(stored->back().status, RecommendationStatus::kOpen);

  auto ids = repository.ReplaceRecommendations(7, std::vector{Resize("i-9", "m5.large", 5)}, kNow);
  ASSERT_TRUE(ids) << ids.error().message;
  ASSERT_EQ(ids->size(), 1U);
  EXPECT_GT(ids->front(), 41);
  // The first run replaces the old open recommendation and keeps the dismissed one.
  auto after = repository.ListRecommendations(7, std::nullopt);
  ASSERT_TRUE(after) << after.error().message;
  ASSERT_EQ(after->size(), 2U);
  EXPECT_EQ(after->front().id, 40);
  EXPECT_EQ(after->back().id, ids->front());
  // The status check holds on the rebuilt table.
  EXPECT_EQ(old->QueryInt("SELECT COUNT(*) FROM recommendations WHERE status = 'snoozed'"), 0);
}

TEST_P(RightsizingRepositoryTest, TheRecommendationsStatusIsChecked) {
  const std::vector<std::int64_t> ids = Store({DeleteVolume("vol-1")});
  ASSERT_EQ(ids.size(), 1U);
  // Straight SQL, past the repository: the database itself refuses an unknown status and a
  // snooze without an end.
  const std::string snooze_without_end =
      fmt::format("UPDATE recommendations SET status = 'snoozed' WHERE id = {}", ids[0]);
  EXPECT_NONFATAL_FAILURE(database_->Query(snooze_without_end), "");
  EXPECT_NONFATAL_FAILURE(database_->Query(fmt::format(
                              "UPDATE recommendations SET status = 'gone' WHERE id = {}", ids[0])),
                          "");
  EXPECT_EQ(List().front().status, RecommendationStatus::kOpen);
}

// --- inventory ------------------------------------------------------------------------------

TEST_P(RightsizingRepositoryTest, StoresTheInventoryAndReadsBackEveryField) {
  InventoryReplacement replacement;
  replacement.instances = {Instance("i-2", "m5.xlarge", 3), Instance("i-1")};
  replacement.volumes = {Volume("vol-1")};
  replacement.addresses = {Address("eipalloc-1", "203.0.113.7"), Address("", "198.51.100.2")};
  replacement.imported_at = kNow;
  const InventoryReplaceSummary summary = ReplaceInventory(replacement);
  EXPECT_EQ(summary.instances, (InventoryChanges{2, 0, 0, 0}));
  EXPECT_EQ(summary.volumes, (InventoryChanges{1, 0, 0, 0}));
  EXPECT_EQ(summary.addresses, (InventoryChanges{2, 0, 0, 0}));

  const CloudInventory inventory = Inventory();
  ASSERT_EQ(inventory.instances.size(), 2U);
  EXPECT_EQ(inventory.instances[0], Instance("i-1"));  // by id
  EXPECT_EQ(inventory.instances[1], Instance("i-2", "m5.xlarge", 3));
  ASSERT_EQ(inventory.volumes.size(), 1U);
  EXPECT_EQ(inventory.volumes[0], Volume("vol-1"));
  ASSERT_EQ(inventory.addresses.size(), 2U);
  EXPECT_EQ(inventory.addresses[0], Address("", "198.51.100.2"));  // keyed by its IP
  EXPECT_EQ(inventory.addresses[1], Address("eipalloc-1", "203.0.113.7"));
  EXPECT_EQ(database_->QueryInt("SELECT MIN(imported_at) FROM cloud_instances"), kNow);
}

TEST_P(RightsizingRepositoryTest, ReplacingWithTheSameRowsChangesNothing) {
  InventoryReplacement replacement;
  replacement.instances = {Instance("i-1"), Instance("i-2")};
  replacement.volumes = {Volume("vol-1")};
  replacement.imported_at = kNow;
  ReplaceInventory(replacement);
  replacement.imported_at = kNow + 100;
  const InventoryReplaceSummary again = ReplaceInventory(replacement);
  EXPECT_EQ(again.instances, (InventoryChanges{0, 0, 2, 0}));
  EXPECT_EQ(again.volumes, (InventoryChanges{0, 0, 1, 0}));
  EXPECT_FALSE(again.addresses.has_value());
  // Unchanged rows are not rewritten.
  EXPECT_EQ(database_->QueryInt("SELECT MAX(imported_at) FROM cloud_instances"), kNow);
  EXPECT_EQ(Count("cloud_instances"), 2);
}

TEST_P(RightsizingRepositoryTest, AnImportReplacesItsKindsOnly) {
  InventoryReplacement first;
  first.instances = {Instance("i-1"), Instance("i-2"), Instance("i-3")};
  first.volumes = {Volume("vol-1")};
  first.imported_at = kNow;
  ReplaceInventory(first);

  InventoryReplacement second;
  second.instances = {Instance("i-1"), Instance("i-2", "m5.2xlarge"), Instance("i-4")};
  second.imported_at = kNow + 100;
  const InventoryReplaceSummary summary = ReplaceInventory(second);
  EXPECT_EQ(summary.instances, (InventoryChanges{1, 1, 1, 1}));
  EXPECT_FALSE(summary.volumes.has_value());
  const CloudInventory inventory = Inventory();
  ASSERT_EQ(inventory.instances.size(), 3U);
  EXPECT_EQ(inventory.instances[0].instance_id, "i-1");
  EXPECT_EQ(inventory.instances[1].instance_type, "m5.2xlarge");
  EXPECT_EQ(inventory.instances[2].instance_id, "i-4");
  ASSERT_EQ(inventory.volumes.size(), 1U);  // not part of the import: kept
  EXPECT_EQ(database_->QueryInt("SELECT imported_at FROM cloud_instances WHERE instance_id = "
                                "'i-2'"),
            kNow + 100);

  // An empty list of a kind empties it.
  InventoryReplacement empty;
  empty.volumes.emplace();
  EXPECT_EQ(ReplaceInventory(empty).volumes, (InventoryChanges{0, 0, 0, 1}));
  EXPECT_THAT(Inventory().volumes, IsEmpty());
}

TEST_P(RightsizingRepositoryTest, ABadInventoryRowRollsEverythingBack) {
  InventoryReplacement good;
  good.instances = {Instance("i-1")};
  good.volumes = {Volume("vol-1")};
  ReplaceInventory(good);

  InventoryReplacement twice;
  twice.instances = {Instance("i-7"), Instance("i-8"), Instance("i-7", "m5.large", 9)};
  twice.volumes.emplace();
  auto result = repository_->ReplaceInventory(tenant_id_, twice);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kInvalidInput);
  EXPECT_THAT(result.error().message, HasSubstr("inventory.csv:9: instance i-7 is listed twice"));

  InventoryReplacement bad_text;
  bad_text.instances = {Instance("i-7")};
  bad_text.volumes = {Volume(std::string("vol-\xff", 5))};
  result = repository_->ReplaceInventory(tenant_id_, bad_text);
  ASSERT_FALSE(result);
  EXPECT_THAT(result.error().message, HasSubstr("volumes.csv:2: volume_id is not valid UTF-8"));

  InventoryReplacement bad_size;
  bad_size.volumes = {Volume("vol-2")};
  bad_size.volumes->front().size_gib = -1;
  result = repository_->ReplaceInventory(tenant_id_, bad_size);
  ASSERT_FALSE(result);
  EXPECT_THAT(result.error().message, HasSubstr("size_gib is not a non-negative number"));

  InventoryReplacement no_type;
  no_type.instances = {Instance("i-9", "")};
  result = repository_->ReplaceInventory(tenant_id_, no_type);
  ASSERT_FALSE(result);
  EXPECT_THAT(result.error().message, HasSubstr("instance i-9 has no instance_type"));

  const CloudInventory inventory = Inventory();
  ASSERT_EQ(inventory.instances.size(), 1U);
  EXPECT_EQ(inventory.instances[0].instance_id, "i-1");
  EXPECT_EQ(inventory.volumes.size(), 1U);
}

TEST_P(RightsizingRepositoryTest, InventoriesOfTenantsAreApart) {
  InventoryReplacement mine;
  mine.instances = {Instance("i-1"), Instance("i-2")};
  ReplaceInventory(mine);
  const std::int64_t other = Tenant("globex");
  EXPECT_THAT(Inventory(other).instances, IsEmpty());
  InventoryReplacement theirs;
  theirs.instances = {Instance("i-2")};  // the same id in another account
  EXPECT_EQ(ReplaceInventory(theirs, other).instances, (InventoryChanges{1, 0, 0, 0}));
  EXPECT_EQ(Inventory().instances.size(), 2U);
  EXPECT_EQ(Inventory(other).instances.size(), 1U);

  const auto unknown = repository_->ReplaceInventory(other + 100, theirs);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);
}

// --- metrics --------------------------------------------------------------------------------

TEST_P(RightsizingRepositoryTest, UpsertsSamplesIdempotentlyAndReadsAWindow) {
  const std::int64_t t0 = kNow - 10 * kDay;
  std::vector<MetricSample> cpu = Samples("i-1", "CPUUtilization", t0, 100, 1.25);
  std::vector<MetricSample> memory = Samples("i-1", "mem_used_percent", t0, 100, 40.5);
  std::vector<MetricSample> other = Samples("i-2", "CPUUtilization", t0, 10, 7);
  const MetricUpsertSummary first = Upsert({cpu, memory, other});
  EXPECT_EQ(first.samples, 210);
  EXPECT_EQ(first.added, 210);
  EXPECT_EQ(first.updated, 0);

  const MetricUpsertSummary again = Upsert({cpu, memory, other});
  EXPECT_EQ(again.samples, 210);
  EXPECT_EQ(again.added, 0);
  EXPECT_EQ(again.updated, 0);
  EXPECT_EQ(Count("instance_metrics"), 210);

  // A new value for a stored key; of a key given twice, the last value wins.
  std::vector<MetricSample> changed = {MetricSample{"i-1", "CPUUtilization", t0, 99},
                                       MetricSample{"i-1", "NetworkIn", t0, 1},
                                       MetricSample{"i-1", "NetworkIn", t0, 2}};
  const MetricUpsertSummary third = Upsert({changed});
  EXPECT_EQ(third.added, 1);
  EXPECT_EQ(third.updated, 1);

  const auto newest = repository_->NewestMetricSample(tenant_id_);
  ASSERT_TRUE(newest) << newest.error().message;
  EXPECT_EQ(*newest, t0 + 99 * 300);

  // [from, to): the window's end is excluded, its start included.
  const std::vector<MetricSeriesRecord> window = Metrics("i-1", t0, t0 + 50 * 300);
  ASSERT_EQ(window.size(), 3U);
  EXPECT_EQ(window[0].metric, "CPUUtilization");
  EXPECT_EQ(window[1].metric, "NetworkIn");
  EXPECT_EQ(window[2].metric, "mem_used_percent");
  ASSERT_EQ(window[0].timestamps.size(), 50U);
  EXPECT_EQ(window[0].timestamps.front(), t0);
  EXPECT_EQ(window[0].timestamps.back(), t0 + 49 * 300);
  EXPECT_EQ(window[0].values.front(), 99);
  EXPECT_EQ(window[0].values[1], 2.25);
  EXPECT_THAT(window[1].values, ElementsAre(2));
  EXPECT_EQ(window[2].values.back(), 40.5 + 49);
  EXPECT_THAT(Metrics("i-3", t0, kNow), IsEmpty());
}

TEST_P(RightsizingRepositoryTest, ABadSampleRollsTheWholeImportBack) {
  Upsert({Samples("i-1", "CPUUtilization", kNow, 5, 1)});
  std::vector<MetricSample> bad = Samples("i-1", "CPUUtilization", kNow + 5 * 300, 5, 1);
  bad[3].value = std::numeric_limits<double>::infinity();
  const auto result = repository_->UpsertMetricSamples(
      tenant_id_, ChunkReader({Samples("i-2", "CPUUtilization", kNow, 100, 1), bad}));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kInvalidInput);
  EXPECT_THAT(result.error().message, HasSubstr("metric sample 103"));
  EXPECT_THAT(result.error().message, HasSubstr("not a finite number"));
  std::vector<MetricSample> no_metric = Samples("i-3", "", kNow, 1, 1);
  EXPECT_FALSE(repository_->UpsertMetricSamples(tenant_id_, ChunkReader({no_metric})));
  // The first chunk had been written; the transaction took it back.
  EXPECT_EQ(Count("instance_metrics"), 5);
  // The repository is usable afterwards (PostgreSQL: the import table went with the rollback).
  EXPECT_EQ(Upsert({Samples("i-2", "CPUUtilization", kNow, 3, 1)}).added, 3);
}

TEST_P(RightsizingRepositoryTest, MetricsOfTenantsAreApart) {
  Upsert({Samples("i-1", "CPUUtilization", kNow, 10, 1)});
  const std::int64_t other = Tenant("globex");
  EXPECT_THAT(Metrics("i-1", 0, kNow * 2, other), IsEmpty());
  const auto none = repository_->NewestMetricSample(other);
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->has_value());
  // The same instance id in another tenant is another series.
  EXPECT_EQ(Upsert({Samples("i-1", "CPUUtilization", kNow, 10, 5)}, other).added, 10);
  EXPECT_EQ(Metrics("i-1", 0, kNow * 2).front().values.front(), 1);
  EXPECT_EQ(Metrics("i-1", 0, kNow * 2, other).front().values.front(), 5);
  EXPECT_FALSE(repository_->UpsertMetricSamples(other + 100, ChunkReader({})));
}

// Metric anomalies (schema version 12): new excursions are added, known ones (the same
// instance, metric and start) updated; tenants are apart; bad values change nothing.
TEST_P(RightsizingRepositoryTest, RecordsMetricAnomaliesOncePerExcursion) {
  MetricAnomaly spike;
  spike.instance_id = "i-1";
  spike.region = "us-east-1";
  spike.metric = "CPUUtilization";
  spike.started_at = kNow;
  spike.ended_at = kNow + 300;
  spike.peak_value = 80;
  spike.expected_value = 2.5;
  spike.score = 0.999;
  spike.open = true;
  MetricAnomaly drop = spike;
  drop.metric = "NetworkIn";
  drop.peak_value = 0;
  auto first = repository_->RecordMetricAnomalies(tenant_id_, std::vector{spike, drop}, kNow + 600);
  ASSERT_TRUE(first) << first.error().message;
  ASSERT_EQ(first->size(), 2U);
  EXPECT_GT((*first)[0].id, 0);
  EXPECT_EQ((*first)[0].detected_at, kNow + 600);

  spike.ended_at = kNow + 900;
  spike.peak_value = 95;
  spike.open = false;
  auto again = repository_->RecordMetricAnomalies(tenant_id_, std::vector{spike}, kNow + 1200);
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->empty());  // known: updated, not new
  auto listed = repository_->ListMetricAnomalies(tenant_id_, 10);
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->size(), 2U);
  const MetricAnomaly& stored = (*listed)[0].metric == "CPUUtilization" ? (*listed)[0] : (*listed)[1];
  EXPECT_EQ(stored.ended_at, kNow + 900);
  EXPECT_EQ(stored.peak_value, 95);
  EXPECT_FALSE(stored.open);
  EXPECT_EQ(stored.detected_at, kNow + 600);
  EXPECT_EQ(stored.updated_at, kNow + 1200);
  EXPECT_EQ(repository_->ListMetricAnomalies(tenant_id_, 1)->size(), 1U);

  const auto read = repository_->GetMetricAnomaly(tenant_id_, stored.id);
  ASSERT_TRUE(read) << read.error().message;
  EXPECT_EQ(read->peak_value, 95);
  EXPECT_EQ(read->instance_id, "i-1");
  EXPECT_EQ(read->ended_at, kNow + 900);
  const std::int64_t other = Tenant("globex");
  EXPECT_TRUE(repository_->ListMetricAnomalies(other, 10)->empty());
  EXPECT_EQ(repository_->GetMetricAnomaly(other, stored.id).error().code, ErrorCode::kNotFound);
  MetricAnomaly broken = spike;
  broken.started_at = kNow + 5000;
  broken.score = std::nan("");
  EXPECT_EQ(repository_->RecordMetricAnomalies(tenant_id_, std::vector{broken}, kNow).error().code,
            ErrorCode::kInvalidInput);
  EXPECT_EQ(repository_->ListMetricAnomalies(tenant_id_, 10)->size(), 2U);
}

// --- recommendations ------------------------------------------------------------------------

TEST_P(RightsizingRepositoryTest, StoresRecommendationsAndReadsBackEveryField) {
  auto model = repository_->EnsureModel(ModelRecord{"rightsizing", 1, R"({"cpu_target":80})", ""});
  ASSERT_TRUE(model) << model.error().message;
  ResourceRecommendation resize = Resize("i-1", "m5.large", 420.48);
  resize.model_id = *model;
  ResourceRecommendation volume = DeleteVolume("vol-1");
  volume.model_id = *model;
  const std::vector<std::int64_t> ids = Store({volume, resize});
  ASSERT_EQ(ids.size(), 2U);

  const std::vector<ResourceRecommendation> stored = List();
  ASSERT_EQ(stored.size(), 2U);
  const ResourceRecommendation& r = stored[0];  // the largest savings first
  EXPECT_EQ(r.id, ids[1]);
  EXPECT_EQ(r.kind, RecommendationKind::kInstance);
  EXPECT_EQ(r.resource_id, "i-1");
  EXPECT_EQ(r.region, "us-east-1");
  EXPECT_EQ(r.finding, "over-provisioned");
  EXPECT_EQ(r.action, "resize");
  EXPECT_EQ(r.current_type, "m5.4xlarge");
  EXPECT_EQ(r.recommended_type, "m5.large");
  EXPECT_EQ(r.summary, resize.summary);
  EXPECT_EQ(r.options_json, resize.options_json);
  EXPECT_EQ(r.performance_risk, 2);
  EXPECT_EQ(r.current_monthly_cost, resize.current_monthly_cost);
  EXPECT_EQ(r.monthly_savings, resize.monthly_savings);  // to the nano
  EXPECT_EQ(r.confidence, 0.875);
  EXPECT_EQ(r.model_id, *model);
  EXPECT_EQ(r.model_version, "rightsizing/1");
  EXPECT_EQ(r.aws_cli, resize.aws_cli);
  EXPECT_EQ(r.terraform, resize.terraform);
  EXPECT_EQ(r.status, RecommendationStatus::kOpen);
  EXPECT_FALSE(r.snoozed_until.has_value());
  EXPECT_EQ(r.created_at, kNow);
  EXPECT_EQ(r.updated_at, kNow);
  EXPECT_EQ(stored[1].kind, RecommendationKind::kVolume);
  EXPECT_FALSE(stored[1].performance_risk.has_value());
  EXPECT_EQ(stored[1].options_json, "[]");
  EXPECT_TRUE(stored[1].current_type.empty());
}

TEST_P(RightsizingRepositoryTest, AReRunReplacesOpenOnesAndKeepsDecisions) {
  const std::vector<std::int64_t> first =
      Store({Resize("i-1", "m5.large", 400), Resize("i-2", "m5.large", 300),
             Resize("i-3", "m5.large", 200), DeleteVolume("vol-1"), DeleteVolume("vol-2")});
  ASSERT_EQ(first.size(), 5U);
  const auto dismissed = repository_->SetRecommendationStatus(
      tenant_id_, first[0], RecommendationStatus::kDismissed, std::nullopt, kNow + 1);
  ASSERT_TRUE(dismissed) << dismissed.error().message;
  EXPECT_EQ(dismissed->status, RecommendationStatus::kDismissed);
  EXPECT_EQ(dismissed->updated_at, kNow + 1);
  ASSERT_TRUE(repository_->SetRecommendationStatus(
      tenant_id_, first[1], RecommendationStatus::kSnoozed, kNow + 30 * kDay, kNow + 1));
  ASSERT_TRUE(repository_->SetRecommendationStatus(
      tenant_id_, first[3], RecommendationStatus::kApplied, std::nullopt, kNow + 1));
  ASSERT_TRUE(repository_->SetRecommendationStatus(
      tenant_id_, first[4], RecommendationStatus::kSnoozed, kNow + 2 * kDay, kNow + 1));

  // A day later: i-1 the same (dismissed stays), i-2 the same (snoozed stays), i-3 now to
  // another type (the open one goes, a new one comes), vol-1 gone (applied: kept), vol-2 the
  // same, i-4 new.
  const std::int64_t later = kNow + kDay;
  std::vector<ResourceRecommendation> rerun = {
      Resize("i-1", "m5.large", 410), Resize("i-2", "m5.large", 310),
      Resize("i-3", "m6i.large", 190), DeleteVolume("vol-2"), Resize("i-4", "c5.large", 50)};
  const std::vector<std::int64_t> second = Store(rerun, later);
  ASSERT_EQ(second.size(), 5U);
  EXPECT_EQ(second[0], first[0]);
  EXPECT_EQ(second[1], first[1]);
  EXPECT_NE(second[2], first[2]);
  EXPECT_EQ(second[3], first[4]);

  std::vector<ResourceRecommendation> all = List();
  ASSERT_EQ(all.size(), 6U);  // the five of the run and the applied vol-1
  const auto find = [&](std::int64_t id) {
    for (const ResourceRecommendation& r : all) {
      if (r.id == id) return r;
    }
    ADD_FAILURE() << "no recommendation " << id;
    return ResourceRecommendation{};
  };
  EXPECT_EQ(find(first[0]).status, RecommendationStatus::kDismissed);
  EXPECT_EQ(find(first[0]).monthly_savings.nanos(), 410 * kUnit + 123);  // content refreshed
  EXPECT_EQ(find(first[0]).created_at, kNow);
  EXPECT_EQ(find(first[0]).updated_at, later);
  EXPECT_EQ(find(first[1]).status, RecommendationStatus::kSnoozed);
  EXPECT_EQ(find(first[1]).snoozed_until, kNow + 30 * kDay);
  EXPECT_EQ(find(second[2]).status, RecommendationStatus::kOpen);
  EXPECT_EQ(find(second[2]).recommended_type, "m6i.large");
  EXPECT_EQ(find(first[3]).status, RecommendationStatus::kApplied);
  EXPECT_EQ(find(first[4]).status, RecommendationStatus::kSnoozed);  // until kNow + 2 days
  EXPECT_EQ(find(second[4]).status, RecommendationStatus::kOpen);

  EXPECT_EQ(List(RecommendationStatus::kOpen).size(), 2U);
  EXPECT_EQ(List(RecommendationStatus::kDismissed).size(), 1U);
  EXPECT_EQ(List(RecommendationStatus::kSnoozed).size(), 2U);
  EXPECT_EQ(List(RecommendationStatus::kApplied).size(), 1U);

  // After the snooze of vol-2 ended, a run that still recommends it reopens it; one that no
  // longer makes the open i-4 recommendation deletes it.
  const std::vector<std::int64_t> third = Store({DeleteVolume("vol-2")}, kNow + 3 * kDay);
  ASSERT_EQ(third.size(), 1U);
  EXPECT_EQ(third[0], first[4]);
  const std::vector<ResourceRecommendation> open = List(RecommendationStatus::kOpen);
  ASSERT_EQ(open.size(), 1U);
  EXPECT_EQ(open[0].resource_id, "vol-2");
  EXPECT_FALSE(open[0].snoozed_until.has_value());
  EXPECT_EQ(List().size(), 4U);  // dismissed i-1, snoozed i-2, applied vol-1, open vol-2
}

TEST_P(RightsizingRepositoryTest, AnInvalidRunChangesNothing) {
  Store({Resize("i-1", "m5.large", 400)});
  auto result = repository_->ReplaceRecommendations(
      tenant_id_, std::vector{Resize("i-2", "m5.large", 1), Resize("i-2", "m5.large", 2)}, kNow);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kInvalidInput);
  EXPECT_THAT(result.error().message, HasSubstr("recommended twice"));
  ResourceRecommendation risky = Resize("i-3", "m5.large", 1);
  risky.performance_risk = 5;
  result = repository_->ReplaceRecommendations(tenant_id_, std::vector{risky}, kNow);
  ASSERT_FALSE(result);
  EXPECT_THAT(result.error().message, HasSubstr("risk 5"));
  ResourceRecommendation multiline = Resize("i-3", "m5.large", 1);
  multiline.aws_cli.push_back("aws ec2 start-instances\nrm -rf /");
  EXPECT_FALSE(repository_->ReplaceRecommendations(tenant_id_, std::vector{multiline}, kNow));
  const std::vector<ResourceRecommendation> kept = List();
  ASSERT_EQ(kept.size(), 1U);
  EXPECT_EQ(kept[0].resource_id, "i-1");
}

TEST_P(RightsizingRepositoryTest, StatusChangesCheckTheTenantAndTheSnooze) {
  const std::vector<std::int64_t> ids = Store({Resize("i-1", "m5.large", 400)});
  ASSERT_EQ(ids.size(), 1U);
  const std::int64_t other = Tenant("globex");
  EXPECT_THAT(List({}, other), IsEmpty());
  const auto foreign = repository_->SetRecommendationStatus(
      other, ids[0], RecommendationStatus::kDismissed, std::nullopt, kNow);
  ASSERT_FALSE(foreign);
  EXPECT_EQ(foreign.error().code, ErrorCode::kNotFound);
  const auto missing = repository_->SetRecommendationStatus(
      tenant_id_, ids[0] + 1000, RecommendationStatus::kDismissed, std::nullopt, kNow);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  const auto endless = repository_->SetRecommendationStatus(
      tenant_id_, ids[0], RecommendationStatus::kSnoozed, std::nullopt, kNow);
  ASSERT_FALSE(endless);
  EXPECT_EQ(endless.error().code, ErrorCode::kInvalidInput);
  EXPECT_EQ(List().front().status, RecommendationStatus::kOpen);

  // Another tenant's run leaves ours alone.
  Store({Resize("i-1", "m5.large", 10)}, kNow, other);
  EXPECT_EQ(List().size(), 1U);
  EXPECT_EQ(List().front().monthly_savings.nanos(), 400 * kUnit + 123);
  EXPECT_EQ(List({}, other).size(), 1U);
  const auto reopened = repository_->SetRecommendationStatus(
      tenant_id_, ids[0], RecommendationStatus::kOpen, std::nullopt, kNow + 5);
  ASSERT_TRUE(reopened);
  EXPECT_EQ(reopened->updated_at, kNow + 5);
  const auto unknown = repository_->ReplaceRecommendations(
      other + 100, std::vector{Resize("i-1", "m5.large", 1)}, kNow);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace costwise::store
