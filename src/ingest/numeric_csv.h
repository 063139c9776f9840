#pragma once
// A CSV file of numbers (features for the ML commands): every row the same number of columns; a
// first row that is not all numbers is taken as a header and skipped. Large files are cut into
// blocks of whole records that are parsed on several threads (numbers with std::from_chars).
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

struct NumericCsvOptions {
  int threads = 0;                                // parser threads; 0 = one per core
  std::size_t block_size = std::size_t{4} << 20;  // bytes per block handed to a parser thread
};

// InvalidInput naming the line and column of the first value that is not a number, or of the
// first row with another number of columns; NotFound when the file does not exist. Plain or
// gzip. The same table and the same first error whatever the threads and block size.
[[nodiscard]] Result<NumericTable> ReadNumericCsv(const std::string& path,
                                                  const NumericCsvOptions& options = {});

}  // namespace costwise::ingest
