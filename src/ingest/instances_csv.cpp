#include "ingest/instances_csv.h"

#include <cmath>
#include <optional>
#include <set>

#include <fmt/format.h>

#include "core/date.h"
#include "core/money.h"
#include "ingest/csv_file.h"

namespace costwise::ingest {
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

Result<MetricsByInstance> ReadMetricsCsv(const std::string& path) {
  MetricsByInstance metrics;
  std::optional<CsvHeader> columns;
  const Status status = ForEachCsvRecord(path, [&](const CsvRecord& record) -> Status {
    if (!columns) {
      columns.emplace(record);
      return columns->Require({"instance_id", "timestamp", "metric", "value"}, path);
    }
    if (IsBlankRecord(record)) return {};
    const std::string_view id = columns->Field(record, "instance_id");
    const std::string_view time = columns->Field(record, "timestamp");
    const std::string_view metric = columns->Field(record, "metric");
    const std::string_view text = columns->Field(record, "value");
    const std::optional<std::int64_t> timestamp = ParseTimestamp(time);
    if (id.empty() || metric.empty()) {
      return MakeError(
          ErrorCode::kInvalidInput,
          fmt::format("{}:{}: instance_id and metric are required", path, record.line));
    }
    if (!timestamp) {
      return MakeError(ErrorCode::kInvalidInput,
                       fmt::format("{}:{}: timestamp is not a date and time: '{}'", path,
                                   record.line, time.substr(0, 40)));
    }
    const std::optional<double> value = ParseDouble(text);
    if (!value || !std::isfinite(*value)) {
      return MakeError(
          ErrorCode::kInvalidInput,
          fmt::format("{}:{}: value is not a number: '{}'", path, record.line, text.substr(0, 40)));
    }
    MetricSeries& series = metrics[std::string(id)][std::string(metric)];
    series.timestamps.push_back(*timestamp);
    series.values.push_back(*value);
    return {};
  });
  if (!status) return unexpected(status.error());
  if (!columns)
    return MakeError(ErrorCode::kInvalidInput, fmt::format("{}: the file is empty", path));
  return metrics;
}

}  // namespace costwise::ingest
