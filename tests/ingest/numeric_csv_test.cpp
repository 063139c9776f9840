#include "ingest/numeric_csv.h"

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

}  // namespace
}  // namespace costwise::ingest
