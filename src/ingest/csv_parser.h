#pragma once
// RFC 4180 CSV records out of one block of whole records: comma-separated, fields optionally in
// double quotes, "" for a quote inside quotes, quoted fields may hold commas and newlines, lines
// end in \n or \r\n. Field views point into the block or, for fields with escaped quotes, into the
// parser's scratch buffer; they stay valid until the next call to Next.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/csv_special.h"

namespace costwise::ingest {

struct CsvRecord {
  std::vector<std::string_view> fields;
  std::vector<std::uint8_t> quoted;  // 1 when fields[i] was written in quotes
  std::int64_t line = 0;             // physical line the record starts on
  std::string_view error;            // why the record is malformed, when Next says so
};

class CsvParser {
 public:
  enum class Status { kRecord, kMalformed, kEnd };

  // `block` must outlive the parser and start at a record boundary.
  CsvParser(std::string_view block, std::int64_t first_line);

  // Parses the next record. kMalformed leaves the parser at the next record, so parsing goes on;
  // record.error says why. Blank lines are skipped.
  Status Next(CsvRecord& record);

  // Offset of the next unread byte in the block.
  [[nodiscard]] std::size_t position() const { return pos_; }
  // Line number of the next unread byte: after kEnd, first_line plus the block's newlines.
  [[nodiscard]] std::int64_t line() const { return line_; }

 private:
  void SkipToLineEnd();
  const char* FindSpecial(const char* p);

  std::string_view block_;
  std::size_t pos_ = 0;
  std::int64_t line_ = 0;
  std::string scratch_;
  SpecialFinder special_;
};

}  // namespace costwise::ingest
