#include "ingest/metrics_csv.h"

#include <cmath>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "core/date.h"
#include "core/money.h"
#include "ingest/csv_file.h"
#include "ingest/instances_csv.h"
#include "test_files.h"

namespace costwise::ingest {
namespace {

// The metrics reader as it was, one record at a time through ForEachCsvRecord: what the fast
// readers must reproduce, samples and first error alike.
Result<MetricsByInstance> ReferenceRead(const std::string& path) {
  MetricsByInstance metrics;
  std::optional<CsvHeader> columns;
  const Status status = ForEachCsvRecord(path, [&](const CsvRecord& record) -> Status {
    if (!columns) {
      columns.emplace(record);
      return columns->Require({"instance_id", "timestamp", "metric", "value"}, path);
    }
    if (IsBlankRecord(record)) return {};
    const std::string_view id = columns->Field(record, "instance_id");
    const std::string_view time = columns->Field(record, "timestamp");
    const std::string_view metric = columns->Field(record, "metric");
    const std::string_view text = columns->Field(record, "value");
    const std::optional<std::int64_t> timestamp = ParseTimestamp(time);
    if (id.empty() || metric.empty()) {
      return MakeError(
          ErrorCode::kInvalidInput,
          fmt::format("{}:{}: instance_id and metric are required", path, record.line));
    }
    if (!timestamp) {
      return MakeError(ErrorCode::kInvalidInput,
                       fmt::format("{}:{}: timestamp is not a date and time: '{}'", path,
                                   record.line, time.substr(0, 40)));
    }
    const std::optional<double> value = ParseDouble(text);
    if (!value || !std::isfinite(*value)) {
      return MakeError(
          ErrorCode::kInvalidInput,
          fmt::format("{}:{}: value is not a number: '{}'", path, record.line, text.substr(0, 40)));
    }
    MetricSeries& series = metrics[std::string(id)][std::string(metric)];
    series.timestamps.push_back(*timestamp);
    series.values.push_back(*value);
    return {};
  });
  if (!status) return unexpected(status.error());
  if (!columns) {
    return MakeError(ErrorCode::kInvalidInput, fmt::format("{}: the file is empty", path));
  }
  return metrics;
}

void ExpectSameSeries(const InstanceSeries& actual, const InstanceSeries& expected,
                      const std::string& what) {
  ASSERT_EQ(actual.size(), expected.size()) << what;
  for (const auto& [name, series] : expected) {
    const auto found = actual.find(name);
    ASSERT_NE(found, actual.end()) << what << " " << name;
    EXPECT_EQ(found->second.timestamps, series.timestamps) << what << " " << name;
    ASSERT_EQ(found->second.values.size(), series.values.size()) << what << " " << name;
    for (std::size_t i = 0; i < series.values.size(); ++i) {
      // Bit for bit: the fast decimal path must round as std::from_chars does.
      EXPECT_EQ(std::signbit(found->second.values[i]), std::signbit(series.values[i]));
      EXPECT_EQ(found->second.values[i], series.values[i]) << what << " " << name << " " << i;
    }
  }
}

// Every instance of `expected` taken from `file` (by ranges or loaded), and nothing else there.
void ExpectSameFile(MetricsFile& file, const MetricsByInstance& expected, const std::string& what) {
  std::optional<std::int64_t> newest;
  for (const auto& [id, series] : expected) {
    for (const auto& [name, one] : series) {
      for (const std::int64_t t : one.timestamps) newest = std::max(newest.value_or(t), t);
    }
  }
  EXPECT_EQ(file.newest(), newest) << what;
  for (const auto& [id, series] : expected) {
    const auto taken = file.Take(id);
    ASSERT_TRUE(taken) << what << ": " << taken.error().message;
    ExpectSameSeries(*taken, series, what + " " + id);
  }
  const auto absent = file.Take("i-not-there");
  ASSERT_TRUE(absent);
  EXPECT_TRUE(absent->empty());
}

// A fleet's rows: `instances` instances, `steps` timestamps, CPU and memory each.
std::string Fleet(int instances, int steps, bool grouped) {
  std::string text = "instance_id,timestamp,metric,value\n";
  const auto row = [&](int i, int s, const char* metric) {
    const std::int64_t t = 1'790'000'000 + std::int64_t{300} * s;
    const auto civil = DateOfTimestamp(t);
    fmt::format_to(std::back_inserter(text), "i-{:04d},{}T{:02d}:{:02d}:{:02d}Z,{},{}.{:04d}\n", i,
                   civil.ToString(), t % 86'400 / 3600, t % 3600 / 60, t % 60, metric,
                   (i * 7 + s) % 100, (i * 31 + s * 17) % 10'000);
  };
  if (grouped) {
    for (int i = 0; i < instances; ++i) {
      for (int s = 0; s < steps; ++s) {
        row(i, s, "CPUUtilization");
        row(i, s, "mem_used_percent");
      }
    }
  } else {
    for (int s = 0; s < steps; ++s) {
      for (int i = 0; i < instances; ++i) {
        row(i, s, "CPUUtilization");
        row(i, s, "mem_used_percent");
      }
    }
  }
  return text;
}

TEST(MetricsCsvTest, AGroupedFileIsReadByRangesWhateverTheBlocksAndThreads) {
  testing::TempDir dir;
  const std::string path = dir.Write("m.csv", Fleet(40, 50, true));
  const auto expected = ReferenceRead(path);
  ASSERT_TRUE(expected) << expected.error().message;
  for (const int threads : {1, 2, 3}) {
    for (const std::size_t block_size :
         {std::size_t{64}, std::size_t{1000}, std::size_t{1} << 20}) {
      const std::string what = fmt::format("{} threads, blocks of {}", threads, block_size);
      auto file = MetricsFile::Open(path, {.threads = threads, .block_size = block_size});
      ASSERT_TRUE(file) << file.error().message;
      EXPECT_TRUE(file->by_ranges()) << what;
      EXPECT_EQ(file->rows(), 40 * 50 * 2) << what;
      ExpectSameFile(*file, *expected, what);
      const auto loaded = LoadMetricsCsv(path, {.threads = threads, .block_size = block_size});
      ASSERT_TRUE(loaded) << loaded.error().message;
      EXPECT_EQ(loaded->size(), expected->size());
      for (const auto& [id, series] : *expected) {
        ExpectSameSeries(loaded->at(id), series, what + " loaded " + id);
      }
    }
  }
}

TEST(MetricsCsvTest, InterleavedAndGzipFilesAreLoadedWhole) {
  testing::TempDir dir;
  const std::string interleaved = dir.Write("i.csv", Fleet(30, 60, false));
  const auto expected = ReferenceRead(interleaved);
  ASSERT_TRUE(expected) << expected.error().message;
  auto file = MetricsFile::Open(interleaved, {.block_size = 512});
  ASSERT_TRUE(file) << file.error().message;
  EXPECT_FALSE(file->by_ranges());
  EXPECT_EQ(file->loaded_because(), "instances are not grouped");
  ExpectSameFile(*file, *expected, "interleaved");

  const std::string gzip = dir.WriteGzip("g.csv.gz", Fleet(5, 20, true));
  const auto expected_gzip = ReferenceRead(gzip);
  ASSERT_TRUE(expected_gzip) << expected_gzip.error().message;
  auto gzipped = MetricsFile::Open(gzip);
  ASSERT_TRUE(gzipped) << gzipped.error().message;
  EXPECT_FALSE(gzipped->by_ranges());
  EXPECT_EQ(gzipped->loaded_because(), "gzip");
  ExpectSameFile(*gzipped, *expected_gzip, "gzip");
}

TEST(MetricsCsvTest, AnInstanceInAFewRunsStillReadsByRanges) {
  // Grouped by metric, then instance: each instance in two runs, series in file order.
  testing::TempDir dir;
  std::string text = "instance_id,timestamp,metric,value\n";
  for (const char* metric : {"CPUUtilization", "mem_used_percent"}) {
    for (const char* id : {"i-b", "i-a"}) {
      for (int s = 0; s < 5; ++s) {
        fmt::format_to(std::back_inserter(text), "{},2026-10-18T00:{:02d}:00Z,{},{}\n", id, 50 - s,
                       metric, s);
      }
    }
  }
  const std::string path = dir.Write("m.csv", text);
  const auto expected = ReferenceRead(path);
  ASSERT_TRUE(expected);
  auto file = MetricsFile::Open(path, {.block_size = 16});
  ASSERT_TRUE(file) << file.error().message;
  EXPECT_TRUE(file->by_ranges());
  ExpectSameFile(*file, *expected, "runs");
  // With one run allowed per instance it is not grouped enough.
  auto strict = MetricsFile::Open(path, {.max_runs_per_instance = 1});
  ASSERT_TRUE(strict) << strict.error().message;
  EXPECT_FALSE(strict->by_ranges());
  ExpectSameFile(*strict, *expected, "strict");
}

TEST(MetricsCsvTest, QuotesCrLfBlankLinesSpacesBomAndOtherColumnsAsTheCsvReader) {
  testing::TempDir dir;
  const std::string text =
      "\xEF\xBB\xBF"
      "Value , Metric,unit,instance_id,Timestamp\r\n"
      "1.5,CPUUtilization,Percent,i-a,2026-10-18T00:00:00Z\r\n"
      "\r\n"
      "  \r\n"
      " 2.25 ,CPUUtilization,Percent, i-a ,2026-10-18T00:05:00Z\r\n"
      "\"3\",\"mem_used_percent\",\"Per,cent\",\"i-a\",\"2026-10-18T00:05:00Z\"\n"
      "+4,CPUUtilization,\"two\nlines\",i-b,2026-10-18 00:10:00\n"
      "5e-1,CPUUtilization,,i-b,2026-10-18T01:10:00+01:00\n"
      "-0.0,mem_used_percent,,i-b,2026-10-18T00:15:00.250Z\n"
      "12345678901234567890,CPUUtilization,,i-c,2026-10-18T00:20:00Z\n"
      "0.1234567890123456789,CPUUtilization,,i-c,2026-10-18T00:25:00Z\n"
      "7,CPUUtilization,,i-c,2026-10-18T24:00:00Z";  // no newline at the end
  const std::string path = dir.Write("q.csv", text);
  const auto expected = ReferenceRead(path);
  ASSERT_TRUE(expected) << expected.error().message;
  ASSERT_EQ(expected->size(), 3U);
  for (const std::size_t block_size : {std::size_t{8}, std::size_t{100}, std::size_t{1} << 20}) {
    auto file = MetricsFile::Open(path, {.block_size = block_size});
    ASSERT_TRUE(file) << file.error().message;
    EXPECT_TRUE(file->by_ranges());
    ExpectSameFile(*file, *expected, fmt::format("blocks of {}", block_size));
  }
}

// The same file with one row broken in `how`, on line `line` (1 = header).
std::string Broken(const std::string& text, int line, const std::string& row) {
  std::size_t start = 0;
  for (int l = 1; l < line; ++l) start = text.find('\n', start) + 1;
  const std::size_t end = text.find('\n', start);
  std::string broken = text;
  broken.replace(start, end - start, row);
  return broken;
}

TEST(MetricsCsvTest, TheFirstErrorInFileOrderWithTheReferenceMessage) {
  testing::TempDir dir;
  const std::string text = Fleet(20, 30, true);  // 1,200 rows
  const std::vector<std::string> rows = {
      "i-0003,yesterday,CPUUtilization,5",
      "i-0003,2026-10-18T00:00:00Z,CPUUtilization,x5",
      "i-0003,2026-10-18T00:00:00Z,CPUUtilization,inf",
      "i-0003,2026-10-18T00:00:00Z,,5",
      ",2026-10-18T00:00:00Z,CPUUtilization,5",
      "i-0003,2026-13-18T00:00:00Z,CPUUtilization,5",
      "i-0003,2026-10-18T25:00:00Z,CPUUtilization,5",
      "i-0003,2026-10-18T00:00:00Z,CPUUtilization,\"5\"x",
      "i-0003,2026-10-18T00:00:00Z,CPU\"Utilization,5",
      "i-0003",
  };
  for (const std::string& row : rows) {
    // Two broken rows: the earlier one is reported.
    const std::string broken =
        Broken(Broken(text, 1100, "i-0019,later,CPUUtilization,1"), 250, row);
    const std::string path = dir.Write("bad.csv", broken);
    const auto expected = ReferenceRead(path);
    ASSERT_FALSE(expected) << row;
    for (const int threads : {1, 2}) {
      for (const std::size_t block_size :
           {std::size_t{64}, std::size_t{4096}, std::size_t{1} << 20}) {
        const auto file = MetricsFile::Open(path, {.threads = threads, .block_size = block_size});
        ASSERT_FALSE(file) << row;
        EXPECT_EQ(file.error().code, ErrorCode::kInvalidInput);
        EXPECT_EQ(file.error().message, expected.error().message)
            << row << " (" << threads << " threads, blocks of " << block_size << ")";
        const auto loaded = LoadMetricsCsv(path, {.threads = threads, .block_size = block_size});
        ASSERT_FALSE(loaded);
        EXPECT_EQ(loaded.error().message, expected.error().message) << row;
      }
    }
  }
  // The header and the empty file.
  for (const std::string& content :
       {std::string("instance_id,timestamp,value\ni-a,2026-10-18,1\n"), std::string(""),
        std::string("\n\n"), std::string("\"instance_id,timestamp,metric,value\n")}) {
    const std::string path = dir.Write("h.csv", content);
    const auto expected = ReferenceRead(path);
    const auto file = MetricsFile::Open(path);
    ASSERT_FALSE(expected);
    ASSERT_FALSE(file);
    EXPECT_EQ(file.error().message, expected.error().message);
  }
  EXPECT_EQ(MetricsFile::Open(dir.path().string() + "/missing.csv").error().code,
            ErrorCode::kNotFound);
}

TEST(MetricsCsvTest, RandomDecimalsRoundAsFromChars) {
  testing::TempDir dir;
  std::mt19937_64 random(7);
  std::string text = "instance_id,timestamp,metric,value\n";
  for (int i = 0; i < 20'000; ++i) {
    const int decimals = static_cast<int>(random() % 18);
    const std::uint64_t whole = random() % 1'000'000;
    std::string digits = std::to_string(random() % 1'000'000'000'000'000'000ULL);
    digits = digits.substr(0, static_cast<std::size_t>(decimals));
    fmt::format_to(std::back_inserter(text), "i-a,2026-10-18T00:00:{:02d}Z,m{},{}{}{}{}\n", i % 60,
                   i % 3, random() % 4 == 0 ? "-" : "", whole, decimals > 0 ? "." : "", digits);
  }
  const std::string path = dir.Write("d.csv", text);
  const auto expected = ReferenceRead(path);
  ASSERT_TRUE(expected) << expected.error().message;
  auto file = MetricsFile::Open(path);
  ASSERT_TRUE(file) << file.error().message;
  ExpectSameFile(*file, *expected, "decimals");
}

TEST(MetricsCsvTest, ThePrefetcherHandsInstancesOverInOrder) {
  testing::TempDir dir;
  const std::string path = dir.Write("m.csv", Fleet(25, 10, true));
  const auto expected = ReferenceRead(path);
  ASSERT_TRUE(expected);
  const auto file = MetricsFile::Open(path, {.block_size = 256});
  ASSERT_TRUE(file) << file.error().message;
  std::vector<std::string> order;
  for (int i = 24; i >= 0; --i) order.push_back(fmt::format("i-{:04d}", i));
  order.emplace_back("i-absent");
  for (const int threads : {1, 2, 3}) {
    for (const std::size_t depth : {std::size_t{1}, std::size_t{4}, std::size_t{100}}) {
      MetricsPrefetcher prefetcher(*file, order, threads, depth);
      ASSERT_EQ(prefetcher.size(), order.size());
      for (std::size_t i = 0; i < order.size(); ++i) {
        auto series = prefetcher.Take(i);
        ASSERT_TRUE(series) << series.error().message;
        if (order[i] == "i-absent") {
          EXPECT_TRUE(series->empty());
        } else {
          ExpectSameSeries(*series, expected->at(order[i]), order[i]);
        }
      }
      EXPECT_FALSE(prefetcher.Take(0));  // only in order, once
    }
  }
  // Stopped early: the readers end with it.
  MetricsPrefetcher abandoned(*file, order, 2, 3);
  EXPECT_TRUE(abandoned.Take(0));
}

TEST(MetricsCsvTest, AFileChangedAfterOpenIsAnError) {
  testing::TempDir dir;
  const std::string text = Fleet(3, 4, true);
  const std::string path = dir.Write("m.csv", text);
  auto file = MetricsFile::Open(path);
  ASSERT_TRUE(file) << file.error().message;
  std::string changed = text;
  changed.replace(changed.find("i-0001"), 6, "i-0009");
  (void)dir.Write("m.csv", changed);
  const auto read = file->Read("i-0001");
  ASSERT_FALSE(read);
  EXPECT_NE(read.error().message.find("changed while it was read"), std::string::npos)
      << read.error().message;
}

}  // namespace
}  // namespace costwise::ingest
