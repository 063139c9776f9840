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

// One inventory table: `required` columns in the header; `parse` makes a row of a record (or an
// error "reason" the caller's path and line are put before); `key` names the row for the
// "listed twice" check; `what` is the kind in that message.
template <typename Row, typename Parse, typename Key>
Result<std::vector<Row>> ReadTable(const std::string& path,
                                   std::initializer_list<std::string_view> required,
                                   std::string_view what, Parse parse, Key key) {
  std::vector<Row> rows;
  std::set<std::string, std::less<>> seen;
  std::optional<CsvHeader> columns;
  const Status status = ForEachCsvRecord(path, [&](const CsvRecord& record) -> Status {
    if (!columns) {
      columns.emplace(record);
      return columns->Require(required, path);
    }
    if (IsBlankRecord(record)) return {};
    Result<Row> row = parse(*columns, record);
    if (!row) {
      return MakeError(ErrorCode::kInvalidInput,
                       fmt::format("{}:{}: {}", path, record.line, row.error().message));
    }
    row->source = ResourceSource{path, record.line};
    if (!seen.insert(std::string(key(*row))).second) {
      return MakeError(ErrorCode::kInvalidInput, fmt::format("{}:{}: {} {} is listed twice", path,
                                                             record.line, what, key(*row)));
    }
    rows.push_back(std::move(*row));
    return {};
  });
  if (!status) return unexpected(status.error());
  if (!columns)
    return MakeError(ErrorCode::kInvalidInput, fmt::format("{}: the file is empty", path));
  return rows;
}

std::string Text(const CsvHeader& columns, const CsvRecord& record, std::string_view name) {
  return std::string(columns.Field(record, name));
}

}  // namespace

Result<std::vector<CloudInstance>> ReadInventoryCsv(const std::string& path) {
  return ReadTable<CloudInstance>(
      path, {"instance_id", "instance_type", "region"}, "instance",
      [](const CsvHeader& columns, const CsvRecord& record) -> Result<CloudInstance> {
        CloudInstance row;
        row.instance_id = Text(columns, record, "instance_id");
        row.instance_type = Text(columns, record, "instance_type");
        row.region = Text(columns, record, "region");
        row.platform = Text(columns, record, "platform");
        row.state = Text(columns, record, "state");
        row.tags = Text(columns, record, "tags");
        if (row.instance_id.empty() || row.instance_type.empty() || row.region.empty()) {
          return MakeError(ErrorCode::kInvalidInput,
                           "instance_id, instance_type and region are required");
        }
        return row;
      },
      [](const CloudInstance& row) -> const std::string& { return row.instance_id; });
}

Result<std::vector<CloudVolume>> ReadVolumesCsv(const std::string& path) {
  return ReadTable<CloudVolume>(
      path, {"volume_id", "volume_type", "size_gib", "region", "state"}, "volume",
      [](const CsvHeader& columns, const CsvRecord& record) -> Result<CloudVolume> {
        CloudVolume row;
        row.volume_id = Text(columns, record, "volume_id");
        row.volume_type = Text(columns, record, "volume_type");
        row.region = Text(columns, record, "region");
        row.state = Text(columns, record, "state");
        row.attached_instance_id = Text(columns, record, "attached_instance_id");
        row.tags = Text(columns, record, "tags");
        if (row.volume_id.empty() || row.volume_type.empty() || row.region.empty()) {
          return MakeError(ErrorCode::kInvalidInput,
                           "volume_id, volume_type and region are required");
        }
        for (const auto& [name, target] :
             {std::pair<const char*, double*>{"size_gib", &row.size_gib},
              {"iops", &row.iops},
              {"throughput_mibps", &row.throughput_mibps}}) {
          const std::string_view text = columns.Field(record, name);
          const std::optional<double> value = NonNegative(text);
          if (!value) {
            return MakeError(
                ErrorCode::kInvalidInput,
                fmt::format("{} is not a non-negative number: '{}'", name, text.substr(0, 40)));
          }
          *target = *value;
        }
        return row;
      },
      [](const CloudVolume& row) -> const std::string& { return row.volume_id; });
}

Result<std::vector<CloudAddress>> ReadAddressesCsv(const std::string& path) {
  return ReadTable<CloudAddress>(
      path, {"allocation_id", "public_ip", "region", "association_id"}, "address",
      [](const CsvHeader& columns, const CsvRecord& record) -> Result<CloudAddress> {
        CloudAddress row;
        row.allocation_id = Text(columns, record, "allocation_id");
        row.public_ip = Text(columns, record, "public_ip");
        row.region = Text(columns, record, "region");
        row.association_id = Text(columns, record, "association_id");
        row.instance_id = Text(columns, record, "instance_id");
        row.tags = Text(columns, record, "tags");
        if ((row.allocation_id.empty() && row.public_ip.empty()) || row.region.empty()) {
          return MakeError(ErrorCode::kInvalidInput,
                           "an allocation_id or public_ip, and a region, are required");
        }
        return row;
      },
      [](const CloudAddress& row) -> const std::string& { return AddressKey(row); });
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
