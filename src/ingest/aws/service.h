#pragma once
// The AWS services costwise calls, their wire protocols, and where their endpoints are:
// https://<prefix>.<region>.amazonaws.com unless AWS_ENDPOINT_URL or a per-service
// AWS_ENDPOINT_URL_<SERVICE> (the AWS SDKs' names) sends the calls elsewhere, for example to
// LocalStack or the test double in tests/support/aws_double.py.
#include <map>
#include <string>
#include <string_view>

namespace costwise::aws {

enum class Protocol {
  kQuery,    // form-encoded Action=...&Version=..., XML answers (STS, CloudWatch)
  kEc2,      // the same request, XML answers without a Result wrapper (EC2)
  kJson,     // JSON 1.1 with X-Amz-Target (Athena, Pricing)
  kRestXml,  // REST paths, XML answers (S3)
};

struct ServiceInfo {
  std::string_view id;               // "cloudwatch": how costwise names it
  std::string_view signing_name;     // "monitoring": the SigV4 credential scope's service
  std::string_view endpoint_prefix;  // "monitoring": the host's first label
  std::string_view env_suffix;       // "CLOUDWATCH": AWS_ENDPOINT_URL_<suffix>
  std::string_view iam_prefix;       // "cloudwatch": the IAM action prefix
  Protocol protocol = Protocol::kQuery;
  std::string_view api_version;         // query protocols
  std::string_view json_target_prefix;  // JSON 1.1: X-Amz-Target = prefix.Operation
};

inline constexpr ServiceInfo kSts{"sts",        "sts", "sts", "STS", "sts", Protocol::kQuery,
                                  "2011-06-15", ""};
inline constexpr ServiceInfo kEc2{"ec2", "ec2",          "ec2",        "EC2",
                                  "ec2", Protocol::kEc2, "2016-11-15", ""};
inline constexpr ServiceInfo kCloudWatch{"cloudwatch", "monitoring",     "monitoring", "CLOUDWATCH",
                                         "cloudwatch", Protocol::kQuery, "2010-08-01", ""};
inline constexpr ServiceInfo kAthena{"athena", "athena",        "athena", "ATHENA",
                                     "athena", Protocol::kJson, "",       "AmazonAthena"};
inline constexpr ServiceInfo kPricing{
    "pricing",       "pricing", "api.pricing",        "PRICING", "pricing",
    Protocol::kJson, "",        "AWSPriceListService"};
inline constexpr ServiceInfo kSns{"sns",        "sns", "sns", "SNS", "sns", Protocol::kQuery,
                                  "2010-03-31", ""};
inline constexpr ServiceInfo kS3{"s3", "s3", "s3", "S3", "s3", Protocol::kRestXml, "", ""};

// Endpoint overrides, normally read from the environment (AWS_ENDPOINT_URL,
// AWS_ENDPOINT_URL_<SERVICE>; AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true ignores both).
struct EndpointOverrides {
  std::string all;                                 // every service
  std::map<std::string, std::string> per_service;  // by env_suffix ("S3", "CLOUDWATCH", ...)
};

// Where a call goes: scheme://host[:port] and a path prefix ("" or "/prefix").
struct Endpoint {
  std::string base_url;
  std::string path_prefix;
  std::string host;  // host[:port], the Host header
};

// The endpoint of `service` in `region`. Pricing answers only in us-east-1, eu-central-1 and
// ap-south-1: other regions use us-east-1. China regions end in amazonaws.com.cn.
[[nodiscard]] Endpoint ResolveEndpoint(const ServiceInfo& service, std::string_view region,
                                       const EndpointOverrides& overrides);
// The region the request is signed for (Pricing's fallback applies here too).
[[nodiscard]] std::string SigningRegion(const ServiceInfo& service, std::string_view region);
// Splits a URL like "http://127.0.0.1:4566/prefix/" into an Endpoint.
[[nodiscard]] Endpoint EndpointFromUrl(std::string_view url);

}  // namespace costwise::aws
