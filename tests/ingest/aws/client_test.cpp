// The AWS client's endpoints, error reading, retries with backoff and jitter, credential refresh
// and clock-skew correction, over a scripted transport.
#include "ingest/aws/client.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "ingest/aws/environment.h"
#include "ingest/aws/sts.h"
#include "scripted_transport.h"

namespace costwise::aws {
namespace {

using ::testing::HasSubstr;
using testing::ScriptedTransport;

class CountingCredentials final : public CredentialsProvider {
 public:
  Result<Credentials> Get() override {
    ++gets;
    return Credentials{"AKID" + std::to_string(invalidations), "secret", "", std::nullopt, "test"};
  }
  void Invalidate() override { ++invalidations; }
  std::string Describe() const override { return "counting"; }
  int gets = 0;
  int invalidations = 0;
};

struct ClientFixture : ::testing::Test {
  std::shared_ptr<ScriptedTransport> transport = std::make_shared<ScriptedTransport>();
  std::shared_ptr<CountingCredentials> credentials = std::make_shared<CountingCredentials>();
  std::vector<std::chrono::milliseconds> slept;
  std::int64_t now = 1795000000;  // 2026-11-18

  AwsClient MakeClient(int max_attempts = 5) {
    ClientConfig config;
    config.region = "eu-west-1";
    config.credentials = credentials;
    config.transport = transport;
    config.retry.max_attempts = max_attempts;
    config.retry.base = std::chrono::milliseconds(100);
    config.retry.cap = std::chrono::milliseconds(1000);
    config.now = [this] { return now; };
    config.sleep = [this](std::chrono::milliseconds wait) { slept.push_back(wait); };
    config.random = [] { return 0.5; };
    return AwsClient(std::move(config));
  }
};

TEST(EndpointTest, DefaultsFollowTheServicePrefixAndRegion) {
  const EndpointOverrides none;
  EXPECT_EQ(ResolveEndpoint(kEc2, "eu-west-1", none).base_url,
            "https://ec2.eu-west-1.amazonaws.com");
  EXPECT_EQ(ResolveEndpoint(kCloudWatch, "us-east-2", none).host,
            "monitoring.us-east-2.amazonaws.com");
  EXPECT_EQ(ResolveEndpoint(kAthena, "cn-north-1", none).host,
            "athena.cn-north-1.amazonaws.com.cn");
  // Pricing answers in three regions only.
  EXPECT_EQ(ResolveEndpoint(kPricing, "eu-west-1", none).host,
            "api.pricing.us-east-1.amazonaws.com");
  EXPECT_EQ(ResolveEndpoint(kPricing, "ap-south-1", none).host,
            "api.pricing.ap-south-1.amazonaws.com");
  EXPECT_EQ(SigningRegion(kPricing, "eu-west-1"), "us-east-1");
  EXPECT_EQ(SigningRegion(kEc2, "eu-west-1"), "eu-west-1");
}

TEST(EndpointTest, EnvironmentOverridesSendCallsElsewhere) {
  Environment env({{"AWS_ENDPOINT_URL", "http://127.0.0.1:4566/"},
                   {"AWS_ENDPOINT_URL_S3", "http://localhost:9000/prefix/"}});
  const EndpointOverrides overrides = env.Endpoints();
  const Endpoint ec2 = ResolveEndpoint(kEc2, "eu-west-1", overrides);
  EXPECT_EQ(ec2.base_url, "http://127.0.0.1:4566");
  EXPECT_EQ(ec2.host, "127.0.0.1:4566");
  EXPECT_EQ(ec2.path_prefix, "");
  const Endpoint s3 = ResolveEndpoint(kS3, "eu-west-1", overrides);
  EXPECT_EQ(s3.base_url, "http://localhost:9000");
  EXPECT_EQ(s3.path_prefix, "/prefix");
  EXPECT_EQ(EndpointFromUrl("https://example.com:443").host, "example.com");

  env.Set("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "TRUE");
  EXPECT_EQ(ResolveEndpoint(kEc2, "eu-west-1", env.Endpoints()).host,
            "ec2.eu-west-1.amazonaws.com");
}

TEST_F(ClientFixture, SignsWithTheServicesNameAndSendsTheHost) {
  transport->Answer(200,
                    "<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::"
                    "111122223333:user/a</Arn><UserId>AID</UserId><Account>111122223333"
                    "</Account></GetCallerIdentityResult></GetCallerIdentityResponse>");
  AwsClient client = MakeClient();
  auto identity = GetCallerIdentity(client);
  ASSERT_TRUE(identity) << identity.error().Describe();
  EXPECT_EQ(identity->account, "111122223333");
  ASSERT_EQ(transport->sent.size(), 1u);
  const HttpRequest& sent = transport->sent[0].request;
  EXPECT_EQ(transport->sent[0].base_url, "https://sts.eu-west-1.amazonaws.com");
  EXPECT_EQ(sent.Header("Host"), "sts.eu-west-1.amazonaws.com");
  EXPECT_EQ(sent.body, "Action=GetCallerIdentity&Version=2011-06-15");
  EXPECT_THAT(std::string(sent.Header("Authorization").value_or("")),
              HasSubstr("Credential=AKID0/20261118/eu-west-1/sts/aws4_request"));
}

TEST_F(ClientFixture, ThrottlingIsRetriedWithCappedExponentialBackoffAndFullJitter) {
  for (int i = 0; i < 5; ++i) {
    transport->Answer(400, R"({"__type":"com.amazonaws.athena#ThrottlingException",)"
                           R"("message":"Rate exceeded"})");
  }
  transport->Answer(200, R"({"QueryExecutionId":"q1"})");
  AwsClient client = MakeClient(/*max_attempts=*/6);
  auto response = client.CallJson(kAthena, "StartQueryExecution", "{}");
  ASSERT_TRUE(response) << response.error().Describe();
  EXPECT_EQ(client.stats().calls, 6);
  EXPECT_EQ(client.stats().retries, 5);
  // random() is 0.5: half of min(cap, base * 2^n) = 50, 100, 200, 400, then the 1000 ms cap.
  using std::chrono::milliseconds;
  EXPECT_EQ(slept,
            (std::vector<milliseconds>{milliseconds(50), milliseconds(100), milliseconds(200),
                                       milliseconds(400), milliseconds(500)}));
  EXPECT_EQ(transport->sent[0].request.Header("X-Amz-Target"), "AmazonAthena.StartQueryExecution");
}

TEST_F(ClientFixture, GivesUpAfterMaxAttemptsWithTheLastError) {
  for (int i = 0; i < 3; ++i) {
    transport->Answer(503,
                      "<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>"
                      "Request limit exceeded.</Message></Error></Errors><RequestID>r-1"
                      "</RequestID></Response>");
  }
  AwsClient client = MakeClient(/*max_attempts=*/3);
  auto response = client.CallQuery(kEc2, "DescribeInstances", {});
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, ErrorCode::kRateLimited);
  EXPECT_EQ(response.error().aws_code, "RequestLimitExceeded");
  EXPECT_EQ(response.error().request_id, "r-1");
  EXPECT_EQ(response.error().attempts, 3);
  EXPECT_EQ(response.error().Describe(),
            "AWS ec2 DescribeInstances: RequestLimitExceeded: Request limit exceeded. "
            "(HTTP 503, request id r-1, after 3 attempts)");
  EXPECT_EQ(transport->sent.size(), 3u);
  EXPECT_EQ(slept.size(), 2u);
}

TEST_F(ClientFixture, AccessDeniedIsNotRetriedAndNamesThePermission) {
  transport->Answer(403,
                    "<Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>You "
                    "are not authorized to perform this operation. User: arn:aws:sts::1:"
                    "assumed-role/costwise/s is not authorized to perform: "
                    "ec2:StopInstances on resource: arn:aws:ec2:eu-west-1:1:instance/i-1"
                    "</Message></Error></Errors></Response>");
  AwsClient client = MakeClient();
  auto response = client.CallQuery(kEc2, "StopInstances", {{"InstanceId.1", "i-1"}});
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, ErrorCode::kPermissionDenied);
  EXPECT_THAT(response.error().Describe(), HasSubstr("instance/i-1"));
  EXPECT_THAT(response.error().Describe(),
              HasSubstr("[costwise needs the IAM permission ec2:StopInstances]"));
  EXPECT_EQ(transport->sent.size(), 1u);
  EXPECT_TRUE(slept.empty());
  EXPECT_EQ(IamAction(kS3, "ListObjectsV2"), "s3:ListBucket");
  EXPECT_EQ(IamAction(kCloudWatch, "GetMetricData"), "cloudwatch:GetMetricData");
}

TEST_F(ClientFixture, ExpiredCredentialsAreFetchedAgainOnce) {
  transport->Answer(400,
                    "<ErrorResponse><Error><Type>Sender</Type><Code>ExpiredToken</Code>"
                    "<Message>The security token included in the request is expired"
                    "</Message></Error><RequestId>x</RequestId></ErrorResponse>");
  transport->Answer(200, "<GetMetricDataResponse/>");
  AwsClient client = MakeClient();
  auto response = client.CallQuery(kCloudWatch, "GetMetricData", {});
  ASSERT_TRUE(response) << response.error().Describe();
  EXPECT_EQ(credentials->invalidations, 1);
  EXPECT_EQ(client.stats().credential_refreshes, 1);
  EXPECT_THAT(std::string(transport->sent[1].request.Header("Authorization").value_or("")),
              HasSubstr("Credential=AKID1/"));
  EXPECT_TRUE(slept.empty());

  // Expired again right after a refresh: that is an error, not a loop.
  for (int i = 0; i < 2; ++i) {
    transport->Answer(400,
                      "<ErrorResponse><Error><Code>ExpiredToken</Code><Message>expired"
                      "</Message></Error></ErrorResponse>");
  }
  auto again = client.CallQuery(kCloudWatch, "GetMetricData", {});
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(credentials->invalidations, 2);
}

TEST_F(ClientFixture, AClockSkewIsCorrectedFromAwsDateHeader) {
  transport->Answer(403,
                    "<Error><Code>RequestTimeTooSkewed</Code><Message>The difference between "
                    "the request time and the current time is too large.</Message></Error>",
                    {{"Date", "Wed, 18 Nov 2026 13:00:00 GMT"}});
  transport->Answer(200, "");
  AwsClient client = MakeClient();
  HttpRequest request;
  request.path = "/bucket/key";
  auto response = client.Send(kS3, "GetObject", request);
  ASSERT_TRUE(response) << response.error().Describe();
  EXPECT_EQ(transport->sent[0].request.Header("X-Amz-Date"), "20261118T110640Z");
  EXPECT_EQ(transport->sent[1].request.Header("X-Amz-Date"), "20261118T130000Z");
  EXPECT_TRUE(transport->sent[1].request.Header("x-amz-content-sha256"));
}

TEST_F(ClientFixture, LostConnectionsAreRetriedAndReported) {
  transport->Fail("cannot reach https://ec2.eu-west-1.amazonaws.com: Couldn't connect to server");
  transport->Fail("cannot reach https://ec2.eu-west-1.amazonaws.com: Couldn't connect to server");
  AwsClient client = MakeClient(/*max_attempts=*/2);
  auto response = client.CallQuery(kEc2, "DescribeVolumes", {});
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(response.error().Describe(),
            "AWS ec2 DescribeVolumes: cannot reach https://ec2.eu-west-1.amazonaws.com: "
            "Couldn't connect to server (after 2 attempts)");
}

TEST(AwsErrorTest, EveryProtocolsErrorShapeIsRead) {
  HttpResponse json{400,
                    {{"x-amzn-RequestId", "j-1"}},
                    R"({"__type":"InvalidRequestException","Message":"bad SQL"})"};
  AwsError error = ParseAwsError(kAthena, "StartQueryExecution", json);
  EXPECT_EQ(error.aws_code, "InvalidRequestException");
  EXPECT_EQ(error.message, "bad SQL");
  EXPECT_EQ(error.request_id, "j-1");
  EXPECT_EQ(error.code, ErrorCode::kInvalidInput);

  HttpResponse header_only{400, {{"x-amzn-ErrorType", "ThrottlingException:http://x"}}, ""};
  EXPECT_EQ(ParseAwsError(kPricing, "GetProducts", header_only).aws_code, "ThrottlingException");

  HttpResponse s3{404,
                  {{"x-amz-request-id", "s-1"}},
                  "<?xml version=\"1.0\"?><Error><Code>NoSuchKey</Code><Message>The specified key "
                  "does not exist.</Message><RequestId>s-2</RequestId></Error>"};
  error = ParseAwsError(kS3, "GetObject", s3);
  EXPECT_EQ(error.aws_code, "NoSuchKey");
  EXPECT_EQ(error.request_id, "s-2");
  EXPECT_EQ(error.code, ErrorCode::kNotFound);

  HttpResponse head{403, {}, ""};
  error = ParseAwsError(kS3, "HeadObject", head);
  EXPECT_EQ(error.aws_code, "AccessDenied");
  EXPECT_THAT(error.message, HasSubstr("s3:GetObject"));

  HttpResponse ec2{400,
                   {},
                   "<Response><Errors><Error><Code>IncorrectInstanceState</Code>"
                   "<Message>not stopped</Message></Error></Errors></Response>"};
  EXPECT_EQ(ParseAwsError(kEc2, "ModifyInstanceAttribute", ec2).code, ErrorCode::kConflict);
}

TEST(AwsErrorTest, TheRealTransportSaysWhatItCouldNotReach) {
  CurlTransport transport;
  HttpRequest request;
  request.SetHeader("Host", "127.0.0.1:1");
  auto response =
      transport.Send("http://127.0.0.1:1", request, std::chrono::milliseconds(2000), nullptr);
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, ErrorCode::kUnavailable);
  EXPECT_THAT(response.error().message, HasSubstr("cannot reach http://127.0.0.1:1"));
}

}  // namespace
}  // namespace costwise::aws
