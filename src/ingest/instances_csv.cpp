#include "ingest/instances_csv.h"

#include <cmath>
#include <optional>
#include <set>

#include <fmt/format.h>

#include "core/money.h"
#include "ingest/csv_file.h"
#include "ingest/metrics_csv.h"

namespace costwise::ingest {
namespace {

// A non-negative number, or 0 for an empty field.
std::optional<double> NonNegative(std::string_view text) {
  if (text.empty()) return 0.0;
  const std::optional<double> value = ParseDouble(text);
  if (!value || !std::isfinite(*value) || *value < 0) return std::nullopt;
  return value;
}

}  // namespace

Result<std::vector<InventoryRow>> ReadInventoryCsv(const std::string& path) {
  std::vector<InventoryRow> rows;
  std::set<std::string> seen;
  std::optional<CsvHeader> columns;
  const Status status = ForEachCsvRecord(path, [&](const CsvRecord& record) -> Status {
    if (!columns) {
      columns.emplace(record);
      return columns->Require({"instance_id", "instance_type", "region"}, path);
    }
    if (IsBlankRecord(record)) return {};
    InventoryRow row;
    row.instance_id = std::string(columns->Field(record, "instance_id"));
    row.instance_type = std::string(columns->Field(record, "instance_type"));
    row.region = std::string(columns->Field(record, "region"));
    row.platform = std::string(columns->Field(record, "platform"));
    row.state = std::string(columns->Field(record, "state"));
    row.tags = std::string(columns->Field(record, "tags"));
    row.line = static_cast<std::size_t>(record.line);
    if (row.instance_id.empty() || row.instance_type.empty() || row.region.empty()) {
      return MakeError(ErrorCode::kInvalidInput,
                       fmt::format("{}:{}: instance_id, instance_type and region are required",
                                   path, record.line));
    }
    if (!seen.insert(row.instance_id).second) {
      return MakeError(ErrorCode::kInvalidInput, fmt::format("{}:{}: instance {} is listed twice",
                                                             path, record.line, row.instance_id));
    }
    rows.push_back(std::move(row));
    return {};
  });
  if (!status) return unexpected(status.error());
  if (!columns)
    return MakeError(ErrorCode::kInvalidInput, fmt::format("{}: the file is empty", path));
  return rows;
}

Result<std::vector<VolumeRow>> ReadVolumesCsv(const std::string& path) {
  std::vector<VolumeRow> rows;
  std::set<std::string> seen;
  std::optional<CsvHeader> columns;
  const Status status = ForEachCsvRecord(path, [&](const CsvRecord& record) -> Status {
    if (!columns) {
      columns.emplace(record);
      return columns->Require({"volume_id", "volume_type", "size_gib", "region", "state"}, path);
    }
    if (IsBlankRecord(record)) return {};
    VolumeRow row;
    row.volume_id = std::string(columns->Field(record, "volume_id"));
    row.volume_type = std::string(columns->Field(record, "volume_type"));
    row.region = std::string(columns->Field(record, "region"));
    row.state = std::string(columns->Field(record, "state"));
    row.attached_instance_id = std::string(columns->Field(record, "attached_instance_id"));
    row.tags = std::string(columns->Field(record, "tags"));
    row.line = static_cast<std::size_t>(record.line);
    if (row.volume_id.empty() || row.volume_type.empty() || row.region.empty()) {
      return MakeError(
          ErrorCode::kInvalidInput,
          fmt::format("{}:{}: volume_id, volume_type and region are required", path, record.line));
    }
    for (const auto& [name, target] : {std::pair<const char*, double*>{"size_gib", &row.size_gib},
                                       {"iops", &row.iops},
                                       {"throughput_mibps", &row.throughput_mibps}}) {
      const std::string_view text = columns->Field(record, name);
      const std::optional<double> value = NonNegative(text);
      if (!value) {
        return MakeError(ErrorCode::kInvalidInput,
                         fmt::format("{}:{}: {} is not a non-negative number: '{}'", path,
                                     record.line, name, text.substr(0, 40)));
      }
      *target = *value;
    }
    if (!seen.insert(row.volume_id).second) {
      return MakeError(ErrorCode::kInvalidInput, fmt::format("{}:{}: volume {} is listed twice",
                                                             path, record.line, row.volume_id));
    }
    rows.push_back(std::move(row));
    return {};
  });
  if (!status) return unexpected(status.error());
  if (!columns)
    return MakeError(ErrorCode::kInvalidInput, fmt::format("{}: the file is empty", path));
  return rows;
}

Result<std::vector<AddressRow>> ReadAddressesCsv(const std::string& path) {
  std::vector<AddressRow> rows;
  std::set<std::string> seen;
  std::optional<CsvHeader> columns;
  const Status status = ForEachCsvRecord(path, [&](const CsvRecord& record) -> Status {
    if (!columns) {
      columns.emplace(record);
      return columns->Require({"allocation_id", "public_ip", "region", "association_id"}, path);
    }
    if (IsBlankRecord(record)) return {};
    AddressRow row;
    row.allocation_id = std::string(columns->Field(record, "allocation_id"));
    row.public_ip = std::string(columns->Field(record, "public_ip"));
    row.region = std::string(columns->Field(record, "region"));
    row.association_id = std::string(columns->Field(record, "association_id"));
    row.instance_id = std::string(columns->Field(record, "instance_id"));
    row.tags = std::string(columns->Field(record, "tags"));
    row.line = static_cast<std::size_t>(record.line);
    if ((row.allocation_id.empty() && row.public_ip.empty()) || row.region.empty()) {
      return MakeError(
          ErrorCode::kInvalidInput,
          fmt::format("{}:{}: an allocation_id or public_ip, and a region, are required", path,
                      record.line));
    }
    const std::string& key = row.allocation_id.empty() ? row.public_ip : row.allocation_id;
    if (!seen.insert(key).second) {
      return MakeError(ErrorCode::kInvalidInput,
                       fmt::format("{}:{}: address {} is listed twice", path, record.line, key));
    }
    rows.push_back(std::move(row));
    return {};
  });
  if (!status) return unexpected(status.error());
  if (!columns)
    return MakeError(ErrorCode::kInvalidInput, fmt::format("{}: the file is empty", path));
  return rows;
}

Result<InventoryKind> DetectInventoryKind(const std::string& path) {
  std::optional<InventoryKind> kind;
  bool has_header = false;
  // Stops after the header with an error of its own, which is not reported.
  constexpr std::string_view kStop = "header read";
  const Status status = ForEachCsvRecord(path, [&](const CsvRecord& record) -> Status {
    has_header = true;
    const CsvHeader header(record);
    if (header.Require({"instance_id", "instance_type", "region"}, path)) {
      kind = InventoryKind::kInstances;
    } else if (header.Require({"volume_id", "volume_type", "size_gib"}, path)) {
      kind = InventoryKind::kVolumes;
    } else if (header.Require({"allocation_id", "public_ip", "association_id"}, path)) {
      kind = InventoryKind::kAddresses;
    }
    return MakeError(ErrorCode::kInternal, std::string(kStop));
  });
  if (!status && status.error().message != kStop) return unexpected(status.error());
  if (!has_header)
    return MakeError(ErrorCode::kInvalidInput, fmt::format("{}: the file is empty", path));
  if (!kind) {
    return MakeError(ErrorCode::kInvalidInput,
                     fmt::format("{}: not an inventory file: the header must start an instances "
                                 "(instance_id,instance_type,region,...), volumes "
                                 "(volume_id,volume_type,size_gib,...) or addresses "
                                 "(allocation_id,public_ip,region,association_id,...) file",
                                 path));
  }
  return *kind;
}

Result<MetricsByInstance> ReadMetricsCsv(const std::string& path) { return LoadMetricsCsv(path); }

}  // namespace costwise::ingest
