#pragma once
// Reads a whole CSV file (plain or gzip) record by record, for the small tables the ML commands
// take. Billing files go through file_ingest instead, which parses blocks on several threads.
#include <functional>
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

}  // namespace costwise::ingest
