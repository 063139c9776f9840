#pragma once
// Resources that cost money while serving nothing: EBS volumes attached to no instance and
// Elastic IP addresses associated with nothing. Found from the inventory alone (no metrics), each
// with what it costs a month and what to do about it.
#include <string>
#include <string_view>
#include <vector>

#include "core/cloud_inventory.h"
#include "core/error.h"

namespace costwise::rightsizing {

// EBS list prices per month (us-east-1; AWS prices other regions up to about 30% higher).
struct StoragePrices {
  double gp2_gib = 0.10;
  double gp3_gib = 0.08;
  double gp3_iops = 0.005;       // per provisioned IOPS above 3,000
  double gp3_throughput = 0.04;  // per MiB/s above 125
  double io1_gib = 0.125;
  double io1_iops = 0.065;
  double io2_gib = 0.125;
  double io2_iops = 0.065;  // the first 32,000 IOPS tier
  double st1_gib = 0.045;
  double sc1_gib = 0.015;
  double standard_gib = 0.05;       // magnetic, previous generation
  double public_ipv4_hour = 0.005;  // every public IPv4 address, in use or not (since 2024-02)
};

enum class IdleKind { kUnattachedVolume, kUnassociatedAddress };
[[nodiscard]] std::string_view IdleKindName(IdleKind kind);  // "unattached-volume", ...

struct IdleResource {
  IdleKind kind = IdleKind::kUnattachedVolume;
  std::string id;
  std::string region;
  std::string detail;       // "gp3, 500 GiB", "203.0.113.7"
  double monthly_cost = 0;  // saved by deleting or releasing it
  std::string action;       // "snapshot, then delete", "release"
  std::string summary;      // one line
};

// The monthly list price of a volume. InvalidInput for an unknown type or a negative size.
[[nodiscard]] Result<double> VolumeMonthlyCost(const CloudVolume& volume,
                                               const StoragePrices& prices);

// Volumes in state "available" (attached to nothing) and addresses with no association, largest
// cost first. InvalidInput names a volume with an unknown type.
[[nodiscard]] Result<std::vector<IdleResource>> FindIdleResources(
    const std::vector<CloudVolume>& volumes, const std::vector<CloudAddress>& addresses,
    const StoragePrices& prices = {});

}  // namespace costwise::rightsizing
