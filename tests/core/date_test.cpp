#include "core/date.h"

#include <gtest/gtest.h>

namespace costwise {
namespace {

TEST(DateTest, RoundTripsCivilDates) {
  EXPECT_EQ(Date::Parse("1970-01-01")->days(), 0);
  EXPECT_EQ(Date::Parse("1970-01-02")->days(), 1);
  EXPECT_EQ(Date::Parse("1969-12-31")->days(), -1);
  EXPECT_EQ(Date::Parse("2000-03-01")->days(), 11'017);
  for (std::int32_t days = -700'000; days < 700'000; days += 97) {
    const Date date = Date::FromDays(days);
    EXPECT_EQ(Date::Parse(date.ToString())->days(), days);
  }
}

TEST(DateTest, RejectsImpossibleDates) {
  for (const char* text : {"2023-02-29", "2023-13-01", "2023-00-10", "2023-04-31", "2023-4-01",
                           "20230401", "2023-04-01x", ""}) {
    EXPECT_FALSE(Date::Parse(text).has_value()) << text;
  }
  EXPECT_TRUE(Date::Parse("2024-02-29").has_value());
}

TEST(DateTest, MonthHelpers) {
  const Date date = *Date::Parse("2024-09-18");
  EXPECT_EQ(date.MonthString(), "2024-09");
  EXPECT_EQ(date.FirstOfMonth().ToString(), "2024-09-01");
  EXPECT_EQ(date.AddDays(13).ToString(), "2024-10-01");
}

TEST(TimestampTest, ParsesBillingExportForms) {
  const std::int64_t day = 19'662LL * 86'400;  // 2023-11-01
  EXPECT_EQ(ParseTimestamp("2023-11-01T00:00:00Z"), day);
  EXPECT_EQ(ParseTimestamp("2023-11-01T00:00:00.000Z"), day);
  EXPECT_EQ(ParseTimestamp("2023-11-01 22:00:00"), day + 22 * 3600);
  EXPECT_EQ(ParseTimestamp("2023-11-01"), day);
  EXPECT_EQ(ParseTimestamp("2023-11-01T01:30"), day + 5400);
  EXPECT_EQ(ParseTimestamp("2023-11-01T02:00:00+02:00"), day);
  EXPECT_EQ(ParseTimestamp("2023-11-01T00:00:00-0130"), day + 5400);
  for (const char* text : {"2023-11-01X00:00:00", "2023-11-01T25:00:00", "2023-11-01T00:00:00Q",
                           "2023-11-01T00:00:00+2", "yesterday", "2023-11-01T00:00:00."}) {
    EXPECT_FALSE(ParseTimestamp(text).has_value()) << text;
  }
}

TEST(TimestampTest, DayOfTimestampFloors) {
  EXPECT_EQ(DateOfTimestamp(86'399).days(), 0);
  EXPECT_EQ(DateOfTimestamp(86'400).days(), 1);
  EXPECT_EQ(DateOfTimestamp(-1).days(), -1);
  // An offset moves the instant to the previous UTC day.
  EXPECT_EQ(DateOfTimestamp(*ParseTimestamp("2024-09-01T01:00:00+02:00")).ToString(), "2024-08-31");
}

}  // namespace
}  // namespace costwise
