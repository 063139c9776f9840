#include "service/cost_service.h"

#include <gtest/gtest.h>

namespace costwise::service {
namespace {

const Date kToday = *Date::Parse("2024-10-15");

TEST(ParseCostQueryTest, DefaultsToTheLast30DaysDaily) {
  const auto query = ParseCostQuery({}, kToday);
  ASSERT_TRUE(query);
  EXPECT_EQ(query->to.ToString(), "2024-10-15");
  EXPECT_EQ(query->from.ToString(), "2024-09-16");
  EXPECT_EQ(query->granularity, Granularity::kDay);
  EXPECT_FALSE(query->group_by.has_value());
}

TEST(ParseCostQueryTest, ParsesEveryPart) {
  CostQueryText text;
  text.from = "2024-09-01";
  text.to = "2024-09-30";
  text.group_by = "tag:team";
  text.granularity = "month";
  text.filters = {"service=Amazon S3,AWS Glue", "region=us-east-1"};
  const auto query = ParseCostQuery(text, kToday);
  ASSERT_TRUE(query) << query.error().message;
  EXPECT_EQ(query->group_by->dimension, CostDimension::kTag);
  EXPECT_EQ(query->group_by->tag_key, "team");
  EXPECT_EQ(query->granularity, Granularity::kMonth);
  ASSERT_EQ(query->filters.size(), 2U);
  EXPECT_EQ(query->filters[0].values, (std::vector<std::string>{"Amazon S3", "AWS Glue"}));
  EXPECT_EQ(query->filters[1].dimension.dimension, CostDimension::kRegion);
}

TEST(ParseCostQueryTest, ErrorsNameTheParameter) {
  const auto expect_error = [](CostQueryText text, std::string_view fragment) {
    const auto query = ParseCostQuery(text, kToday);
    ASSERT_FALSE(query);
    EXPECT_EQ(query.error().code, ErrorCode::kInvalidInput);
    EXPECT_NE(query.error().message.find(fragment), std::string::npos) << query.error().message;
  };
  const auto with = [](auto set) {
    CostQueryText text;
    set(text);
    return text;
  };
  expect_error(with([](auto& t) { t.from = "2024-9-1"; }), "from must be a date");
  expect_error(with([](auto& t) { t.to = "tomorrow"; }), "to must be a date");
  expect_error(with([](auto& t) {
                 t.from = "2024-10-02";
                 t.to = "2024-10-01";
               }),
               "is after");
  expect_error(with([](auto& t) { t.group_by = "colour"; }), "usage-type");
  expect_error(with([](auto& t) { t.granularity = "hour"; }), "granularity must be day or month");
  expect_error(with([](auto& t) { t.filters = {"service"}; }), "DIMENSION=VALUE");
  expect_error(with([](auto& t) { t.filters = {"colour=red"}; }), "'colour' is not a dimension");
}

}  // namespace
}  // namespace costwise::service
