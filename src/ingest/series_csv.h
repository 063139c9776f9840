#pragma once
// A time series in a CSV file: a header naming a `timestamp` column and a `value` column (the
// Numenta Anomaly Benchmark's format; other columns are ignored), one point per row, in time order.
#include <cstdint>
#include <string>
#include <vector>

#include "core/error.h"

namespace costwise::ingest {

struct SeriesTable {
  std::vector<std::string> timestamp_text;  // as written, to echo back in outputs
  std::vector<std::string> value_text;
  std::vector<std::int64_t> timestamps;  // seconds since the epoch, UTC
  std::vector<double> values;
};

// InvalidInput "path:line: reason" for a missing column, an unreadable timestamp or value, or a
// timestamp earlier than the row before; NotFound when the file does not exist. Plain or gzip.
[[nodiscard]] Result<SeriesTable> ReadSeriesCsv(const std::string& path);

}  // namespace costwise::ingest
