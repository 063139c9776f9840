#pragma once
// The instance catalog right-sizing chooses from: each EC2 instance type's shape (vCPU, memory,
// architecture, GPUs, network) and its on-demand hourly price per region. Built from rows the
// caller read (the bundled snapshot, a user's file, or the Pricing API); pure data, no I/O.
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.h"

namespace costwise::rightsizing {

// AWS bills on-demand instances by the hour; a month is 730 hours (8,760 / 12), as AWS Compute
// Optimizer and the AWS Pricing Calculator count it.
inline constexpr double kHoursPerMonth = 730;

enum class Architecture { kX86_64, kArm64 };

struct InstanceType {
  std::string name;    // "m5.xlarge"
  std::string family;  // "m5"
  std::string size;    // "xlarge"
  int generation = 0;  // 5 for m5
  int vcpu = 0;
  double memory_gib = 0;
  Architecture architecture = Architecture::kX86_64;
  std::string cpu_manufacturer;  // "intel", "amd", "aws"
  int gpus = 0;
  std::string gpu_name;
  double gpu_memory_gib = 0;  // per GPU
  int accelerators = 0;       // Inferentia, Trainium, ...
  double network_mbps = 0;    // baseline bandwidth
  double local_nvme_gib = 0;
  bool burstable = false;  // t2, t3, t3a, t4g: CPU credits
  bool metal = false;      // bare metal ("*.metal*")
};

// One row of a catalog file: a type's shape and its price in one region.
struct CatalogRow {
  InstanceType type;
  std::string region;
  double hourly_usd = 0;
};

// "m5.xlarge" -> {"m5", "xlarge"}; "u-6tb1.metal" -> {"u-6tb1", "metal"}. InvalidInput for a name
// without exactly one '.' between two non-empty parts.
[[nodiscard]] Result<std::pair<std::string, std::string>> SplitTypeName(std::string_view name);

class InstanceCatalog final {
 public:
  // InvalidInput names the first bad row (1-based): an unknown or empty type name, a family that
  // does not match the name, no vCPU or memory, a negative or non-finite price, or a type listed
  // twice for one region, or with different shapes in two regions.
  [[nodiscard]] static Result<InstanceCatalog> Create(std::span<const CatalogRow> rows);

  [[nodiscard]] const InstanceType* Find(std::string_view name) const;
  // The on-demand hourly price of a type in a region, when the catalog has it.
  [[nodiscard]] std::optional<double> HourlyPrice(std::string_view name,
                                                  std::string_view region) const;
  // Every type priced in a region, ordered by name.
  [[nodiscard]] std::vector<const InstanceType*> TypesIn(std::string_view region) const;
  [[nodiscard]] std::vector<std::string> Regions() const;
  [[nodiscard]] std::size_t size() const { return types_.size(); }

 private:
  std::map<std::string, InstanceType, std::less<>> types_;
  // region -> type -> hourly USD
  std::map<std::string, std::map<std::string, double, std::less<>>, std::less<>> prices_;
};

}  // namespace costwise::rightsizing
