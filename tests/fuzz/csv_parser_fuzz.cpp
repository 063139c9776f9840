// libFuzzer target for the CSV reader: CsvParser over the input as one block of records, and
// LastRecordBoundary, which cuts the stream into blocks for the parser threads. Besides memory
// errors it checks:
//   - every call to Next consumes input or ends, so parsing terminates;
//   - record line numbers count the newlines before the record, and at the end the parser's
//     line counts every newline of the block;
//   - every field view lies in the block, or (unescaped quoted fields) in a buffer no larger than
//     the block, and holds no delimiter it should not;
//   - CountQuotes (vectorised) agrees with a plain count, also over the input repeated past the
//     lanes' flush interval;
//   - LastRecordBoundary is the end of the last newline outside quotes, and parsing the block in
//     two pieces cut there gives the same records as parsing it whole (what makes the threaded
//     ingest independent of the block size).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "ingest/csv_blocks.h"
#include "ingest/csv_parser.h"

namespace costwise::fuzz {
namespace {

using ingest::CsvParser;
using ingest::CsvRecord;

constexpr std::int64_t kFirstLine = 1;
// Longer than the 255 rounds of 16 bytes after which CountQuotes flushes its byte lanes.
constexpr std::size_t kRepeatedSize = std::size_t{3} * 255 * 16 + 7;

struct ParsedRecord {
  CsvParser::Status status = CsvParser::Status::kEnd;
  std::vector<std::string> fields;
  std::vector<std::uint8_t> quoted;
  std::int64_t line = 0;
  std::string error;
  friend bool operator==(const ParsedRecord&, const ParsedRecord&) = default;
};

// Line ends: LF, and CR not followed by LF (old Mac files).
std::int64_t CountNewlines(std::string_view text) {
  std::int64_t count = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n' || (text[i] == '\r' && (i + 1 == text.size() || text[i + 1] != '\n'))) {
      ++count;
    }
  }
  return count;
}

void CheckFields(const CsvRecord& record, std::string_view block) {
  std::uintptr_t outside_begin = std::numeric_limits<std::uintptr_t>::max();
  std::uintptr_t outside_end = 0;
  for (std::size_t i = 0; i < record.fields.size(); ++i) {
    const std::string_view field = record.fields[i];
    if (ViewInside(field, block.data(), block.size())) {
      if (record.quoted[i] == 0) {
        COSTWISE_FUZZ_CHECK(field.find_first_of(std::string_view(",\n\r\"", 4)) ==
                            std::string_view::npos);
      } else {
        COSTWISE_FUZZ_CHECK(field.find('"') == std::string_view::npos);
      }
      continue;
    }
    // Only a quoted field with doubled quotes is unescaped into the parser's scratch buffer.
    COSTWISE_FUZZ_CHECK(record.quoted[i] == 1);
    COSTWISE_FUZZ_CHECK(field.find('"') != std::string_view::npos);
    const auto begin = reinterpret_cast<std::uintptr_t>(field.data());
    outside_begin = std::min(outside_begin, begin);
    outside_end = std::max(outside_end, begin + field.size());
  }
  if (outside_end > 0) COSTWISE_FUZZ_CHECK(outside_end - outside_begin <= block.size());
}

std::vector<ParsedRecord> ParseAll(std::string_view block, std::int64_t first_line) {
  CsvParser parser(block, first_line);
  CsvRecord record;  // reused across calls, as the ingest does
  std::vector<ParsedRecord> records;
  std::size_t position = 0;
  for (std::size_t calls = 0;; ++calls) {
    // Each call that does not end consumes at least one byte.
    COSTWISE_FUZZ_CHECK(calls <= block.size());
    // The record starts after the blank lines that follow the previous one.
    std::size_t start = position;
    while (start < block.size() && (block[start] == '\n' || block[start] == '\r')) ++start;
    const CsvParser::Status status = parser.Next(record);
    COSTWISE_FUZZ_CHECK(parser.position() <= block.size());
    if (status == CsvParser::Status::kEnd) {
      COSTWISE_FUZZ_CHECK(start == block.size());
      COSTWISE_FUZZ_CHECK(parser.position() == block.size());
      // The ingest numbers the lines of later blocks with this count.
      COSTWISE_FUZZ_CHECK(parser.line() == first_line + CountNewlines(block));
      // The end is sticky.
      COSTWISE_FUZZ_CHECK(parser.Next(record) == CsvParser::Status::kEnd);
      break;
    }
    COSTWISE_FUZZ_CHECK(parser.position() > position);
    COSTWISE_FUZZ_CHECK(record.line == first_line + CountNewlines(block.substr(0, start)));
    COSTWISE_FUZZ_CHECK(record.fields.size() == record.quoted.size());
    if (status == CsvParser::Status::kRecord) {
      COSTWISE_FUZZ_CHECK(!record.fields.empty());
      COSTWISE_FUZZ_CHECK(record.error.empty());
      // A record ends at the end of the block or just after a line end (LF or bare CR).
      COSTWISE_FUZZ_CHECK(parser.position() == block.size() ||
                          block[parser.position() - 1] == '\n' ||
                          block[parser.position() - 1] == '\r');
    } else {
      COSTWISE_FUZZ_CHECK(!record.error.empty());
    }
    CheckFields(record, block);
    ParsedRecord parsed;
    parsed.status = status;
    for (const std::string_view field : record.fields) parsed.fields.emplace_back(field);
    parsed.quoted = record.quoted;
    parsed.line = record.line;
    parsed.error = std::string(record.error);
    records.push_back(std::move(parsed));
    position = parser.position();
  }
  return records;
}

// The end of the last newline with an even number of quotes before it; 0 when there is none.
std::size_t ExpectedBoundary(std::string_view data) {
  std::size_t boundary = 0;
  std::size_t quotes = 0;
  for (std::size_t i = 0; i < data.size(); ++i) {
    if (data[i] == '"') {
      ++quotes;
    } else if (data[i] == '\n' && quotes % 2 == 0) {
      boundary = i + 1;
    }
  }
  return boundary;
}

void CheckCountQuotes(std::string_view data) {
  const auto expected = static_cast<std::size_t>(std::count(data.begin(), data.end(), '"'));
  COSTWISE_FUZZ_CHECK(ingest::CountQuotes(data) == expected);
  if (data.empty()) return;
  std::string repeated;
  repeated.reserve(kRepeatedSize + data.size());
  while (repeated.size() < kRepeatedSize) repeated.append(data);
  repeated.resize(kRepeatedSize);
  const auto expected_repeated =
      static_cast<std::size_t>(std::count(repeated.begin(), repeated.end(), '"'));
  COSTWISE_FUZZ_CHECK(ingest::CountQuotes(repeated) == expected_repeated);
}

// A copy in a heap block of exactly `text.size()` bytes, so that AddressSanitizer sees a read past
// its end (a view of the input's prefix would run on into the rest of the input).
std::unique_ptr<char[]> ExactCopy(std::string_view text) {
  auto copy = std::make_unique<char[]>(text.size());
  std::copy(text.begin(), text.end(), copy.get());
  return copy;
}

}  // namespace
}  // namespace costwise::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using costwise::fuzz::CountNewlines;
  using costwise::fuzz::kFirstLine;
  using costwise::fuzz::ParseAll;
  const std::string_view block(reinterpret_cast<const char*>(data), size);

  std::vector<costwise::fuzz::ParsedRecord> whole = ParseAll(block, kFirstLine);
  costwise::fuzz::CheckCountQuotes(block);

  const std::size_t boundary = costwise::ingest::LastRecordBoundary(block);
  COSTWISE_FUZZ_CHECK(boundary <= size);
  COSTWISE_FUZZ_CHECK(boundary == 0 || block[boundary - 1] == '\n');
  COSTWISE_FUZZ_CHECK(boundary == costwise::fuzz::ExpectedBoundary(block));

  const std::string_view head_view = block.substr(0, boundary);
  const std::string_view tail_view = block.substr(boundary);
  const auto head_copy = costwise::fuzz::ExactCopy(head_view);
  const auto tail_copy = costwise::fuzz::ExactCopy(tail_view);
  std::vector<costwise::fuzz::ParsedRecord> pieces =
      ParseAll(std::string_view(head_copy.get(), head_view.size()), kFirstLine);
  std::vector<costwise::fuzz::ParsedRecord> tail = ParseAll(
      std::string_view(tail_copy.get(), tail_view.size()), kFirstLine + CountNewlines(head_view));
  pieces.insert(pieces.end(), tail.begin(), tail.end());
  COSTWISE_FUZZ_CHECK(pieces == whole);
  return 0;
}
