#include "engines/rightsizing/catalog.h"

#include <gtest/gtest.h>

namespace costwise::rightsizing {
namespace {

CatalogRow Row(const char* name, int vcpu, double memory, const char* region, double price) {
  CatalogRow row;
  row.type.name = name;
  row.type.vcpu = vcpu;
  row.type.memory_gib = memory;
  row.region = region;
  row.hourly_usd = price;
  return row;
}

TEST(SplitTypeNameTest, SplitsFamilyAndSize) {
  EXPECT_EQ(*SplitTypeName("m5.xlarge"), (std::pair<std::string, std::string>{"m5", "xlarge"}));
  EXPECT_EQ(SplitTypeName("u-6tb1.metal")->first, "u-6tb1");
  for (const char* bad : {"m5", ".large", "m5.", "m5.large.x", ""}) {
    const auto split = SplitTypeName(bad);
    ASSERT_FALSE(split) << bad;
    EXPECT_NE(split.error().message.find("FAMILY.SIZE"), std::string::npos);
  }
}

TEST(InstanceCatalogTest, FindsTypesAndRegionalPrices) {
  const std::vector<CatalogRow> rows = {
      Row("m5.large", 2, 8, "us-east-1", 0.096), Row("m5.xlarge", 4, 16, "us-east-1", 0.192),
      Row("m5.large", 2, 8, "us-gov-west-1", 0.12), Row("t3.micro", 2, 1, "us-east-1", 0.0104),
      Row("m7i.metal-24xl", 96, 384, "us-east-1", 4.8384)};
  const auto catalog = InstanceCatalog::Create(rows);
  ASSERT_TRUE(catalog) << catalog.error().message;
  EXPECT_EQ(catalog->size(), 4U);
  const InstanceType* large = catalog->Find("m5.large");
  ASSERT_NE(large, nullptr);
  EXPECT_EQ(large->family, "m5");
  EXPECT_EQ(large->size, "large");
  EXPECT_EQ(large->generation, 5);
  EXPECT_FALSE(large->burstable);
  EXPECT_TRUE(catalog->Find("t3.micro")->burstable);
  EXPECT_TRUE(catalog->Find("m7i.metal-24xl")->metal);
  EXPECT_EQ(catalog->Find("m7i.metal-24xl")->generation, 7);
  EXPECT_EQ(catalog->Find("c5.large"), nullptr);
  EXPECT_DOUBLE_EQ(*catalog->HourlyPrice("m5.large", "us-gov-west-1"), 0.12);
  EXPECT_FALSE(catalog->HourlyPrice("m5.xlarge", "us-gov-west-1"));
  EXPECT_FALSE(catalog->HourlyPrice("m5.large", "eu-west-1"));
  EXPECT_EQ(catalog->TypesIn("us-east-1").size(), 4U);
  EXPECT_EQ(catalog->TypesIn("us-gov-west-1").size(), 1U);
  EXPECT_EQ(catalog->Regions(), (std::vector<std::string>{"us-east-1", "us-gov-west-1"}));
  // A month of m5.xlarge at 730 hours.
  EXPECT_NEAR(*catalog->HourlyPrice("m5.xlarge", "us-east-1") * kHoursPerMonth, 140.16, 1e-9);
}

TEST(InstanceCatalogTest, RejectsBadRowsNamingThem) {
  const auto expect_error = [](std::vector<CatalogRow> rows, const std::string& fragment) {
    const auto catalog = InstanceCatalog::Create(rows);
    ASSERT_FALSE(catalog);
    EXPECT_NE(catalog.error().message.find(fragment), std::string::npos) << catalog.error().message;
  };
  expect_error({Row("m5.large", 2, 8, "us-east-1", 0.096), Row("m5large", 2, 8, "us-east-1", 1)},
               "catalog row 2");
  expect_error({Row("m5.large", 0, 8, "us-east-1", 0.096)}, "vCPU");
  expect_error({Row("m5.large", 2, 8, "us-east-1", -1)}, "price");
  expect_error({Row("m5.large", 2, 8, "us-east-1", 0.096), Row("m5.large", 2, 8, "us-east-1", 1)},
               "twice");
  expect_error(
      {Row("m5.large", 2, 8, "us-east-1", 0.096), Row("m5.large", 4, 8, "us-gov-west-1", 1)},
      "different shape");
  CatalogRow wrong_family = Row("m5.large", 2, 8, "us-east-1", 0.096);
  wrong_family.type.family = "c5";
  expect_error({wrong_family}, "family 'c5'");
}

}  // namespace
}  // namespace costwise::rightsizing
