// The cost report cache answers repeated queries from memory and never a stale report: an
// ingest (from any process) changes the cube version and the next query reads the cube again.
#include "service/cost_report_cache.h"

#include <filesystem>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "service/ingest_service.h"
#include "store/repository.h"
#include "test_files.h"

namespace costwise::service {
namespace {

constexpr char kTenant[] = "acme";

std::string FocusRow(std::string_view service, std::string_view cost) {
  return fmt::format(
      "{0},123456789012,USD,2024-10-01 00:00:00,2024-09-01 00:00:00,Usage,"
      "2024-09-03 00:00:00,2024-09-02 00:00:00,1,{0},AWS,us-east-1,r-1,{1},123456789012\n",
      cost, service);
}

class CostReportCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto repository = store::OpenRepository("sqlite:" + (dir_.path() / "db.sqlite").string());
    ASSERT_TRUE(repository) << repository.error().message;
    repository_ = std::move(*repository);
    auto tenant = repository_->EnsureTenant(kTenant);
    ASSERT_TRUE(tenant);
    tenant_id_ = tenant->id;
    query_.from = *Date::Parse("2024-09-01");
    query_.to = *Date::Parse("2024-09-30");
    query_.granularity = Granularity::kMonth;
  }

  void Ingest(std::string_view name, const std::string& rows) {
    const std::string path = dir_.Write(
        name,
        "BilledCost,BillingAccountId,BillingCurrency,BillingPeriodEnd,BillingPeriodStart,"
        "ChargeCategory,ChargePeriodEnd,ChargePeriodStart,ConsumedQuantity,EffectiveCost,"
        "ProviderName,RegionId,ResourceId,ServiceName,SubAccountId\n" +
            rows);
    auto summary = IngestFiles(*repository_, kTenant, {path}, IngestOptions{});
    ASSERT_TRUE(summary) << summary.error().message;
  }

  std::string Total(CostReportCache& cache) {
    auto report = cache.Query(*repository_, tenant_id_, kTenant, query_);
    EXPECT_TRUE(report) << report.error().message;
    if (!report || report->totals.empty()) return "";
    return report->totals[0].billed_cost.ToString(2);
  }

  testing::TempDir dir_;
  std::unique_ptr<store::Repository> repository_;
  std::int64_t tenant_id_ = 0;
  CostQuery query_;
};

TEST_F(CostReportCacheTest, RepeatsComeFromMemoryUntilAnIngestChangesTheCube) {
  Ingest("a.csv", FocusRow("Amazon EC2", "10.00"));
  CostReportCache cache;
  EXPECT_EQ(Total(cache), "10.00");
  EXPECT_EQ(Total(cache), "10.00");
  EXPECT_EQ(cache.misses(), 1U);
  EXPECT_EQ(cache.hits(), 1U);
  // Restating the billing period replaces its rows: the cached total would now be wrong.
  Ingest("b.csv", FocusRow("Amazon EC2", "25.50"));
  EXPECT_EQ(Total(cache), "25.50");
  EXPECT_EQ(cache.misses(), 2U);
}

TEST_F(CostReportCacheTest, DifferentQueriesAndTenantsHaveDifferentKeys) {
  CostQuery other = query_;
  other.granularity = Granularity::kDay;
  EXPECT_NE(CostQueryKey(1, query_), CostQueryKey(1, other));
  EXPECT_NE(CostQueryKey(1, query_), CostQueryKey(2, query_));
  CostQuery filtered = query_;
  filtered.filters.push_back({DimensionRef{CostDimension::kService, ""}, {"a,b"}});
  CostQuery two_values = query_;
  two_values.filters.push_back({DimensionRef{CostDimension::kService, ""}, {"a", "b"}});
  EXPECT_NE(CostQueryKey(1, filtered), CostQueryKey(1, two_values));
}

TEST_F(CostReportCacheTest, DropsTheLeastRecentlyUsedWhenFull) {
  Ingest("a.csv", FocusRow("Amazon EC2", "10.00"));
  CostReportCache cache(1);
  EXPECT_EQ(Total(cache), "10.00");
  query_.granularity = Granularity::kDay;
  EXPECT_EQ(Total(cache), "10.00");
  query_.granularity = Granularity::kMonth;
  EXPECT_EQ(Total(cache), "10.00");  // evicted by the daily query: read again
  EXPECT_EQ(cache.misses(), 3U);
  EXPECT_EQ(cache.hits(), 0U);
}

}  // namespace
}  // namespace costwise::service
