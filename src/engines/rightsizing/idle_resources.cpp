#include "engines/rightsizing/idle_resources.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "engines/rightsizing/catalog.h"
#include "engines/rightsizing/summary_text.h"

namespace costwise::rightsizing {
namespace {

// gp3 includes 3,000 IOPS and 125 MiB/s in its price per GiB.
constexpr double kGp3FreeIops = 3000;
constexpr double kGp3FreeThroughput = 125;

std::string GiB(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.0f GiB", value);
  return text;
}

}  // namespace

std::string_view IdleKindName(IdleKind kind) {
  switch (kind) {
    case IdleKind::kUnattachedVolume:
      return "unattached-volume";
    case IdleKind::kUnassociatedAddress:
      return "unassociated-address";
  }
  return "unknown";
}

Result<double> VolumeMonthlyCost(const CloudVolume& volume, const StoragePrices& prices) {
  if (!std::isfinite(volume.size_gib) || volume.size_gib < 0 || !std::isfinite(volume.iops) ||
      volume.iops < 0 || !std::isfinite(volume.throughput_mibps) || volume.throughput_mibps < 0) {
    std::string message = "volume ";
    message.append(volume.volume_id)
        .append(": size, IOPS and throughput must be non-negative numbers");
    return MakeError(ErrorCode::kInvalidInput, std::move(message));
  }
  const double size = volume.size_gib;
  if (volume.volume_type == "gp2") return size * prices.gp2_gib;
  if (volume.volume_type == "gp3") {
    return size * prices.gp3_gib + std::max(0.0, volume.iops - kGp3FreeIops) * prices.gp3_iops +
           std::max(0.0, volume.throughput_mibps - kGp3FreeThroughput) * prices.gp3_throughput;
  }
  if (volume.volume_type == "io1") return size * prices.io1_gib + volume.iops * prices.io1_iops;
  if (volume.volume_type == "io2") return size * prices.io2_gib + volume.iops * prices.io2_iops;
  if (volume.volume_type == "st1") return size * prices.st1_gib;
  if (volume.volume_type == "sc1") return size * prices.sc1_gib;
  if (volume.volume_type == "standard") return size * prices.standard_gib;
  std::string message = "volume ";
  message.append(volume.volume_id)
      .append(": unknown volume type '")
      .append(volume.volume_type)
      .append("' (gp2, gp3, io1, io2, st1, sc1 or standard)");
  return MakeError(ErrorCode::kInvalidInput, std::move(message));
}

Result<std::vector<IdleResource>> FindIdleResources(const std::vector<CloudVolume>& volumes,
                                                    const std::vector<CloudAddress>& addresses,
                                                    const StoragePrices& prices) {
  std::vector<IdleResource> idle;
  for (const CloudVolume& volume : volumes) {
    if (volume.state != "available" || !volume.attached_instance_id.empty()) continue;
    auto cost = VolumeMonthlyCost(volume, prices);
    if (!cost) return unexpected(cost.error());
    IdleResource resource;
    resource.kind = IdleKind::kUnattachedVolume;
    resource.id = volume.volume_id;
    resource.region = volume.region;
    resource.detail = volume.volume_type + ", " + GiB(volume.size_gib);
    resource.monthly_cost = *cost;
    resource.action = "snapshot, then delete";
    resource.summary = volume.volume_id + ": " + resource.detail +
                       " attached to no instance; snapshot it and delete it, save " +
                       MoneyText(*cost) + "/month";
    idle.push_back(std::move(resource));
  }
  for (const CloudAddress& address : addresses) {
    if (!address.association_id.empty() || !address.instance_id.empty()) continue;
    IdleResource resource;
    resource.kind = IdleKind::kUnassociatedAddress;
    resource.id = AddressKey(address);
    resource.region = address.region;
    resource.detail = address.public_ip;
    resource.monthly_cost = prices.public_ipv4_hour * kHoursPerMonth;
    resource.action = "release";
    resource.summary = resource.id + ": Elastic IP " + address.public_ip +
                       " associated with nothing; release it, save " +
                       MoneyText(resource.monthly_cost) + "/month";
    idle.push_back(std::move(resource));
  }
  std::stable_sort(idle.begin(), idle.end(), [](const IdleResource& a, const IdleResource& b) {
    return a.monthly_cost > b.monthly_cost;
  });
  return idle;
}

}  // namespace costwise::rightsizing
