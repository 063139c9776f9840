#include "ingest/forecast_csv.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <optional>
#include <unordered_set>

#include <fmt/format.h>

#include "core/date.h"
#include "core/money.h"
#include "ingest/csv_file.h"
#include "ingest/text.h"

namespace costwise::ingest {
namespace {

bool IsMissing(std::string_view text) {
  const std::string lower = LowerAscii(text);
  return lower.empty() || lower == "na" || lower == "nan" || lower == "null";
}

}  // namespace

Result<std::vector<NamedSeries>> ReadForecastCsv(const std::string& path) {
  std::vector<NamedSeries> all;
  std::unordered_set<std::string> finished;
  std::optional<std::size_t> id_column;
  std::optional<std::size_t> ds_column;
  std::optional<std::size_t> y_column;
  bool header = true;
  const Status status = ForEachCsvRecord(path, [&](const CsvRecord& record) -> Status {
    const auto fail = [&](const std::string& reason) {
      return MakeError(ErrorCode::kInvalidInput,
                       fmt::format("{}:{}: {}", path, record.line, reason));
    };
    if (header) {
      header = false;
      for (std::size_t j = 0; j < record.fields.size(); ++j) {
        const std::string name = LowerAscii(TrimSpace(record.fields[j]));
        if (name == "series_id" && !id_column) id_column = j;
        if (name == "ds" && !ds_column) ds_column = j;
        if (name == "y" && !y_column) y_column = j;
      }
      if (!ds_column || !y_column) {
        return fail("the header needs the columns ds and y (and optionally series_id)");
      }
      return {};
    }
    if (record.fields.size() == 1 && TrimSpace(record.fields[0]).empty()) return {};  // blank line
    const std::size_t needed = std::max({*ds_column, *y_column, id_column.value_or(0)}) + 1;
    if (record.fields.size() < needed) {
      return fail(fmt::format("{} columns, the header has {}", record.fields.size(), needed));
    }
    const std::string id = id_column ? std::string(TrimSpace(record.fields[*id_column])) : "";
    if (all.empty() || all.back().id != id) {
      if (!all.empty()) finished.insert(all.back().id);
      if (finished.contains(id)) {
        return fail(fmt::format(
            "series '{}' appears again after other series; keep each series' rows together", id));
      }
      NamedSeries fresh;
      fresh.id = id;
      fresh.first_line = static_cast<std::size_t>(record.line);
      all.push_back(std::move(fresh));
    }
    NamedSeries& series = all.back();
    const std::string_view ds = TrimSpace(record.fields[*ds_column]);
    const std::optional<std::int64_t> timestamp = ParseTimestamp(ds);
    if (!timestamp)
      return fail(fmt::format("ds is not a date or timestamp: '{}'", ds.substr(0, 40)));
    if (!series.timestamps.empty() && *timestamp <= series.timestamps.back()) {
      return fail(fmt::format("ds {} is not later than the row before in series '{}'", ds, id));
    }
    const std::string_view y = TrimSpace(record.fields[*y_column]);
    double value = std::nan("");
    if (!IsMissing(y)) {
      const std::optional<double> parsed = ParseDouble(y);
      if (!parsed || !std::isfinite(*parsed)) {
        return fail(fmt::format("y is not a number: '{}'", y.substr(0, 40)));
      }
      value = *parsed;
    }
    series.dates_only = series.dates_only && ds.size() == 10;
    series.timestamps.push_back(*timestamp);
    series.values.push_back(value);
    return {};
  });
  if (!status) return unexpected(status.error());
  if (header)
    return MakeError(ErrorCode::kInvalidInput, fmt::format("{}: the file is empty", path));
  if (all.empty()) {
    return MakeError(ErrorCode::kInvalidInput, fmt::format("{}: no rows after the header", path));
  }
  return all;
}

}  // namespace costwise::ingest
