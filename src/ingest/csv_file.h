#pragma once
// Reads a whole CSV file (plain or gzip) record by record, for the small tables the ML commands
// take. Billing files go through file_ingest instead, which parses blocks on several threads.
#include <functional>
#include <initializer_list>
#include <map>
#include <string>
#include <string_view>

#include "core/error.h"
#include "ingest/csv_parser.h"

namespace costwise::ingest {

// Calls visit for each record in order; stops at the first error, from the file (NotFound,
// InvalidInput "path:line: reason" for a malformed record) or from visit.
[[nodiscard]] Status ForEachCsvRecord(const std::string& path,
                                      const std::function<Status(const CsvRecord&)>& visit);

// The same over CSV text already in memory (a table compiled into the binary); `name` stands for
// the path in error messages.
[[nodiscard]] Status ForEachCsvRecordInText(std::string_view text, std::string_view name,
                                            const std::function<Status(const CsvRecord&)>& visit);

// A header row's columns by name (lower case, trimmed; the first of duplicate names wins).
class CsvHeader {
 public:
  explicit CsvHeader(const CsvRecord& header);
  // InvalidInput "source:line: the header has no column NAME" for the first missing one.
  [[nodiscard]] Status Require(std::initializer_list<std::string_view> names,
                               std::string_view source) const;
  // The trimmed field of `record` in column `name`; empty when there is no such column or the
  // row is shorter.
  [[nodiscard]] std::string_view Field(const CsvRecord& record, std::string_view name) const;

 private:
  std::map<std::string, std::size_t, std::less<>> columns_;
  std::int64_t line_ = 0;
};

// A record that is one empty field: a blank line.
[[nodiscard]] bool IsBlankRecord(const CsvRecord& record);

}  // namespace costwise::ingest
