#pragma once
// One AWS client for every service costwise calls: resolves the endpoint, signs with SigV4,
// sends, reads AWS's error answers in each protocol's shape, and retries what is worth retrying:
//  - throttling (Throttling, ThrottlingException, RequestLimitExceeded, SlowDown, ...), 5xx,
//    timeouts and lost connections: capped exponential backoff with full jitter (a random wait
//    between 0 and min(cap, base * 2^attempt)), up to RetryPolicy::max_attempts calls;
//  - expired credentials (ExpiredToken, ...): fetched again once, then retried;
//  - a clock skewed from AWS's (RequestTimeTooSkewed, "Signature expired"): signed again with
//    AWS's time from the answer's Date header, once.
// Access denied is never retried: the error names the IAM permission the call needs and AWS's
// own message says on what.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "ingest/aws/credentials_provider.h"
#include "ingest/aws/http_transport.h"
#include "ingest/aws/service.h"
#include "ingest/aws/sigv4.h"

namespace costwise::aws {

// An AWS error answer (or a failure to get one), with what a person needs to act on it.
struct AwsError {
  ErrorCode code = ErrorCode::kInternal;
  int http_status = 0;   // 0 when no answer came
  std::string aws_code;  // "AccessDenied", "ThrottlingException", ...
  std::string message;   // AWS's message, or the transport's
  std::string request_id;
  std::string service;    // "ec2"
  std::string operation;  // "StopInstances"
  int attempts = 0;

  // "AWS ec2 StopInstances: UnauthorizedOperation: <message> (HTTP 403, request id ...)" plus,
  // for access denied, which permission costwise needs.
  [[nodiscard]] std::string Describe() const;
  [[nodiscard]] Error ToError() const { return Error{code, Describe()}; }
};

template <typename T>
using AwsResult = expected<T, AwsError>;

struct RetryPolicy {
  int max_attempts = 5;  // calls in all, the first included
  std::chrono::milliseconds base{200};
  std::chrono::milliseconds cap{20000};
  std::chrono::milliseconds timeout{30000};  // one call, connection included
};

struct ClientConfig {
  std::string region;
  std::shared_ptr<CredentialsProvider> credentials;
  std::shared_ptr<HttpTransport> transport;  // CurlTransport when empty
  EndpointOverrides endpoints;
  RetryPolicy retry;
  // Seams for tests; real time, real sleep and a real random source when empty.
  std::function<std::int64_t()> now;
  std::function<void(std::chrono::milliseconds)> sleep;
  std::function<double()> random;  // uniform in [0, 1)
};

// What a client did, for progress reports and the tests.
struct ClientStats {
  std::int64_t calls = 0;    // HTTP requests sent
  std::int64_t retries = 0;  // of which retries
  std::int64_t credential_refreshes = 0;
  std::vector<std::chrono::milliseconds> backoffs;  // every wait, in order
};

class AwsClient {
 public:
  explicit AwsClient(ClientConfig config);

  // Sends `request` (path relative to the endpoint, no Host header) to `service`.
  // `operation` names the call in errors and permissions. A 2xx answer is the result; anything
  // else an AwsError. With a sink, a 2xx body streams into it (no retry once bytes flowed).
  [[nodiscard]] AwsResult<HttpResponse> Send(const ServiceInfo& service, std::string_view operation,
                                             HttpRequest request, const BodySink* sink = nullptr);

  // The query and EC2 protocols: Action, Version and `params` form-encoded in a POST.
  [[nodiscard]] AwsResult<HttpResponse> CallQuery(const ServiceInfo& service,
                                                  std::string_view action,
                                                  const std::vector<QueryParam>& params);
  // JSON 1.1: `body` POSTed with X-Amz-Target.
  [[nodiscard]] AwsResult<HttpResponse> CallJson(const ServiceInfo& service,
                                                 std::string_view operation, std::string body);

  [[nodiscard]] const std::string& region() const { return config_.region; }
  [[nodiscard]] const ClientStats& stats() const { return stats_; }
  [[nodiscard]] CredentialsProvider& credentials() { return *config_.credentials; }
  [[nodiscard]] const ClientConfig& config() const { return config_; }

 private:
  [[nodiscard]] std::chrono::milliseconds Backoff(int retry);
  [[nodiscard]] std::int64_t Now() const;

  ClientConfig config_;
  ClientStats stats_;
  std::int64_t clock_skew_ = 0;  // AWS's clock minus ours, learnt from a skew error
};

// Parses an AWS error answer of any protocol (JSON __type/message, query ErrorResponse, EC2
// Response/Errors, S3 Error, or a bare status for HEAD).
[[nodiscard]] AwsError ParseAwsError(const ServiceInfo& service, std::string_view operation,
                                     const HttpResponse& response);
// The IAM action a call needs: "ec2:StopInstances", "s3:ListBucket" for ListObjectsV2, ...
[[nodiscard]] std::string IamAction(const ServiceInfo& service, std::string_view operation);
// form-encoding for query-protocol bodies (RFC 3986 unreserved kept, the rest %XX).
[[nodiscard]] std::string FormEncode(const std::vector<QueryParam>& params);

}  // namespace costwise::aws
