#pragma once
// A CSV file of numbers (features for the ML commands): every row the same number of columns; a
// first row that is not all numbers is taken as a header and skipped.
#include <cstddef>
#include <string>
#include <vector>

#include "core/error.h"

namespace costwise::ingest {

struct NumericTable {
  std::size_t rows = 0;
  std::size_t columns = 0;
  std::vector<double> values;       // row-major: values[row * columns + column]
  std::vector<std::string> header;  // empty when the file has none
};

// InvalidInput naming the line and column of the first value that is not a number, or of a row
// with another number of columns; NotFound when the file does not exist. Plain or gzip.
[[nodiscard]] Result<NumericTable> ReadNumericCsv(const std::string& path);

}  // namespace costwise::ingest
