#include "core/cost_cube.h"

#include <gtest/gtest.h>

namespace costwise {
namespace {

TEST(DimensionTest, ParsesEveryName) {
  for (const char* name : {"provider", "billing-account", "account", "service", "region",
                           "usage-type", "resource", "charge-category", "tag:team"}) {
    const auto dimension = ParseDimension(name);
    ASSERT_TRUE(dimension.has_value()) << name;
    EXPECT_EQ(DimensionName(*dimension), name);
  }
  EXPECT_EQ(ParseDimension("tag:cost center")->tag_key, "cost center");
  EXPECT_FALSE(ParseDimension("tag:").has_value());
  EXPECT_FALSE(ParseDimension("Service").has_value());
  EXPECT_FALSE(ParseDimension("").has_value());
}

}  // namespace
}  // namespace costwise
