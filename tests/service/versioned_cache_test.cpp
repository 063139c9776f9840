// VersionedCache serves a value only at the version it was computed at, keeps the newest of
// racing computations, and drops the least recently used value when full; CostQueryKey tells
// different cost questions apart.
#include "service/versioned_cache.h"

#include <string>

#include <gtest/gtest.h>

#include "service/cost_service.h"

namespace costwise::service {
namespace {

TEST(VersionedCacheTest, ServesAValueOnlyAtItsVersion) {
  VersionedCache<std::string> cache(4);
  EXPECT_FALSE(cache.Find("a", 1));
  cache.Store("a", 1, "one");
  EXPECT_EQ(cache.Find("a", 1), "one");
  EXPECT_FALSE(cache.Find("a", 2));  // the data changed: recompute
  cache.Store("a", 2, "two");
  EXPECT_EQ(cache.Find("a", 2), "two");
  EXPECT_EQ(cache.hits(), 2U);
  EXPECT_EQ(cache.misses(), 2U);
}

TEST(VersionedCacheTest, KeepsTheNewerOfTwoRacingComputations) {
  VersionedCache<std::string> cache(4);
  cache.Store("a", 3, "three");
  cache.Store("a", 2, "two, computed before the data changed");
  EXPECT_EQ(cache.Find("a", 3), "three");
  EXPECT_FALSE(cache.Find("a", 2));
}

TEST(VersionedCacheTest, DropsTheLeastRecentlyUsedWhenFull) {
  VersionedCache<std::string> cache(2);
  cache.Store("a", 1, "A");
  cache.Store("b", 1, "B");
  EXPECT_TRUE(cache.Find("a", 1));  // a is now the most recently used
  cache.Store("c", 1, "C");         // b goes
  EXPECT_TRUE(cache.Find("a", 1));
  EXPECT_FALSE(cache.Find("b", 1));
  EXPECT_TRUE(cache.Find("c", 1));
}

TEST(VersionedCacheTest, CostQueryKeysTellQuestionsApart) {
  CostQuery query;
  query.from = *Date::Parse("2024-09-01");
  query.to = *Date::Parse("2024-09-30");
  CostQuery monthly = query;
  monthly.granularity = Granularity::kMonth;
  EXPECT_NE(CostQueryKey(1, query), CostQueryKey(1, monthly));
  EXPECT_NE(CostQueryKey(1, query), CostQueryKey(2, query));
  EXPECT_EQ(CostQueryKey(1, query), CostQueryKey(1, CostQuery(query)));
  CostQuery one_value = query;
  one_value.filters.push_back({DimensionRef{CostDimension::kService, ""}, {"a,b"}});
  CostQuery two_values = query;
  two_values.filters.push_back({DimensionRef{CostDimension::kService, ""}, {"a", "b"}});
  EXPECT_NE(CostQueryKey(1, one_value), CostQueryKey(1, two_values));
}

}  // namespace
}  // namespace costwise::service
