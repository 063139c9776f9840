#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "core/error.h"

namespace costwise {
namespace {

Result<int> Half(int value) {
  if (value % 2 != 0) return MakeError(ErrorCode::kInvalidInput, "odd");
  return value / 2;
}

TEST(ResultTest, HoldsValueOrError) {
  const Result<int> ok = Half(4);
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(*ok, 2);
  const Result<int> bad = Half(3);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidInput);
  EXPECT_EQ(bad.error().message, "odd");
  EXPECT_EQ(bad.value_or(7), 7);
}

TEST(ResultTest, MoveOnlyValuesAndVoid) {
  Result<std::unique_ptr<int>> owned = std::make_unique<int>(5);
  ASSERT_TRUE(owned);
  std::unique_ptr<int> taken = std::move(*owned);
  EXPECT_EQ(*taken, 5);
  const Status fine{};
  EXPECT_TRUE(fine.has_value());
  const Status failed = MakeError(ErrorCode::kNotFound, "gone");
  EXPECT_FALSE(failed.has_value());
  EXPECT_EQ(ErrorCodeName(failed.error().code), "not_found");
}

}  // namespace
}  // namespace costwise
