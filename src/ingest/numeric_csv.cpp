#include "ingest/numeric_csv.h"

#include <fmt/format.h>

#include "core/money.h"
#include "ingest/byte_source.h"
#include "ingest/csv_blocks.h"
#include "ingest/csv_parser.h"

namespace costwise::ingest {

Result<NumericTable> ReadNumericCsv(const std::string& path) {
  auto source = ByteSource::Open(path);
  if (!source) return unexpected(source.error());
  CsvBlockSplitter splitter(*source);
  CsvBlock block;
  NumericTable table;
  std::int64_t line_offset = 0;  // lines of the blocks before this one
  bool first_row = true;
  CsvRecord record;
  while (true) {
    auto got = splitter.Next(block);
    if (!got) return unexpected(got.error());
    if (!*got) break;
    CsvParser parser(block.view(), line_offset + 1);
    while (true) {
      const CsvParser::Status status = parser.Next(record);
      if (status == CsvParser::Status::kEnd) break;
      if (status == CsvParser::Status::kMalformed) {
        return MakeError(ErrorCode::kInvalidInput,
                         fmt::format("{}:{}: {}", path, record.line, record.error));
      }
      if (first_row) {
        first_row = false;
        table.columns = record.fields.size();
        bool numeric = true;
        for (const std::string_view field : record.fields)
          numeric &= ParseDouble(field).has_value();
        if (!numeric) {
          table.header.assign(record.fields.begin(), record.fields.end());
          continue;
        }
      }
      if (record.fields.size() != table.columns) {
        return MakeError(ErrorCode::kInvalidInput,
                         fmt::format("{}:{}: {} columns, the first row has {}", path, record.line,
                                     record.fields.size(), table.columns));
      }
      for (std::size_t j = 0; j < record.fields.size(); ++j) {
        const std::optional<double> value = ParseDouble(record.fields[j]);
        if (!value) {
          return MakeError(ErrorCode::kInvalidInput,
                           fmt::format("{}:{}: column {} is not a number: '{}'", path, record.line,
                                       j + 1, record.fields[j].substr(0, 40)));
        }
        table.values.push_back(*value);
      }
      ++table.rows;
    }
    line_offset = parser.line() - 1;
  }
  return table;
}

}  // namespace costwise::ingest
