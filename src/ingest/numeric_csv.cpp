#include "ingest/numeric_csv.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <thread>

#include <fmt/format.h>

#include "core/money.h"
#include "ingest/block_queue.h"
#include "ingest/byte_source.h"
#include "ingest/csv_blocks.h"
#include "ingest/csv_parser.h"

namespace costwise::ingest {
namespace {

constexpr std::size_t kShownChars = 40;  // of a field that is not a number, in the message

// One block's rows. Lines are counted from the block's first line = 1 and made absolute once
// the line counts of the blocks before it are known.
struct ParsedBlock {
  std::vector<double> values;
  std::size_t rows = 0;
  std::int64_t end_line = 1;  // the line after the block's last record
  bool failed = false;
  std::int64_t error_line = 0;
  std::string error;  // what follows "path:line: " in the message
};

// 10^0 .. 10^22: the powers of ten that are exact doubles.
constexpr std::array<double, 23> kExactPowersOfTen = {
    1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
constexpr int kMaxExactPower = 22;
constexpr int kMaxMantissaDigits = 19;  // fit in 64 bits
constexpr std::uint64_t kMaxExactMantissa = std::uint64_t{1} << 53;
constexpr int kMaxExponentDigits = 4;

bool IsDigit(char c) { return static_cast<unsigned>(c - '0') < 10U; }

// Clinger's fast path for the common plain decimals ("-12.375", "4.5e-3"): when the digits make
// an integer m <= 2^53 and the value is m * 10^e with |e| <= 22, both m and 10^|e| are exact
// doubles, so one multiplication or division rounds once, to the nearest double: the value
// std::from_chars returns. Anything else (more digits, a larger exponent, "inf", ".5", a number
// not followed by ',', '\r', '\n' or the end) returns null and is left to std::from_chars.
const char* ParsePlainDecimal(const char* p, const char* end, double& value) {
  const bool negative = p < end && *p == '-';
  if (negative) ++p;
  std::uint64_t mantissa = 0;
  int digits = 0;
  int exponent = 0;
  for (; p < end && IsDigit(*p); ++p, ++digits) {
    mantissa = mantissa * 10 + static_cast<std::uint64_t>(*p - '0');
  }
  if (digits == 0) return nullptr;
  if (p < end && *p == '.') {
    ++p;
    const int whole_digits = digits;
    for (; p < end && IsDigit(*p); ++p, ++digits, --exponent) {
      mantissa = mantissa * 10 + static_cast<std::uint64_t>(*p - '0');
    }
    if (digits == whole_digits) return nullptr;
  }
  if (digits > kMaxMantissaDigits || mantissa > kMaxExactMantissa) return nullptr;
  if (p < end && (*p == 'e' || *p == 'E')) {
    ++p;
    const bool negative_exponent = p < end && *p == '-';
    if (p < end && (*p == '-' || *p == '+')) ++p;
    int power = 0;
    int power_digits = 0;
    for (; p < end && IsDigit(*p) && power_digits < kMaxExponentDigits; ++p, ++power_digits) {
      power = power * 10 + (*p - '0');
    }
    if (power_digits == 0) return nullptr;
    exponent += negative_exponent ? -power : power;
  }
  if (p < end && *p != ',' && *p != '\n' && *p != '\r') return nullptr;
  if (exponent < -kMaxExactPower || exponent > kMaxExactPower) return nullptr;
  const auto magnitude = static_cast<double>(mantissa);
  const double scaled = exponent < 0
                            ? magnitude / kExactPowersOfTen[static_cast<std::size_t>(-exponent)]
                            : magnitude * kExactPowersOfTen[static_cast<std::size_t>(exponent)];
  value = negative ? -scaled : scaled;
  return p;
}

// Fast path: records of `columns` unquoted numbers, read with std::from_chars straight from the
// block. A number never holds ',', '"', '\r' or '\n', so from_chars stops at the field's end,
// and a record accepted here has the fields and values CsvParser and ParseDouble would give it.
// Returns where it stopped: the end of the text, or the start of a record it leaves to the CSV
// parser (quotes, blank lines, anything that is not a number, another number of columns).
std::size_t ParsePlainRecords(std::string_view text, std::size_t pos, std::size_t columns,
                              ParsedBlock& block) {
  const char* const begin = text.data();
  const char* const end = begin + text.size();
  const char* p = begin + pos;
  while (p < end) {
    const std::size_t kept = block.values.size();
    const char* q = p;
    for (std::size_t j = 0; j < columns; ++j) {
      if (q < end && *q == '+') ++q;  // as ParseDouble
      double value = 0;
      const char* next = ParsePlainDecimal(q, end, value);
      if (next == nullptr) {
        const auto [stop, ec] = std::from_chars(q, end, value);
        if (ec != std::errc()) {
          q = nullptr;
          break;
        }
        next = stop;
      }
      block.values.push_back(value);
      q = next;
      if (j + 1 == columns) break;
      if (q == end || *q != ',') {
        q = nullptr;
        break;
      }
      ++q;
    }
    // The record must end here: "\n", "\r\n", or the end of the block (with or without "\r").
    std::int64_t newlines = 0;
    if (q != nullptr && q < end) {
      if (*q == '\n') {
        ++q;
        newlines = 1;
      } else if (*q == '\r' && q + 1 == end) {
        ++q;
      } else if (*q == '\r' && q[1] == '\n') {
        q += 2;
        newlines = 1;
      } else {
        q = nullptr;
      }
    }
    if (q == nullptr) {
      block.values.resize(kept);
      break;
    }
    ++block.rows;
    block.end_line += newlines;
    p = q;
  }
  return static_cast<std::size_t>(p - begin);
}

void Fail(ParsedBlock& block, std::int64_t line, std::string error) {
  block.failed = true;
  block.error_line = line;
  block.error = std::move(error);
}

// The general path: RFC 4180 records from `pos` to the end of the block.
void ParseRecords(std::string_view text, std::size_t pos, std::size_t columns, ParsedBlock& block) {
  CsvParser parser(text.substr(pos), block.end_line);
  CsvRecord record;
  while (true) {
    const CsvParser::Status status = parser.Next(record);
    if (status == CsvParser::Status::kEnd) break;
    if (status == CsvParser::Status::kMalformed) {
      return Fail(block, record.line, std::string(record.error));
    }
    if (record.fields.size() != columns) {
      return Fail(block, record.line,
                  fmt::format("{} columns, the first row has {}", record.fields.size(), columns));
    }
    for (std::size_t j = 0; j < columns; ++j) {
      const std::optional<double> value = ParseDouble(record.fields[j]);
      if (!value) {
        return Fail(block, record.line,
                    fmt::format("column {} is not a number: '{}'", j + 1,
                                record.fields[j].substr(0, kShownChars)));
      }
      block.values.push_back(*value);
    }
    ++block.rows;
  }
  block.end_line = parser.line();
}

ParsedBlock ParseBlock(std::string_view text, std::size_t pos, std::int64_t first_line,
                       std::size_t columns) {
  ParsedBlock block;
  block.end_line = first_line;
  constexpr std::size_t kBytesPerValue = 8;  // a guess; the vector grows if it is short
  block.values.reserve(text.size() / kBytesPerValue);
  pos = ParsePlainRecords(text, pos, columns, block);
  if (pos < text.size()) ParseRecords(text, pos, columns, block);
  return block;
}

}  // namespace

Result<NumericTable> ReadNumericCsv(const std::string& path, const NumericCsvOptions& options) {
  auto opened = ByteSource::Open(path);
  if (!opened) return unexpected(opened.error());
  ByteSource source = std::move(*opened);
  CsvBlockSplitter splitter(source, options.block_size);
  NumericTable table;

  // The first record decides the number of columns and whether there is a header. It is looked
  // for on this thread, past any blocks of blank lines.
  auto first = std::make_unique<CsvBlock>();
  std::int64_t lines_before = 0;  // lines of the blank blocks skipped
  std::size_t start = 0;          // where the first block's data start
  std::int64_t start_line = 1;    // and on which line of the block
  while (true) {
    auto got = splitter.Next(*first);
    if (!got) return unexpected(got.error());
    if (!*got) return table;  // no record at all
    CsvParser parser(first->view(), 1);
    CsvRecord record;
    const CsvParser::Status status = parser.Next(record);
    if (status == CsvParser::Status::kEnd) {
      lines_before += parser.line() - 1;
      continue;
    }
    if (status == CsvParser::Status::kMalformed) {
      return MakeError(ErrorCode::kInvalidInput,
                       fmt::format("{}:{}: {}", path, lines_before + record.line, record.error));
    }
    table.columns = record.fields.size();
    const bool numeric =
        std::all_of(record.fields.begin(), record.fields.end(),
                    [](std::string_view field) { return ParseDouble(field).has_value(); });
    if (!numeric) {
      table.header.assign(record.fields.begin(), record.fields.end());
      start = parser.position();
      start_line = parser.line();
    }
    break;
  }
  const std::int64_t first_index = first->index;

  const std::size_t workers =
      options.threads > 0
          ? static_cast<std::size_t>(options.threads)
          : static_cast<std::size_t>(std::max(1U, std::thread::hardware_concurrency()));
  BlockQueue queue(workers + 1);  // + the first block: two more than the parsers hold
  std::vector<std::unique_ptr<ParsedBlock>> parsed;  // by block index - first_index
  std::mutex parsed_mutex;
  // The first block (in file order) that failed: later blocks need not be read or parsed.
  std::atomic<std::int64_t> failed_block{std::numeric_limits<std::int64_t>::max()};
  const auto parse_blocks = [&] {
    while (auto block = queue.Pop()) {
      auto result = std::make_unique<ParsedBlock>();
      if (block->index <= failed_block.load()) {
        const bool at_first = block->index == first_index;
        *result = ParseBlock(block->view(), at_first ? start : 0, at_first ? start_line : 1,
                             table.columns);
        if (result->failed) {
          std::int64_t seen = failed_block.load();
          while (block->index < seen && !failed_block.compare_exchange_weak(seen, block->index)) {
          }
        }
      }
      const auto slot = static_cast<std::size_t>(block->index - first_index);
      queue.ReturnSpare(std::move(block));
      const std::lock_guard lock(parsed_mutex);
      if (parsed.size() <= slot) parsed.resize(slot + 1);
      parsed[slot] = std::move(result);
    }
  };

  // This thread reads; the parsers start with the second block, so a file of one block is
  // parsed here, with no thread started.
  std::optional<Error> read_error;
  std::vector<std::thread> parsers;
  queue.Push(std::move(first));
  while (failed_block.load() == std::numeric_limits<std::int64_t>::max()) {
    auto block = queue.TakeSpare();
    auto got = splitter.Next(*block);
    if (!got || !*got) {
      if (!got) read_error = got.error();
      queue.ReturnSpare(std::move(block));
      break;
    }
    queue.Push(std::move(block));
    if (parsers.empty()) {
      parsers.reserve(workers);
      for (std::size_t w = 0; w < workers; ++w) parsers.emplace_back(parse_blocks);
    }
  }
  queue.Close();
  if (parsers.empty()) parse_blocks();
  for (std::thread& parser : parsers) parser.join();

  // In file order: the first error, else the rows.
  std::size_t values = 0;
  std::int64_t line = lines_before + 1;  // the first line of each block
  for (const auto& block : parsed) {
    if (block->failed) {
      return MakeError(ErrorCode::kInvalidInput,
                       fmt::format("{}:{}: {}", path, line + block->error_line - 1, block->error));
    }
    values += block->values.size();
    line += block->end_line - 1;
  }
  if (read_error) return unexpected(*read_error);
  table.values.reserve(values);
  for (auto& block : parsed) {
    table.values.insert(table.values.end(), block->values.begin(), block->values.end());
    table.rows += block->rows;
    block.reset();
  }
  return table;
}

}  // namespace costwise::ingest
