#include "service/instance_catalog.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

namespace costwise::service {
namespace {

// The bundled snapshot, with the spot checks of its SOURCE.md (us-east-1, USD per hour).
TEST(InstanceCatalogServiceTest, TheBuiltInCatalogHasTheSnapshotsPrices) {
  const auto catalog = BuiltInInstanceCatalog();
  ASSERT_TRUE(catalog) << catalog.error().message;
  // 2,640 rows over three regions; 1,345 of them us-east-1.
  EXPECT_EQ(catalog->TypesIn("us-east-1").size(), 1345U);
  EXPECT_EQ(catalog->TypesIn("us-gov-west-1").size(), 750U);
  EXPECT_EQ(catalog->TypesIn("us-gov-east-1").size(), 545U);
  EXPECT_DOUBLE_EQ(*catalog->HourlyPrice("t3.micro", "us-east-1"), 0.0104);
  EXPECT_DOUBLE_EQ(*catalog->HourlyPrice("m5.large", "us-east-1"), 0.096);
  EXPECT_DOUBLE_EQ(*catalog->HourlyPrice("r6g.large", "us-east-1"), 0.1008);
  EXPECT_DOUBLE_EQ(*catalog->HourlyPrice("g5.xlarge", "us-east-1"), 1.006);
  EXPECT_DOUBLE_EQ(*catalog->HourlyPrice("p4d.24xlarge", "us-east-1"), 21.957642);
  const rightsizing::InstanceType* m5 = catalog->Find("m5.xlarge");
  ASSERT_NE(m5, nullptr);
  EXPECT_EQ(m5->vcpu, 4);
  EXPECT_DOUBLE_EQ(m5->memory_gib, 16);
  EXPECT_EQ(m5->architecture, rightsizing::Architecture::kX86_64);
  EXPECT_EQ(m5->cpu_manufacturer, "intel");
  EXPECT_EQ(catalog->Find("r6g.large")->architecture, rightsizing::Architecture::kArm64);
  EXPECT_EQ(catalog->Find("g5.xlarge")->gpus, 1);
  EXPECT_TRUE(catalog->Find("t3.micro")->burstable);
}

class CatalogFileTest : public ::testing::Test {
 protected:
  std::string Write(const std::string& text) {
    // One file per test and process: ctest runs tests of several trees side by side.
    path_ = ::testing::TempDir() + ::testing::UnitTest::GetInstance()->current_test_info()->name() +
            "_" + std::to_string(::getpid()) + ".csv";
    std::ofstream(path_) << text;
    return path_;
  }
  void TearDown() override { std::remove(path_.c_str()); }
  std::string path_;
};

TEST_F(CatalogFileTest, ReadsAFileWithTheRequiredColumns) {
  const auto catalog = ReadInstanceCatalog(
      Write("instance_type,vcpu,memory_gib,region,price_per_hour_ondemand_linux_usd,arch\n"
            "m6g.large,2,8,eu-west-1,0.086,arm64\n"
            "m5.large,2,8,eu-west-1,0.107,\n"));
  ASSERT_TRUE(catalog) << catalog.error().message;
  EXPECT_DOUBLE_EQ(*catalog->HourlyPrice("m5.large", "eu-west-1"), 0.107);
  EXPECT_EQ(catalog->Find("m6g.large")->architecture, rightsizing::Architecture::kArm64);
}

TEST_F(CatalogFileTest, ErrorsNameTheFileLineAndProblem) {
  auto missing = ReadInstanceCatalog(Write("instance_type,vcpu,region\nm5.large,2,us-east-1\n"));
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find(":1: the header has no column memory_gib"),
            std::string::npos)
      << missing.error().message;
  auto bad_price = ReadInstanceCatalog(
      Write("instance_type,vcpu,memory_gib,region,price_per_hour_ondemand_linux_usd\n"
            "m5.large,2,8,us-east-1,0.096\n"
            "m5.xlarge,4,16,us-east-1,cheap\n"));
  ASSERT_FALSE(bad_price);
  EXPECT_NE(bad_price.error().message.find(":3: price_per_hour_ondemand_linux_usd is not a number"),
            std::string::npos)
      << bad_price.error().message;
  auto no_price = ReadInstanceCatalog(
      Write("instance_type,vcpu,memory_gib,region,price_per_hour_ondemand_linux_usd\n"
            "m5.large,2,8,us-east-1,\n"));
  ASSERT_FALSE(no_price);
  EXPECT_NE(no_price.error().message.find(":2: no price"), std::string::npos);
  EXPECT_EQ(ReadInstanceCatalog("/nonexistent/catalog.csv").error().code, ErrorCode::kNotFound);
}

TEST_F(CatalogFileTest, APerformanceFileSetsFactorsOverTheDefaults) {
  const auto table =
      ReadPerformanceTable(Write("cpu_manufacturer,generation,factor\naws,7,1.4\n\nintel,9,1.6\n"));
  ASSERT_TRUE(table) << table.error().message;
  rightsizing::InstanceType graviton3;
  graviton3.cpu_manufacturer = "aws";
  graviton3.generation = 7;
  graviton3.vcpu = 2;
  EXPECT_DOUBLE_EQ(table->Relative(graviton3), 1.4);  // set by the file
  EXPECT_DOUBLE_EQ(table->Capacity(graviton3), 2.8);
  rightsizing::InstanceType m5 = graviton3;
  m5.cpu_manufacturer = "intel";
  m5.generation = 5;
  EXPECT_DOUBLE_EQ(table->Relative(m5), 1.0);  // the built-in estimate stays

  const auto bad =
      ReadPerformanceTable(Write("cpu_manufacturer,generation,factor\naws,7,1.4\namd,6,-1\n"));
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find(":3: factor is not a positive number: '-1'"),
            std::string::npos)
      << bad.error().message;
  const auto fraction =
      ReadPerformanceTable(Write("cpu_manufacturer,generation,factor\naws,7.5,1.4\n"));
  ASSERT_FALSE(fraction);
  EXPECT_NE(fraction.error().message.find(":2: generation is not a whole number"),
            std::string::npos);
  EXPECT_FALSE(ReadPerformanceTable(Write("maker,factor\naws,1\n")));
  EXPECT_EQ(ReadPerformanceTable("/nonexistent/performance.csv").error().code,
            ErrorCode::kNotFound);
}

// Prices from the Price List API over the built-in catalog: known types keep their shape with the
// new price, new types come with the price list's shape, other regions keep theirs; the file
// written reads back the same.
TEST(InstanceCatalogServiceTest, PricesFromThePriceListApiOverTheCatalog) {
  const auto base = BuiltInInstanceCatalog();
  ASSERT_TRUE(base) << base.error().message;
  std::vector<aws::Ec2Price> prices = {
      {"m5.xlarge", "us-east-1", 4, 16, "x86_64", 0, 0.25},
      {"m5.xlarge", "eu-west-1", 4, 16, "x86_64", 0, 0.214},
      {"zz9g.large", "eu-west-1", 2, 4, "arm64", 0, 0.05},
      {"bogus", "eu-west-1", 2, 4, "x86_64", 0, 0.05},  // not a type name: left out
  };
  const auto refreshed = WithPrices(*base, prices);
  ASSERT_TRUE(refreshed) << refreshed.error().message;
  EXPECT_DOUBLE_EQ(*refreshed->HourlyPrice("m5.xlarge", "us-east-1"), 0.25);
  EXPECT_DOUBLE_EQ(*refreshed->HourlyPrice("m5.xlarge", "eu-west-1"), 0.214);
  EXPECT_DOUBLE_EQ(*refreshed->HourlyPrice("m5.large", "us-east-1"), 0.096);  // kept
  EXPECT_EQ(refreshed->Find("m5.xlarge")->network_mbps, base->Find("m5.xlarge")->network_mbps);
  const rightsizing::InstanceType* added = refreshed->Find("zz9g.large");
  ASSERT_NE(added, nullptr);
  EXPECT_EQ(added->architecture, rightsizing::Architecture::kArm64);
  EXPECT_EQ(added->cpu_manufacturer, "aws");
  EXPECT_EQ(added->generation, 9);
  EXPECT_EQ(refreshed->Find("bogus"), nullptr);
  EXPECT_EQ(refreshed->TypesIn("us-gov-west-1").size(), 750U);

  char folder[] = "/tmp/costwise-catalog-XXXXXX";
  ASSERT_NE(mkdtemp(folder), nullptr);
  const std::string path = std::string(folder) + "/catalogs/7.csv";
  ASSERT_TRUE(WriteInstanceCatalog(*refreshed, path));
  const auto read = ReadInstanceCatalog(path);
  ASSERT_TRUE(read) << read.error().message;
  EXPECT_EQ(read->size(), refreshed->size());
  for (const std::string& region : refreshed->Regions()) {
    ASSERT_EQ(read->TypesIn(region).size(), refreshed->TypesIn(region).size()) << region;
    for (const rightsizing::InstanceType* type : refreshed->TypesIn(region)) {
      EXPECT_NEAR(*read->HourlyPrice(type->name, region),
                  *refreshed->HourlyPrice(type->name, region), 5e-7);
      const rightsizing::InstanceType* back = read->Find(type->name);
      ASSERT_NE(back, nullptr);
      EXPECT_EQ(back->vcpu, type->vcpu);
      EXPECT_EQ(back->gpus, type->gpus);
      EXPECT_EQ(back->cpu_manufacturer, type->cpu_manufacturer);
      EXPECT_EQ(back->burstable, type->burstable);
    }
  }
  std::filesystem::remove_all(folder);
}

}  // namespace
}  // namespace costwise::service
