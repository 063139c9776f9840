#include "engines/rightsizing/performance.h"

#include <gtest/gtest.h>

namespace costwise::rightsizing {
namespace {

InstanceType Type(const char* manufacturer, int generation, int vcpu) {
  InstanceType type;
  type.cpu_manufacturer = manufacturer;
  type.generation = generation;
  type.vcpu = vcpu;
  return type;
}

TEST(PerformanceTableTest, BaselineIsIntelFifthGeneration) {
  const PerformanceTable table = PerformanceTable::Default();
  EXPECT_DOUBLE_EQ(table.Relative(Type("intel", 5, 4)), 1.0);
  EXPECT_DOUBLE_EQ(table.Capacity(Type("intel", 5, 4)), 4.0);
  // Newer generations do more per vCPU; Graviton3 over Graviton2 by a quarter.
  EXPECT_GT(table.Relative(Type("intel", 7, 2)), table.Relative(Type("intel", 6, 2)));
  EXPECT_DOUBLE_EQ(table.Relative(Type("aws", 7, 2)) / table.Relative(Type("aws", 6, 2)), 1.25);
  EXPECT_DOUBLE_EQ(table.Capacity(Type("aws", 7, 2)), 2.5);
}

TEST(PerformanceTableTest, UnknownGenerationsTakeTheNearestAndUnknownMakersOne) {
  const PerformanceTable table = PerformanceTable::Default();
  EXPECT_DOUBLE_EQ(table.Relative(Type("intel", 2, 1)), 0.75);  // nearest: 3
  EXPECT_DOUBLE_EQ(table.Relative(Type("intel", 9, 1)), 1.45);  // nearest: 8
  EXPECT_DOUBLE_EQ(table.Relative(Type("aws", 4, 1)), 1.0);     // 1 and 6 -> 6 is nearer
  EXPECT_DOUBLE_EQ(table.Relative(Type("apple", 5, 1)), 1.0);
  EXPECT_DOUBLE_EQ(table.Relative(Type("", 5, 1)), 1.0);
}

TEST(PerformanceTableTest, EveryEntryIsConfigurable) {
  PerformanceTable table = PerformanceTable::Default();
  table.Set("amd", 7, 1.2);  // one's own benchmark says less
  EXPECT_DOUBLE_EQ(table.Relative(Type("amd", 7, 8)), 1.2);
  PerformanceTable empty;
  EXPECT_DOUBLE_EQ(empty.Relative(Type("intel", 5, 8)), 1.0);
  empty.Set("intel", 6, 1.1);
  EXPECT_DOUBLE_EQ(empty.Relative(Type("intel", 5, 8)), 1.1);
}

}  // namespace
}  // namespace costwise::rightsizing
