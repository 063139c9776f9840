#pragma once
// A tenant's cloud resources and their utilization metrics as the store keeps them: EC2
// instances, EBS volumes and Elastic IP addresses (imported from inventory files today, filled by
// the AWS connectors later) and CloudWatch samples per instance. docs/rightsizing.md ("Tenants
// and stored recommendations") explains the fields.
#include <cstdint>
#include <string>
#include <vector>

namespace costwise {

// Where a stored resource came from: the file and line it was imported from ("" and 0 for a
// connector), for error messages.
struct ResourceSource {
  std::string path;
  std::int64_t line = 0;
  friend bool operator==(const ResourceSource&, const ResourceSource&) = default;
};

struct CloudInstance {
  std::string instance_id;
  std::string instance_type;
  std::string region;
  std::string platform;
  std::string state;  // "running", "stopped", ... ("" = running)
  std::string tags;   // JSON object text as exported, or ""
  ResourceSource source;
  friend bool operator==(const CloudInstance&, const CloudInstance&) = default;
};

struct CloudVolume {
  std::string volume_id;
  std::string volume_type;
  double size_gib = 0;
  double iops = 0;
  double throughput_mibps = 0;
  std::string region;
  std::string state;  // "available" = attached to nothing
  std::string attached_instance_id;
  std::string tags;
  ResourceSource source;
  friend bool operator==(const CloudVolume&, const CloudVolume&) = default;
};

struct CloudAddress {
  std::string allocation_id;  // "eipalloc-..."; "" for an EC2-Classic address
  std::string public_ip;
  std::string region;
  std::string association_id;  // "" when associated with nothing
  std::string instance_id;
  std::string tags;
  ResourceSource source;
  friend bool operator==(const CloudAddress&, const CloudAddress&) = default;
};

// What identifies an address: its allocation id, or its public IP when it has none.
[[nodiscard]] const std::string& AddressKey(const CloudAddress& address);

// One kind of resource per vector, each ordered by its id.
struct CloudInventory {
  std::vector<CloudInstance> instances;
  std::vector<CloudVolume> volumes;
  std::vector<CloudAddress> addresses;
};

// One CloudWatch sample of one instance: CPUUtilization and mem_used_percent in percent,
// NetworkIn and NetworkOut in bytes per period.
struct MetricSample {
  std::string instance_id;
  std::string metric;
  std::int64_t timestamp = 0;  // Unix seconds
  double value = 0;
};

// One metric of one instance, in time order.
struct MetricSeriesRecord {
  std::string metric;
  std::vector<std::int64_t> timestamps;
  std::vector<double> values;
};

}  // namespace costwise
