#include "engines/rightsizing/idle_resources.h"

#include <gtest/gtest.h>

namespace costwise::rightsizing {
namespace {

CloudVolume MakeVolume(const char* id, const char* type, double size, const char* state,
                       double iops = 0, double throughput = 0) {
  CloudVolume volume;
  volume.volume_id = id;
  volume.volume_type = type;
  volume.size_gib = size;
  volume.iops = iops;
  volume.throughput_mibps = throughput;
  volume.region = "us-east-1";
  volume.state = state;
  return volume;
}

TEST(IdleResourcesTest, VolumePricesByHand) {
  const StoragePrices prices;
  // gp3: 500 GiB x $0.08, 3,000 IOPS above the free 3,000 x $0.005, 125 MiB/s above the free
  // 125 x $0.04: 40 + 15 + 5.
  EXPECT_NEAR(*VolumeMonthlyCost(MakeVolume("v", "gp3", 500, "available", 6000, 250), prices), 60,
              1e-9);
  EXPECT_NEAR(*VolumeMonthlyCost(MakeVolume("v", "gp3", 100, "available", 3000, 125), prices), 8,
              1e-9);
  EXPECT_NEAR(*VolumeMonthlyCost(MakeVolume("v", "io1", 100, "available", 1000), prices), 77.5,
              1e-9);
  EXPECT_NEAR(*VolumeMonthlyCost(MakeVolume("v", "gp2", 200, "available"), prices), 20, 1e-9);
  EXPECT_NEAR(*VolumeMonthlyCost(MakeVolume("v", "sc1", 1000, "available"), prices), 15, 1e-9);
  const auto unknown = VolumeMonthlyCost(MakeVolume("vol-9", "gp9", 10, "available"), prices);
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().message.find("vol-9"), std::string::npos);
  EXPECT_NE(unknown.error().message.find("gp9"), std::string::npos);
  EXPECT_FALSE(VolumeMonthlyCost(MakeVolume("v", "gp3", -1, "available"), prices));
}

TEST(IdleResourcesTest, FindsDetachedVolumesAndFreeAddressesLargestFirst) {
  std::vector<CloudVolume> volumes = {MakeVolume("vol-small", "gp2", 20, "available"),
                                      MakeVolume("vol-used", "gp3", 500, "in-use"),
                                      MakeVolume("vol-big", "gp3", 500, "available")};
  volumes[1].attached_instance_id = "i-1";
  std::vector<CloudAddress> addresses(2);
  addresses[0].allocation_id = "eipalloc-free";
  addresses[0].public_ip = "203.0.113.7";
  addresses[1].allocation_id = "eipalloc-used";
  addresses[1].public_ip = "203.0.113.8";
  addresses[1].association_id = "eipassoc-1";
  addresses[1].instance_id = "i-1";
  const auto idle = FindIdleResources(volumes, addresses);
  ASSERT_TRUE(idle) << idle.error().message;
  ASSERT_EQ(idle->size(), 3U);
  EXPECT_EQ((*idle)[0].id, "vol-big");
  EXPECT_NEAR((*idle)[0].monthly_cost, 40, 1e-9);
  EXPECT_EQ((*idle)[0].kind, IdleKind::kUnattachedVolume);
  EXPECT_EQ((*idle)[0].action, "snapshot, then delete");
  EXPECT_EQ((*idle)[1].id, "eipalloc-free");
  EXPECT_NEAR((*idle)[1].monthly_cost, 0.005 * 730, 1e-9);  // $3.65
  EXPECT_EQ((*idle)[1].action, "release");
  EXPECT_NE((*idle)[1].summary.find("203.0.113.7"), std::string::npos);
  EXPECT_EQ((*idle)[2].id, "vol-small");
  EXPECT_NEAR((*idle)[2].monthly_cost, 2, 1e-9);
}

}  // namespace
}  // namespace costwise::rightsizing
