#include "service/ingest_service.h"

#include <gtest/gtest.h>

#include "service/cost_service.h"
#include "test_files.h"

namespace costwise::service {
namespace {

const std::string kFocusSample = "focus-sample/focus_1.0_sample_1000.csv";

class IngestServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = store::OpenRepository("sqlite:" + (dir_.path() / "db.sqlite").string());
    ASSERT_TRUE(opened) << opened.error().message;
    repository_ = std::move(*opened);
  }
  Money Total(std::string_view tenant) {
    CostQuery query;
    query.from = *Date::Parse("2000-01-01");
    query.to = *Date::Parse("2099-01-01");
    auto report = QueryCosts(*repository_, tenant, query);
    EXPECT_TRUE(report) << report.error().message;
    Money total;
    if (report) {
      for (const CostTotal& t : report->totals) total += t.billed_cost;
    }
    return total;
  }

  testing::TempDir dir_;
  std::unique_ptr<store::Repository> repository_;
};

TEST_F(IngestServiceTest, IngestsAndSummarises) {
  bool before_store_called = false;
  IngestOptions options;
  options.before_store = [&](const IngestSummary& read) {
    before_store_called = true;
    EXPECT_GT(read.cube_rows, 0);
  };
  const auto summary =
      IngestFiles(*repository_, "acme", {testing::SharedData(kFocusSample)}, options);
  ASSERT_TRUE(summary) << summary.error().message;
  EXPECT_TRUE(before_store_called);
  ASSERT_EQ(summary->files.size(), 1U);
  EXPECT_EQ(summary->files[0].format, "focus-1.0");
  EXPECT_EQ(summary->files[0].rows, 1000);
  // 2024-09, and 2024-10 for one Oracle row of the real sample.
  EXPECT_EQ(summary->files[0].billing_periods.size(), 2U);
  EXPECT_EQ(summary->billed_total.nanos(), 20'520'226'762);
  EXPECT_EQ(summary->rows_inserted, summary->cube_rows);
  EXPECT_EQ(Total("acme").nanos(), 20'520'226'762);
  const auto runs = repository_->ListIngestRuns(repository_->FindTenant("acme")->id);
  ASSERT_TRUE(runs);
  ASSERT_EQ(runs->size(), 1U);
  EXPECT_EQ((*runs)[0].rows, 1000);
  EXPECT_EQ((*runs)[0].checksum.size(), 9U + 32U);  // "xxh3-128:" and 32 hex digits
}

TEST_F(IngestServiceTest, TooManyRejectedRowsFailsAndStoresNothing) {
  std::string text = testing::ReadFile(testing::SharedData(kFocusSample));
  for (int i = 0; i < 20; ++i) text += "broken\n";
  const std::string path = dir_.Write("bad.csv", text);
  IngestOptions options;
  options.max_rejected_percent = 1.0;  // 20 of 1020 is 1.96%
  const auto failed = IngestFiles(*repository_, "acme", {path}, options);
  ASSERT_FALSE(failed);
  EXPECT_NE(failed.error().message.find("20 of 1020 rows"), std::string::npos)
      << failed.error().message;
  EXPECT_NE(failed.error().message.find("bad.csv:1002: expected 44 fields"), std::string::npos)
      << failed.error().message;
  EXPECT_FALSE(repository_->FindTenant("acme"));
  options.max_rejected_percent = 5.0;
  const auto passed = IngestFiles(*repository_, "acme", {path}, options);
  ASSERT_TRUE(passed);
  EXPECT_EQ(passed->files[0].rejected_rows, 20);
}

TEST_F(IngestServiceTest, AllRowsRejectedIsAnError) {
  const std::string path =
      dir_.Write("all_bad.csv", "BilledCost,ChargePeriodStart,BillingPeriodStart\nx,y,z\n1,2\n");
  const auto result = IngestFiles(*repository_, "acme", {path}, IngestOptions{});
  ASSERT_FALSE(result);
  EXPECT_NE(result.error().message.find("every one of its 2 rows was rejected"), std::string::npos)
      << result.error().message;
}

TEST_F(IngestServiceTest, RejectsEmptyArguments) {
  EXPECT_FALSE(IngestFiles(*repository_, "", {"x.csv"}, IngestOptions{}));
  EXPECT_FALSE(IngestFiles(*repository_, "acme", {}, IngestOptions{}));
}

}  // namespace
}  // namespace costwise::service
