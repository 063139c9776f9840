// Onboarding AWS accounts through the store (SQLite): validation of names, account ids, role
// ARNs and CUR sources, the stored CUR source text, and the IAM policies built from them.
#include "service/cloud_accounts.h"

#include <algorithm>
#include <memory>
#include <set>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "test_files.h"

namespace costwise::service {
namespace {

using ::testing::HasSubstr;

constexpr std::int64_t kNow = 1'790'000'000;
constexpr char kPassword[] = "correct horse battery";

CurSource Athena() {
  CurSource source;
  source.kind = CurSource::Kind::kAthena;
  source.region = "eu-central-1";
  source.database = "athenacurcfn_costs";
  source.table = "costs";
  source.workgroup = "primary";
  source.output_location = "s3://results-bucket/athena/";
  source.data_location = "s3://cur-bucket/cur/costs/";
  return source;
}

// Every resource granted an action, over all statements.
std::set<std::string> ResourcesOf(const IamPolicy& policy, const std::string& action) {
  std::set<std::string> resources;
  for (const IamStatement& statement : policy.statements) {
    if (std::find(statement.actions.begin(), statement.actions.end(), action) !=
        statement.actions.end()) {
      resources.insert(statement.resources.begin(), statement.resources.end());
    }
  }
  return resources;
}

TEST(CurSourceTest, TextRoundTripsAndRejectsOtherText) {
  CurSource source = Athena();
  source.data_location = "s3://cur-bucket/a'b(c)/";
  const std::string text = CurSourceText(source);
  EXPECT_THAT(text, HasSubstr(R"({"athena":{"database":"athenacurcfn_costs")"));
  const auto back = ParseCurSourceText(text);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(CurSourceText(*back), text);
  EXPECT_EQ(back->data_location, source.data_location);

  CurSource s3;
  s3.kind = CurSource::Kind::kS3;
  s3.bucket = "b\"q";  // escaped, although validation would refuse it
  s3.region = "us-east-1";
  const auto s3_back = ParseCurSourceText(CurSourceText(s3));
  ASSERT_TRUE(s3_back) << s3_back.error().message;
  EXPECT_EQ(s3_back->bucket, "b\"q");
  EXPECT_EQ(s3_back->kind, CurSource::Kind::kS3);
  for (const char* bad : {"", "{}", R"({"gcs":{}})", R"({"s3":{"colour":"x"}})",
                          R"({"s3":{"bucket":"b"}} trailing)"}) {
    EXPECT_FALSE(ParseCurSourceText(bad)) << bad;
  }
}

TEST(CurSourceTest, ValidatesEachField) {
  EXPECT_TRUE(ValidateCurSource(Athena()));
  const auto invalid = [](auto change) {
    CurSource source = Athena();
    change(source);
    const Status status = ValidateCurSource(source);
    return !status && status.error().code == ErrorCode::kInvalidInput;
  };
  EXPECT_TRUE(invalid([](CurSource& s) { s.region = "moon-1"; }));
  EXPECT_TRUE(invalid([](CurSource& s) { s.database = "costs; DROP"; }));
  EXPECT_TRUE(invalid([](CurSource& s) { s.table = ""; }));
  EXPECT_TRUE(invalid([](CurSource& s) { s.workgroup = "a/b"; }));
  EXPECT_TRUE(invalid([](CurSource& s) { s.output_location = "s3://UPPER/x"; }));
  EXPECT_TRUE(invalid([](CurSource& s) { s.output_location = "results-bucket/athena/"; }));
  EXPECT_TRUE(invalid([](CurSource& s) { s.data_location = "s3://cur-bucket/*"; }));
  EXPECT_TRUE(invalid([](CurSource& s) { s.data_location = "s3://cur-bucket/${aws:username}"; }));
  EXPECT_TRUE(invalid([](CurSource& s) { s.data_location = "s3://a..b/x"; }));
  CurSource s3;
  s3.kind = CurSource::Kind::kS3;
  s3.bucket = "cur-bucket";
  s3.region = "us-gov-west-1";
  EXPECT_TRUE(ValidateCurSource(s3));
  s3.prefix = "with space/";
  EXPECT_FALSE(ValidateCurSource(s3));
}

TEST(CurSourceTest, RoleAndPrincipalArns) {
  EXPECT_TRUE(ValidateRoleArn("arn:aws:iam::123456789012:role/costwise"));
  EXPECT_TRUE(ValidateRoleArn("arn:aws:iam::123456789012:role/team/costwise-read@x"));
  for (const char* bad :
       {"arn:aws:iam::123456789012:user/costwise", "arn:aws:iam::1234:role/x",
        "arn:aws:iam::123456789012:role/", "costwise", "arn:aws:iam::123456789012:role/a b"}) {
    EXPECT_FALSE(ValidateRoleArn(bad)) << bad;
  }
  EXPECT_TRUE(ValidatePrincipalArn("arn:aws:iam::123456789012:root"));
  EXPECT_TRUE(ValidatePrincipalArn("arn:aws:iam::123456789012:user/costwise"));
  EXPECT_FALSE(ValidatePrincipalArn("arn:aws:iam::123456789012:group/x"));
}

class CloudAccountsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = store::OpenRepository("sqlite:" + (dir_.path() / "db.sqlite").string());
    ASSERT_TRUE(opened) << opened.error().message;
    repository_ = std::move(*opened);
    auto session = SignUp(*repository_, "owner@example.com", kPassword, "Engines", kNow);
    ASSERT_TRUE(session) << session.error().message;
    owner_ = session->principal;
  }

  costwise::testing::TempDir dir_;
  std::unique_ptr<store::Repository> repository_;
  Principal owner_;
};

TEST_F(CloudAccountsTest, CreatesWithAnExternalIdAndChecksTheInput) {
  const auto account = CreateCloudAccount(*repository_, owner_, " prod ", "123456789012", kNow);
  ASSERT_TRUE(account) << account.error().message;
  EXPECT_EQ(account->record.name, "prod");
  EXPECT_EQ(account->record.status, "pending");
  EXPECT_GE(account->record.external_id.size(), 32U);
  EXPECT_FALSE(account->cur_source);
  EXPECT_EQ(CreateCloudAccount(*repository_, owner_, "", "123456789012", kNow).error().code,
            ErrorCode::kInvalidInput);
  EXPECT_EQ(CreateCloudAccount(*repository_, owner_, "x", "1234567890", kNow).error().code,
            ErrorCode::kInvalidInput);
  Principal viewer = owner_;
  viewer.role = store::Role::kViewer;
  EXPECT_EQ(CreateCloudAccount(*repository_, viewer, "x", "210987654321", kNow).error().code,
            ErrorCode::kPermissionDenied);
}

TEST_F(CloudAccountsTest, ConfiguresRoleAndSourceAndBuildsLeastPrivilegePolicies) {
  const auto account = CreateCloudAccount(*repository_, owner_, "prod", "123456789012", kNow);
  ASSERT_TRUE(account);
  const std::int64_t id = account->record.id;
  EXPECT_EQ(
      ConfigureCloudAccount(*repository_, owner_, id, std::nullopt, std::nullopt).error().code,
      ErrorCode::kInvalidInput);
  const auto elsewhere = ConfigureCloudAccount(
      *repository_, owner_, id, "arn:aws:iam::210987654321:role/costwise", std::nullopt);
  ASSERT_FALSE(elsewhere);
  EXPECT_THAT(elsewhere.error().message, HasSubstr("210987654321"));

  const auto configured = ConfigureCloudAccount(
      *repository_, owner_, id, "arn:aws:iam::123456789012:role/costwise", Athena());
  ASSERT_TRUE(configured) << configured.error().message;
  ASSERT_TRUE(configured->cur_source);
  EXPECT_EQ(configured->cur_source->workgroup, "primary");

  const auto policies = CloudAccountPolicies(*repository_, owner_, id, "");
  ASSERT_TRUE(policies) << policies.error().message;
  EXPECT_FALSE(policies->principal_configured);
  ASSERT_EQ(policies->trust.statements.size(), 1U);
  EXPECT_EQ(policies->trust.statements[0].principal_aws, kPlaceholderPrincipal);
  EXPECT_EQ(policies->trust.statements[0].conditions[0].values[0], account->record.external_id);
  ASSERT_TRUE(policies->permissions);
  const IamPolicy& read = *policies->permissions;
  EXPECT_EQ(ResourcesOf(read, "athena:GetQueryResults"),
            std::set<std::string>{"arn:aws:athena:eu-central-1:123456789012:workgroup/primary"});
  EXPECT_EQ(ResourcesOf(read, "glue:GetTable"),
            (std::set<std::string>{
                "arn:aws:glue:eu-central-1:123456789012:catalog",
                "arn:aws:glue:eu-central-1:123456789012:database/athenacurcfn_costs",
                "arn:aws:glue:eu-central-1:123456789012:table/athenacurcfn_costs/costs"}));
  EXPECT_EQ(ResourcesOf(read, "s3:PutObject"),
            std::set<std::string>{"arn:aws:s3:::results-bucket/athena/*"});
  EXPECT_EQ(ResourcesOf(read, "pricing:GetProducts"), std::set<std::string>{"*"});
  EXPECT_TRUE(ResourcesOf(read, "ec2:StopInstances").empty());
  EXPECT_EQ(ResourcesOf(policies->apply, "ec2:StopInstances"),
            std::set<std::string>{"arn:aws:ec2:*:123456789012:instance/*"});

  // Another organisation's owner does not find it.
  auto other = SignUp(*repository_, "eve@example.com", kPassword, "Other", kNow);
  ASSERT_TRUE(other);
  EXPECT_EQ(CloudAccountPolicies(*repository_, other->principal, id, "").error().code,
            ErrorCode::kNotFound);
  EXPECT_EQ(DeleteCloudAccount(*repository_, other->principal, id).error().code,
            ErrorCode::kNotFound);
}

}  // namespace
}  // namespace costwise::service
