#include "ingest/numeric_csv.h"

#include <fmt/format.h>

#include "core/money.h"
#include "ingest/csv_file.h"

namespace costwise::ingest {

Result<NumericTable> ReadNumericCsv(const std::string& path) {
  NumericTable table;
  bool first_row = true;
  const Status status = ForEachCsvRecord(path, [&](const CsvRecord& record) -> Status {
    if (first_row) {
      first_row = false;
      table.columns = record.fields.size();
      bool numeric = true;
      for (const std::string_view field : record.fields) numeric &= ParseDouble(field).has_value();
      if (!numeric) {
        table.header.assign(record.fields.begin(), record.fields.end());
        return {};
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
    return {};
  });
  if (!status) return unexpected(status.error());
  return table;
}

}  // namespace costwise::ingest
