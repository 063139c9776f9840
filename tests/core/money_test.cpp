#include "core/money.h"

#include <gtest/gtest.h>

namespace costwise {
namespace {

std::int64_t Nanos(std::string_view text) {
  const auto money = Money::Parse(text);
  EXPECT_TRUE(money.has_value()) << text;
  return money ? money->nanos() : 0;
}

TEST(MoneyTest, ParsesPlainDecimals) {
  EXPECT_EQ(Nanos("0"), 0);
  EXPECT_EQ(Nanos("1"), 1'000'000'000);
  EXPECT_EQ(Nanos("12.5"), 12'500'000'000);
  EXPECT_EQ(Nanos("-0.00000080000"), -800);
  EXPECT_EQ(Nanos("+3.25"), 3'250'000'000);
  EXPECT_EQ(Nanos(".5"), 500'000'000);
  EXPECT_EQ(Nanos("7."), 7'000'000'000);
  EXPECT_EQ(Nanos("000123.000"), 123'000'000'000);
}

TEST(MoneyTest, ParsesScientificNotation) {
  EXPECT_EQ(Nanos("1.0E-4"), 100'000);
  EXPECT_EQ(Nanos("2.5e3"), 2'500'000'000'000);
  EXPECT_EQ(Nanos("1E+2"), 100'000'000'000);
  EXPECT_EQ(Nanos("5e-10"), 1);  // half rounds away from zero
  EXPECT_EQ(Nanos("4e-10"), 0);
}

TEST(MoneyTest, RoundsHalfAwayFromZeroAtNineDecimals) {
  EXPECT_EQ(Nanos("0.0000000015"), 2);
  EXPECT_EQ(Nanos("0.0000000014999"), 1);
  EXPECT_EQ(Nanos("-0.0000000015"), -2);
  EXPECT_EQ(Nanos("0.00000000049"), 0);
}

TEST(MoneyTest, RejectsNonNumbers) {
  for (const char* text : {"", "-", "abc", "1.2.3", "1e", "1e+", "12a", "0x10", "1,5", " 1",
                           "99999999999999999999", "1e30"}) {
    EXPECT_FALSE(Money::Parse(text).has_value()) << text;
  }
}

TEST(MoneyTest, FormatsRounded) {
  EXPECT_EQ(Money::FromNanos(1'682'308'697).ToString(2), "1.68");
  EXPECT_EQ(Money::FromNanos(1'685'000'000).ToString(2), "1.69");
  EXPECT_EQ(Money::FromNanos(-1'685'000'000).ToString(2), "-1.69");
  EXPECT_EQ(Money::FromNanos(-4'000'000).ToString(2), "0.00");
  EXPECT_EQ(Money::FromNanos(5).ToString(9), "0.000000005");
  EXPECT_EQ(Money::FromNanos(12'000'000'000).ToString(0), "12");
  EXPECT_EQ(Money::FromNanos(std::numeric_limits<std::int64_t>::min()).ToString(2),
            "-9223372036.85");
}

TEST(MoneyTest, SumsExactly) {
  Money sum;
  for (int i = 0; i < 1000; ++i) sum += *Money::Parse("0.001");
  EXPECT_EQ(sum.ToString(9), "1.000000000");
  EXPECT_EQ((Money::FromNanos(5) - Money::FromNanos(7)).nanos(), -2);
}

TEST(MoneyTest, CheckedArithmeticDetectsOverflow) {
  const Money big = Money::FromNanos(std::numeric_limits<std::int64_t>::max() - 1);
  EXPECT_FALSE(Money::CheckedAdd(big, Money::FromNanos(2)).has_value());
  EXPECT_EQ(Money::CheckedAdd(big, Money::FromNanos(1))->nanos(),
            std::numeric_limits<std::int64_t>::max());
  EXPECT_FALSE(Money::CheckedSubtract(Money::FromNanos(-3), big).has_value());
  EXPECT_EQ(Money::CheckedSubtract(Money::FromNanos(5), Money::FromNanos(7))->nanos(), -2);
}

TEST(ParseDoubleTest, ParsesAndRejects) {
  EXPECT_DOUBLE_EQ(*ParseDouble("2.5"), 2.5);
  EXPECT_DOUBLE_EQ(*ParseDouble("+1e3"), 1000.0);
  EXPECT_FALSE(ParseDouble("").has_value());
  EXPECT_FALSE(ParseDouble("1.5x").has_value());
}

}  // namespace
}  // namespace costwise
