// Answers that do not have the documented shape (nulls, wrong types, missing members) are
// "unexpected answer" errors or skipped documents, never exceptions or crashes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "ingest/aws/athena.h"
#include "ingest/aws/pricing.h"
#include "ingest/aws/s3.h"
#include "scripted_transport.h"

namespace costwise::aws {
namespace {

using ::testing::HasSubstr;
using testing::ScriptedTransport;

AwsClient MakeClient(const std::shared_ptr<ScriptedTransport>& transport) {
  ClientConfig config;
  config.region = "us-east-1";
  config.credentials =
      std::make_shared<StaticCredentials>(Credentials{"AKID", "secret", "", std::nullopt, "t"});
  config.transport = transport;
  return AwsClient(std::move(config));
}

TEST(MalformedAnswersTest, AthenaAnswersOfTheWrongShapeAreErrors) {
  for (const char* body : {R"({"QueryExecution": null})", R"({"QueryExecution": [1, 2]})",
                           R"({"QueryExecution": {"Status": "RUNNING"}})", "[]", "null",
                           R"({"QueryExecution": {"Status": {"State": 5}}})"}) {
    SCOPED_TRACE(body);
    auto transport = std::make_shared<ScriptedTransport>();
    transport->Answer(200, body);
    AwsClient client = MakeClient(transport);
    auto execution = GetQueryExecution(client, "q");
    ASSERT_FALSE(execution);
    EXPECT_THAT(execution.error().Describe(), HasSubstr("unexpected answer"));
  }
  for (const char* body :
       {R"({"ResultSet": {"Rows": {"a": 1}}})", R"({"ResultSet": null})",
        R"({"ResultSet": {"Rows": [{"Data": "x"}, 7, null]}, "NextToken": 3})"}) {
    SCOPED_TRACE(body);
    auto transport = std::make_shared<ScriptedTransport>();
    transport->Answer(200, body);
    AwsClient client = MakeClient(transport);
    std::size_t rows = 0;
    auto read = ReadQueryResults(client, "q", nullptr, [&](const AthenaRow&) {
      ++rows;
      return true;
    });
    // Either an error, or rows without values: never an exception.
    if (read) {
      EXPECT_LE(rows, 2u);
    }
  }
}

TEST(MalformedAnswersTest, PriceDocumentsOfTheWrongShapeAreSkipped) {
  for (const char* document :
       {"null", "[]", R"({"product": null})", R"({"product": {"attributes": 5}})",
        R"({"product": {"attributes": {"instanceType": "m5.large"}}, "terms": {"OnDemand": [1]}})",
        R"({"product": {"attributes": {"instanceType": "m5.large"}}, "terms": {"OnDemand":
            {"X": {"priceDimensions": {"Y": {"unit": "Hrs", "pricePerUnit": {"USD": "abc"}}}}}}})"}) {
    SCOPED_TRACE(document);
    EXPECT_FALSE(ParseEc2Price(document));
  }
  auto transport = std::make_shared<ScriptedTransport>();
  transport->Answer(200, R"({"PriceList": [null, 5, "{\"product\": null}"], "NextToken": null})");
  AwsClient client = MakeClient(transport);
  auto prices = GetEc2LinuxPrices(client, "eu-west-1");
  ASSERT_TRUE(prices) << prices.error().Describe();
  EXPECT_TRUE(prices->empty());
}

TEST(MalformedAnswersTest, ManifestsOfTheWrongShapeSayWhatIsMissing) {
  auto missing = ParseCurManifest(R"({"billingPeriod": null, "reportKeys": []})", "m.json", "b");
  ASSERT_FALSE(missing);
  EXPECT_THAT(missing.error().message, HasSubstr("s3://b/m.json: no billingPeriod.start"));
  auto neither =
      ParseCurManifest(R"({"billingPeriod": {"start": "20231101T000000.000Z"}})", "m.json", "b");
  ASSERT_FALSE(neither);
  EXPECT_THAT(neither.error().message, HasSubstr("neither reportKeys"));
  auto elsewhere = ParseCurManifest(
      R"({"billingPeriod": {"start": "2023-11-01T00:00:00.000Z"}, "dataFiles": ["s3://other/x"]})",
      "m.json", "b");
  ASSERT_FALSE(elsewhere);
  EXPECT_THAT(elsewhere.error().message, HasSubstr("another bucket"));
  auto good = ParseCurManifest(
      R"({"billingPeriod": {"start": "2023-11-01T00:00:00.000Z"}, "executionId": "e1",
          "dataFiles": ["s3://b/data/BILLING_PERIOD=2023-11/part-1.csv.gz", 7]})",
      "m.json", "b");
  ASSERT_TRUE(good) << good.error().message;
  EXPECT_EQ(good->billing_period, "2023-11");
  EXPECT_EQ(good->version, "e1");
  EXPECT_EQ(good->keys, std::vector<std::string>{"data/BILLING_PERIOD=2023-11/part-1.csv.gz"});
}

}  // namespace
}  // namespace costwise::aws
