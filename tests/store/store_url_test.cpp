#include "store/store_url.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace costwise::store {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(ParseStoreUrlTest, TakesTheSqlitePathAsGiven) {
  const auto location = ParseStoreUrl("sqlite:data/costwise.db");
  ASSERT_TRUE(location) << location.error().message;
  EXPECT_EQ(location->backend, Backend::kSqlite);
  EXPECT_EQ(location->sqlite_path, "data/costwise.db");
  EXPECT_EQ(ParseStoreUrl("sqlite:/var/lib/costwise/db.sqlite")->sqlite_path,
            "/var/lib/costwise/db.sqlite");
  EXPECT_EQ(ParseStoreUrl("sqlite::memory:")->sqlite_path, ":memory:");
}

TEST(ParseStoreUrlTest, RejectsSqlitePathsSociCannotQuote) {
  const auto location = ParseStoreUrl("sqlite:a\"b.db");
  ASSERT_FALSE(location);
  EXPECT_EQ(location.error().code, ErrorCode::kInvalidInput);
}

TEST(ParseStoreUrlTest, AcceptsBothPostgresSchemesAndAddsDefaults) {
  for (const std::string_view url :
       {"postgresql://app@db.internal:5433/costwise", "postgres://app@db.internal:5433/costwise"}) {
    const auto location = ParseStoreUrl(url);
    ASSERT_TRUE(location) << location.error().message;
    EXPECT_EQ(location->backend, Backend::kPostgresql);
    EXPECT_EQ(
        location->postgres_uri,
        std::string(url) + "?application_name=costwise&connect_timeout=10&client_encoding=UTF8");
  }
}

TEST(ParseStoreUrlTest, KeepsParametersTheUrlSets) {
  const auto location = ParseStoreUrl(
      "postgresql://app@db/costwise?sslmode=require&connect_timeout=3&application_name=x");
  ASSERT_TRUE(location) << location.error().message;
  EXPECT_EQ(location->postgres_uri,
            "postgresql://app@db/costwise?sslmode=require&connect_timeout=3&application_name=x"
            "&client_encoding=UTF8");
}

TEST(ParseStoreUrlTest, PercentEncodesWhatSociWouldSplit) {
  const auto location =
      ParseStoreUrl("postgresql://app@db/costwise?application_name=cost \"wise\"");
  ASSERT_TRUE(location) << location.error().message;
  EXPECT_THAT(location->postgres_uri, HasSubstr("application_name=cost%20%22wise%22&"));
  EXPECT_THAT(location->postgres_uri, Not(HasSubstr(" ")));
}

TEST(ParseStoreUrlTest, RejectsMalformedPostgresUrlsWithoutThePassword) {
  const auto location = ParseStoreUrl("postgresql://app:hunter2@db/costwise?no_such_option=1");
  ASSERT_FALSE(location);
  EXPECT_EQ(location.error().code, ErrorCode::kInvalidInput);
  EXPECT_THAT(location.error().message, Not(HasSubstr("hunter2")));
}

TEST(ParseStoreUrlTest, RejectsUnknownSchemes) {
  const auto location = ParseStoreUrl("mysql://root:pw@db/costwise");
  ASSERT_FALSE(location);
  EXPECT_EQ(location.error().code, ErrorCode::kInvalidInput);
  EXPECT_THAT(location.error().message, HasSubstr("sqlite:PATH"));
  EXPECT_THAT(location.error().message, HasSubstr("postgresql://"));
  EXPECT_THAT(location.error().message, Not(HasSubstr(":pw@")));
}

TEST(RedactUrlPasswordTest, HidesUserInfoAndQueryPasswords) {
  EXPECT_EQ(RedactUrlPassword("postgresql://app:hunter2@db:5432/costwise"),
            "postgresql://app:***@db:5432/costwise");
  EXPECT_EQ(RedactUrlPassword("postgresql://app@db/costwise?password=hunter2&sslmode=require"),
            "postgresql://app@db/costwise?password=***&sslmode=require");
  EXPECT_EQ(RedactUrlPassword("postgresql://db?password=x"), "postgresql://db?password=***");
  EXPECT_EQ(RedactUrlPassword("postgresql://app@db/costwise"), "postgresql://app@db/costwise");
  EXPECT_EQ(RedactUrlPassword("sqlite:costwise.db"), "sqlite:costwise.db");
}

}  // namespace
}  // namespace costwise::store
