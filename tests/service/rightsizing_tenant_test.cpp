// Right-sizing a tenant through the store (SQLite): the inventory and metrics imported from files
// give the same recommendations as the file mode, which are stored with their actions and keep
// their status across runs.
#include "service/rightsizing_tenant.h"

#include <memory>
#include <string>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/date.h"
#include "test_files.h"

namespace costwise::service {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr std::int64_t kStart = 1'790'000'000 / 3600 * 3600;  // a whole hour
constexpr int kDays = 14;
constexpr int kStepsPerDay = 288;  // five-minute samples

std::string InventoryCsv() {
  return "instance_id,instance_type,region,platform,state,tags\n"
         "i-idle,m5.xlarge,us-east-1,Linux/UNIX,running,\"{\"\"Name\"\": \"\"batch\"\"}\"\n"
         "i-big,m5.4xlarge,us-east-1,Linux/UNIX,running,\n"
         "i-calm,m5.large,us-east-1,Linux/UNIX,running,\n"
         "i-off,m5.large,us-east-1,Linux/UNIX,stopped,\n";
}

// "2026-09-21T13:05:00Z"
std::string TimeText(std::int64_t t) {
  const Date day = DateOfTimestamp(t);
  const std::int64_t second = t - static_cast<std::int64_t>(day.days()) * 86'400;
  return fmt::format("{}T{:02}:{:02}:{:02}Z", day.ToString(), second / 3600, second / 60 % 60,
                     second % 60);
}

std::string MetricsCsv() {
  std::string text = "instance_id,timestamp,metric,value\n";
  for (int step = 0; step < kDays * kStepsPerDay; ++step) {
    const std::string t = TimeText(kStart + step * 300);
    const int wiggle = step % 7;
    fmt::format_to(std::back_inserter(text), "i-idle,{},CPUUtilization,0.{}\n", t, 3 + wiggle);
    fmt::format_to(std::back_inserter(text), "i-idle,{},NetworkIn,{}\n", t, 100 + wiggle);
    fmt::format_to(std::back_inserter(text), "i-big,{},CPUUtilization,2.{}\n", t, wiggle);
    fmt::format_to(std::back_inserter(text), "i-big,{},mem_used_percent,9.{}\n", t, wiggle);
    fmt::format_to(std::back_inserter(text), "i-big,{},NetworkIn,{}\n", t, 800000 + wiggle);
    fmt::format_to(std::back_inserter(text), "i-calm,{},CPUUtilization,{}\n", t, 35 + wiggle);
    fmt::format_to(std::back_inserter(text), "i-calm,{},NetworkIn,{}\n", t, 5000000 + wiggle);
  }
  return text;
}

class RightsizingTenantTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = store::OpenRepository("sqlite:" + (dir_.path() / "db.sqlite").string());
    ASSERT_TRUE(opened) << opened.error().message;
    repository_ = std::move(*opened);
    inventory_ = dir_.Write("inventory.csv", InventoryCsv());
    volumes_ = dir_.Write("volumes.csv",
                          "volume_id,volume_type,size_gib,iops,throughput_mibps,region,state,"
                          "attached_instance_id,tags\n"
                          "vol-1,gp3,500,3000,125,us-east-1,available,,\n"
                          "vol-2,gp2,100,,,us-east-1,in-use,i-big,\n");
    metrics_ = dir_.Write("metrics.csv", MetricsCsv());
  }

  void ImportAll(const std::string& tenant = "acme") {
    auto inventory = ImportInventory(*repository_, tenant, {inventory_, volumes_});
    ASSERT_TRUE(inventory) << inventory.error().message;
    auto metrics = ImportMetrics(*repository_, tenant, metrics_);
    ASSERT_TRUE(metrics) << metrics.error().message;
  }

  TenantRightsizeResult Run(std::int64_t now, const std::string& tenant = "acme") {
    TenantRightsizeOptions options;
    options.now = now;
    auto result = RightsizeTenant(*repository_, tenant, options);
    EXPECT_TRUE(result) << result.error().message;
    return result ? std::move(*result) : TenantRightsizeResult{};
  }

  testing::TempDir dir_;
  std::unique_ptr<store::Repository> repository_;
  std::string inventory_;
  std::string volumes_;
  std::string metrics_;
};

TEST_F(RightsizingTenantTest, ImportsAreIdempotent) {
  auto first = ImportInventory(*repository_, "acme", {inventory_, volumes_});
  ASSERT_TRUE(first) << first.error().message;
  ASSERT_EQ(first->files.size(), 2U);
  EXPECT_EQ(first->files[0].kind, ingest::InventoryKind::kInstances);
  EXPECT_EQ(first->files[0].rows, 4U);
  EXPECT_EQ(first->files[1].kind, ingest::InventoryKind::kVolumes);
  EXPECT_EQ(first->changes.instances, (store::InventoryChanges{4, 0, 0, 0}));
  EXPECT_FALSE(first->changes.addresses.has_value());
  auto again = ImportInventory(*repository_, "acme", {inventory_, volumes_});
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->changes.instances, (store::InventoryChanges{0, 0, 4, 0}));
  EXPECT_EQ(again->changes.volumes, (store::InventoryChanges{0, 0, 2, 0}));

  auto metrics = ImportMetrics(*repository_, "acme", metrics_);
  ASSERT_TRUE(metrics) << metrics.error().message;
  EXPECT_EQ(metrics->instances, 3);
  EXPECT_EQ(metrics->samples.samples, 7 * kDays * kStepsPerDay);
  EXPECT_EQ(metrics->samples.added, metrics->samples.samples);
  auto metrics_again = ImportMetrics(*repository_, "acme", metrics_);
  ASSERT_TRUE(metrics_again) << metrics_again.error().message;
  EXPECT_EQ(metrics_again->samples.added, 0);
  EXPECT_EQ(metrics_again->samples.updated, 0);
}

TEST_F(RightsizingTenantTest, ABadFileStoresNothing) {
  const std::string bad = dir_.Write("bad.csv", InventoryCsv() + "i-x,,us-east-1,,running,\n");
  auto inventory = ImportInventory(*repository_, "acme", {volumes_, bad});
  ASSERT_FALSE(inventory);
  EXPECT_THAT(inventory.error().message, HasSubstr("bad.csv:6:"));
  const std::string twice =
      dir_.Write("twice.csv", "instance_id,instance_type,region\ni-big,m5.large,us-east-1\n");
  inventory = ImportInventory(*repository_, "acme", {inventory_, twice});
  ASSERT_FALSE(inventory);
  EXPECT_THAT(inventory.error().message, HasSubstr("twice.csv:2: instance i-big is listed twice"));
  const std::string bad_metrics =
      dir_.Write("bad_metrics.csv", MetricsCsv() + "i-big,yesterday,CPUUtilization,1\n");
  auto metrics = ImportMetrics(*repository_, "acme", bad_metrics);
  ASSERT_FALSE(metrics);
  EXPECT_THAT(metrics.error().message, HasSubstr("bad_metrics.csv:"));
  EXPECT_THAT(metrics.error().message, HasSubstr("timestamp is not a date and time"));
  // Nothing was stored (the tenant is not even created).
  EXPECT_EQ(repository_->FindTenant("acme").error().code, ErrorCode::kNotFound);
}

TEST_F(RightsizingTenantTest, GivesTheFileModesReportAndStoresItsRecommendations) {
  ImportAll();
  const TenantRightsizeResult result = Run(kStart + 20 * 86'400);

  RightsizeFileOptions files;
  files.inventory_path = inventory_;
  files.metrics_path = metrics_;
  files.volumes_path = volumes_;
  auto expected = RightsizeFiles(files);
  ASSERT_TRUE(expected) << expected.error().message;
  const RightsizeReport& report = result.report;
  EXPECT_EQ(report.lookback_end, expected->lookback_end);
  EXPECT_EQ(report.skipped, expected->skipped);
  ASSERT_EQ(report.instances.size(), expected->instances.size());
  for (std::size_t i = 0; i < report.instances.size(); ++i) {
    const rightsizing::Recommendation& got = report.instances[i].recommendation;
    const rightsizing::Recommendation& want = expected->instances[i].recommendation;
    EXPECT_EQ(report.instances[i].instance.instance_id,
              expected->instances[i].instance.instance_id);
    EXPECT_EQ(got.finding, want.finding);
    EXPECT_EQ(got.summary, want.summary);
    ASSERT_EQ(got.options.size(), want.options.size());
    for (std::size_t k = 0; k < got.options.size(); ++k) {
      EXPECT_EQ(got.options[k].type, want.options[k].type);
    }
  }
  EXPECT_DOUBLE_EQ(report.monthly_savings, expected->monthly_savings);
  EXPECT_EQ(report.idle_resources.size(), 1U);

  // Stored: every instance with an option (the idle and the over-provisioned ones at least) and
  // the unattached volume.
  std::size_t with_options = 0;
  for (const InstanceRecommendation& item : report.instances) {
    with_options += item.recommendation.options.empty() ? 0 : 1;
  }
  EXPECT_GE(with_options, 2U);
  ASSERT_EQ(result.stored.size(), with_options + 1);
  EXPECT_EQ(result.counts.open, static_cast<std::int64_t>(result.stored.size()));
  const auto find = [](const TenantRightsizeResult& run, std::string_view id) {
    for (const ResourceRecommendation& r : run.stored) {
      if (r.resource_id == id) return r;
    }
    ADD_FAILURE() << "no recommendation for " << id;
    return ResourceRecommendation{};
  };
  const ResourceRecommendation idle = find(result, "i-idle");
  EXPECT_EQ(idle.action, "stop");
  EXPECT_EQ(idle.finding, "idle");
  EXPECT_EQ(idle.model_version, "rightsizing/1");
  EXPECT_THAT(idle.terraform, HasSubstr("aws_ec2_instance_state\" \"batch\""));
  const ResourceRecommendation big = find(result, "i-big");
  EXPECT_EQ(big.action, "resize");
  EXPECT_EQ(big.finding, "over-provisioned");
  EXPECT_EQ(big.recommended_type, report.instances[1].recommendation.options.front().type);
  EXPECT_THAT(big.options_json, StartsWith(R"([{"type":")"));
  EXPECT_THAT(big.aws_cli.back(), HasSubstr("aws ec2 start-instances --region us-east-1"));
  const ResourceRecommendation volume = find(result, "vol-1");
  EXPECT_EQ(volume.kind, RecommendationKind::kVolume);
  EXPECT_EQ(volume.monthly_savings, Money::FromNanos(40'000'000'000));

  // A dismissal survives the next run; the model row is reused.
  auto dismissed = SetRecommendationStatus(*repository_, "acme", big.id,
                                           RecommendationStatus::kDismissed, std::nullopt, kStart);
  ASSERT_TRUE(dismissed) << dismissed.error().message;
  const TenantRightsizeResult again = Run(kStart + 21 * 86'400);
  EXPECT_EQ(again.model_id, result.model_id);
  EXPECT_EQ(again.counts.dismissed, 1);
  EXPECT_EQ(again.counts.open, static_cast<std::int64_t>(result.stored.size()) - 1);
  EXPECT_EQ(find(again, "i-big").id, big.id);
  EXPECT_EQ(find(again, "i-big").status, RecommendationStatus::kDismissed);
  EXPECT_EQ(find(again, "i-idle").id, idle.id);
}

TEST_F(RightsizingTenantTest, TenantsSeeOnlyTheirOwn) {
  ImportAll();
  Run(kStart);
  auto unknown = RightsizeTenant(*repository_, "globex", {});
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);
  // A tenant with metrics only has no inventory to right-size.
  ASSERT_TRUE(ImportMetrics(*repository_, "globex", metrics_));
  auto empty = RightsizeTenant(*repository_, "globex", {});
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().code, ErrorCode::kNotFound);
  EXPECT_THAT(empty.error().message, HasSubstr("tenant 'globex' has no inventory"));
  auto listed = ListRecommendations(*repository_, "globex", std::nullopt);
  ASSERT_TRUE(listed) << listed.error().message;
  EXPECT_TRUE(listed->empty());
  auto mine = ListRecommendations(*repository_, "acme", std::nullopt);
  ASSERT_TRUE(mine);
  ASSERT_FALSE(mine->empty());
  auto foreign = GetRecommendation(*repository_, "globex", mine->front().id);
  ASSERT_FALSE(foreign);
  EXPECT_EQ(foreign.error().message,
            fmt::format("tenant 'globex' has no recommendation {}", mine->front().id));
  auto stolen = SetRecommendationStatus(*repository_, "globex", mine->front().id,
                                        RecommendationStatus::kDismissed, std::nullopt, kStart);
  ASSERT_FALSE(stolen);
  EXPECT_EQ(stolen.error().code, ErrorCode::kNotFound);
  auto past = SetRecommendationStatus(*repository_, "acme", mine->front().id,
                                      RecommendationStatus::kSnoozed, kStart - 1, kStart);
  ASSERT_FALSE(past);
  EXPECT_EQ(past.error().code, ErrorCode::kInvalidInput);
}

TEST_F(RightsizingTenantTest, TheModelParamsAndOptionsAreJson) {
  const std::string params = RightsizingModelParams({}, 14, "built-in \"catalog\"", "perf.csv");
  EXPECT_THAT(params, StartsWith(R"({"lookback_days":14,"catalog":"built-in \"catalog\"",)"
                                 R"("performance":"perf.csv",)"));
  EXPECT_THAT(params, HasSubstr(R"("cpu_target":80,)"));
  EXPECT_THAT(params, HasSubstr(R"("allow_arm64":true,)"));
  EXPECT_THAT(params, HasSubstr(R"("credit_mode":"default",)"));
  rightsizing::SizingOption option;
  option.type = "m5.large";
  option.monthly_savings = 420.4812;
  option.projected_cpu = 47.96;
  option.projected_cpu_p99 = 40.04;
  option.performance_risk = 1;
  EXPECT_EQ(SizingOptionsJson({option}),
            R"([{"type":"m5.large","monthly_savings":420.48,"projected_cpu_p99":40,)"
            R"("projected_cpu_p99_5":48,"projected_mem_p99":null,"performance_risk":1,)"
            R"("migration_effort":"very-low","credits":null}])");
  EXPECT_EQ(SizingOptionsJson({}), "[]");
}

}  // namespace
}  // namespace costwise::service
