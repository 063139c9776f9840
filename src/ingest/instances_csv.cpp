#include "ingest/instances_csv.h"

#include <cmath>
#include <optional>
#include <set>

#include <fmt/format.h>

#include "core/date.h"
#include "core/money.h"
#include "ingest/csv_file.h"
#include "ingest/text.h"

namespace costwise::ingest {
namespace {

// Column positions from a header, by lower-case name; InvalidInput names a missing one.
Result<std::map<std::string, std::size_t>> Columns(const CsvRecord& header,
                                                   std::initializer_list<const char*> required,
                                                   const std::string& path) {
  std::map<std::string, std::size_t> columns;
  for (std::size_t j = 0; j < header.fields.size(); ++j) {
    columns.emplace(LowerAscii(TrimSpace(header.fields[j])), j);
  }
  for (const char* name : required) {
    if (!columns.contains(name)) {
      return MakeError(ErrorCode::kInvalidInput,
                       fmt::format("{}:{}: the header has no column {}", path, header.line, name));
    }
  }
  return columns;
}

std::string_view Field(const CsvRecord& record, const std::map<std::string, std::size_t>& columns,
                       const char* name) {
  const auto found = columns.find(name);
  if (found == columns.end() || found->second >= record.fields.size()) return {};
  return TrimSpace(record.fields[found->second]);
}

bool Blank(const CsvRecord& record) {
  return record.fields.size() == 1 && TrimSpace(record.fields[0]).empty();
}

}  // namespace

Result<std::vector<InventoryRow>> ReadInventoryCsv(const std::string& path) {
  std::vector<InventoryRow> rows;
  std::set<std::string> seen;
  std::optional<std::map<std::string, std::size_t>> columns;
  const Status status = ForEachCsvRecord(path, [&](const CsvRecord& record) -> Status {
    if (!columns) {
      auto found = Columns(record, {"instance_id", "instance_type", "region"}, path);
      if (!found) return unexpected(found.error());
      columns = std::move(*found);
      return {};
    }
    if (Blank(record)) return {};
    InventoryRow row;
    row.instance_id = std::string(Field(record, *columns, "instance_id"));
    row.instance_type = std::string(Field(record, *columns, "instance_type"));
    row.region = std::string(Field(record, *columns, "region"));
    row.platform = std::string(Field(record, *columns, "platform"));
    row.state = std::string(Field(record, *columns, "state"));
    row.tags = std::string(Field(record, *columns, "tags"));
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
  std::optional<std::map<std::string, std::size_t>> columns;
  const Status status = ForEachCsvRecord(path, [&](const CsvRecord& record) -> Status {
    if (!columns) {
      auto found = Columns(record, {"instance_id", "timestamp", "metric", "value"}, path);
      if (!found) return unexpected(found.error());
      columns = std::move(*found);
      return {};
    }
    if (Blank(record)) return {};
    const std::string_view id = Field(record, *columns, "instance_id");
    const std::string_view time = Field(record, *columns, "timestamp");
    const std::string_view metric = Field(record, *columns, "metric");
    const std::string_view text = Field(record, *columns, "value");
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
