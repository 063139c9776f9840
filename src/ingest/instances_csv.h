#pragma once
// The right-sizing inputs as files (`costwise rightsize --inventory ... --metrics ...`): an
// inventory of instances and their CloudWatch metrics, in the formats the AWS connectors also fill.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/error.h"

namespace costwise::ingest {

// INV.csv: header instance_id,instance_type,region,platform,state,tags (tags as JSON or empty).
struct InventoryRow {
  std::string instance_id;
  std::string instance_type;
  std::string region;
  std::string platform;
  std::string state;
  std::string tags;
  std::size_t line = 0;
};

// InvalidInput "path:line: reason" for a missing column, an empty id, type or region, or an
// instance listed twice; NotFound for a missing file. Plain or gzip.
[[nodiscard]] Result<std::vector<InventoryRow>> ReadInventoryCsv(const std::string& path);

// One metric of one instance, in file order.
struct MetricSeries {
  std::vector<std::int64_t> timestamps;
  std::vector<double> values;
};

// METRICS.csv: header instance_id,timestamp,metric,value with CloudWatch metric names
// (CPUUtilization in percent, mem_used_percent, NetworkIn and NetworkOut in bytes per period).
// Keyed by instance id, then metric name. InvalidInput "path:line: reason" for a missing column
// or an unreadable timestamp or value.
using MetricsByInstance = std::map<std::string, std::map<std::string, MetricSeries>>;
[[nodiscard]] Result<MetricsByInstance> ReadMetricsCsv(const std::string& path);

}  // namespace costwise::ingest
