#pragma once
// Series to forecast in a CSV file, in Prophet's convention: a header with `ds` (a date or a
// timestamp) and `y` (the value), and optionally `series_id` for many series in one file, each
// series' rows together and in time order. An empty y (or NA, NaN) is a missing point.
#include <cstdint>
#include <string>
#include <vector>

#include "core/error.h"

namespace costwise::ingest {

struct NamedSeries {
  std::string id;                        // empty for a `ds,y` file
  std::vector<std::int64_t> timestamps;  // seconds since the epoch, UTC
  std::vector<double> values;            // NaN = missing
  bool dates_only = true;                // every ds was a bare date (YYYY-MM-DD)
  std::size_t first_line = 0;            // the file line of its first row
};

// InvalidInput "path:line: reason" for a missing column, an unreadable ds or y, a ds not later
// than the row before in the same series, or a series whose rows are split; NotFound when the
// file does not exist. Plain or gzip.
[[nodiscard]] Result<std::vector<NamedSeries>> ReadForecastCsv(const std::string& path);

}  // namespace costwise::ingest
