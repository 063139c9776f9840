#include "ingest/numeric_csv.h"

#include <array>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "test_files.h"

namespace costwise::ingest {
namespace {

TEST(NumericCsvTest, SkipsAHeaderAndReadsRowMajor) {
  testing::TempDir dir;
  const auto table = ReadNumericCsv(dir.Write("x.csv", "a,b\n1,2.5\n-3,4e2\n"));
  ASSERT_TRUE(table) << table.error().message;
  EXPECT_EQ(table->rows, 2U);
  EXPECT_EQ(table->columns, 2U);
  EXPECT_EQ(table->header, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(table->values, (std::vector<double>{1, 2.5, -3, 400}));
}

TEST(NumericCsvTest, NoHeaderAndGzip) {
  testing::TempDir dir;
  const auto table = ReadNumericCsv(dir.WriteGzip("x.csv.gz", "1,2\n3,4\n"));
  ASSERT_TRUE(table) << table.error().message;
  EXPECT_EQ(table->rows, 2U);
  EXPECT_TRUE(table->header.empty());
}

TEST(NumericCsvTest, ErrorsNameLineAndColumn) {
  testing::TempDir dir;
  const auto bad = ReadNumericCsv(dir.Write("bad.csv", "a,b\n1,2\n3,x\n"));
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("bad.csv:3: column 2 is not a number: 'x'"), std::string::npos)
      << bad.error().message;
  const auto ragged = ReadNumericCsv(dir.Write("ragged.csv", "1,2\n3\n"));
  ASSERT_FALSE(ragged);
  EXPECT_NE(ragged.error().message.find("ragged.csv:2: 1 columns, the first row has 2"),
            std::string::npos)
      << ragged.error().message;
}

// rows x 3 values with a header; row i (from 0) is on line i + 2.
std::string Rows(int rows) {
  std::string text = "x,y,z\n";
  for (int i = 0; i < rows; ++i) {
    fmt::format_to(std::back_inserter(text), "{},{}.25,-{}e-3\n", i, i, i);
  }
  return text;
}

TEST(NumericCsvTest, ManyBlocksOnManyThreadsReadAsOne) {
  testing::TempDir dir;
  const std::string path = dir.Write("x.csv", Rows(3000));
  const std::string gzip = dir.WriteGzip("x.csv.gz", Rows(3000));
  const auto whole = ReadNumericCsv(path, {.threads = 1, .block_size = std::size_t{1} << 20});
  ASSERT_TRUE(whole) << whole.error().message;
  ASSERT_EQ(whole->rows, 3000U);
  EXPECT_EQ(whole->header, (std::vector<std::string>{"x", "y", "z"}));
  EXPECT_EQ(whole->values[3 * 2999 + 1], 2999.25);
  EXPECT_EQ(whole->values[3 * 17 + 2], -17e-3);
  for (const int threads : {1, 2, 3}) {
    for (const std::size_t block_size : {std::size_t{16}, std::size_t{100}, std::size_t{4096}}) {
      for (const std::string& file : {path, gzip}) {
        const auto table = ReadNumericCsv(file, {.threads = threads, .block_size = block_size});
        ASSERT_TRUE(table) << table.error().message;
        EXPECT_EQ(table->rows, whole->rows);
        EXPECT_EQ(table->columns, 3U);
        EXPECT_EQ(table->header, whole->header);
        EXPECT_EQ(table->values, whole->values) << file << " " << threads << " " << block_size;
      }
    }
  }
}

TEST(NumericCsvTest, AFileOfSeveralDefaultBlocks) {
  // About 8 MB: two 4 MB blocks or more.
  testing::TempDir dir;
  constexpr int kRows = 400'000;
  std::string text = Rows(kRows);
  ASSERT_GT(text.size(), std::size_t{8} << 20);
  const auto table = ReadNumericCsv(dir.Write("big.csv", text));
  ASSERT_TRUE(table) << table.error().message;
  ASSERT_EQ(table->rows, static_cast<std::size_t>(kRows));
  for (const int i : {0, 1, 123'456, 234'567, kRows - 1}) {
    EXPECT_EQ(table->values[3 * static_cast<std::size_t>(i)], i);
    EXPECT_EQ(table->values[3 * static_cast<std::size_t>(i) + 1], i + 0.25);
  }
  // An error near the end names its line.
  text.replace(text.rfind("\n399990,") + 1, 6, "3999x0");
  const auto bad = ReadNumericCsv(dir.Write("bad.csv", text));
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("bad.csv:399992: column 1 is not a number: '3999x0'"),
            std::string::npos)
      << bad.error().message;
}

TEST(NumericCsvTest, TheFirstErrorInFileOrderWhateverTheBlocks) {
  testing::TempDir dir;
  std::string text = Rows(2000);
  // Line 1502 (row 1500) loses a column; line 1802 (row 1800) has a word.
  const std::size_t row_1500 = text.find("\n1500,") + 1;
  text.replace(row_1500, text.find('\n', row_1500) - row_1500, "1500,1");
  text.replace(text.find("\n1800,") + 1, 4, "oops");
  const std::string path = dir.Write("x.csv", text);
  for (const int threads : {1, 2, 4}) {
    for (const std::size_t block_size : {32UL, 1000UL, 1UL << 20}) {
      const auto table = ReadNumericCsv(path, {.threads = threads, .block_size = block_size});
      ASSERT_FALSE(table);
      EXPECT_EQ(table.error().code, ErrorCode::kInvalidInput);
      EXPECT_NE(table.error().message.find("x.csv:1502: 2 columns, the first row has 3"),
                std::string::npos)
          << table.error().message << " (" << threads << " threads, blocks of " << block_size
          << ")";
    }
  }
}

TEST(NumericCsvTest, QuotesSignsBlankLinesAndCrLf) {
  testing::TempDir dir;
  const std::string text = "\"a\",\"b\"\r\n\"1\",+2\r\n\r\n3,4\r\n-5,6e1\n\n\"7.5\",8";
  for (const std::size_t block_size : {std::size_t{8}, std::size_t{1} << 20}) {
    const auto table = ReadNumericCsv(dir.Write("q.csv", text), {.block_size = block_size});
    ASSERT_TRUE(table) << table.error().message;
    EXPECT_EQ(table->header, (std::vector<std::string>{"a", "b"}));
    EXPECT_EQ(table->values, (std::vector<double>{1, 2, 3, 4, -5, 60, 7.5, 8}));
  }
  // A blank line does not hide the line numbers after it; nor does a quoted newline.
  const auto bad =
      ReadNumericCsv(dir.Write("b.csv", "a,\"b\nc\"\n1,2\n\n3,4\n5,+\n"), {.block_size = 4});
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("b.csv:6: column 2 is not a number: '+'"), std::string::npos)
      << bad.error().message;
  const auto empty = ReadNumericCsv(dir.Write("e.csv", "\n\n"));
  ASSERT_TRUE(empty) << empty.error().message;
  EXPECT_EQ(empty->rows, 0U);
}

// Every value must be the double std::from_chars gives for its text, to the bit, whichever way
// the reader parses it.
TEST(NumericCsvTest, ValuesAreExactlyWhatFromCharsGives) {
  // clang-format off
  std::vector<std::string> texts = {
      "0", "-0", "-0.0", "1e22", "1e23", "-1e-22", "1e-23", "9007199254740992",
      "9007199254740993", "0.1", "+0.3", "4.9e-324", "1.7976931348623157e308", "123.456E+002",
      "0000000000000000000000012.5", "12345678901234567890123",
      "3.14159265358979323846264338327950288", "1.5e0010", "7E-3"};
  // clang-format on
  std::mt19937_64 generator(3);
  std::uniform_real_distribution<double> unit(-1.0, 1.0);
  std::uniform_int_distribution<int> power(-30, 30);
  for (int i = 0; i < 20'000; ++i) {
    const double x = unit(generator) * std::pow(10.0, power(generator));
    constexpr std::array<std::string_view, 5> kFormats = {"{}", "{:.6g}", "{:.3f}", "{:e}",
                                                          "{:.17g}"};
    texts.push_back(i % 6 == 5 ? fmt::format("{}", static_cast<std::int64_t>(x * 1e6))
                               : fmt::vformat(kFormats[static_cast<std::size_t>(i % 6)],
                                              fmt::make_format_args(x)));
  }
  while (texts.size() % 4 != 0) texts.emplace_back("1");
  std::string csv;
  for (std::size_t i = 0; i < texts.size(); ++i) csv += texts[i] + (i % 4 == 3 ? "\n" : ",");
  testing::TempDir dir;
  const auto table = ReadNumericCsv(dir.Write("n.csv", csv), {.threads = 2, .block_size = 10'000});
  ASSERT_TRUE(table) << table.error().message;
  ASSERT_EQ(table->values.size(), texts.size());
  for (std::size_t i = 0; i < texts.size(); ++i) {
    std::string_view text = texts[i];
    if (text.front() == '+') text.remove_prefix(1);
    double expected = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), expected);
    ASSERT_TRUE(ec == std::errc() && end == text.data() + text.size()) << texts[i];
    EXPECT_EQ(std::bit_cast<std::uint64_t>(table->values[i]),
              std::bit_cast<std::uint64_t>(expected))
        << texts[i];
  }
}

}  // namespace
}  // namespace costwise::ingest
