#include "ingest/csv_blocks.h"

#include <gtest/gtest.h>

#include "test_files.h"

namespace costwise::ingest {
namespace {

TEST(LastRecordBoundaryTest, IgnoresNewlinesInsideQuotes) {
  EXPECT_EQ(LastRecordBoundary("a,b\nc,d"), 4U);
  EXPECT_EQ(LastRecordBoundary("a,\"x\ny\"\nc"), 8U);
  EXPECT_EQ(LastRecordBoundary("a,\"x\ny"), 0U);  // inside an open quote
  EXPECT_EQ(LastRecordBoundary("no newline"), 0U);
  EXPECT_EQ(LastRecordBoundary("\"\"\"\"\n"), 5U);
}

TEST(CountQuotesTest, CountsEveryQuoteAcrossVectorWidths) {
  std::string text;
  std::size_t expected = 0;
  for (int i = 0; i < 1000; ++i) {
    const bool quote = (i * 7) % 5 == 0;
    text.push_back(quote ? '"' : 'x');
    expected += quote ? 1 : 0;
    EXPECT_EQ(CountQuotes(text), expected);
  }
}

TEST(CountQuotesTest, LongRunsPastTheLaneFlush) {
  const std::string quotes(100'003, '"');
  EXPECT_EQ(CountQuotes(quotes), quotes.size());
  std::string mixed;
  for (int i = 0; i < 70'000; ++i) mixed += i % 3 == 0 ? "\"ab" : "cd";
  EXPECT_EQ(CountQuotes(mixed),
            static_cast<std::size_t>(std::count(mixed.begin(), mixed.end(), '"')));
}

TEST(CsvBlockSplitterTest, BlocksEndOnRecords) {
  testing::TempDir dir;
  std::string text = "h1,h2\n";
  for (int i = 0; i < 200; ++i) {
    text += i % 7 == 0 ? "\"quoted\nnewline\",\"a,b\"\n" : "plain,row\n";
  }
  const std::string path = dir.Write("f.csv", text);
  auto source = ByteSource::Open(path);
  ASSERT_TRUE(source);
  CsvBlockSplitter splitter(*source, 64);  // tiny blocks force many boundaries
  CsvBlock block;
  std::string joined;
  std::int64_t index = 0;
  while (true) {
    auto got = splitter.Next(block);
    ASSERT_TRUE(got);
    if (!*got) break;
    const std::string_view data = block.view();
    EXPECT_EQ(block.index, index++);
    EXPECT_EQ(data.back(), '\n');
    EXPECT_EQ(LastRecordBoundary(data), data.size());
    joined += data;
  }
  EXPECT_EQ(joined, text);
  EXPECT_GT(index, 10);
}

TEST(CsvBlockSplitterTest, GrowsForLongRecords) {
  testing::TempDir dir;
  const std::string long_record = "\"" + std::string(300, 'x') + "\"\nnext\n";
  auto source = ByteSource::Open(dir.Write("long.csv", long_record));
  ASSERT_TRUE(source);
  CsvBlockSplitter splitter(*source, 16);
  CsvBlock block;
  ASSERT_TRUE(*splitter.Next(block));
  EXPECT_EQ(block.size, 303U + 5U);  // grew to hold the record; the next fits too
}

}  // namespace
}  // namespace costwise::ingest
