// The CUR through Athena: table recognition, the aggregation SQL (golden files under
// tests/golden/athena/, one per table kind), and an export read over several result pages into
// the CSV the file ingestion path reads.
#include "ingest/aws/athena_cur.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "../test_files.h"
#include "scripted_transport.h"

namespace costwise::aws {
namespace {

using ::testing::HasSubstr;
using testing::ScriptedTransport;

// The golden file's text. COSTWISE_UPDATE_GOLDEN=1 rewrites it with `actual` first (then review
// the diff before committing it).
std::string Golden(const std::string& name, const std::string& actual) {
  const std::string path = std::string(COSTWISE_SOURCE_DIR) + "/tests/golden/athena/" + name;
  if (const char* update = std::getenv("COSTWISE_UPDATE_GOLDEN"); update && update[0] == '1') {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << actual;
  }
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

const std::vector<std::string> kLegacyColumns = {
    "identity_line_item_id",
    "bill_payer_account_id",
    "bill_billing_period_start_date",
    "line_item_usage_account_id",
    "line_item_line_item_type",
    "line_item_usage_start_date",
    "line_item_product_code",
    "line_item_usage_type",
    "line_item_resource_id",
    "line_item_usage_amount",
    "line_item_currency_code",
    "line_item_unblended_cost",
    "product_product_name",
    "product_region",
    "pricing_public_on_demand_cost",
    "reservation_effective_cost",
    "reservation_reservation_a_r_n",
    "reservation_unused_amortized_upfront_fee_for_billing_period",
    "reservation_unused_recurring_fee",
    "savings_plan_savings_plan_effective_cost",
    "resource_tags_user_team",
    "resource_tags_user_env",
    "year",
    "month"};

const std::vector<std::string> kCur2Columns = {"bill_payer_account_id",
                                               "bill_billing_period_start_date",
                                               "line_item_usage_account_id",
                                               "line_item_line_item_type",
                                               "line_item_usage_start_date",
                                               "line_item_product_code",
                                               "line_item_usage_type",
                                               "line_item_resource_id",
                                               "line_item_usage_amount",
                                               "line_item_currency_code",
                                               "line_item_unblended_cost",
                                               "product",
                                               "product_region_code",
                                               "pricing_public_on_demand_cost",
                                               "savings_plan_savings_plan_effective_cost",
                                               "savings_plan_total_commitment_to_date",
                                               "savings_plan_used_commitment",
                                               "resource_tags",
                                               "billing_period"};

const std::vector<std::string> kFocusColumns = {"BilledCost",       "BillingAccountId",
                                                "BillingCurrency",  "BillingPeriodStart",
                                                "ChargeCategory",   "ChargePeriodStart",
                                                "ConsumedQuantity", "EffectiveCost",
                                                "ListCost",         "ProviderName",
                                                "RegionId",         "ResourceId",
                                                "ServiceName",      "SkuId",
                                                "SubAccountId",     "Tags",
                                                "billing_period"};

TEST(CurTableTest, RecognisesEachKindAndItsPartitions) {
  auto legacy = DescribeCurTable("cur", "legacy", kLegacyColumns);
  ASSERT_TRUE(legacy) << legacy.error().message;
  EXPECT_EQ(legacy->kind, CurTableKind::kLegacyCur);
  EXPECT_EQ(legacy->partitions, PartitionStyle::kYearMonth);
  auto cur2 = DescribeCurTable("cur", "data_export", kCur2Columns);
  ASSERT_TRUE(cur2);
  EXPECT_EQ(cur2->kind, CurTableKind::kCur2);
  EXPECT_EQ(cur2->partitions, PartitionStyle::kBillingPeriod);
  auto focus = DescribeCurTable("cur", "focus", kFocusColumns);
  ASSERT_TRUE(focus);
  EXPECT_EQ(focus->kind, CurTableKind::kFocus);
  EXPECT_TRUE(focus->Has("billedcost"));  // Athena's names are lower-case

  auto other = DescribeCurTable("web", "logs", {"request_id", "status", "bytes"});
  ASSERT_FALSE(other);
  EXPECT_THAT(other.error().message, HasSubstr("web.logs is neither a CUR"));
  EXPECT_THAT(other.error().message, HasSubstr("request_id, status, bytes"));
  auto broken =
      DescribeCurTable("cur", "t", {"line_item_unblended_cost", "line_item_usage_start_date"});
  ASSERT_FALSE(broken);
  EXPECT_THAT(broken.error().message, HasSubstr("no bill_billing_period_start_date"));
}

TEST(CurTableTest, AggregationSqlMatchesTheGoldenFiles) {
  const Date november = Date::Parse("2026-11-01").value();
  const std::string legacy =
      CurAggregationSql(*DescribeCurTable("cur", "legacy", kLegacyColumns), november) + "\n";
  EXPECT_EQ(legacy, Golden("legacy.sql", legacy));
  const std::string cur2 =
      CurAggregationSql(*DescribeCurTable("cur", "data_export", kCur2Columns), november) + "\n";
  EXPECT_EQ(cur2, Golden("cur2.sql", cur2));
  const std::string focus =
      CurAggregationSql(*DescribeCurTable("cur", "focus", kFocusColumns), november) + "\n";
  EXPECT_EQ(focus, Golden("focus.sql", focus));
  // Without partitions the period is a filter on the usage day's billing period instead.
  std::vector<std::string> unpartitioned = kCur2Columns;
  unpartitioned.pop_back();
  EXPECT_THAT(CurAggregationSql(*DescribeCurTable("cur", "t", unpartitioned), november),
              HasSubstr("WHERE date_format(bill_billing_period_start_date, '%Y-%m-%d') = "
                        "'2026-11-01'"));
}

std::string Page(const std::string& rows, const std::string& token) {
  return R"({"ResultSet":{"ResultSetMetadata":{"ColumnInfo":[{"Name":"a","Type":"varchar"},)"
         R"({"Name":"b","Type":"decimal"}]},"Rows":[)" +
         rows + "]}" + (token.empty() ? "" : R"(,"NextToken":")" + token + "\"") + "}";
}

TEST(AthenaExportTest, WritesEveryPageAsCsvWithoutTheHeaderRow) {
  auto transport = std::make_shared<ScriptedTransport>();
  transport->Answer(200, R"({"QueryExecutionId":"q-1"})");
  transport->Answer(200, R"({"QueryExecution":{"Status":{"State":"RUNNING"}}})");
  transport->Answer(200, R"({"QueryExecution":{"Status":{"State":"SUCCEEDED"},)"
                         R"("Statistics":{"DataScannedInBytes":123456,)"
                         R"("EngineExecutionTimeInMillis":800}}})");
  transport->Answer(200, Page(R"({"Data":[{"VarCharValue":"a"},{"VarCharValue":"b"}]},)"
                              R"({"Data":[{"VarCharValue":"x,y"},{"VarCharValue":"1.5"}]})",
                              "page2"));
  transport->Answer(200, Page(R"({"Data":[{},{"VarCharValue":"say \"hi\""}]})", ""));
  ClientConfig config;
  config.region = "us-east-1";
  config.credentials =
      std::make_shared<StaticCredentials>(Credentials{"AKID", "secret", "", std::nullopt, "test"});
  config.transport = transport;
  AwsClient client(std::move(config));
  std::vector<std::chrono::milliseconds> polls;
  AthenaWait wait;
  wait.sleep = [&](std::chrono::milliseconds pause) { polls.push_back(pause); };
  costwise::testing::TempDir dir;
  const std::string path = (dir.path() / "export.csv").string();
  auto table = DescribeCurTable("cur", "data_export", kCur2Columns);
  auto exported = ExportBillingPeriod(client, {"cur", "data_export", "costwise", "s3://out/"},
                                      *table, Date::Parse("2026-11-01").value(), path, wait);
  ASSERT_TRUE(exported) << exported.error().Describe();
  EXPECT_EQ(exported->rows, 2);
  EXPECT_EQ(exported->execution.bytes_scanned, 123456);
  EXPECT_EQ(costwise::testing::ReadFile(path), "a,b\n\"x,y\",1.5\n,\"say \"\"hi\"\"\"\n");
  EXPECT_EQ(polls.size(), 1u);
  // The start names the database, workgroup and output location.
  const std::string& start = transport->sent[0].request.body;
  EXPECT_THAT(start, HasSubstr(R"("QueryExecutionContext":{"Database":"cur"})"));
  EXPECT_THAT(start, HasSubstr(R"("WorkGroup":"costwise")"));
  EXPECT_THAT(start, HasSubstr(R"("OutputLocation":"s3://out/")"));
  EXPECT_THAT(transport->sent[4].request.body, HasSubstr(R"("NextToken":"page2")"));
}

TEST(AthenaExportTest, AFailedQuerySaysWhy) {
  auto transport = std::make_shared<ScriptedTransport>();
  transport->Answer(200, R"({"QueryExecutionId":"q-2"})");
  transport->Answer(200, R"({"QueryExecution":{"Status":{"State":"FAILED","StateChangeReason":)"
                         R"("COLUMN_NOT_FOUND: line 1:8: Column 'x' cannot be resolved"}}})");
  ClientConfig config;
  config.region = "us-east-1";
  config.credentials =
      std::make_shared<StaticCredentials>(Credentials{"AKID", "secret", "", std::nullopt, "test"});
  config.transport = transport;
  AwsClient client(std::move(config));
  AthenaWait wait;
  wait.sleep = [](std::chrono::milliseconds) {};
  auto execution = WaitForQuery(client, "q-2", [&] {
    (void)StartQueryExecution(client, {"SELECT x", "cur", "", ""});
    return wait;
  }());
  ASSERT_FALSE(execution);
  EXPECT_EQ(execution.error().Describe(),
            "AWS athena GetQueryExecution: QueryFailed: query q-2 FAILED: COLUMN_NOT_FOUND: line "
            "1:8: Column 'x' cannot be resolved");
}

}  // namespace
}  // namespace costwise::aws
