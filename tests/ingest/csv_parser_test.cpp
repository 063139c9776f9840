#include "ingest/csv_parser.h"

#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace costwise::ingest {
namespace {

struct Parsed {
  std::vector<std::vector<std::string>> records;
  std::vector<std::int64_t> lines;
  std::vector<std::string> errors;  // "line: reason"
};

Parsed ParseAll(std::string_view text) {
  Parsed parsed;
  CsvParser parser(text, 1);
  CsvRecord record;
  while (true) {
    const auto status = parser.Next(record);
    if (status == CsvParser::Status::kEnd) break;
    if (status == CsvParser::Status::kMalformed) {
      parsed.errors.push_back(std::to_string(record.line) + ": " + std::string(record.error));
      continue;
    }
    parsed.records.emplace_back(record.fields.begin(), record.fields.end());
    parsed.lines.push_back(record.line);
  }
  return parsed;
}

TEST(CsvParserTest, SplitsPlainAndQuotedFields) {
  const Parsed parsed = ParseAll("a,b,c\n1,\"two, too\",3\n");
  ASSERT_EQ(parsed.records.size(), 2U);
  EXPECT_EQ(parsed.records[1], (std::vector<std::string>{"1", "two, too", "3"}));
}

TEST(CsvParserTest, QuotedNewlinesAndEscapedQuotesKeepLineNumbers) {
  const Parsed parsed =
      ParseAll("h1,h2\n\"multi\nline\",\"say \"\"hi\"\"\"\nx,\"{\"\"k\"\": \"\"v\"\"}\"\nlast,1");
  ASSERT_EQ(parsed.records.size(), 4U);
  EXPECT_EQ(parsed.records[1][0], "multi\nline");
  EXPECT_EQ(parsed.records[1][1], "say \"hi\"");
  EXPECT_EQ(parsed.records[2][1], "{\"k\": \"v\"}");
  EXPECT_EQ(parsed.records[3], (std::vector<std::string>{"last", "1"}));
  EXPECT_EQ(parsed.lines, (std::vector<std::int64_t>{1, 2, 4, 5}));
}

TEST(CsvParserTest, EmptyFieldsCrlfAndBlankLines) {
  const Parsed parsed = ParseAll("a,,c\r\n\r\n,,\n\"\",x,\n");
  ASSERT_EQ(parsed.records.size(), 3U);
  EXPECT_EQ(parsed.records[0], (std::vector<std::string>{"a", "", "c"}));
  EXPECT_EQ(parsed.records[1], (std::vector<std::string>{"", "", ""}));
  EXPECT_EQ(parsed.records[2], (std::vector<std::string>{"", "x", ""}));
  EXPECT_EQ(parsed.lines, (std::vector<std::int64_t>{1, 3, 4}));
}

TEST(CsvParserTest, BareCarriageReturnsEndLines) {
  // Old Mac line ends (Prophet's example_air_passengers.csv has them), mixed with the others.
  const Parsed parsed = ParseAll("ds,y\r1949-01-01,112\r\r\"q\",2\r\nlast,3\n");
  ASSERT_EQ(parsed.records.size(), 4U);
  EXPECT_EQ(parsed.records[0], (std::vector<std::string>{"ds", "y"}));
  EXPECT_EQ(parsed.records[1], (std::vector<std::string>{"1949-01-01", "112"}));
  EXPECT_EQ(parsed.records[2], (std::vector<std::string>{"q", "2"}));
  EXPECT_EQ(parsed.records[3], (std::vector<std::string>{"last", "3"}));
  EXPECT_EQ(parsed.lines, (std::vector<std::int64_t>{1, 2, 4, 5}));
}

TEST(CsvParserTest, TrailingCommaAtEndOfData) {
  const Parsed parsed = ParseAll("a,b,");
  ASSERT_EQ(parsed.records.size(), 1U);
  EXPECT_EQ(parsed.records[0], (std::vector<std::string>{"a", "b", ""}));
}

TEST(CsvParserTest, RecordsQuotedFlags) {
  CsvParser parser("NULL,\"NULL\",x\n", 1);
  CsvRecord record;
  ASSERT_EQ(parser.Next(record), CsvParser::Status::kRecord);
  EXPECT_EQ(record.quoted, (std::vector<std::uint8_t>{0, 1, 0}));
}

TEST(CsvParserTest, MalformedRecordsAreReportedAndSkipped) {
  const Parsed parsed = ParseAll("ok,1\n\"bad\"x,2\nok,3\nst\"ray,4\"\nok,5\n\"open,6");
  ASSERT_EQ(parsed.records.size(), 3U);
  EXPECT_EQ(parsed.records[2], (std::vector<std::string>{"ok", "5"}));
  ASSERT_EQ(parsed.errors.size(), 3U);
  EXPECT_EQ(parsed.errors[0], "2: unexpected character after a closing quote");
  EXPECT_EQ(parsed.errors[1], "4: a quote inside an unquoted field");
  EXPECT_EQ(parsed.errors[2], "6: a quoted field is not closed before the end of the file");
}

TEST(CsvParserTest, CountsEveryNewlineOfTheBlock) {
  for (const std::string text :
       {"a\n\n\"b\nc\"\n", "x,\"open\n\n", "\"bad\"x\ny\n\nz", "st\"ray\n\"q\"\n", "\r\n\r\n"}) {
    CsvParser parser(text, 1);
    CsvRecord record;
    while (parser.Next(record) != CsvParser::Status::kEnd) {
    }
    EXPECT_EQ(parser.line(), 1 + std::count(text.begin(), text.end(), '\n')) << text;
  }
}

TEST(CsvParserTest, LongFieldsCrossVectorWidths) {
  std::string long_field(1000, 'x');
  const Parsed parsed = ParseAll(long_field + "," + long_field + "y\n");
  ASSERT_EQ(parsed.records.size(), 1U);
  EXPECT_EQ(parsed.records[0][1].size(), 1001U);
}

}  // namespace
}  // namespace costwise::ingest
