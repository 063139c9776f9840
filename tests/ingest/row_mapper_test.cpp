#include "ingest/row_mapper.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace costwise::ingest {
namespace {

// Parses a header line and one data line with the real CSV parser and maps the row.
class Mapped {
 public:
  Mapped(std::string header, std::string row) : header_(std::move(header)), row_(std::move(row)) {
    CsvParser header_parser(header_, 1);
    EXPECT_EQ(header_parser.Next(header_record_), CsvParser::Status::kRecord);
    mapper_ = RowMapper::ForHeader(header_record_.fields, "test.csv");
    if (!mapper_ || row_.empty()) return;
    row_parser_.emplace(row_, 2);
    EXPECT_EQ(row_parser_->Next(row_record_), CsvParser::Status::kRecord);
    ok_ = mapper_->Map(row_record_, item_, reason_);
  }
  [[nodiscard]] const Result<RowMapper>& mapper() const { return mapper_; }
  [[nodiscard]] bool ok() const { return ok_; }
  [[nodiscard]] const LineItem& item() const { return item_; }
  [[nodiscard]] const std::string& reason() const { return reason_; }

 private:
  std::string header_;
  std::string row_;
  CsvRecord header_record_;
  CsvRecord row_record_;
  std::optional<CsvParser> row_parser_;
  Result<RowMapper> mapper_ = MakeError(ErrorCode::kInternal, "unset");
  LineItem item_;
  std::string reason_;
  bool ok_ = false;
};

const std::string kFocusHeader =
    "BilledCost,BillingAccountId,BillingCurrency,BillingPeriodStart,ChargeCategory,"
    "ChargeDescription,ChargePeriodStart,ConsumedQuantity,EffectiveCost,ListCost,ProviderName,"
    "RegionId,ResourceId,ServiceName,SkuId,SubAccountId,Tags";

TEST(RowMapperTest, FocusRowWithNullsJsonTagsAndMixedCase) {
  const Mapped m(kFocusHeader,
                 "0.00001605990,\"1234\",\"USD\",\"2024-09-01 00:00:00\",\"usage\",\"LCU hours\","
                 "\"2024-09-30 22:00:00\",0.002,0.5,NULL,\"AWS\",\"us-west-2\",\"arn:x\","
                 "\"Elastic Load Balancing\",\"SKU1\",\"4388\","
                 "\"{\"\"env\"\": \"\"dev\"\", \"\"app\"\": \"\"lens\"\"}\"");
  ASSERT_TRUE(m.mapper());
  EXPECT_EQ(m.mapper()->format_name(), "focus-1.0");
  ASSERT_TRUE(m.ok()) << m.reason();
  const LineItem& item = m.item();
  EXPECT_EQ(item.date.ToString(), "2024-09-30");
  EXPECT_EQ(item.billing_period.ToString(), "2024-09-01");
  EXPECT_EQ(item.provider, "AWS");
  EXPECT_EQ(item.charge_category, "Usage");
  EXPECT_EQ(item.usage_type, "LCU hours");
  EXPECT_EQ(item.billed_cost.nanos(), 16'060);
  EXPECT_EQ(item.effective_cost.nanos(), 500'000'000);
  EXPECT_FALSE(item.has_list_cost);
  EXPECT_EQ(item.tags,
            "app\x1flens\x1e"
            "env\x1f"
            "dev\x1e");
}

TEST(RowMapperTest, FocusEmptyStringIsNullButQuotedNullIsText) {
  const Mapped m(kFocusHeader,
                 "1,\"1\",\"USD\",\"2024-09-01\",\"Usage\",\"d\",\"2024-09-02\",,,\"\",\"Oracle\","
                 "\"NULL\",,\"Compute\",,\"s\",");
  ASSERT_TRUE(m.ok()) << m.reason();
  EXPECT_EQ(m.item().region, "NULL");
  EXPECT_EQ(m.item().resource_id, "");
  EXPECT_EQ(m.item().usage_quantity, 0.0);
  EXPECT_EQ(m.item().tags, "");
}

TEST(RowMapperTest, FocusVersionsFromColumns) {
  const Mapped v11(kFocusHeader + ",ServiceSubcategory", "");
  EXPECT_EQ(v11.mapper()->format_name(), "focus-1.1");
  const Mapped v12(kFocusHeader + ",ServiceSubcategory,InvoiceId", "");
  EXPECT_EQ(v12.mapper()->format_name(), "focus-1.2");
}

TEST(RowMapperTest, BadRowsSayWhatAndWhere) {
  const std::string base =
      "\"2024-09-01\",\"Usage\",\"d\",\"2024-09-02\",1,1,1,\"AWS\",\"r\",\"i\","
      "\"s\",\"k\",\"a\",";
  const Mapped wrong_count(kFocusHeader, "1,2,3");
  EXPECT_FALSE(wrong_count.ok());
  EXPECT_EQ(wrong_count.reason(), "expected 17 fields as in the header, found 3");
  const Mapped bad_cost(kFocusHeader, "1.2.3,\"1\",\"USD\"," + base);
  EXPECT_FALSE(bad_cost.ok());
  EXPECT_EQ(bad_cost.reason(), "BilledCost is not a number: '1.2.3'");
  const Mapped null_cost(kFocusHeader, "NULL,\"1\",\"USD\"," + base);
  EXPECT_EQ(null_cost.reason(), "BilledCost is null");
  const Mapped bad_date(kFocusHeader,
                        "1,\"1\",\"USD\",\"2024-09-01\",\"Usage\",\"d\",\"Sept 2\",1,1,1,\"AWS\","
                        "\"r\",\"i\",\"s\",\"k\",\"a\",");
  EXPECT_EQ(bad_date.reason(), "ChargePeriodStart is not a timestamp: 'Sept 2'");
  const Mapped bad_tags(kFocusHeader,
                        "1,\"1\",\"USD\"," + base.substr(0, base.size() - 1) + ",\"{not json\"");
  EXPECT_EQ(bad_tags.reason(), "Tags is not a JSON object of tags: '{not json'");
}

TEST(RowMapperTest, UnknownHeaderNamesTheKnownFormats) {
  const Mapped m("timestamp,value", "");
  ASSERT_FALSE(m.mapper());
  EXPECT_EQ(m.mapper().error().code, ErrorCode::kInvalidInput);
  EXPECT_NE(m.mapper().error().message.find("legacy AWS CUR"), std::string::npos);
  EXPECT_NE(m.mapper().error().message.find("CUR 2.0"), std::string::npos);
  EXPECT_NE(m.mapper().error().message.find("FOCUS"), std::string::npos);
  const Mapped partial("BilledCost,Foo", "");
  ASSERT_FALSE(partial.mapper());
  EXPECT_NE(partial.mapper().error().message.find("ChargePeriodStart"), std::string::npos);
}

const std::string kCurHeader =
    "bill/PayerAccountId,bill/BillingPeriodStartDate,lineItem/UsageAccountId,"
    "lineItem/LineItemType,lineItem/UsageStartDate,lineItem/ProductCode,lineItem/UsageType,"
    "lineItem/UsageAmount,lineItem/CurrencyCode,lineItem/UnblendedCost,lineItem/ResourceId,"
    "product/ProductName,product/regionCode,pricing/publicOnDemandCost,"
    "reservation/EffectiveCost,reservation/UnusedAmortizedUpfrontFeeForBillingPeriod,"
    "reservation/UnusedRecurringFee,reservation/ReservationARN,"
    "savingsPlan/SavingsPlanEffectiveCost,savingsPlan/TotalCommitmentToDate,"
    "savingsPlan/UsedCommitment,resourceTags/user:team,resourceTags/aws:createdBy";

std::string CurRow(const std::string& type, const std::string& amortisation) {
  return "111,2023-11-01T00:00:00.000Z,222," + type +
         ",2023-11-05T13:00:00Z,AmazonEC2,BoxUsage:m5.large,1,USD,10,i-1,"
         "Amazon Elastic Compute Cloud,us-east-1,12," +
         amortisation + ",data,alice";
}

TEST(RowMapperTest, LegacyCurAmortisesLikeAws) {
  struct Case {
    std::string type;
    std::string amortisation;  // reservation x4, savingsPlan x3
    std::int64_t effective_nanos;
  };
  const std::vector<Case> cases = {
      {"Usage", ",,,,,,", 10'000'000'000},
      {"DiscountedUsage", "4.5,,,arn:ri,,,", 4'500'000'000},
      {"RIFee", ",1.25,0.5,arn:ri,,,", 1'750'000'000},
      {"Fee", ",,,arn:ri,,,", 0},
      {"Fee", ",,,,,,", 10'000'000'000},
      {"SavingsPlanCoveredUsage", ",,,,7,,", 7'000'000'000},
      {"SavingsPlanRecurringFee", ",,,,,30,20", 10'000'000'000},
      {"SavingsPlanNegation", ",,,,,,", 0},
      {"savingsplanupfrontfee", ",,,,,,", 0},
  };
  for (const Case& c : cases) {
    const Mapped m(kCurHeader, CurRow(c.type, c.amortisation));
    ASSERT_TRUE(m.mapper());
    EXPECT_EQ(m.mapper()->format_name(), "cur-legacy");
    ASSERT_TRUE(m.ok()) << c.type << ": " << m.reason();
    EXPECT_EQ(m.item().effective_cost.nanos(), c.effective_nanos) << c.type;
    EXPECT_EQ(m.item().billed_cost.nanos(), 10'000'000'000);
  }
  const Mapped m(kCurHeader, CurRow("Usage", ",,,,,,"));
  const LineItem& item = m.item();
  EXPECT_EQ(item.provider, "AWS");
  EXPECT_EQ(item.billing_account_id, "111");
  EXPECT_EQ(item.sub_account_id, "222");
  EXPECT_EQ(item.service, "Amazon Elastic Compute Cloud");
  EXPECT_EQ(item.region, "us-east-1");
  EXPECT_EQ(item.date.ToString(), "2023-11-05");
  EXPECT_TRUE(item.has_list_cost);
  EXPECT_EQ(item.list_cost.nanos(), 12'000'000'000);
  EXPECT_EQ(item.tags,
            "aws:createdBy\x1f"
            "alice\x1e"
            "team\x1f"
            "data\x1e");
}

TEST(RowMapperTest, Cur2UsesProductMapAndResourceTags) {
  const std::string header =
      "bill_payer_account_id,bill_billing_period_start_date,line_item_usage_account_id,"
      "line_item_line_item_type,line_item_usage_start_date,line_item_product_code,"
      "line_item_usage_type,line_item_usage_amount,line_item_currency_code,"
      "line_item_unblended_cost,line_item_resource_id,product,product_region_code,resource_tags";
  const std::string row =
      "111,2023-11-01T00:00:00Z,222,Usage,2023-11-02T00:00:00Z,AmazonS3,TimedStorage,3,USD,"
      "0.25,bucket,\"{\"\"product_name\"\": \"\"Amazon Simple Storage Service\"\", "
      "\"\"servicecode\"\": \"\"AmazonS3\"\"}\",us-east-2,"
      "\"{\"\"user_team\"\": \"\"data\"\", \"\"user_env\"\": \"\"prod\"\"}\"";
  const Mapped m(header, row);
  ASSERT_TRUE(m.mapper());
  EXPECT_EQ(m.mapper()->format_name(), "cur-2.0");
  ASSERT_TRUE(m.ok()) << m.reason();
  EXPECT_EQ(m.item().service, "Amazon Simple Storage Service");
  EXPECT_EQ(m.item().region, "us-east-2");
  EXPECT_EQ(m.item().effective_cost.nanos(), 250'000'000);
  EXPECT_EQ(m.item().tags,
            "env\x1fprod\x1eteam\x1f"
            "data\x1e");
}

TEST(RowMapperTest, Cur2ServiceComesFromEachRowsOwnProductMap) {
  const std::string header =
      "bill_billing_period_start_date,line_item_usage_start_date,line_item_product_code,"
      "line_item_unblended_cost,product";
  const std::string prefix = "2023-11-01,2023-11-02,AmazonS3,1,";
  const Mapped named(header, prefix + "\"{\"\"product_name\"\": \"\"Amazon S3\"\"}\"");
  EXPECT_EQ(named.item().service, "Amazon S3");
  // No product_name in the map: the product code, not a name learned from another row.
  const Mapped unnamed(header, prefix + "\"{}\"");
  EXPECT_EQ(unnamed.item().service, "AmazonS3");
}

TEST(RowMapperTest, AmortisationOverflowIsARejectedRow) {
  const Mapped m(kCurHeader, CurRow("RIFee", ",9000000000,9000000000,arn:ri,,,"));
  EXPECT_FALSE(m.ok());
  EXPECT_NE(m.reason().find("out of range"), std::string::npos) << m.reason();
}

TEST(RowMapperTest, TagSeparatorsInsideTagsBecomeSpaces) {
  const Mapped m(kFocusHeader,
                 "1,\"1\",\"USD\",\"2024-09-01\",\"Usage\",\"d\",\"2024-09-02\",1,1,1,\"AWS\","
                 "\"r\",\"i\",\"s\",\"k\",\"a\",\"{\"\"a\\u001fb\"\": \"\"c\\u001ed\"\"}\"");
  ASSERT_TRUE(m.ok()) << m.reason();
  EXPECT_EQ(m.item().tags,
            "a b\x1f"
            "c d\x1e");
}

TEST(RowMapperTest, CurRowNeedingMissingAmortisationColumnIsRejected) {
  const std::string header =
      "bill/PayerAccountId,bill/BillingPeriodStartDate,lineItem/LineItemType,"
      "lineItem/UsageStartDate,lineItem/UnblendedCost";
  const Mapped m(header, "1,2023-11-01,SavingsPlanCoveredUsage,2023-11-01,1");
  EXPECT_FALSE(m.ok());
  EXPECT_NE(m.reason().find("SavingsPlanEffectiveCost"), std::string::npos) << m.reason();
}

}  // namespace
}  // namespace costwise::ingest
