#pragma once
// The right-sizing inputs as files (`costwise rightsize --inventory ... --metrics ...`): an
// inventory of instances and their CloudWatch metrics, in the formats the AWS connectors also fill.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/cloud_inventory.h"
#include "core/error.h"

namespace costwise::ingest {

// INV.csv: header instance_id,instance_type,region,platform,state,tags (tags as JSON or empty).
// InvalidInput "path:line: reason" for a missing column, an empty id, type or region, or an
// instance listed twice; NotFound for a missing file. Plain or gzip. Each row's source is its
// path and line.
[[nodiscard]] Result<std::vector<CloudInstance>> ReadInventoryCsv(const std::string& path);

// VOLUMES.csv (DescribeVolumes): header
// volume_id,volume_type,size_gib,iops,throughput_mibps,region,state,attached_instance_id,tags.
// InvalidInput "path:line: reason" for a missing column, an empty id, type or region, a size,
// IOPS or throughput that is not a non-negative number, or a volume listed twice.
[[nodiscard]] Result<std::vector<CloudVolume>> ReadVolumesCsv(const std::string& path);

// ADDRESSES.csv (DescribeAddresses): header allocation_id,public_ip,region,association_id,
// instance_id,tags. InvalidInput "path:line: reason" for a missing column, no allocation id and
// no public IP, an empty region, or an address listed twice.
[[nodiscard]] Result<std::vector<CloudAddress>> ReadAddressesCsv(const std::string& path);

// What an inventory file holds, from its header: instances, volumes or addresses.
enum class InventoryKind { kInstances, kVolumes, kAddresses };
// InvalidInput when the header is none of the three formats.
[[nodiscard]] Result<InventoryKind> DetectInventoryKind(const std::string& path);

// One metric of one instance, in file order.
struct MetricSeries {
  std::vector<std::int64_t> timestamps;
  std::vector<double> values;
};

// METRICS.csv: header instance_id,timestamp,metric,value with CloudWatch metric names
// (CPUUtilization in percent, mem_used_percent, NetworkIn and NetworkOut in bytes per period).
// Keyed by instance id, then metric name. InvalidInput "path:line: reason" for a missing column
// or an unreadable timestamp or value. The whole file in memory, parsed on all cores; for a
// large fleet MetricsFile (metrics_csv.h) reads one instance at a time instead.
using MetricsByInstance = std::map<std::string, std::map<std::string, MetricSeries>>;
[[nodiscard]] Result<MetricsByInstance> ReadMetricsCsv(const std::string& path);

}  // namespace costwise::ingest
