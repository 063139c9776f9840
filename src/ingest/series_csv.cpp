#include "ingest/series_csv.h"

#include <algorithm>
#include <cctype>
#include <optional>

#include <fmt/format.h>

#include "core/date.h"
#include "core/money.h"
#include "ingest/csv_file.h"
#include "ingest/text.h"

namespace costwise::ingest {
Result<SeriesTable> ReadSeriesCsv(const std::string& path) {
  SeriesTable table;
  std::optional<std::size_t> time_column;
  std::optional<std::size_t> value_column;
  bool header = true;
  const Status status = ForEachCsvRecord(path, [&](const CsvRecord& record) -> Status {
    if (header) {
      header = false;
      for (std::size_t j = 0; j < record.fields.size(); ++j) {
        const std::string name = LowerAscii(TrimSpace(record.fields[j]));
        if (name == "timestamp" && !time_column) time_column = j;
        if (name == "value" && !value_column) value_column = j;
      }
      if (!time_column || !value_column) {
        return MakeError(ErrorCode::kInvalidInput,
                         fmt::format("{}:{}: the header needs the columns timestamp and value",
                                     path, record.line));
      }
      return {};
    }
    if (record.fields.size() == 1 && TrimSpace(record.fields[0]).empty()) return {};  // blank line
    if (record.fields.size() <= std::max(*time_column, *value_column)) {
      return MakeError(ErrorCode::kInvalidInput,
                       fmt::format("{}:{}: {} columns, the header has more", path, record.line,
                                   record.fields.size()));
    }
    const std::string_view time_text = TrimSpace(record.fields[*time_column]);
    const std::string_view value_text = TrimSpace(record.fields[*value_column]);
    const std::optional<std::int64_t> timestamp = ParseTimestamp(time_text);
    if (!timestamp) {
      return MakeError(ErrorCode::kInvalidInput,
                       fmt::format("{}:{}: timestamp is not a date and time: '{}'", path,
                                   record.line, time_text.substr(0, 40)));
    }
    const std::optional<double> value = ParseDouble(value_text);
    if (!value || !std::isfinite(*value)) {
      return MakeError(ErrorCode::kInvalidInput,
                       fmt::format("{}:{}: value is not a number: '{}'", path, record.line,
                                   value_text.substr(0, 40)));
    }
    if (!table.timestamps.empty() && *timestamp < table.timestamps.back()) {
      return MakeError(ErrorCode::kInvalidInput,
                       fmt::format("{}:{}: timestamp {} is earlier than the row before", path,
                                   record.line, time_text));
    }
    table.timestamp_text.emplace_back(time_text);
    table.value_text.emplace_back(value_text);
    table.timestamps.push_back(*timestamp);
    table.values.push_back(*value);
    return {};
  });
  if (!status) return unexpected(status.error());
  if (header) {
    return MakeError(ErrorCode::kInvalidInput, fmt::format("{}: the file is empty", path));
  }
  return table;
}

}  // namespace costwise::ingest
