#include "ingest/file_ingest.h"

#include <map>

#include <gtest/gtest.h>

#include "test_files.h"

namespace costwise::ingest {
namespace {

const std::string kCurSample = "cur-sample/legacy_cur_anonymized_2023-11.csv";
const std::string kFocusSample = "focus-sample/focus_1.0_sample_1000.csv";

struct Totals {
  std::map<std::string, std::int64_t> billed_by_provider;
  std::map<std::string, std::int64_t> effective_by_provider;
  std::int64_t billed = 0;
  std::int64_t line_items = 0;
  std::size_t cells = 0;
};

struct Ingested : FileIngestResult {
  std::unique_ptr<DailyCube> cube;
};

Totals Sum(const Ingested& result) {
  Totals totals;
  for (const CubeRow& row : result.cube->Rows()) {
    totals.billed_by_provider[row.provider] += row.billed_cost.nanos();
    totals.effective_by_provider[row.provider] += row.effective_cost.nanos();
    totals.billed += row.billed_cost.nanos();
    totals.line_items += row.line_items;
  }
  totals.cells = result.cube->cell_count();
  EXPECT_EQ(totals.line_items, result.cube->line_items());
  return totals;
}

Result<Ingested> Ingest(const std::string& path, int threads = 0,
                        std::size_t block_size = std::size_t{4} << 20) {
  FileIngestOptions options;
  options.threads = threads;
  options.block_size = block_size;
  auto cube = std::make_unique<DailyCube>();
  auto file = IngestFile(path, options, *cube);
  if (!file) return unexpected(file.error());
  return Ingested{{std::move(*file)}, std::move(cube)};
}

TEST(FileIngestTest, LegacyCurSampleIsExactWhateverTheThreadsAndBlocks) {
  const auto reference = Ingest(testing::SharedData(kCurSample), 1);
  ASSERT_TRUE(reference) << reference.error().message;
  EXPECT_EQ(reference->format, "cur-legacy");
  EXPECT_EQ(reference->rows, 1281);
  EXPECT_EQ(reference->rejected_rows, 0);
  const Totals expected = Sum(*reference);
  // Python's decimal sum of lineItem/UnblendedCost, each line rounded to 9 decimals as costwise
  // stores it (the unrounded sum is 1.68230869740).
  EXPECT_EQ(expected.billed, 1'682'308'713);
  EXPECT_EQ(expected.line_items, 1281);
  for (const int threads : {2, 3}) {
    for (const std::size_t block : {std::size_t{4096}, std::size_t{100'000}}) {
      const auto other = Ingest(testing::SharedData(kCurSample), threads, block);
      ASSERT_TRUE(other);
      const Totals totals = Sum(*other);
      EXPECT_EQ(totals.billed, expected.billed);
      EXPECT_EQ(totals.cells, expected.cells);
      EXPECT_EQ(other->cube->Rows().size(), reference->cube->Rows().size());
    }
  }
}

TEST(FileIngestTest, FocusSampleTotalsPerProvider) {
  const auto result = Ingest(testing::SharedData(kFocusSample), 2, 8192);
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(result->format, "focus-1.0");
  ASSERT_EQ(result->billing_periods.size(), 2U);  // one Oracle row is billed in 2024-10
  EXPECT_EQ(result->billing_periods[1].ToString(), "2024-10-01");
  EXPECT_EQ(result->rows, 1000);
  EXPECT_EQ(result->rejected_rows, 0);
  const Totals totals = Sum(*result);
  // Python's decimal sums of BilledCost and EffectiveCost per ProviderName, each row rounded to
  // 9 decimals (unrounded: AWS 18.00663861840, Microsoft 1.97651418586, Oracle 0.53707392473).
  EXPECT_EQ(totals.billed_by_provider.at("AWS"), 18'006'638'651);
  EXPECT_EQ(totals.billed_by_provider.at("Microsoft"), 1'976'514'186);
  EXPECT_EQ(totals.billed_by_provider.at("Oracle"), 537'073'925);
  EXPECT_EQ(totals.effective_by_provider.at("AWS"), 13'000'000'000);
  EXPECT_EQ(totals.effective_by_provider.at("Oracle"), 0);
}

TEST(FileIngestTest, GzipGivesTheSameCube) {
  testing::TempDir dir;
  const std::string text = testing::ReadFile(testing::SharedData(kFocusSample));
  const auto plain = Ingest(testing::SharedData(kFocusSample));
  const auto gz = Ingest(dir.WriteGzip("focus.csv.gz", text));
  ASSERT_TRUE(plain && gz);
  EXPECT_TRUE(gz->gzip);
  EXPECT_EQ(Sum(*gz).billed, Sum(*plain).billed);
  EXPECT_EQ(gz->decoded_bytes, text.size());
  EXPECT_LT(gz->stored_bytes, text.size());
}

TEST(FileIngestTest, MalformedRowsAreCountedWithLineAndReason) {
  testing::TempDir dir;
  std::string text = testing::ReadFile(testing::SharedData(kCurSample));
  // Break line 3 (a bad cost) and append a short row and a row with an unclosed quote.
  std::size_t line_start = 0;
  for (int line = 1; line < 3; ++line) line_start = text.find('\n', line_start) + 1;
  const std::size_t line_end = text.find('\n', line_start);
  std::string line3 = text.substr(line_start, line_end - line_start);
  const std::size_t cost_pos = line3.find(",USD,,") + 6;  // lineItem/UnblendedCost
  // (Concatenation rather than insert/replace: GCC 12 at -O3 warns falsely about those.)
  line3 = line3.substr(0, cost_pos) + "x" + line3.substr(cost_pos);
  text = text.substr(0, line_start) + line3 + text.substr(line_end);
  text += "short,row\n\"unclosed,1\n";
  const auto result = Ingest(dir.Write("bad.csv", text), 2, 4096);
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(result->rows, 1283 + 0);
  EXPECT_EQ(result->rejected_rows, 3);
  ASSERT_EQ(result->rejections.size(), 3U);
  EXPECT_EQ(result->rejections[0].line, 3);
  EXPECT_NE(result->rejections[0].reason.find("not a number"), std::string::npos)
      << result->rejections[0].reason;
  EXPECT_EQ(result->rejections[1].line, 1283);
  EXPECT_EQ(result->rejections[1].reason, "expected 94 fields as in the header, found 2");
  EXPECT_EQ(result->rejections[2].line, 1284);
}

TEST(FileIngestTest, RejectionListIsCappedButAllAreCounted) {
  testing::TempDir dir;
  std::string text = testing::ReadFile(testing::SharedData(kCurSample));
  for (int i = 0; i < 50; ++i) text += "bad\n";
  FileIngestOptions options;
  options.max_listed_rejections = 5;
  DailyCube cube;
  const auto result = IngestFile(dir.Write("bad.csv", text), options, cube);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->rejected_rows, 50);
  EXPECT_EQ(result->rejections.size(), 5U);
  EXPECT_EQ(result->rejections[0].line, 1283);
}

TEST(FileIngestTest, NotBillingDataEmptyAndTruncated) {
  testing::TempDir dir;
  const auto other = Ingest(dir.Write("nab.csv", "timestamp,value\n2014-02-14 14:30:00,0.132\n"));
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().code, ErrorCode::kInvalidInput);
  EXPECT_NE(other.error().message.find("nab.csv: not a billing export"), std::string::npos);

  const auto empty = Ingest(dir.Write("empty.csv", ""));
  ASSERT_FALSE(empty);
  EXPECT_NE(empty.error().message.find("empty"), std::string::npos);

  const std::string gz = testing::ReadFile(
      dir.WriteGzip("f.gz", testing::ReadFile(testing::SharedData(kFocusSample))));
  const auto truncated = Ingest(dir.Write("cut.csv.gz", gz.substr(0, gz.size() * 2 / 3)), 2);
  ASSERT_FALSE(truncated);
  EXPECT_NE(truncated.error().message.find("truncated gzip"), std::string::npos)
      << truncated.error().message;

  const auto binary = Ingest(dir.Write("bin.csv", std::string("\x00\x01\x02\"\n", 5)));
  ASSERT_FALSE(binary);
}

TEST(FileIngestTest, ByteOrderMarkBeforeAQuotedHeader) {
  testing::TempDir dir;
  const std::string text = testing::ReadFile(testing::SharedData(kFocusSample));
  const auto result = Ingest(dir.Write("bom.csv", "\xEF\xBB\xBF" + text), 2, 4096);
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(result->rows, 1000);
  EXPECT_EQ(result->rejected_rows, 0);
}

TEST(FileIngestTest, EscapedQuotesInTheHeader) {
  testing::TempDir dir;
  const auto result = Ingest(dir.Write("q.csv", "\"a\"\"b\",BilledCost\n1,2\n"));
  ASSERT_FALSE(result);  // not billing data, and no use of freed memory on the way (ASan)
  EXPECT_NE(result.error().message.find("lacks required column(s)"), std::string::npos)
      << result.error().message;
}

TEST(FileIngestTest, CellSumsBeyondTheStoredRangeFailTheFile) {
  testing::TempDir dir;
  const std::string text =
      "BilledCost,ChargePeriodStart,BillingPeriodStart\n"
      "9000000000,2024-09-01,2024-09-01\n9000000000,2024-09-01,2024-09-01\n";
  const auto result = Ingest(dir.Write("big.csv", text));
  ASSERT_FALSE(result);
  EXPECT_NE(result.error().message.find("beyond what costwise stores"), std::string::npos)
      << result.error().message;
}

TEST(FileIngestTest, HeaderOnlyFileHasNoRows) {
  testing::TempDir dir;
  const std::string text = testing::ReadFile(testing::SharedData(kFocusSample));
  const auto result = Ingest(dir.Write("h.csv", text.substr(0, text.find('\n') + 1)));
  ASSERT_TRUE(result);
  EXPECT_EQ(result->rows, 0);
  EXPECT_EQ(result->cube->cell_count(), 0U);
}

}  // namespace
}  // namespace costwise::ingest
