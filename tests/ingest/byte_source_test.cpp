#include "ingest/byte_source.h"

#include <xxhash.h>

#include <gtest/gtest.h>

#include "test_files.h"

namespace costwise::ingest {
namespace {

Result<std::string> ReadAll(const std::string& path) {
  auto source = ByteSource::Open(path);
  if (!source) return unexpected(source.error());
  std::string out;
  std::string buffer(1000, '\0');
  while (true) {
    auto got = source->Read(buffer.data(), buffer.size());
    if (!got) return unexpected(got.error());
    if (*got == 0) break;
    out.append(buffer, 0, *got);
  }
  return out;
}

std::string Sample() {
  std::string text;
  for (int i = 0; i < 5000; ++i) text += "line " + std::to_string(i) + ",some,fields\n";
  return text;
}

TEST(ByteSourceTest, ReadsPlainAndGzipAlike) {
  testing::TempDir dir;
  const std::string text = Sample();
  EXPECT_EQ(*ReadAll(dir.Write("a.csv", text)), text);
  EXPECT_EQ(*ReadAll(dir.WriteGzip("a.csv.gz", text)), text);
  // Recognised by content, not by name.
  EXPECT_EQ(*ReadAll(dir.WriteGzip("a.csv", text)), text);
}

TEST(ByteSourceTest, ConcatenatedGzipMembers) {
  testing::TempDir dir;
  const std::string first = testing::ReadFile(dir.WriteGzip("1.gz", "a,b\n"));
  const std::string second = testing::ReadFile(dir.WriteGzip("2.gz", "c,d\n"));
  EXPECT_EQ(*ReadAll(dir.Write("both.gz", first + second)), "a,b\nc,d\n");
}

TEST(ByteSourceTest, TruncatedGzipIsAnError) {
  testing::TempDir dir;
  const std::string gz = testing::ReadFile(dir.WriteGzip("full.gz", Sample()));
  for (const std::size_t keep : {gz.size() / 2, gz.size() - 4, std::size_t{12}}) {
    const auto result = ReadAll(dir.Write("cut.gz", gz.substr(0, keep)));
    ASSERT_FALSE(result) << keep;
    EXPECT_EQ(result.error().code, ErrorCode::kInvalidInput);
    EXPECT_NE(result.error().message.find("truncated gzip"), std::string::npos)
        << result.error().message;
  }
}

TEST(ByteSourceTest, CorruptGzipIsAnError) {
  testing::TempDir dir;
  std::string gz = testing::ReadFile(dir.WriteGzip("full.gz", Sample()));
  for (std::size_t i = 20; i < 60; ++i) gz[i] = static_cast<char>(gz[i] ^ 0x5A);
  const auto result = ReadAll(dir.Write("bad.gz", gz));
  ASSERT_FALSE(result);
  EXPECT_NE(result.error().message.find("gzip"), std::string::npos) << result.error().message;
}

TEST(ByteSourceTest, MissingFileAndDirectory) {
  testing::TempDir dir;
  const auto missing = ByteSource::Open((dir.path() / "nope.csv").string());
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  const auto folder = ByteSource::Open(dir.path().string());
  ASSERT_FALSE(folder);
  EXPECT_EQ(folder.error().code, ErrorCode::kInvalidInput);
}

TEST(ByteSourceTest, ChecksumOfStoredBytesMatchesOneShotXxh3) {
  testing::TempDir dir;
  const std::string text = Sample();
  for (const bool gzip : {false, true}) {
    const std::string path = gzip ? dir.WriteGzip("s.gz", text) : dir.Write("s.csv", text);
    auto source = ByteSource::Open(path);
    ASSERT_TRUE(source);
    char buffer[777];  // odd-sized reads: the streaming hash must not depend on them
    while (*source->Read(buffer, sizeof buffer) > 0) {
    }
    const std::string stored = testing::ReadFile(path);
    XXH128_canonical_t canonical;
    XXH128_canonicalFromHash(&canonical, XXH3_128bits(stored.data(), stored.size()));
    std::string expected = "xxh3-128:";
    for (const unsigned char byte : canonical.digest) {
      constexpr const char* kHex = "0123456789abcdef";
      expected += kHex[byte >> 4];
      expected += kHex[byte & 0xF];
    }
    EXPECT_EQ(source->ChecksumHex(), expected);
  }
}

}  // namespace
}  // namespace costwise::ingest
