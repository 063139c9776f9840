#include "ingest/tag_parser.h"

#include <gtest/gtest.h>

namespace costwise::ingest {
namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

std::optional<Pairs> Parse(std::string_view text) {
  std::string storage;
  storage.reserve(text.size() * 2 + 16);
  std::vector<std::pair<std::string_view, std::string_view>> out;
  if (!ParseTagMap(text, storage, out)) return std::nullopt;
  Pairs pairs;
  for (const auto& [k, v] : out) pairs.emplace_back(k, v);
  return pairs;
}

TEST(TagParserTest, JsonObjects) {
  EXPECT_EQ(*Parse(R"({"application": "BrightLens", "environment": "dev"})"),
            (Pairs{{"application", "BrightLens"}, {"environment", "dev"}}));
  EXPECT_EQ(*Parse("{}"), Pairs{});
  EXPECT_EQ(*Parse(R"( { "n": 12 , "b": true, "z": null, "o": {"x": [1, "}"]} } )"),
            (Pairs{{"n", "12"}, {"b", "true"}, {"o", R"({"x": [1, "}"]})"}}));
  EXPECT_EQ(*Parse(R"({"esc": "a\"b\\c\n\u00e9\ud83d\ude00"})"),
            (Pairs{{"esc", "a\"b\\c\n\xC3\xA9\xF0\x9F\x98\x80"}}));
}

TEST(TagParserTest, PrestoMaps) {
  EXPECT_EQ(*Parse("{user_team=data, user_env=prod}"),
            (Pairs{{"user_team", "data"}, {"user_env", "prod"}}));
}

TEST(TagParserTest, RejectsMalformed) {
  for (const char* text : {"", "[]", "{", R"({"a": "b")", R"({"a" "b"})", R"({"a": "b",})",
                           R"({"a": "\x"})", R"({"a": "b"} trailing)", "{novalue}"}) {
    EXPECT_FALSE(Parse(text).has_value()) << text;
  }
}

}  // namespace
}  // namespace costwise::ingest
