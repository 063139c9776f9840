// The credentials chain: environment, shared profiles (static keys, role_arn with source_profile
// and an External ID), STS AssumeRole caching and refresh, IMDSv2, and the chain's errors.
#include "ingest/aws/credentials.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "../test_files.h"
#include "scripted_transport.h"

namespace costwise::aws {
namespace {

using ::testing::HasSubstr;
using testing::ScriptedTransport;

std::string AssumeRoleAnswer(const std::string& key, const std::string& expiration) {
  return "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
         "<AssumeRoleResult><Credentials><AccessKeyId>" +
         key +
         "</AccessKeyId><SecretAccessKey>temp-secret</SecretAccessKey><SessionToken>temp-token"
         "</SessionToken><Expiration>" +
         expiration +
         "</Expiration></Credentials><AssumedRoleUser><Arn>arn:aws:sts::444455556666:assumed-role"
         "/costwise/costwise</Arn><AssumedRoleId>AROA:costwise</AssumedRoleId></AssumedRoleUser>"
         "</AssumeRoleResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata>"
         "</AssumeRoleResponse>";
}

TEST(EnvironmentCredentialsTest, ReadsKeysAndToken) {
  EnvironmentCredentials provider(Environment({{"AWS_ACCESS_KEY_ID", "AKIDENV"},
                                               {"AWS_SECRET_ACCESS_KEY", "s"},
                                               {"AWS_SESSION_TOKEN", "t"}}));
  auto credentials = provider.Get();
  ASSERT_TRUE(credentials);
  EXPECT_EQ(credentials->access_key_id, "AKIDENV");
  EXPECT_EQ(credentials->session_token, "t");

  EnvironmentCredentials half(
      Environment(std::map<std::string, std::string>{{"AWS_ACCESS_KEY_ID", "AKIDENV"}}));
  ASSERT_FALSE(half.Get());
  EXPECT_EQ(half.Get().error().code, ErrorCode::kInvalidInput);
  EXPECT_THAT(half.Get().error().message, HasSubstr("AWS_SECRET_ACCESS_KEY is not"));
}

TEST(SharedFilesTest, ParsesBothFilesKinds) {
  const auto config = ParseIni(
      "# comment\n[default]\nregion = eu-west-1 ; inline\n[profile dev]\nrole_arn=arn:x\n"
      "s3 =\n  max_concurrent_requests = 20\n[sso-session corp]\nsso_region = x\n",
      true);
  ASSERT_EQ(config.size(), 2u);
  EXPECT_EQ(config.at("default").at("region"), "eu-west-1");
  EXPECT_EQ(config.at("dev").at("role_arn"), "arn:x");
  EXPECT_FALSE(config.at("dev").contains("max_concurrent_requests"));
  const auto credentials =
      ParseIni("[dev]\nAWS_ACCESS_KEY_ID = AKID\naws_secret_access_key=a#b\n", false);
  EXPECT_EQ(credentials.at("dev").at("aws_access_key_id"), "AKID");
  EXPECT_EQ(credentials.at("dev").at("aws_secret_access_key"), "a#b");
}

struct ProfileFixture : ::testing::Test {
  costwise::testing::TempDir dir;
  std::shared_ptr<ScriptedTransport> transport = std::make_shared<ScriptedTransport>();
  std::int64_t now = 1795000000;  // 2026-11-18T11:06:40Z

  Environment MakeEnvironment(const std::string& profile) {
    const std::string credentials = dir.Write(
        "credentials",
        "[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = base-secret\n"
        "[static]\naws_access_key_id = AKIDSTATIC\naws_secret_access_key = static-secret\n"
        "aws_session_token = static-token\n");
    const std::string config =
        dir.Write("config",
                  "[profile costwise]\nrole_arn = arn:aws:iam::444455556666:role/costwise\n"
                  "source_profile = base\nexternal_id = cw-ext-123\nrole_session_name = sync\n"
                  "duration_seconds = 1800\nregion = eu-west-1\n"
                  "[profile loop-a]\nrole_arn = arn:a\nsource_profile = loop-b\n"
                  "[profile loop-b]\nrole_arn = arn:b\nsource_profile = loop-a\n"
                  "[profile broken]\nrole_arn = arn:c\n");
    return Environment({{"AWS_SHARED_CREDENTIALS_FILE", credentials},
                        {"AWS_CONFIG_FILE", config},
                        {"AWS_PROFILE", profile},
                        {"AWS_EC2_METADATA_DISABLED", "true"}});
  }

  ClientConfig Base() {
    ClientConfig base;
    base.transport = transport;
    base.now = [this] { return now; };
    base.sleep = [](std::chrono::milliseconds) {};
    return base;
  }
};

TEST_F(ProfileFixture, StaticKeysComeFromTheCredentialsFile) {
  auto chain = DefaultCredentialsChain(MakeEnvironment("static"), Base());
  auto credentials = chain->Get();
  ASSERT_TRUE(credentials) << credentials.error().message;
  EXPECT_EQ(credentials->access_key_id, "AKIDSTATIC");
  EXPECT_EQ(credentials->session_token, "static-token");
  EXPECT_EQ(chain->Describe(), "profile static");
  EXPECT_TRUE(transport->sent.empty());
}

TEST_F(ProfileFixture, ARoleWithSourceProfileIsAssumedWithItsExternalIdAndCached) {
  transport->Answer(200, AssumeRoleAnswer("ASIAFIRST", "2026-11-18T11:36:40Z"));
  transport->Answer(200, AssumeRoleAnswer("ASIASECOND", "2026-11-18T12:06:40Z"));
  auto chain = DefaultCredentialsChain(MakeEnvironment("costwise"), Base());
  auto first = chain->Get();
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->access_key_id, "ASIAFIRST");
  EXPECT_EQ(first->session_token, "temp-token");
  ASSERT_EQ(transport->sent.size(), 1u);
  const HttpRequest& call = transport->sent[0].request;
  EXPECT_EQ(transport->sent[0].base_url, "https://sts.eu-west-1.amazonaws.com");
  EXPECT_EQ(call.body,
            "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A444455556666%3A"
            "role%2Fcostwise&RoleSessionName=sync&DurationSeconds=1800&ExternalId=cw-ext-123");
  EXPECT_THAT(std::string(call.Header("Authorization").value_or("")),
              HasSubstr("Credential=AKIDBASE/20261118/eu-west-1/sts/aws4_request"));
  EXPECT_THAT(chain->Describe(), HasSubstr("role arn:aws:iam::444455556666:role/costwise "
                                           "assumed with profile base"));

  now += 1000;  // 24 minutes before expiry: still cached
  EXPECT_EQ(chain->Get()->access_key_id, "ASIAFIRST");
  EXPECT_EQ(transport->sent.size(), 1u);
  now += 600;  // within five minutes of expiry: fetched again
  EXPECT_EQ(chain->Get()->access_key_id, "ASIASECOND");
  EXPECT_EQ(transport->sent.size(), 2u);
}

TEST_F(ProfileFixture, AssumeRoleRefusedSaysWhichRoleAndWhy) {
  transport->Answer(403,
                    "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code>"
                    "<Message>User: arn:aws:iam::111122223333:user/base is not authorized "
                    "to perform: sts:AssumeRole on resource: arn:aws:iam::444455556666:"
                    "role/costwise</Message></Error><RequestId>r</RequestId>"
                    "</ErrorResponse>");
  auto chain = DefaultCredentialsChain(MakeEnvironment("costwise"), Base());
  auto credentials = chain->Get();
  ASSERT_FALSE(credentials);
  EXPECT_EQ(credentials.error().code, ErrorCode::kPermissionDenied);
  EXPECT_THAT(credentials.error().message,
              HasSubstr("cannot assume arn:aws:iam::444455556666:role/costwise"));
  EXPECT_THAT(credentials.error().message, HasSubstr("sts:AssumeRole"));
}

TEST_F(ProfileFixture, BrokenProfilesAreClearErrors) {
  auto loop = DefaultCredentialsChain(MakeEnvironment("loop-a"), Base())->Get();
  ASSERT_FALSE(loop);
  EXPECT_THAT(loop.error().message, HasSubstr("loop"));
  auto broken = DefaultCredentialsChain(MakeEnvironment("broken"), Base())->Get();
  ASSERT_FALSE(broken);
  EXPECT_THAT(broken.error().message, HasSubstr("has role_arn but no source_profile"));
  auto missing = DefaultCredentialsChain(MakeEnvironment("nobody"), Base())->Get();
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kUnauthenticated);
  EXPECT_THAT(missing.error().message, HasSubstr("no AWS credentials found"));
  EXPECT_THAT(missing.error().message, HasSubstr("AWS_ACCESS_KEY_ID is not set"));
  EXPECT_THAT(missing.error().message, HasSubstr("no profile \"nobody\""));
}

TEST_F(ProfileFixture, EnvironmentKeysComeFirst) {
  Environment env = MakeEnvironment("costwise");
  env.Set("AWS_ACCESS_KEY_ID", "AKIDENV");
  env.Set("AWS_SECRET_ACCESS_KEY", "env-secret");
  auto credentials = DefaultCredentialsChain(env, Base())->Get();
  ASSERT_TRUE(credentials);
  EXPECT_EQ(credentials->access_key_id, "AKIDENV");
  EXPECT_EQ(DefaultRegion(env), "eu-west-1");  // the profile's region
  env.Set("AWS_REGION", "ap-south-1");
  EXPECT_EQ(DefaultRegion(env), "ap-south-1");
}

TEST(InstanceMetadataTest, UsesAnImdsV2SessionToken) {
  auto transport = std::make_shared<ScriptedTransport>();
  transport->Answer(200, "session-token");
  transport->Answer(200, "costwise-role\n");
  transport->Answer(200, R"({"Code":"Success","LastUpdated":"2026-11-18T11:00:00Z",)"
                         R"("Type":"AWS-HMAC","AccessKeyId":"ASIAIMDS","SecretAccessKey":"s",)"
                         R"("Token":"t","Expiration":"2026-11-18T17:00:00Z"})");
  std::int64_t now = 1795000000;
  InstanceMetadataCredentials provider(
      Environment(std::map<std::string, std::string>{
          {"AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:9/"}}),
      transport, [&] { return now; });
  auto credentials = provider.Get();
  ASSERT_TRUE(credentials) << credentials.error().message;
  EXPECT_EQ(credentials->access_key_id, "ASIAIMDS");
  EXPECT_EQ(*credentials->expires, 1795000000 + 6 * 3600 - 400);
  ASSERT_EQ(transport->sent.size(), 3u);
  EXPECT_EQ(transport->sent[0].request.method, "PUT");
  EXPECT_EQ(transport->sent[0].request.path, "/latest/api/token");
  EXPECT_EQ(transport->sent[0].request.Header("X-aws-ec2-metadata-token-ttl-seconds"), "21600");
  EXPECT_EQ(transport->sent[2].request.path,
            "/latest/meta-data/iam/security-credentials/costwise-role");
  EXPECT_EQ(transport->sent[2].request.Header("X-aws-ec2-metadata-token"), "session-token");
  EXPECT_EQ(transport->sent[2].base_url, "http://127.0.0.1:9");
  EXPECT_EQ(provider.Get()->access_key_id, "ASIAIMDS");  // cached
  EXPECT_EQ(provider.fetches(), 1);
}

TEST(InstanceMetadataTest, OffEc2ItIsAClearError) {
  auto transport = std::make_shared<ScriptedTransport>();
  transport->Fail("cannot reach http://169.254.169.254: Connection timed out");
  transport->Fail("cannot reach http://169.254.169.254: Connection timed out");
  InstanceMetadataCredentials provider(Environment(), transport, nullptr);
  auto credentials = provider.Get();
  ASSERT_FALSE(credentials);
  EXPECT_THAT(credentials.error().message, HasSubstr("instance metadata session token"));
  EXPECT_EQ(transport->sent[0].timeout, std::chrono::milliseconds(1000));
}

}  // namespace
}  // namespace costwise::aws
