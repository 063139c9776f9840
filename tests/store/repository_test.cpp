// store::Repository against both real backends. Every TEST_P runs on SQLite (a temporary file)
// and on PostgreSQL (a fresh schema in the database of COSTWISE_TEST_POSTGRES_URL); run through
// scripts/with-postgres.sh, or the PostgreSQL cases fail.
#include "store/repository.h"

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <ostream>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/date.h"
#include "core/money.h"
#include "repository_fixture.h"
#include "store/migrations.h"
#include "test_databases.h"

namespace costwise::store {

// Names the backend in gtest's messages ("GetParam() = postgresql").
void PrintTo(Backend backend, std::ostream* out) { *out << BackendName(backend); }

namespace {

using testing::BackendParamName;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::TestDatabase;

constexpr std::int64_t kUnit = Money::kNanosPerUnit;

Date Day(std::string_view text) {
  const std::optional<Date> date = Date::Parse(text);
  EXPECT_TRUE(date.has_value()) << text;
  return date.value_or(Date());
}

// A cube row with defaults for everything a test does not care about.
struct RowSpec {
  std::string_view date = "2023-11-01";
  std::string provider = "AWS";
  std::string billing_account = "111111111111";
  std::string account = "222222222222";
  std::string service = "AmazonEC2";
  std::string region = "us-east-1";
  std::string usage_type = "BoxUsage:m5.large";
  std::string charge_category = "Usage";
  std::string resource = "i-0001";
  std::string currency = "USD";
  Tags tags = {};
  std::int64_t billed = kUnit;                           // nanos
  std::optional<std::int64_t> effective = std::nullopt;  // nanos; billed when unset
  std::optional<std::int64_t> list = std::nullopt;       // nanos; no list cost when unset
  double quantity = 1;
  std::int64_t line_items = 1;
};

CubeRow MakeRow(const RowSpec& spec) {
  CubeRow row;
  row.date = Day(spec.date);
  row.billing_period = row.date.FirstOfMonth();
  row.provider = spec.provider;
  row.billing_account_id = spec.billing_account;
  row.sub_account_id = spec.account;
  row.service = spec.service;
  row.region = spec.region;
  row.usage_type = spec.usage_type;
  row.charge_category = spec.charge_category;
  row.resource_id = spec.resource;
  row.currency = spec.currency;
  row.tags = spec.tags;
  row.billed_cost = Money::FromNanos(spec.billed);
  row.effective_cost = Money::FromNanos(spec.effective.value_or(spec.billed));
  row.has_list_cost = spec.list.has_value();
  row.list_cost = Money::FromNanos(spec.list.value_or(0));
  row.usage_quantity = spec.quantity;
  row.line_items = spec.line_items;
  return row;
}

// A batch replacing exactly the scopes of its rows, read from one file.
IngestBatch BatchOf(std::vector<CubeRow> rows, std::string path = "s3://bucket/cur.csv.gz",
                    std::int64_t started_at = 1'700'000'000) {
  IngestBatch batch;
  std::set<BillingScope> scopes;
  std::set<Date> periods;
  for (const CubeRow& row : rows) {
    scopes.insert(BillingScope{row.provider, row.billing_account_id, row.billing_period});
    periods.insert(row.billing_period);
  }
  batch.scopes.assign(scopes.begin(), scopes.end());
  IngestFileRecord file;
  file.path = std::move(path);
  file.checksum = "xxh3-128:" + std::string(32, 'a');
  file.format = "cur-2.0";
  file.rows = static_cast<std::int64_t>(rows.size()) * 3;
  file.rejected_rows = 1;
  file.billing_periods.assign(periods.begin(), periods.end());
  batch.files.push_back(std::move(file));
  batch.rows = std::move(rows);
  batch.started_at = started_at;
  return batch;
}

CostQuery QueryOf(std::string_view from, std::string_view to,
                  std::optional<std::string_view> group_by = std::nullopt,
                  Granularity granularity = Granularity::kDay) {
  CostQuery query;
  query.from = Day(from);
  query.to = Day(to);
  if (group_by) query.group_by = ParseDimension(*group_by);
  query.granularity = granularity;
  return query;
}

CostFilter FilterOf(std::string_view dimension, std::vector<std::string> values) {
  const std::optional<DimensionRef> parsed = ParseDimension(dimension);
  EXPECT_TRUE(parsed.has_value()) << dimension;
  return CostFilter{parsed.value_or(DimensionRef{}), std::move(values)};
}

// "period group currency billed items=N", billed in units with two decimals.
std::vector<std::string> Summarize(const std::vector<CostGroupRow>& rows) {
  std::vector<std::string> lines;
  for (const CostGroupRow& row : rows) {
    lines.push_back(fmt::format("{} {} {} {} items={}", row.period,
                                row.group.empty() ? "-" : row.group, row.currency,
                                row.billed_cost.ToString(2), row.line_items));
  }
  return lines;
}

// Every field, exactly (doubles in their shortest round-trip form).
std::vector<std::string> Exact(const std::vector<CostGroupRow>& rows) {
  std::vector<std::string> lines;
  for (const CostGroupRow& row : rows) {
    lines.push_back(fmt::format("{}|{}|{}|{}|{}|{}|{}|{}", row.period, row.group, row.currency,
                                row.billed_cost.nanos(), row.effective_cost.nanos(),
                                row.list_cost.nanos(), row.usage_quantity, row.line_items));
  }
  return lines;
}

std::unique_ptr<TestDatabase> CreateDatabase(Backend backend) {
  std::string error;
  std::unique_ptr<TestDatabase> database = TestDatabase::Create(backend, &error);
  if (!database) ADD_FAILURE() << error;
  return database;
}

class RepositoryTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    database_ = CreateDatabase(GetParam());
    if (!database_) GTEST_FAIL() << "no " << BackendName(GetParam()) << " database to test";
    repository_ = Open();
    ASSERT_NE(repository_, nullptr);
    const Result<Tenant> tenant = repository_->EnsureTenant("acme");
    ASSERT_TRUE(tenant) << tenant.error().message;
    tenant_id_ = tenant->id;
  }

  std::unique_ptr<Repository> Open() {
    Result<std::unique_ptr<Repository>> opened = OpenRepository(database_->url());
    EXPECT_TRUE(opened) << opened.error().message;
    return opened ? std::move(*opened) : nullptr;
  }

  ReplaceSummary Replace(const IngestBatch& batch, std::int64_t tenant_id = 0) {
    const Result<ReplaceSummary> summary =
        repository_->ReplaceBillingScopes(tenant_id == 0 ? tenant_id_ : tenant_id, batch);
    EXPECT_TRUE(summary) << summary.error().message;
    return summary.value_or(ReplaceSummary{});
  }

  std::vector<CostGroupRow> Costs(const CostQuery& query, std::int64_t tenant_id = 0) {
    const Result<std::vector<CostGroupRow>> rows =
        repository_->QueryCosts(tenant_id == 0 ? tenant_id_ : tenant_id, query);
    EXPECT_TRUE(rows) << rows.error().message;
    return rows.value_or(std::vector<CostGroupRow>{});
  }

  long long Count(std::string_view table) const {
    return database_->QueryInt(fmt::format("SELECT COUNT(*) FROM {}", table));
  }

  // Declared first so that it outlives the repository's connection.
  std::unique_ptr<TestDatabase> database_;
  std::unique_ptr<Repository> repository_;
  std::int64_t tenant_id_ = 0;
};

INSTANTIATE_TEST_SUITE_P(Backends, RepositoryTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgresql),
                         BackendParamName);

// --- migrations ---------------------------------------------------------------------------------

TEST_P(RepositoryTest, AppliesEveryMigrationAndRecordsTheVersion) {
  EXPECT_EQ(repository_->BackendName(), BackendName(GetParam()));
  const Result<int> version = repository_->SchemaVersion();
  ASSERT_TRUE(version) << version.error().message;
  EXPECT_EQ(*version, LatestSchemaVersion());
  EXPECT_EQ(Count("schema_migrations"), static_cast<long long>(Migrations().size()));
  EXPECT_EQ(database_->QueryInt("SELECT MAX(version) FROM schema_migrations"),
            LatestSchemaVersion());
  EXPECT_GT(database_->QueryInt("SELECT MIN(applied_at) FROM schema_migrations"), 1'600'000'000);
  for (const std::string_view table : {"tenants",          "users",
                                       "cloud_accounts",   "ingest_runs",
                                       "tag_sets",         "tag_values",
                                       "cost_daily",       "ml_models",
                                       "anomalies",        "anomaly_root_causes",
                                       "recommendations",  "cloud_instances",
                                       "cloud_volumes",    "cloud_addresses",
                                       "instance_metrics", "memberships",
                                       "sessions",         "api_tokens",
                                       "invitations",      "login_attempts"}) {
    EXPECT_GE(Count(table), 0) << table;
  }
}

TEST_P(RepositoryTest, ReopeningAppliesNothingTwiceAndKeepsTheData) {
  Replace(BatchOf({MakeRow({})}));
  repository_.reset();
  for (int reopen = 0; reopen < 2; ++reopen) {
    repository_ = Open();
    ASSERT_NE(repository_, nullptr);
    EXPECT_EQ(repository_->SchemaVersion().value_or(-1), LatestSchemaVersion());
    EXPECT_EQ(Count("schema_migrations"), static_cast<long long>(Migrations().size()));
    const Result<Tenant> tenant = repository_->FindTenant("acme");
    ASSERT_TRUE(tenant) << tenant.error().message;
    EXPECT_EQ(tenant->id, tenant_id_);
    EXPECT_EQ(Count("cost_daily"), 1);
  }
}

TEST_P(RepositoryTest, RefusesADatabaseMigratedByANewerBuild) {
  database_->Query(fmt::format("INSERT INTO schema_migrations (version, applied_at) VALUES ({}, 0)",
                               LatestSchemaVersion() + 1));
  const auto reopened = OpenRepository(database_->url());
  ASSERT_FALSE(reopened);
  EXPECT_EQ(reopened.error().code, ErrorCode::kConflict);
  EXPECT_THAT(reopened.error().message, HasSubstr("newer"));
}

// --- tenants -------------------------------------------------------------------------------------

TEST_P(RepositoryTest, EnsureTenantCreatesOnceAndFindTenantFindsIt) {
  const Result<Tenant> again = repository_->EnsureTenant("acme");
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->id, tenant_id_);
  EXPECT_EQ(again->name, "acme");

  const Result<Tenant> other = repository_->EnsureTenant("globex");
  ASSERT_TRUE(other) << other.error().message;
  EXPECT_NE(other->id, tenant_id_);
  EXPECT_EQ(Count("tenants"), 2);

  const Result<Tenant> found = repository_->FindTenant("globex");
  ASSERT_TRUE(found) << found.error().message;
  EXPECT_EQ(found->id, other->id);
  EXPECT_EQ(found->name, "globex");
}

TEST_P(RepositoryTest, FindTenantReportsAMissingTenantByName) {
  const Result<Tenant> missing = repository_->FindTenant("initech");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_THAT(missing.error().message, HasSubstr("initech"));
}

TEST_P(RepositoryTest, RejectsAnEmptyTenantName) {
  const Result<Tenant> empty = repository_->EnsureTenant("");
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().code, ErrorCode::kInvalidInput);
}

// --- replacing billing scopes --------------------------------------------------------------------

TEST_P(RepositoryTest, InsertsRowsAndRecordsOneRunPerFile) {
  IngestBatch batch = BatchOf({MakeRow({.date = "2023-10-31", .billed = 2 * kUnit}),
                               MakeRow({.date = "2023-11-01", .billed = 3 * kUnit})});
  IngestFileRecord second = batch.files.front();
  second.path = "s3://bucket/cur-2.csv.gz";
  second.billing_periods = {Day("2023-11-01")};
  batch.files.push_back(second);

  const ReplaceSummary summary = Replace(batch);
  EXPECT_EQ(summary.rows_deleted, 0);
  EXPECT_EQ(summary.rows_inserted, 2);
  ASSERT_EQ(summary.run_ids.size(), 2U);
  EXPECT_NE(summary.run_ids[0], summary.run_ids[1]);
  EXPECT_EQ(Count("cost_daily"), 2);
  EXPECT_EQ(Count("ingest_runs"), 2);

  const auto runs = repository_->ListIngestRuns(tenant_id_);
  ASSERT_TRUE(runs) << runs.error().message;
  ASSERT_EQ(runs->size(), 2U);
  // Same start time: the later run id first.
  EXPECT_EQ((*runs)[0].id, summary.run_ids[1]);
  EXPECT_EQ((*runs)[0].path, "s3://bucket/cur-2.csv.gz");
  EXPECT_EQ((*runs)[0].billing_periods, "2023-11");
  const IngestRunRecord& first = (*runs)[1];
  EXPECT_EQ(first.id, summary.run_ids[0]);
  EXPECT_EQ(first.path, "s3://bucket/cur.csv.gz");
  EXPECT_EQ(first.checksum, "xxh3-128:" + std::string(32, 'a'));
  EXPECT_EQ(first.format, "cur-2.0");
  EXPECT_EQ(first.billing_periods, "2023-10,2023-11");
  EXPECT_EQ(first.rows, 6);
  EXPECT_EQ(first.rejected_rows, 1);
  EXPECT_EQ(first.status, "completed");
  EXPECT_EQ(first.started_at, 1'700'000'000);
  EXPECT_GE(first.finished_at, first.started_at);
}

TEST_P(RepositoryTest, ListsIngestRunsNewestFirstPerTenant) {
  Replace(BatchOf({MakeRow({})}, "old.csv", 1'600'000'000));
  Replace(BatchOf({MakeRow({})}, "new.csv", 1'700'000'000));
  Replace(BatchOf({MakeRow({})}, "middle.csv", 1'650'000'000));
  const Result<Tenant> other = repository_->EnsureTenant("globex");
  ASSERT_TRUE(other);
  Replace(BatchOf({MakeRow({})}, "other-tenant.csv"), other->id);

  const auto runs = repository_->ListIngestRuns(tenant_id_);
  ASSERT_TRUE(runs) << runs.error().message;
  std::vector<std::string> paths;
  for (const IngestRunRecord& run : *runs) paths.push_back(run.path);
  EXPECT_THAT(paths, ElementsAre("new.csv", "middle.csv", "old.csv"));

  const auto none = repository_->ListIngestRuns(other->id + 1000);
  ASSERT_TRUE(none);
  EXPECT_THAT(*none, IsEmpty());
}

TEST_P(RepositoryTest, ReingestingAScopeReplacesItAndNothingElse) {
  const Result<Tenant> other = repository_->EnsureTenant("globex");
  ASSERT_TRUE(other);
  // acme: payer 1 in October and November, payer 2 in November; globex: payer 1 in November.
  Replace(
      BatchOf({MakeRow({.date = "2023-10-15", .billed = 1 * kUnit}),
               MakeRow({.date = "2023-11-02", .billed = 10 * kUnit}),
               MakeRow({.date = "2023-11-03", .billed = 20 * kUnit}),
               MakeRow({.date = "2023-11-02", .billing_account = "999", .billed = 100 * kUnit})}));
  Replace(BatchOf({MakeRow({.date = "2023-11-02", .billed = 1000 * kUnit})}), other->id);

  // The restated November file of payer 1: one row instead of two.
  const ReplaceSummary summary =
      Replace(BatchOf({MakeRow({.date = "2023-11-04", .billed = 7 * kUnit})}));
  EXPECT_EQ(summary.rows_deleted, 2);
  EXPECT_EQ(summary.rows_inserted, 1);

  EXPECT_THAT(
      Summarize(Costs(QueryOf("2023-10-01", "2023-11-30", "billing-account"))),
      ElementsAre("2023-10-15 111111111111 USD 1.00 items=1", "2023-11-02 999 USD 100.00 items=1",
                  "2023-11-04 111111111111 USD 7.00 items=1"));
  EXPECT_THAT(Summarize(Costs(QueryOf("2023-10-01", "2023-11-30"), other->id)),
              ElementsAre("2023-11-02 - USD 1000.00 items=1"));

  // Replacing with no rows empties the scope.
  IngestBatch empty;
  empty.scopes = {BillingScope{"AWS", "999", Day("2023-11-01")}};
  EXPECT_EQ(Replace(empty).rows_deleted, 1);
  EXPECT_THAT(Summarize(Costs(QueryOf("2023-11-01", "2023-11-30"))),
              ElementsAre("2023-11-04 - USD 7.00 items=1"));
}

TEST_P(RepositoryTest, AFailureMidwayRollsEverythingBack) {
  Replace(BatchOf({MakeRow({.date = "2023-11-01", .tags = {{"team", "web"}}, .billed = kUnit}),
                   MakeRow({.date = "2023-11-02", .billed = 2 * kUnit})}));
  const auto before = Exact(Costs(QueryOf("2023-11-01", "2023-11-30", "tag:team")));
  const long long tag_sets = Count("tag_sets");
  const long long tag_values = Count("tag_values");

  // More rows than one insert batch, new tag sets, and a row the database rejects near the end
  // (line_items must not be negative): the scope was already deleted and thousands of rows
  // inserted when it fails.
  std::vector<CubeRow> rows;
  constexpr int kRows = 25'000;
  for (int i = 0; i < kRows; ++i) {
    rows.push_back(MakeRow({.date = "2023-11-03",
                            .resource = fmt::format("i-{}", i),
                            .tags = {{"team", fmt::format("team-{}", i % 50)}},
                            .line_items = i == kRows - 5 ? -1 : 1}));
  }
  const Result<ReplaceSummary> failed =
      repository_->ReplaceBillingScopes(tenant_id_, BatchOf(std::move(rows), "bad.csv"));
  ASSERT_FALSE(failed);
  EXPECT_NE(failed.error().code, ErrorCode::kInvalidInput);

  EXPECT_EQ(Exact(Costs(QueryOf("2023-11-01", "2023-11-30", "tag:team"))), before);
  EXPECT_EQ(Count("cost_daily"), 2);
  EXPECT_EQ(Count("tag_sets"), tag_sets);
  EXPECT_EQ(Count("tag_values"), tag_values);
  EXPECT_EQ(Count("ingest_runs"), 1);

  // The repository is still usable afterwards.
  EXPECT_EQ(Replace(BatchOf({MakeRow({.date = "2023-11-05"})})).rows_deleted, 2);
}

// A row_reader streaming `rows` `chunk_size` at a time, as the ingest service streams its cube.
CubeRowReader ChunksOf(std::vector<CubeRow> rows, std::size_t chunk_size) {
  auto all = std::make_shared<const std::vector<CubeRow>>(std::move(rows));
  auto position = std::make_shared<std::size_t>(0);
  return [all, position, chunk_size](std::vector<CubeRow>& chunk) {
    chunk.clear();
    while (*position < all->size() && chunk.size() < chunk_size) {
      chunk.push_back((*all)[(*position)++]);
    }
    return !chunk.empty();
  };
}

// Rows for one scope, `count` of them, over 40 resources with 40 tag sets.
std::vector<CubeRow> ManyRows(int count, std::int64_t line_items_of_last = 1) {
  std::vector<CubeRow> rows;
  for (int i = 0; i < count; ++i) {
    rows.push_back(MakeRow({.date = i % 2 == 0 ? "2023-11-07" : "2023-11-08",
                            .resource = fmt::format("i-{}", i % 40),
                            .tags = {{"team", fmt::format("team-{}", i % 40)}},
                            .billed = kUnit + i,
                            .line_items = i == count - 1 ? line_items_of_last : 1}));
  }
  return rows;
}

TEST_P(RepositoryTest, StreamsRowsFromARowReaderInChunks) {
  constexpr int kRows = 25'000;
  IngestBatch batch = BatchOf(ManyRows(kRows));
  std::int64_t billed = 0;
  for (const CubeRow& row : batch.rows) billed += row.billed_cost.nanos();
  batch.row_reader = ChunksOf(std::move(batch.rows), 7'000);
  batch.rows.clear();

  const ReplaceSummary summary = Replace(batch);
  EXPECT_EQ(summary.rows_inserted, kRows);
  EXPECT_EQ(Count("cost_daily"), kRows);
  EXPECT_EQ(Count("tag_sets"), 40);  // sets seen again in later chunks are reused
  const auto month = Costs(QueryOf("2023-11-01", "2023-11-30", std::nullopt, Granularity::kMonth));
  ASSERT_EQ(month.size(), 1U);
  EXPECT_EQ(month[0].billed_cost.nanos(), billed);
}

TEST_P(RepositoryTest, AFailureInALaterChunkRollsEverythingBack) {
  Replace(BatchOf({MakeRow({.date = "2023-11-01", .tags = {{"team", "web"}}})}));
  const auto before = Exact(Costs(QueryOf("2023-11-01", "2023-11-30", "tag:team")));

  // A row the database rejects in the last chunk.
  IngestBatch rejected_by_database = BatchOf(ManyRows(20'000, -1));
  rejected_by_database.row_reader = ChunksOf(std::move(rejected_by_database.rows), 6'000);
  rejected_by_database.rows.clear();
  const auto failed = repository_->ReplaceBillingScopes(tenant_id_, rejected_by_database);
  ASSERT_FALSE(failed);

  // A row outside the replaced scopes in the third chunk.
  std::vector<CubeRow> rows = ManyRows(20'000);
  rows[15'000] = MakeRow({.date = "2023-12-01"});
  IngestBatch outside = BatchOf(ManyRows(20'000));
  outside.row_reader = ChunksOf(std::move(rows), 6'000);
  outside.rows.clear();
  const auto invalid = repository_->ReplaceBillingScopes(tenant_id_, outside);
  ASSERT_FALSE(invalid);
  EXPECT_EQ(invalid.error().code, ErrorCode::kInvalidInput);
  EXPECT_THAT(invalid.error().message, HasSubstr("cube row 15000"));

  // A reader that throws.
  IngestBatch throwing = BatchOf(ManyRows(10));
  throwing.rows.clear();
  throwing.row_reader = [calls = 0](std::vector<CubeRow>& chunk) mutable -> bool {
    if (++calls == 1) {
      chunk = ManyRows(10);
      return true;
    }
    throw std::runtime_error("the cube went away");
  };
  const auto thrown = repository_->ReplaceBillingScopes(tenant_id_, throwing);
  ASSERT_FALSE(thrown);
  EXPECT_THAT(thrown.error().message, HasSubstr("the cube went away"));

  EXPECT_EQ(Exact(Costs(QueryOf("2023-11-01", "2023-11-30", "tag:team"))), before);
  EXPECT_EQ(Count("cost_daily"), 1);
  EXPECT_EQ(Count("tag_sets"), 1);
  EXPECT_EQ(Count("tag_values"), 1);
  EXPECT_EQ(Count("ingest_runs"), 1);
}

TEST_P(RepositoryTest, RejectsABatchWithBothRowsAndARowReader) {
  IngestBatch batch = BatchOf({MakeRow({})});
  batch.row_reader = ChunksOf({MakeRow({})}, 1);
  const auto rejected = repository_->ReplaceBillingScopes(tenant_id_, batch);
  ASSERT_FALSE(rejected);
  EXPECT_EQ(rejected.error().code, ErrorCode::kInvalidInput);
  EXPECT_EQ(Count("cost_daily"), 0);
}

TEST_P(RepositoryTest, RejectsRowsOutsideTheReplacedScopes) {
  Replace(BatchOf({MakeRow({})}));
  IngestBatch batch = BatchOf({MakeRow({.date = "2023-11-02"})});
  batch.rows.push_back(MakeRow({.date = "2023-12-01"}));  // December is not replaced
  const Result<ReplaceSummary> rejected = repository_->ReplaceBillingScopes(tenant_id_, batch);
  ASSERT_FALSE(rejected);
  EXPECT_EQ(rejected.error().code, ErrorCode::kInvalidInput);
  EXPECT_THAT(rejected.error().message, HasSubstr("2023-12"));
  EXPECT_EQ(Count("cost_daily"), 1);
}

TEST_P(RepositoryTest, RejectsTextThatIsNotUtf8OnBothBackends) {
  const Result<ReplaceSummary> bad_service =
      repository_->ReplaceBillingScopes(tenant_id_, BatchOf({MakeRow({.service = "Amazon\xff"})}));
  ASSERT_FALSE(bad_service);
  EXPECT_EQ(bad_service.error().code, ErrorCode::kInvalidInput);
  EXPECT_THAT(bad_service.error().message, HasSubstr("service"));

  const Result<ReplaceSummary> bad_tag = repository_->ReplaceBillingScopes(
      tenant_id_, BatchOf({MakeRow({.tags = {{"team", std::string("a\0b", 3)}}})}));
  ASSERT_FALSE(bad_tag);
  EXPECT_EQ(bad_tag.error().code, ErrorCode::kInvalidInput);

  // Multi-byte text is fine.
  Replace(BatchOf({MakeRow({.region = "ap-northeast-1", .tags = {{"owner", "Zoë 山田 🚀"}}})}));
  EXPECT_THAT(Summarize(Costs(QueryOf("2023-11-01", "2023-11-01", "tag:owner"))),
              ElementsAre("2023-11-01 Zoë 山田 🚀 USD 1.00 items=1"));
}

TEST_P(RepositoryTest, RejectsNonFiniteUsageQuantities) {
  const Result<ReplaceSummary> rejected = repository_->ReplaceBillingScopes(
      tenant_id_, BatchOf({MakeRow({.quantity = std::numeric_limits<double>::quiet_NaN()})}));
  ASSERT_FALSE(rejected);
  EXPECT_EQ(rejected.error().code, ErrorCode::kInvalidInput);
}

TEST_P(RepositoryTest, ReportsAnUnknownTenant) {
  const Result<ReplaceSummary> rejected =
      repository_->ReplaceBillingScopes(tenant_id_ + 1000, BatchOf({MakeRow({})}));
  ASSERT_FALSE(rejected);
  EXPECT_EQ(rejected.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(Count("cost_daily"), 0);
  EXPECT_EQ(Count("ingest_runs"), 0);
}

TEST_P(RepositoryTest, StoresEachTagSetOnceWhateverTheTagOrder) {
  Replace(BatchOf({
      MakeRow({.resource = "a", .tags = {{"env", "prod"}, {"team", "web"}}}),
      MakeRow({.resource = "b", .tags = {{"team", "web"}, {"env", "prod"}}}),  // unsorted
      MakeRow({.resource = "c", .tags = {{"team", "web"}, {"env", "prod"}, {"cost", ""}}}),
      MakeRow({.resource = "d", .tags = {{"team", "data"}}}),
      MakeRow({.resource = "e"}),
  }));
  EXPECT_EQ(Count("tag_sets"), 2);
  EXPECT_EQ(Count("tag_values"), 3);
  EXPECT_EQ(database_->QueryInt("SELECT COUNT(*) FROM cost_daily WHERE tag_set_id = 0"), 1);
  EXPECT_EQ(database_->Query("SELECT tags_json FROM tag_sets ORDER BY id").front().front(),
            R"({"env":"prod","team":"web"})");

  // A later ingest reuses the sets.
  Replace(BatchOf({MakeRow({.date = "2023-12-01", .tags = {{"team", "data"}}})}));
  EXPECT_EQ(Count("tag_sets"), 2);
  EXPECT_THAT(
      Summarize(Costs(QueryOf("2023-11-01", "2023-12-31", "tag:team", Granularity::kMonth))),
      ElementsAre("2023-11 web USD 3.00 items=3", "2023-11 - USD 1.00 items=1",
                  "2023-11 data USD 1.00 items=1", "2023-12 data USD 1.00 items=1"));
}

TEST_P(RepositoryTest, KeepsTagSetsApartPerTenant) {
  const Result<Tenant> other = repository_->EnsureTenant("globex");
  ASSERT_TRUE(other);
  Replace(BatchOf({MakeRow({.tags = {{"team", "web"}}})}));
  Replace(BatchOf({MakeRow({.tags = {{"team", "web"}}, .billed = 5 * kUnit})}), other->id);
  EXPECT_EQ(Count("tag_sets"), 2);
  EXPECT_THAT(Summarize(Costs(QueryOf("2023-11-01", "2023-11-01", "tag:team"), other->id)),
              ElementsAre("2023-11-01 web USD 5.00 items=1"));
}

TEST_P(RepositoryTest, InsertsMoreRowsThanOneBatchExactly) {
  std::vector<CubeRow> rows;
  constexpr int kRows = 23'456;
  std::int64_t total = 0;
  for (int i = 0; i < kRows; ++i) {
    const std::int64_t billed = 123'456'789 + i;
    total += billed;
    rows.push_back(MakeRow({.date = i % 2 == 0 ? "2023-11-01" : "2023-11-30",
                            .resource = fmt::format("i-{:06}", i),
                            .tags = {{"n", std::to_string(i % 7)}},
                            .billed = billed,
                            .quantity = 0.125 * (i % 9)}));
  }
  EXPECT_EQ(Replace(BatchOf(std::move(rows))).rows_inserted, kRows);
  EXPECT_EQ(Count("cost_daily"), kRows);
  const auto month = Costs(QueryOf("2023-11-01", "2023-11-30", std::nullopt, Granularity::kMonth));
  ASSERT_EQ(month.size(), 1U);
  EXPECT_EQ(month[0].billed_cost.nanos(), total);
  EXPECT_EQ(month[0].line_items, kRows);
}

TEST_P(RepositoryTest, RoundTripsTextThatCopyMustEscape) {
  const std::string awkward = "tab\there\nnew line\\back slash\r'quote\"double";
  Replace(BatchOf({MakeRow({.resource = awkward, .tags = {{"k\t1", awkward}}})}));
  EXPECT_THAT(Summarize(Costs(QueryOf("2023-11-01", "2023-11-01", "resource"))),
              ElementsAre(fmt::format("2023-11-01 {} USD 1.00 items=1", awkward)));
  CostQuery by_tag = QueryOf("2023-11-01", "2023-11-01", "tag:k\t1");
  by_tag.filters = {FilterOf("tag:k\t1", {awkward})};
  EXPECT_THAT(Summarize(Costs(by_tag)),
              ElementsAre(fmt::format("2023-11-01 {} USD 1.00 items=1", awkward)));
}

// --- queries -------------------------------------------------------------------------------------

// A small cube where every dimension has two values with different totals.
std::vector<CubeRow> DimensionRows() {
  return {
      MakeRow({.date = "2023-11-01",
               .provider = "AWS",
               .billing_account = "payer-a",
               .account = "acct-1",
               .service = "AmazonEC2",
               .region = "us-east-1",
               .usage_type = "BoxUsage",
               .charge_category = "Usage",
               .resource = "i-1",
               .tags = {{"team", "web"}, {"env", "prod"}},
               .billed = 5 * kUnit,
               .effective = 4 * kUnit,
               .list = 6 * kUnit,
               .quantity = 2.5,
               .line_items = 3}),
      MakeRow({.date = "2023-11-01",
               .provider = "AWS",
               .billing_account = "payer-a",
               .account = "acct-2",
               .service = "AmazonS3",
               .region = "eu-west-1",
               .usage_type = "TimedStorage",
               .charge_category = "Usage",
               .resource = "bucket-1",
               .tags = {{"team", "data"}},
               .billed = 2 * kUnit,
               .quantity = 100,
               .line_items = 2}),
      MakeRow({.date = "2023-11-02",
               .provider = "Google Cloud",
               .billing_account = "payer-g",
               .account = "project-x",
               .service = "Compute Engine",
               .region = "us-east-1",
               .usage_type = "N2 Core",
               .charge_category = "Tax",
               .resource = "vm-1",
               .billed = 1 * kUnit,
               .list = 1 * kUnit,
               .quantity = 0.25,
               .line_items = 1}),
  };
}

TEST_P(RepositoryTest, GroupsByEveryDimension) {
  Replace(BatchOf(DimensionRows()));
  const auto month = [&](std::string_view dimension) {
    return Summarize(Costs(QueryOf("2023-11-01", "2023-11-30", dimension, Granularity::kMonth)));
  };
  EXPECT_THAT(month("provider"),
              ElementsAre("2023-11 AWS USD 7.00 items=5", "2023-11 Google Cloud USD 1.00 items=1"));
  EXPECT_THAT(month("billing-account"),
              ElementsAre("2023-11 payer-a USD 7.00 items=5", "2023-11 payer-g USD 1.00 items=1"));
  EXPECT_THAT(month("account"),
              ElementsAre("2023-11 acct-1 USD 5.00 items=3", "2023-11 acct-2 USD 2.00 items=2",
                          "2023-11 project-x USD 1.00 items=1"));
  EXPECT_THAT(month("service"),
              ElementsAre("2023-11 AmazonEC2 USD 5.00 items=3", "2023-11 AmazonS3 USD 2.00 items=2",
                          "2023-11 Compute Engine USD 1.00 items=1"));
  EXPECT_THAT(month("region"), ElementsAre("2023-11 us-east-1 USD 6.00 items=4",
                                           "2023-11 eu-west-1 USD 2.00 items=2"));
  EXPECT_THAT(month("usage-type"), ElementsAre("2023-11 BoxUsage USD 5.00 items=3",
                                               "2023-11 TimedStorage USD 2.00 items=2",
                                               "2023-11 N2 Core USD 1.00 items=1"));
  EXPECT_THAT(month("resource"),
              ElementsAre("2023-11 i-1 USD 5.00 items=3", "2023-11 bucket-1 USD 2.00 items=2",
                          "2023-11 vm-1 USD 1.00 items=1"));
  EXPECT_THAT(month("charge-category"),
              ElementsAre("2023-11 Usage USD 7.00 items=5", "2023-11 Tax USD 1.00 items=1"));
  EXPECT_THAT(month("tag:team"),
              ElementsAre("2023-11 web USD 5.00 items=3", "2023-11 data USD 2.00 items=2",
                          "2023-11 - USD 1.00 items=1"));
  EXPECT_THAT(month("tag:env"),
              ElementsAre("2023-11 prod USD 5.00 items=3", "2023-11 - USD 3.00 items=3"));
}

TEST_P(RepositoryTest, SumsEveryMeasure) {
  Replace(BatchOf(DimensionRows()));
  const auto rows = Costs(QueryOf("2023-11-01", "2023-11-30", std::nullopt, Granularity::kMonth));
  ASSERT_EQ(rows.size(), 1U);
  EXPECT_EQ(rows[0].period, "2023-11");
  EXPECT_EQ(rows[0].group, "");
  EXPECT_EQ(rows[0].currency, "USD");
  EXPECT_EQ(rows[0].billed_cost, Money::FromNanos(8 * kUnit));
  EXPECT_EQ(rows[0].effective_cost, Money::FromNanos(7 * kUnit));
  EXPECT_EQ(rows[0].list_cost, Money::FromNanos(7 * kUnit));  // only rows that have one
  EXPECT_EQ(rows[0].usage_quantity, 102.75);
  EXPECT_EQ(rows[0].line_items, 6);
}

TEST_P(RepositoryTest, ReportsDaysAndMonthsOverAnInclusiveRange) {
  Replace(BatchOf({MakeRow({.date = "2023-10-30", .billed = 1 * kUnit}),
                   MakeRow({.date = "2023-10-31", .billed = 2 * kUnit}),
                   MakeRow({.date = "2023-11-01", .billed = 4 * kUnit}),
                   MakeRow({.date = "2023-11-02", .billed = 8 * kUnit})}));
  EXPECT_THAT(Summarize(Costs(QueryOf("2023-10-31", "2023-11-01"))),
              ElementsAre("2023-10-31 - USD 2.00 items=1", "2023-11-01 - USD 4.00 items=1"));
  EXPECT_THAT(
      Summarize(Costs(QueryOf("2023-10-01", "2023-11-30", std::nullopt, Granularity::kMonth))),
      ElementsAre("2023-10 - USD 3.00 items=2", "2023-11 - USD 12.00 items=2"));
  // A month period sums only the days inside the range.
  EXPECT_THAT(
      Summarize(Costs(QueryOf("2023-10-31", "2023-11-01", std::nullopt, Granularity::kMonth))),
      ElementsAre("2023-10 - USD 2.00 items=1", "2023-11 - USD 4.00 items=1"));
  EXPECT_THAT(Costs(QueryOf("2023-12-01", "2023-12-31")), IsEmpty());
}

TEST_P(RepositoryTest, OrdersByPeriodThenBilledCostDescendingThenGroup) {
  Replace(BatchOf({MakeRow({.date = "2023-11-02", .service = "b", .billed = 1 * kUnit}),
                   MakeRow({.date = "2023-11-01", .service = "c", .billed = 1 * kUnit}),
                   MakeRow({.date = "2023-11-01", .service = "a", .billed = 1 * kUnit}),
                   MakeRow({.date = "2023-11-01", .service = "z", .billed = 9 * kUnit}),
                   MakeRow({.date = "2023-11-01", .service = "m", .billed = -3 * kUnit})}));
  EXPECT_THAT(Summarize(Costs(QueryOf("2023-11-01", "2023-11-30", "service"))),
              ElementsAre("2023-11-01 z USD 9.00 items=1", "2023-11-01 a USD 1.00 items=1",
                          "2023-11-01 c USD 1.00 items=1", "2023-11-01 m USD -3.00 items=1",
                          "2023-11-02 b USD 1.00 items=1"));
}

TEST_P(RepositoryTest, KeepsCurrenciesApart) {
  Replace(BatchOf({MakeRow({.service = "a", .currency = "USD", .billed = 1 * kUnit}),
                   MakeRow({.service = "a", .currency = "EUR", .billed = 2 * kUnit})}));
  EXPECT_THAT(Summarize(Costs(QueryOf("2023-11-01", "2023-11-01", "service"))),
              ElementsAre("2023-11-01 a EUR 2.00 items=1", "2023-11-01 a USD 1.00 items=1"));
}

TEST_P(RepositoryTest, FiltersByAnyOfTheValuesOfEachDimension) {
  Replace(BatchOf(DimensionRows()));
  const auto filtered = [&](std::vector<CostFilter> filters) {
    CostQuery query = QueryOf("2023-11-01", "2023-11-30", "service", Granularity::kMonth);
    query.filters = std::move(filters);
    return Summarize(Costs(query));
  };
  EXPECT_THAT(
      filtered({FilterOf("region", {"us-east-1"})}),
      ElementsAre("2023-11 AmazonEC2 USD 5.00 items=3", "2023-11 Compute Engine USD 1.00 items=1"));
  EXPECT_THAT(
      filtered({FilterOf("account", {"acct-2", "project-x", "nope"})}),
      ElementsAre("2023-11 AmazonS3 USD 2.00 items=2", "2023-11 Compute Engine USD 1.00 items=1"));
  // Filters combine with AND.
  EXPECT_THAT(filtered({FilterOf("region", {"us-east-1"}), FilterOf("provider", {"AWS"})}),
              ElementsAre("2023-11 AmazonEC2 USD 5.00 items=3"));
  EXPECT_THAT(filtered({FilterOf("billing-account", {"payer-g"})}),
              ElementsAre("2023-11 Compute Engine USD 1.00 items=1"));
  EXPECT_THAT(filtered({FilterOf("usage-type", {"TimedStorage"})}),
              ElementsAre("2023-11 AmazonS3 USD 2.00 items=2"));
  EXPECT_THAT(
      filtered({FilterOf("resource", {"i-1", "vm-1"})}),
      ElementsAre("2023-11 AmazonEC2 USD 5.00 items=3", "2023-11 Compute Engine USD 1.00 items=1"));
  EXPECT_THAT(filtered({FilterOf("charge-category", {"Tax"})}),
              ElementsAre("2023-11 Compute Engine USD 1.00 items=1"));
  EXPECT_THAT(filtered({FilterOf("service", {"AmazonS3"})}),
              ElementsAre("2023-11 AmazonS3 USD 2.00 items=2"));
  EXPECT_THAT(filtered({FilterOf("service", {})}), IsEmpty());
}

TEST_P(RepositoryTest, FiltersByTags) {
  Replace(BatchOf(DimensionRows()));
  const auto filtered = [&](std::vector<CostFilter> filters) {
    CostQuery query = QueryOf("2023-11-01", "2023-11-30", "service", Granularity::kMonth);
    query.filters = std::move(filters);
    return Summarize(Costs(query));
  };
  EXPECT_THAT(
      filtered({FilterOf("tag:team", {"web", "data"})}),
      ElementsAre("2023-11 AmazonEC2 USD 5.00 items=3", "2023-11 AmazonS3 USD 2.00 items=2"));
  EXPECT_THAT(filtered({FilterOf("tag:team", {"data"})}),
              ElementsAre("2023-11 AmazonS3 USD 2.00 items=2"));
  EXPECT_THAT(filtered({FilterOf("tag:team", {"web"}), FilterOf("tag:env", {"prod"})}),
              ElementsAre("2023-11 AmazonEC2 USD 5.00 items=3"));
  // "" selects the rows without the tag, as the group-by reports them.
  EXPECT_THAT(
      filtered({FilterOf("tag:env", {""})}),
      ElementsAre("2023-11 AmazonS3 USD 2.00 items=2", "2023-11 Compute Engine USD 1.00 items=1"));
  EXPECT_THAT(
      filtered({FilterOf("tag:team", {"", "data"})}),
      ElementsAre("2023-11 AmazonS3 USD 2.00 items=2", "2023-11 Compute Engine USD 1.00 items=1"));
  EXPECT_THAT(filtered({FilterOf("tag:nope", {"web"})}), IsEmpty());
  // A tag group-by and a tag filter together.
  CostQuery query = QueryOf("2023-11-01", "2023-11-30", "tag:team", Granularity::kMonth);
  query.filters = {FilterOf("region", {"us-east-1"})};
  EXPECT_THAT(Summarize(Costs(query)),
              ElementsAre("2023-11 web USD 5.00 items=3", "2023-11 - USD 1.00 items=1"));
}

TEST_P(RepositoryTest, QueriesOnlyTheTenantsOwnRows) {
  const Result<Tenant> other = repository_->EnsureTenant("globex");
  ASSERT_TRUE(other);
  Replace(BatchOf(DimensionRows()), other->id);
  EXPECT_THAT(Costs(QueryOf("2023-11-01", "2023-11-30", "service")), IsEmpty());
}

TEST_P(RepositoryTest, RejectsInvalidQueries) {
  const auto reversed = repository_->QueryCosts(tenant_id_, QueryOf("2023-11-30", "2023-11-01"));
  ASSERT_FALSE(reversed);
  EXPECT_EQ(reversed.error().code, ErrorCode::kInvalidInput);

  CostQuery no_key = QueryOf("2023-11-01", "2023-11-30");
  no_key.group_by = DimensionRef{CostDimension::kTag, ""};
  const auto rejected = repository_->QueryCosts(tenant_id_, no_key);
  ASSERT_FALSE(rejected);
  EXPECT_EQ(rejected.error().code, ErrorCode::kInvalidInput);
}

// --- both backends together ----------------------------------------------------------------------

// A seeded random cube: many rows, tags, currencies, days across two months. Quantities are
// multiples of 1/8 so that every sum is exact whatever order a database adds in.
std::vector<CubeRow> RandomRows(int count) {
  std::mt19937_64 random(20231101);
  const auto pick = [&](int n) { return static_cast<int>(random() % static_cast<unsigned>(n)); };
  std::vector<CubeRow> rows;
  rows.reserve(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) {
    Tags tags;
    if (pick(4) != 0) tags.push_back({"team", fmt::format("team-{}", pick(5))});
    if (pick(3) == 0) tags.push_back({"env", pick(2) == 0 ? "prod" : "dev"});
    const std::string date = Day("2023-10-20").AddDays(pick(25)).ToString();
    const std::int64_t billed = static_cast<std::int64_t>(random() % 50'000'000'000ULL) -
                                (pick(10) == 0 ? 60'000'000'000LL : 0);
    rows.push_back(MakeRow({
        .date = date,
        .provider = pick(5) == 0 ? "Microsoft" : "AWS",
        .billing_account = fmt::format("payer-{}", pick(2)),
        .account = fmt::format("acct-{}", pick(12)),
        .service = fmt::format("service-{}", pick(9)),
        .region = pick(6) == 0 ? "" : fmt::format("region-{}", pick(4)),
        .usage_type = fmt::format("usage-{}", pick(15)),
        .charge_category = pick(8) == 0 ? "Tax" : "Usage",
        .resource = fmt::format("r-{}", pick(400)),
        .currency = pick(7) == 0 ? "EUR" : "USD",
        .tags = std::move(tags),
        .billed = billed,
        .effective = billed - pick(1000),
        .list = pick(3) == 0 ? std::nullopt : std::optional<std::int64_t>(billed + pick(5000)),
        .quantity = 0.125 * pick(4000),
        .line_items = 1 + pick(30),
    }));
  }
  return rows;
}

TEST(RepositoryBackendsTest, GiveIdenticalAnswersForTheSameBatch) {
  std::vector<std::unique_ptr<TestDatabase>> databases;
  std::vector<std::unique_ptr<Repository>> repositories;
  std::vector<std::int64_t> tenants;
  const IngestBatch batch = BatchOf(RandomRows(20'000));
  for (const Backend backend : {Backend::kSqlite, Backend::kPostgresql}) {
    databases.push_back(CreateDatabase(backend));
    ASSERT_NE(databases.back(), nullptr) << "no " << BackendName(backend) << " database";
    auto opened = OpenRepository(databases.back()->url());
    ASSERT_TRUE(opened) << opened.error().message;
    repositories.push_back(std::move(*opened));
    const auto tenant = repositories.back()->EnsureTenant("acme");
    ASSERT_TRUE(tenant);
    tenants.push_back(tenant->id);
    const auto summary = repositories.back()->ReplaceBillingScopes(tenant->id, batch);
    ASSERT_TRUE(summary) << summary.error().message;
  }

  std::vector<CostQuery> queries;
  for (const Granularity granularity : {Granularity::kDay, Granularity::kMonth}) {
    for (const std::string_view group :
         {"", "provider", "billing-account", "account", "service", "region", "usage-type",
          "resource", "charge-category", "tag:team", "tag:env", "tag:none"}) {
      queries.push_back(QueryOf("2023-10-01", "2023-11-30",
                                group.empty() ? std::nullopt : std::optional(group), granularity));
    }
  }
  CostQuery filtered = QueryOf("2023-10-25", "2023-11-05", "tag:team");
  filtered.filters = {FilterOf("region", {"", "region-1"}), FilterOf("tag:env", {"", "prod"})};
  queries.push_back(filtered);

  for (const CostQuery& query : queries) {
    const std::string name = query.group_by ? DimensionName(*query.group_by) : "(none)";
    const auto sqlite = repositories[0]->QueryCosts(tenants[0], query);
    const auto postgres = repositories[1]->QueryCosts(tenants[1], query);
    ASSERT_TRUE(sqlite) << sqlite.error().message;
    ASSERT_TRUE(postgres) << postgres.error().message;
    EXPECT_FALSE(sqlite->empty()) << name;
    EXPECT_EQ(Exact(*sqlite), Exact(*postgres)) << "group by " << name;
  }
}

TEST(PostgresConnectionTest, ReconnectsAfterTheServerDropsTheConnection) {
  const std::unique_ptr<TestDatabase> database = CreateDatabase(Backend::kPostgresql);
  ASSERT_NE(database, nullptr);
  auto opened = OpenRepository(database->url());
  ASSERT_TRUE(opened) << opened.error().message;
  const std::unique_ptr<Repository> repository = std::move(*opened);
  ASSERT_TRUE(repository->EnsureTenant("acme"));

  EXPECT_EQ(database->TerminateConnections(), 1);
  // The call that finds the connection gone fails as Unavailable; the next one reconnects.
  const Result<Tenant> lost = repository->FindTenant("acme");
  ASSERT_FALSE(lost);
  EXPECT_EQ(lost.error().code, ErrorCode::kUnavailable) << lost.error().message;
  const Result<Tenant> found = repository->FindTenant("acme");
  ASSERT_TRUE(found) << found.error().message;
  EXPECT_EQ(found->name, "acme");
}

// --- opening
// ---------------------------------------------------------------------------------------

TEST(OpenRepositoryTest, RejectsAnUnknownSchemeNamingTheAcceptedForms) {
  for (const std::string_view url : {"mysql://db/x", "/tmp/costwise.db", "", "sqlite3:x.db"}) {
    const auto opened = OpenRepository(url);
    ASSERT_FALSE(opened) << url;
    EXPECT_EQ(opened.error().code, ErrorCode::kInvalidInput) << url;
    EXPECT_THAT(opened.error().message, HasSubstr("sqlite:PATH")) << url;
    EXPECT_THAT(opened.error().message, HasSubstr("postgresql://")) << url;
  }
}

TEST(OpenRepositoryTest, RejectsAnEmptySqlitePath) {
  const auto opened = OpenRepository("sqlite:");
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code, ErrorCode::kInvalidInput);
}

TEST(OpenRepositoryTest, ReportsAnUnreachablePostgresWithoutItsPassword) {
  const auto opened = OpenRepository("postgresql://costwise:s3cret@127.0.0.1:1/costwise");
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code, ErrorCode::kUnavailable);
  EXPECT_THAT(opened.error().message, HasSubstr("127.0.0.1"));
  EXPECT_THAT(opened.error().message, ::testing::Not(HasSubstr("s3cret")));
}

TEST(OpenRepositoryTest, ReportsAMalformedPostgresUrl) {
  const auto opened = OpenRepository("postgres://host/db?no_such_option=1");
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code, ErrorCode::kInvalidInput);
}

class SqliteFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    database_ = CreateDatabase(Backend::kSqlite);
    ASSERT_NE(database_, nullptr);
  }
  std::unique_ptr<TestDatabase> database_;
};

TEST_F(SqliteFileTest, CreatesMissingFoldersAndUsesWal) {
  const std::filesystem::path path = database_->folder() / "a" / "b" / "costwise.db";
  const auto opened = OpenRepository("sqlite:" + path.string());
  ASSERT_TRUE(opened) << opened.error().message;
  EXPECT_EQ((*opened)->BackendName(), "sqlite");
  EXPECT_TRUE(std::filesystem::exists(path));
  EXPECT_TRUE(std::filesystem::exists(path.string() + "-wal"));
}

TEST_F(SqliteFileTest, OpensAPathWithSpaces) {
  const std::filesystem::path path = database_->folder() / "with space" / "cost wise.db";
  const auto opened = OpenRepository("sqlite:" + path.string());
  ASSERT_TRUE(opened) << opened.error().message;
  EXPECT_TRUE(std::filesystem::exists(path));
}

TEST_F(SqliteFileTest, OpensAnInMemoryDatabase) {
  const auto opened = OpenRepository("sqlite::memory:");
  ASSERT_TRUE(opened) << opened.error().message;
  EXPECT_EQ((*opened)->SchemaVersion().value_or(-1), LatestSchemaVersion());
}

TEST_F(SqliteFileTest, ReportsAFileThatIsNotADatabase) {
  const std::filesystem::path path = database_->folder() / "notes.txt";
  std::ofstream(path) << "this is not an SQLite database, just some text that is long enough\n";
  const auto opened = OpenRepository("sqlite:" + path.string());
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code, ErrorCode::kUnavailable);
  EXPECT_THAT(opened.error().message, HasSubstr(path.string()));
}

TEST_F(SqliteFileTest, ReportsAFolderThatCannotBeCreated) {
  const std::filesystem::path file = database_->folder() / "file";
  std::ofstream(file) << "x";
  const auto opened = OpenRepository("sqlite:" + (file / "sub" / "costwise.db").string());
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code, ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace costwise::store
