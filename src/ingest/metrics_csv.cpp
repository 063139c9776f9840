#include "ingest/metrics_csv.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <limits>
#include <unordered_map>
#include <utility>

#include <fmt/format.h>

#include "core/date.h"
#include "core/money.h"
#include "ingest/block_queue.h"
#include "ingest/byte_source.h"
#include "ingest/csv_blocks.h"
#include "ingest/csv_file.h"
#include "ingest/csv_parser.h"
#include "ingest/csv_special.h"
#include "ingest/text.h"

namespace costwise::ingest {
namespace {

constexpr std::size_t kShownChars = 40;  // of a field that does not parse, in the message
constexpr std::string_view kBom = "\xEF\xBB\xBF";
// A block with more runs of one instance's rows than this plus one per 8 rows is interleaved.
constexpr std::size_t kRunsPerBlockSlack = 64;
constexpr std::int64_t kRowsPerRun = 8;
constexpr std::int64_t kSecondsPerHour = 3'600;
constexpr std::int64_t kSecondsPerMinute = 60;
constexpr std::int64_t kSecondsPerDay = 86'400;

// The positions of the four columns in the header.
struct MetricsColumns {
  std::size_t id = 0;
  std::size_t timestamp = 0;
  std::size_t metric = 0;
  std::size_t value = 0;
};

// As CsvHeader names them (lower case, trimmed; the first of duplicate names wins). The header
// has all four: CsvHeader::Require said so.
MetricsColumns ColumnsOf(const CsvRecord& header) {
  constexpr std::size_t kNone = std::numeric_limits<std::size_t>::max();
  constexpr std::array<std::string_view, 4> kNames = {"instance_id", "timestamp", "metric",
                                                      "value"};
  std::array<std::size_t, 4> found = {kNone, kNone, kNone, kNone};
  for (std::size_t j = 0; j < header.fields.size(); ++j) {
    const std::string name = LowerAscii(TrimSpace(header.fields[j]));
    for (std::size_t k = 0; k < kNames.size(); ++k) {
      if (found[k] == kNone && name == kNames[k]) found[k] = j;
    }
  }
  return {found[0], found[1], found[2], found[3]};
}

// TrimSpace, without its calls to isspace for the usual field that starts and ends with a
// printable ASCII character (never white space).
[[gnu::always_inline]] inline std::string_view Trimmed(std::string_view field) {
  const auto printable = [](char c) { return c > ' ' && c < '\x7F'; };
  if (!field.empty() && printable(field.front()) && printable(field.back())) return field;
  return TrimSpace(field);
}

// a == b for the short ids, names and dates compared once a row, without a call to memcmp.
inline bool SameText(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  std::size_t i = 0;
  for (; i + sizeof(std::uint64_t) <= a.size(); i += sizeof(std::uint64_t)) {
    std::uint64_t x = 0;
    std::uint64_t y = 0;
    std::memcpy(&x, a.data() + i, sizeof x);
    std::memcpy(&y, b.data() + i, sizeof y);
    if (x != y) return false;
  }
  for (; i < a.size(); ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

bool IsBlank(const CsvRecord& record) {
  return record.fields.size() == 1 && Trimmed(record.fields[0]).empty();
}

// ParseTimestamp, with a fast path for CloudWatch's "2026-10-18T00:05:00Z" that remembers the
// last date it converted (an instance's rows share a few dates). Results are out parameters: a
// std::optional returned from two paths costs a store-forwarding stall per row.
class TimestampParser {
 public:
  bool Parse(std::string_view text, std::int64_t& seconds) {
    constexpr std::size_t kLength = 20;
    constexpr std::size_t kDateLength = 10;
    if (text.size() != kLength || text[10] != 'T' || text[13] != ':' || text[16] != ':' ||
        text[19] != 'Z') {
      const std::optional<std::int64_t> parsed = ParseTimestamp(text);
      if (!parsed) return false;
      seconds = *parsed;
      return true;
    }
    const int hour = TwoDigits(text, 11);
    const int minute = TwoDigits(text, 14);
    const int second = TwoDigits(text, 17);
    constexpr int kMaxHour = 24;  // as ParseTimestamp: 24:00:00 is the end of the day
    constexpr int kMaxMinute = 59;
    constexpr int kMaxSecond = 60;  // a leap second
    if (hour < 0 || hour > kMaxHour || minute < 0 || minute > kMaxMinute || second < 0 ||
        second > kMaxSecond) {
      return false;
    }
    const std::string_view date = text.substr(0, kDateLength);
    if (!SameText(date, std::string_view(date_.data(), date_size_))) {
      const std::optional<Date> parsed = Date::Parse(date);
      if (!parsed) return false;
      std::memcpy(date_.data(), date.data(), kDateLength);
      date_size_ = kDateLength;
      day_start_ = static_cast<std::int64_t>(parsed->days()) * kSecondsPerDay;
    }
    seconds = day_start_ + hour * kSecondsPerHour + minute * kSecondsPerMinute + second;
    return true;
  }

 private:
  static int TwoDigits(std::string_view text, std::size_t pos) {
    const auto high = static_cast<unsigned>(text[pos] - '0');
    const auto low = static_cast<unsigned>(text[pos + 1] - '0');
    if (high > 9 || low > 9) return -1;
    return static_cast<int>(high * 10 + low);
  }

  std::array<char, 10> date_{};
  std::size_t date_size_ = 0;  // 0 until a date is remembered
  std::int64_t day_start_ = 0;
};

// 10^0 .. 10^22: the powers of ten that are exact doubles.
constexpr std::array<double, 23> kExactPowersOfTen = {
    1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
constexpr int kMaxMantissaDigits = 19;  // fit in 64 bits
constexpr std::uint64_t kMaxExactMantissa = std::uint64_t{1} << 53;

// ParseDouble, with Clinger's fast path for plain decimals ("12.3456", "-0.5"): when the digits
// make an integer m <= 2^53 and the value is m / 10^d with d <= 22, both are exact doubles and
// one division rounds once, to the double std::from_chars returns. Anything else (exponents,
// more digits, "+1", ".5", "inf") goes to ParseDouble. False when the text is not a number.
// Without `convert`, a plain decimal is only checked (value 0): it is always a finite number.
bool ParseValue(std::string_view text, bool convert, double& value) {
  const char* p = text.data();
  const char* const end = p + text.size();
  const bool negative = p < end && *p == '-';
  if (negative) ++p;
  std::uint64_t mantissa = 0;
  int digits = 0;
  int decimals = 0;
  for (; p < end && static_cast<unsigned>(*p - '0') < 10U; ++p, ++digits) {
    mantissa = mantissa * 10 + static_cast<std::uint64_t>(*p - '0');
  }
  bool plain = digits > 0;
  if (plain && p < end && *p == '.') {
    ++p;
    for (; p < end && static_cast<unsigned>(*p - '0') < 10U; ++p, ++digits, ++decimals) {
      mantissa = mantissa * 10 + static_cast<std::uint64_t>(*p - '0');
    }
    plain = decimals > 0;
  }
  if (!plain || p != end || digits > kMaxMantissaDigits || mantissa > kMaxExactMantissa) {
    const std::optional<double> parsed = ParseDouble(text);
    if (!parsed) return false;
    value = *parsed;
    return true;
  }
  if (!convert) {
    value = 0;
    return true;
  }
  const double magnitude =
      static_cast<double>(mantissa) / kExactPowersOfTen[static_cast<std::size_t>(decimals)];
  value = negative ? -magnitude : magnitude;
  return true;
}

struct MetricRow {
  std::string_view id;
  std::string_view metric;
  std::int64_t timestamp = 0;
  double value = 0;
};

// One row's four fields (untrimmed), checked in the order and with the words of ReadMetricsCsv's
// messages. Without `values`, values are checked but not always converted (the first pass needs
// to know they are numbers, not which).
class RowReader {
 public:
  explicit RowReader(const MetricsColumns& columns, bool values = true)
      : columns_(columns), values_(values) {}

  [[nodiscard]] const MetricsColumns& columns() const { return columns_; }

  // False with the reason (what follows "path:line: ") when the row is not valid.
  bool Read(std::string_view id, std::string_view time, std::string_view metric,
            std::string_view text, MetricRow& row, std::string& reason) {
    row.id = Trimmed(id);
    row.metric = Trimmed(metric);
    if (row.id.empty() || row.metric.empty()) {
      reason = "instance_id and metric are required";
      return false;
    }
    time = Trimmed(time);
    if (!clock_.Parse(time, row.timestamp)) {
      reason = fmt::format("timestamp is not a date and time: '{}'", time.substr(0, kShownChars));
      return false;
    }
    text = Trimmed(text);
    if (!ParseValue(text, values_, row.value) || !std::isfinite(row.value)) {
      reason = fmt::format("value is not a number: '{}'", text.substr(0, kShownChars));
      return false;
    }
    return true;
  }

  bool Read(const CsvRecord& record, MetricRow& row, std::string& reason) {
    const auto field = [&](std::size_t column) {
      return column < record.fields.size() ? record.fields[column] : std::string_view{};
    };
    return Read(field(columns_.id), field(columns_.timestamp), field(columns_.metric),
                field(columns_.value), row, reason);
  }

 private:
  MetricsColumns columns_;
  bool values_ = true;
  TimestampParser clock_;
};

// The first bad record of a block: its line (counted from the block's first line = 1) and why.
struct BlockError {
  std::int64_t line = 0;
  std::string reason;
};

// The general path: CsvParser's records from `text`, as ForEachCsvRecord reads them.
template <class Visit>
std::optional<BlockError> ForEachParsedRow(std::string_view text, std::size_t offset,
                                           std::int64_t first_line, RowReader& reader,
                                           std::int64_t& end_line, Visit& visit) {
  CsvParser parser(text.substr(offset), first_line);
  CsvRecord record;
  MetricRow row;
  std::string reason;
  while (true) {
    const std::size_t begin = offset + parser.position();
    const CsvParser::Status status = parser.Next(record);
    if (status == CsvParser::Status::kEnd) break;
    if (status == CsvParser::Status::kMalformed) {
      return BlockError{record.line, std::string(record.error)};
    }
    if (IsBlank(record)) continue;
    if (!reader.Read(record, row, reason)) return BlockError{record.line, std::move(reason)};
    visit(row, begin, offset + parser.position());
  }
  end_line = parser.line();
  return std::nullopt;
}

// Calls visit(row, begin, end) for each row of `text` (whole records starting at line
// `first_line`), with the byte offsets of the record in `text`; blank records are skipped.
// Returns the first malformed or bad record, if any; `end_line` is the line after the last
// record read. Lines without quotes or bare carriage returns are split here, on commas; from the
// first line with either, CsvParser reads the rest of the text. Both give the same fields.
template <class Visit>
std::optional<BlockError> ForEachRow(std::string_view text, std::int64_t first_line,
                                     RowReader& reader, std::int64_t& end_line, Visit&& visit) {
  const MetricsColumns& columns = reader.columns();
  SpecialFinder finder(text);
  MetricRow row;
  std::string reason;
  std::int64_t line = first_line;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t begin = pos;
    std::array<std::string_view, 4> fields{};  // id, timestamp, metric, value
    std::size_t column = 0;
    std::size_t field_start = pos;
    std::size_t next = 0;  // where the next record starts
    bool general = false;
    while (true) {
      const std::size_t at = finder.Next(pos);
      std::size_t field_end = at;
      if (at < text.size()) {
        const char c = text[at];
        if (c == ',') {
          pos = at + 1;
        } else if (c == '\n') {
          next = at + 1;
        } else if (c == '\r' && at + 1 < text.size() && text[at + 1] == '\n') {
          next = at + 2;
        } else {  // a quote, or a bare carriage return
          general = true;
          break;
        }
      } else {
        next = text.size();
      }
      const std::string_view field = text.substr(field_start, field_end - field_start);
      if (column == columns.id) fields[0] = field;
      if (column == columns.timestamp) fields[1] = field;
      if (column == columns.metric) fields[2] = field;
      if (column == columns.value) fields[3] = field;
      if (next != 0) break;
      ++column;
      field_start = pos;
    }
    if (general) {
      return ForEachParsedRow(text, begin, line, reader, end_line, visit);
    }
    pos = next;
    const bool newline = text[next - 1] == '\n';
    if (column == 0 && Trimmed(text.substr(begin, next - begin - (newline ? 1 : 0))).empty()) {
      line += newline ? 1 : 0;  // a blank line
      continue;
    }
    if (!reader.Read(fields[0], fields[1], fields[2], fields[3], row, reason)) {
      return BlockError{line, std::move(reason)};
    }
    visit(row, begin, next);
    line += newline ? 1 : 0;
  }
  end_line = line;
  return std::nullopt;
}

// The header, found on this thread before the blocks after it are parsed on others.
struct Header {
  MetricsColumns columns;
  std::unique_ptr<CsvBlock> first;  // the block that holds the header
  std::size_t start = 0;            // where the first block's rows start
  std::int64_t start_line = 1;      // and on which of its lines (from 1)
  std::int64_t lines_before = 0;    // lines of blank blocks before it
  std::uint64_t bytes_before = 0;   // and their bytes
};

// Empty when the file holds no record at all.
Result<std::optional<Header>> ReadHeader(CsvBlockSplitter& splitter, const std::string& path) {
  Header header;
  header.first = std::make_unique<CsvBlock>();
  while (true) {
    auto got = splitter.Next(*header.first);
    if (!got) return unexpected(got.error());
    if (!*got) return std::optional<Header>{};
    CsvParser parser(header.first->view(), 1);
    CsvRecord record;
    const CsvParser::Status status = parser.Next(record);
    if (status == CsvParser::Status::kEnd) {
      header.lines_before += parser.line() - 1;
      header.bytes_before += header.first->size;
      continue;
    }
    record.line += header.lines_before;
    if (status == CsvParser::Status::kMalformed) {
      return MakeError(ErrorCode::kInvalidInput,
                       fmt::format("{}:{}: {}", path, record.line, record.error));
    }
    const CsvHeader names(record);
    if (Status has = names.Require({"instance_id", "timestamp", "metric", "value"}, path); !has) {
      return unexpected(has.error());
    }
    header.columns = ColumnsOf(record);
    header.start = parser.position();
    header.start_line = parser.line();
    return std::optional<Header>(std::move(header));
  }
}

// What a parsed block must say for ParseInOrder to number its lines.
struct ParsedBlockBase {
  std::int64_t lines = 0;  // newlines in the block
  std::optional<BlockError> error;
};

// Parses the blocks after the header on `workers` threads, with parse(text, first_line, worker)
// -> Parsed (worker in [0, workers)), and hands each result to consume(parsed, first_line,
// first_byte) on this thread in file order, with the block's first line and the offset of its first
// byte in the decompressed data. A reader thread fills the blocks. At most workers + 2 blocks and
// their results are in memory: a block is reused once its result has been consumed. Stops at the
// first error of consume; a read error is reported after the blocks read before it.
template <class Parsed, class Parse, class Consume>
Status ParseInOrder(CsvBlockSplitter& splitter, Header& header, std::size_t workers,
                    const Parse& parse, const Consume& consume) {
  BlockQueue queue(workers + 1);  // + the header's block
  std::mutex mutex;
  std::condition_variable ready;
  std::map<std::int64_t, std::pair<std::unique_ptr<CsvBlock>, Parsed>> done;
  std::size_t finished = 0;
  std::optional<Error> read_error;
  const std::int64_t first_index = header.first->index;
  queue.Push(std::move(header.first));

  std::thread reader([&] {
    while (auto block = queue.TakeSpare()) {
      auto got = splitter.Next(*block);
      if (!got || !*got) {
        if (!got) {
          const std::lock_guard lock(mutex);
          read_error = got.error();
        }
        queue.ReturnSpare(std::move(block));
        break;
      }
      queue.Push(std::move(block));
    }
    queue.Close();
  });
  std::vector<std::thread> threads;
  threads.reserve(workers);
  for (std::size_t w = 0; w < workers; ++w) {
    threads.emplace_back([&, w] {
      while (auto block = queue.Pop()) {
        const bool at_header = block->index == first_index;
        Parsed parsed = parse(block->view().substr(at_header ? header.start : 0),
                              at_header ? header.start_line : 1, w);
        {
          const std::lock_guard lock(mutex);
          const std::int64_t index = block->index;
          done.emplace(index, std::make_pair(std::move(block), std::move(parsed)));
        }
        ready.notify_all();
      }
      {
        const std::lock_guard lock(mutex);
        ++finished;
      }
      ready.notify_all();
    });
  }

  Status status;
  std::int64_t line = header.lines_before + 1;
  std::uint64_t byte = header.bytes_before;
  for (std::int64_t next = first_index;; ++next) {
    std::unique_ptr<CsvBlock> block;
    Parsed parsed;
    {
      std::unique_lock lock(mutex);
      ready.wait(lock, [&] { return done.contains(next) || finished == workers; });
      const auto found = done.find(next);
      if (found == done.end()) break;
      block = std::move(found->second.first);
      parsed = std::move(found->second.second);
      done.erase(found);
    }
    const bool at_header = next == first_index;
    status = consume(parsed, line, byte + (at_header ? header.start : 0));
    line += parsed.lines;
    byte += block->size;
    queue.ReturnSpare(std::move(block));
    if (!status) break;
  }
  queue.Cancel();
  reader.join();
  for (std::thread& thread : threads) thread.join();
  if (!status) return status;
  if (read_error) return unexpected(*read_error);
  return {};
}

std::size_t WorkersFor(const MetricsReadOptions& options) {
  return options.threads > 0
             ? static_cast<std::size_t>(options.threads)
             : static_cast<std::size_t>(std::max(1U, std::thread::hardware_concurrency()));
}

Error BadRow(const std::string& path, std::int64_t first_line, const BlockError& error) {
  return Error{ErrorCode::kInvalidInput,
               fmt::format("{}:{}: {}", path, first_line + error.line - 1, error.reason)};
}

// ---- Loading a whole file (gzip, or instances not grouped) ----

struct LoadedSample {
  std::uint32_t key = 0;  // into LoadedBlock::keys
  std::int64_t timestamp = 0;
  double value = 0;
};

// One (instance, metric) pair as one string: the instance's length in four bytes, the instance,
// the metric; no two pairs make the same key.
void MakeKey(std::string_view id, std::string_view metric, std::string& key) {
  const auto size = static_cast<std::uint32_t>(id.size());
  key.resize(sizeof size + id.size() + metric.size());
  std::memcpy(key.data(), &size, sizeof size);
  std::memcpy(key.data() + sizeof size, id.data(), id.size());
  std::memcpy(key.data() + sizeof size + id.size(), metric.data(), metric.size());
}

std::pair<std::string_view, std::string_view> SplitKey(std::string_view key) {
  std::uint32_t size = 0;
  std::memcpy(&size, key.data(), sizeof size);
  key.remove_prefix(sizeof size);
  return {key.substr(0, size), key.substr(size)};
}

// The (instance, metric) pairs of a file loaded whole, numbered as the parser threads first meet
// them. Each thread keeps its own copy (LoadCache), so the lock is taken once per pair and thread.
class KeyTable {
 public:
  std::uint32_t Number(const std::string& key) {
    const std::lock_guard lock(mutex_);
    const auto [found, added] = numbers_.try_emplace(key, static_cast<std::uint32_t>(keys_.size()));
    if (added) keys_.push_back(&found->first);
    return found->second;
  }
  [[nodiscard]] std::string Key(std::uint32_t number) const {
    const std::lock_guard lock(mutex_);
    return *keys_[number];
  }

 private:
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::uint32_t> numbers_;
  std::vector<const std::string*> keys_;  // by number: keys of numbers_ (their nodes stay put)
};

struct LoadCache {
  std::unordered_map<std::string, std::uint32_t> numbers;  // what KeyTable said
  std::string key;
};

struct LoadedBlock : ParsedBlockBase {
  std::vector<LoadedSample> samples;  // key: KeyTable's number
  std::int64_t rows = 0;
};

LoadedBlock LoadBlock(std::string_view text, std::int64_t first_line, const MetricsColumns& columns,
                      KeyTable& table, LoadCache& cache) {
  LoadedBlock block;
  RowReader reader(columns);
  // The keys of the last rows (an instance's metrics alternate): no hashing for most rows of a
  // file grouped by instance.
  constexpr std::size_t kRemembered = 4;
  std::array<std::pair<std::string_view, std::uint32_t>, kRemembered> recent{};
  std::size_t remembered = 0;
  std::size_t replace = 0;
  std::int64_t end_line = first_line;
  block.error = ForEachRow(
      text, first_line, reader, end_line, [&](const MetricRow& row, std::size_t, std::size_t) {
        ++block.rows;
        std::uint32_t number = 0;
        const auto* const known =
            std::find_if(recent.begin(), recent.begin() + remembered, [&](const auto& entry) {
              const auto [id, metric] = SplitKey(entry.first);
              return SameText(id, row.id) && SameText(metric, row.metric);
            });
        if (known != recent.begin() + remembered) {
          number = known->second;
        } else {
          MakeKey(row.id, row.metric, cache.key);
          auto found = cache.numbers.find(cache.key);
          if (found == cache.numbers.end()) {
            found = cache.numbers.emplace(cache.key, table.Number(cache.key)).first;
          }
          number = found->second;
          auto& slot = recent[remembered < kRemembered ? remembered++ : replace++ % kRemembered];
          slot = {found->first, number};
        }
        block.samples.push_back({number, row.timestamp, row.value});
      });
  block.lines = end_line - 1;
  return block;
}

Result<MetricsByInstance> LoadWhole(ByteSource& source, const std::string& path,
                                    const MetricsReadOptions& options,
                                    std::optional<std::int64_t>& newest, std::int64_t& rows) {
  CsvBlockSplitter splitter(source, options.block_size);
  auto header = ReadHeader(splitter, path);
  if (!header) return unexpected(header.error());
  if (!*header) {
    return MakeError(ErrorCode::kInvalidInput, fmt::format("{}: the file is empty", path));
  }
  const MetricsColumns columns = (*header)->columns;
  const std::size_t workers = WorkersFor(options);
  KeyTable table;
  std::vector<LoadCache> caches(workers);
  MetricsByInstance metrics;
  std::vector<MetricSeries*> series;  // by KeyTable number; map nodes stay put
  const Status status = ParseInOrder<LoadedBlock>(
      splitter, **header, workers,
      [&](std::string_view text, std::int64_t first_line, std::size_t worker) {
        return LoadBlock(text, first_line, columns, table, caches[worker]);
      },
      [&](LoadedBlock& block, std::int64_t first_line, std::uint64_t) -> Status {
        std::int64_t block_newest = std::numeric_limits<std::int64_t>::min();
        for (const LoadedSample& sample : block.samples) {
          while (series.size() <= sample.key) {
            const std::string key = table.Key(static_cast<std::uint32_t>(series.size()));
            const auto [id, metric] = SplitKey(key);
            series.push_back(&metrics[std::string(id)][std::string(metric)]);
          }
          MetricSeries& target = *series[sample.key];
          target.timestamps.push_back(sample.timestamp);
          target.values.push_back(sample.value);
          block_newest = std::max(block_newest, sample.timestamp);
        }
        if (!block.samples.empty() && (!newest || block_newest > *newest)) newest = block_newest;
        rows += block.rows;
        if (block.error) return unexpected(BadRow(path, first_line, *block.error));
        return {};
      });
  if (!status) return unexpected(status.error());
  return metrics;
}

// ---- Scanning a file to read it by ranges ----

// A run of consecutive rows of one instance: [begin, end) of the block's text.
struct Run {
  std::string id;
  std::size_t begin = 0;
  std::size_t end = 0;
};

struct ScannedBlock : ParsedBlockBase {
  std::int64_t rows = 0;
  std::optional<std::int64_t> newest;
  std::vector<Run> runs;
  bool grouped = true;  // few runs for its rows
};

ScannedBlock ScanBlock(std::string_view text, std::int64_t first_line,
                       const MetricsColumns& columns) {
  ScannedBlock block;
  RowReader reader(columns, /*values=*/false);
  std::int64_t end_line = first_line;
  std::int64_t newest = std::numeric_limits<std::int64_t>::min();
  block.error =
      ForEachRow(text, first_line, reader, end_line,
                 [&](const MetricRow& row, std::size_t begin, std::size_t end) {
                   ++block.rows;
                   newest = std::max(newest, row.timestamp);
                   if (!block.grouped) return;
                   if (!block.runs.empty() && SameText(block.runs.back().id, row.id)) {
                     block.runs.back().end = end;
                     return;
                   }
                   if (block.runs.size() >
                       kRunsPerBlockSlack + static_cast<std::size_t>(block.rows / kRowsPerRun)) {
                     block.grouped = false;
                     block.runs.clear();
                     return;
                   }
                   block.runs.push_back({std::string(row.id), begin, end});
                 });
  if (block.rows > 0) block.newest = newest;
  block.lines = end_line - 1;
  return block;
}

// Stops the scan of a file whose instances are not grouped (it is then loaded whole).
Status NotGrouped(bool& grouped) {
  grouped = false;
  return MakeError(ErrorCode::kInternal, "instances are not grouped");
}

// Reads exactly `size` bytes at `offset`; false at a short file or an error.
bool ReadAt(int fd, std::uint64_t offset, char* out, std::size_t size) {
  while (size > 0) {
    const ssize_t got = ::pread(fd, out, size, static_cast<off_t>(offset));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return false;
    out += got;
    size -= static_cast<std::size_t>(got);
    offset += static_cast<std::uint64_t>(got);
  }
  return true;
}

}  // namespace

struct MetricsFile::Ranges {
  int fd = -1;
  MetricsColumns columns;
  std::unordered_map<std::string, std::vector<MetricsByteRange>> by_instance;

  Ranges() = default;
  Ranges(const Ranges&) = delete;
  Ranges& operator=(const Ranges&) = delete;
  ~Ranges() {
    if (fd >= 0) ::close(fd);
  }
};

MetricsFile::~MetricsFile() = default;
MetricsFile::MetricsFile(MetricsFile&&) noexcept = default;
MetricsFile& MetricsFile::operator=(MetricsFile&&) noexcept = default;

Result<MetricsFile> MetricsFile::Open(const std::string& path, const MetricsReadOptions& options) {
  auto opened = ByteSource::Open(path);
  if (!opened) return unexpected(opened.error());
  MetricsFile file;
  file.path_ = path;
  const auto load_whole = [&](ByteSource& source, std::string because) -> Result<MetricsFile> {
    file.loaded_because_ = std::move(because);
    file.newest_.reset();
    file.rows_ = 0;
    file.ranges_.reset();
    auto loaded = LoadWhole(source, path, options, file.newest_, file.rows_);
    if (!loaded) return unexpected(loaded.error());
    file.loaded_ = std::move(*loaded);
    return std::move(file);
  };
  if (opened->gzip()) return load_whole(*opened, "gzip");

  auto ranges = std::make_unique<Ranges>();
  ranges->fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (ranges->fd < 0) {
    return MakeError(ErrorCode::kUnavailable,
                     fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
  }
  std::array<char, kBom.size()> start{};
  const std::uint64_t bom = ReadAt(ranges->fd, 0, start.data(), start.size()) &&
                                    std::string_view(start.data(), start.size()) == kBom
                                ? kBom.size()
                                : 0;

  CsvBlockSplitter splitter(*opened, options.block_size);
  auto header = ReadHeader(splitter, path);
  if (!header) return unexpected(header.error());
  if (!*header) {
    return MakeError(ErrorCode::kInvalidInput, fmt::format("{}: the file is empty", path));
  }
  ranges->columns = (*header)->columns;
  bool grouped = true;
  const std::string* last_id = nullptr;  // the instance of the last run, a key of by_instance
  const Status status = ParseInOrder<ScannedBlock>(
      splitter, **header, WorkersFor(options),
      [&](std::string_view text, std::int64_t first_line, std::size_t) {
        return ScanBlock(text, first_line, ranges->columns);
      },
      [&](ScannedBlock& block, std::int64_t first_line, std::uint64_t first_byte) -> Status {
        file.rows_ += block.rows;
        if (block.newest && (!file.newest_ || *block.newest > *file.newest_)) {
          file.newest_ = block.newest;
        }
        if (block.error) return unexpected(BadRow(path, first_line, *block.error));
        if (!block.grouped) return NotGrouped(grouped);
        for (const Run& run : block.runs) {
          const std::uint64_t begin = bom + first_byte + run.begin;
          const std::uint64_t end = bom + first_byte + run.end;
          if (last_id != nullptr && *last_id == run.id) {  // continues from the block before
            MetricsByteRange& range = ranges->by_instance.find(run.id)->second.back();
            range.size = end - range.offset;
            continue;
          }
          auto [found, added] = ranges->by_instance.try_emplace(run.id);
          found->second.push_back({begin, end - begin});
          last_id = &found->first;
          if (found->second.size() > options.max_runs_per_instance) return NotGrouped(grouped);
        }
        return {};
      });
  if (!grouped) {  // the scan stopped there: the whole file is read again, and checked
    auto again = ByteSource::Open(path);
    if (!again) return unexpected(again.error());
    return load_whole(*again, "instances are not grouped");
  }
  if (!status) return unexpected(status.error());
  file.ranges_ = std::move(ranges);
  return file;
}

Result<InstanceSeries> MetricsFile::Take(std::string_view instance_id) {
  if (ranges_) return Read(instance_id);
  const auto found = loaded_.find(std::string(instance_id));
  if (found == loaded_.end()) return InstanceSeries{};
  InstanceSeries taken = std::move(found->second);
  loaded_.erase(found);
  return taken;
}

Result<InstanceSeries> MetricsFile::Read(std::string_view instance_id) const {
  if (!ranges_) {
    return MakeError(ErrorCode::kInternal,
                     fmt::format("{}: read by ranges, but it was loaded whole", path_));
  }
  InstanceSeries series;
  const auto found = ranges_->by_instance.find(std::string(instance_id));
  if (found == ranges_->by_instance.end()) return series;
  const auto changed = [&] {
    return MakeError(
        ErrorCode::kInvalidInput,
        fmt::format("{}: the file changed while it was read (instance {})", path_, instance_id));
  };
  RowReader reader(ranges_->columns);
  // The series of the last metrics seen (CPU and memory alternate): no map lookup per row.
  constexpr std::size_t kRemembered = 4;
  std::array<std::pair<std::string_view, MetricSeries*>, kRemembered> recent{};
  std::size_t remembered = 0;
  std::vector<char> bytes;
  for (const MetricsByteRange& range : found->second) {
    bytes.resize(range.size);
    if (!ReadAt(ranges_->fd, range.offset, bytes.data(), bytes.size())) return changed();
    bool other_instance = false;
    std::int64_t end_line = 1;
    const auto error = ForEachRow(std::string_view(bytes.data(), bytes.size()), 1, reader, end_line,
                                  [&](const MetricRow& row, std::size_t, std::size_t) {
                                    if (!SameText(row.id, instance_id)) {
                                      other_instance = true;
                                      return;
                                    }
                                    MetricSeries* target = nullptr;
                                    for (std::size_t k = 0; k < remembered; ++k) {
                                      if (SameText(recent[k].first, row.metric)) {
                                        target = recent[k].second;
                                        break;
                                      }
                                    }
                                    if (target == nullptr) {
                                      const auto [at, added] =
                                          series.try_emplace(std::string(row.metric));
                                      target = &at->second;
                                      if (remembered < kRemembered)
                                        recent[remembered++] = {at->first, target};
                                    }
                                    target->timestamps.push_back(row.timestamp);
                                    target->values.push_back(row.value);
                                  });
    if (error || other_instance) return changed();
  }
  return series;
}

MetricsPrefetcher::MetricsPrefetcher(const MetricsFile& file, std::vector<std::string> instance_ids,
                                     int threads, std::size_t depth)
    : file_(file), ids_(std::move(instance_ids)) {
  const std::size_t workers =
      threads > 0 ? static_cast<std::size_t>(threads)
                  : static_cast<std::size_t>(std::max(1U, std::thread::hardware_concurrency()));
  constexpr std::size_t kDepthPerThread = 4;
  depth_ = depth > 0 ? depth : kDepthPerThread * workers;
  slots_.resize(depth_);
  threads_.reserve(workers);
  for (std::size_t w = 0; w < workers; ++w) threads_.emplace_back([this] { Work(); });
}

MetricsPrefetcher::~MetricsPrefetcher() {
  {
    const std::lock_guard lock(mutex_);
    stop_ = true;
  }
  changed_.notify_all();
  for (std::thread& thread : threads_) thread.join();
}

void MetricsPrefetcher::Work() {
  std::unique_lock lock(mutex_);
  while (true) {
    changed_.wait(lock, [&] { return stop_ || next_ >= ids_.size() || next_ < taken_ + depth_; });
    if (stop_ || next_ >= ids_.size()) return;
    const std::size_t i = next_++;
    lock.unlock();
    Result<InstanceSeries> series = file_.Read(ids_[i]);
    lock.lock();
    slots_[i % depth_].emplace(std::move(series));
    changed_.notify_all();
  }
}

Result<InstanceSeries> MetricsPrefetcher::Take(std::size_t i) {
  std::unique_lock lock(mutex_);
  if (i != taken_ || i >= ids_.size()) {
    return MakeError(
        ErrorCode::kInternal,
        fmt::format("metrics prefetcher: instance {} asked for, {} expected", i, taken_));
  }
  std::optional<Result<InstanceSeries>>& slot = slots_[i % depth_];
  if (!slot) {
    const auto start = std::chrono::steady_clock::now();
    changed_.wait(lock, [&] { return slot.has_value(); });
    seconds_waited_ +=
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  Result<InstanceSeries> series = std::move(*slot);
  slot.reset();
  ++taken_;
  lock.unlock();
  changed_.notify_all();
  return series;
}

Result<MetricsByInstance> LoadMetricsCsv(const std::string& path,
                                         const MetricsReadOptions& options) {
  auto source = ByteSource::Open(path);
  if (!source) return unexpected(source.error());
  std::optional<std::int64_t> newest;
  std::int64_t rows = 0;
  return LoadWhole(*source, path, options, newest, rows);
}

}  // namespace costwise::ingest
