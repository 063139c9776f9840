#include "core/tags.h"

#include <gtest/gtest.h>

namespace costwise {
namespace {

TEST(TagsTest, CanonicalizeSortsDedupesAndDropsEmpty) {
  Tags tags = {{"team", "a"}, {"env", "prod"}, {"team", "b"}, {"empty", ""}};
  Canonicalize(tags);
  ASSERT_EQ(tags.size(), 2U);
  EXPECT_EQ(tags[0], (Tag{"env", "prod"}));
  EXPECT_EQ(tags[1], (Tag{"team", "b"}));
}

TEST(TagsTest, CanonicalJsonEscapes) {
  EXPECT_EQ(CanonicalTagsJson({}), "{}");
  EXPECT_EQ(CanonicalTagsJson({{"a\"b", "line\nbreak"}, {"c", "\x01"}}),
            R"({"a\"b":"line\nbreak","c":"\u0001"})");
}

}  // namespace
}  // namespace costwise
