#include "ingest/aws/client.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <ctime>
#include <random>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <pugixml.hpp>

#include "core/clock.h"
#include "ingest/aws/json_read.h"

namespace costwise::aws {
namespace {

bool OneOf(std::string_view code, std::initializer_list<std::string_view> codes) {
  return std::find(codes.begin(), codes.end(), code) != codes.end();
}

bool IsThrottling(std::string_view code, int status) {
  return status == 429 ||
         OneOf(code, {"Throttling", "ThrottlingException", "ThrottledException",
                      "RequestThrottledException", "TooManyRequestsException",
                      "ProvisionedThroughputExceededException", "TransactionInProgressException",
                      "RequestLimitExceeded", "BandwidthLimitExceeded", "LimitExceededException",
                      "RequestThrottled", "SlowDown", "PriorRequestNotComplete",
                      "EC2ThrottledException"});
}

bool IsTransient(std::string_view code, int status) {
  return status >= 500 || status == 0 ||
         OneOf(code, {"RequestTimeout", "RequestTimeoutException", "InternalError",
                      "InternalFailure", "ServiceUnavailable", "IDPCommunicationError"});
}

bool IsExpiredCredentials(std::string_view code) {
  return OneOf(code,
               {"ExpiredToken", "ExpiredTokenException", "RequestExpired", "TokenRefreshRequired"});
}

bool IsClockSkew(const AwsError& error) {
  return OneOf(error.aws_code,
               {"RequestTimeTooSkewed", "RequestExpired", "InvalidSignatureException",
                "SignatureDoesNotMatch", "AuthFailure"}) &&
         (error.aws_code == "RequestTimeTooSkewed" ||
          error.message.find("expired") != std::string::npos ||
          error.message.find("Signature not yet current") != std::string::npos);
}

ErrorCode CodeFor(std::string_view code, int status) {
  if (OneOf(code, {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation",
                   "UnauthorizedAccess", "AuthorizationError", "Forbidden", "OptInRequired"})) {
    return ErrorCode::kPermissionDenied;
  }
  if (OneOf(code, {"InvalidClientTokenId", "UnrecognizedClientException", "InvalidAccessKeyId",
                   "SignatureDoesNotMatch", "InvalidSignatureException", "AuthFailure",
                   "IncompleteSignature", "MissingAuthenticationToken"}) ||
      IsExpiredCredentials(code)) {
    return ErrorCode::kUnauthenticated;
  }
  if (IsThrottling(code, status)) return ErrorCode::kRateLimited;
  if (IsTransient(code, status)) return ErrorCode::kUnavailable;
  if (status == 404 || code.starts_with("NoSuch") || code.ends_with("NotFound") ||
      code.ends_with("NotFoundException")) {
    return ErrorCode::kNotFound;
  }
  if (status == 409 || OneOf(code, {"IncorrectInstanceState", "IncorrectState"})) {
    return ErrorCode::kConflict;
  }
  if (status == 403) return ErrorCode::kPermissionDenied;
  return ErrorCode::kInvalidInput;
}

// "Fri, 27 Nov 2026 10:00:00 GMT" -> Unix seconds.
std::optional<std::int64_t> ParseHttpDate(std::string_view text) {
  std::tm parsed{};
  const std::string copy(text);
  if (strptime(copy.c_str(), "%a, %d %b %Y %H:%M:%S", &parsed) == nullptr) return std::nullopt;
  return static_cast<std::int64_t>(timegm(&parsed));
}

std::string XmlText(const pugi::xml_node& node, const char* name) {
  return node.child(name).text().as_string();
}

}  // namespace

std::string AwsError::Describe() const {
  std::string text = fmt::format("AWS {} {}: ", service, operation);
  text += aws_code.empty() ? message : aws_code + (message.empty() ? "" : ": " + message);
  std::vector<std::string> details;
  if (http_status != 0) details.push_back(fmt::format("HTTP {}", http_status));
  if (!request_id.empty()) details.push_back("request id " + request_id);
  if (attempts > 1) details.push_back(fmt::format("after {} attempts", attempts));
  if (!details.empty()) text += " (" + fmt::format("{}", fmt::join(details, ", ")) + ")";
  return text;
}

std::string FormEncode(const std::vector<QueryParam>& params) {
  std::string out;
  for (const auto& [name, value] : params) {
    if (!out.empty()) out.push_back('&');
    out.append(UriEncode(name, false)).append("=").append(UriEncode(value, false));
  }
  return out;
}

std::string IamAction(const ServiceInfo& service, std::string_view operation) {
  if (service.id == kS3.id) {
    if (operation == "ListObjectsV2" || operation == "ListObjects") return "s3:ListBucket";
    if (operation == "HeadObject") return "s3:GetObject";
  }
  if (service.id == kPricing.id) return fmt::format("pricing:{}", operation);
  return fmt::format("{}:{}", service.iam_prefix, operation);
}

AwsError ParseAwsError(const ServiceInfo& service, std::string_view operation,
                       const HttpResponse& response) {
  AwsError error;
  error.http_status = response.status;
  error.service = std::string(service.id);
  error.operation = std::string(operation);
  error.request_id = std::string(response.Header("x-amzn-RequestId"));
  if (error.request_id.empty()) error.request_id = std::string(response.Header("x-amz-request-id"));

  const std::string_view body = response.body;
  const std::size_t first = body.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos && body[first] == '{') {
    const auto json = nlohmann::json::parse(body, nullptr, false);
    if (json.is_object()) {
      std::string type = TextOf(json, "__type");
      if (type.empty()) type = TextOf(json, "code");
      if (const std::size_t hash = type.rfind('#'); hash != std::string::npos) {
        type = type.substr(hash + 1);
      }
      error.aws_code = type;
      error.message = TextOf(json, "message");
      if (error.message.empty()) error.message = TextOf(json, "Message");
    }
  } else if (first != std::string_view::npos && body[first] == '<') {
    pugi::xml_document document;
    if (document.load_buffer(body.data(), body.size())) {
      // Query protocols: ErrorResponse/Error; EC2: Response/Errors/Error; S3: Error.
      pugi::xml_node node = document.child("ErrorResponse").child("Error");
      if (!node) node = document.child("Response").child("Errors").child("Error");
      if (!node) node = document.child("Error");
      error.aws_code = XmlText(node, "Code");
      error.message = XmlText(node, "Message");
      std::string id = XmlText(document.child("ErrorResponse"), "RequestId");
      if (id.empty()) id = XmlText(document.child("Response"), "RequestID");
      if (id.empty()) id = XmlText(document.child("Error"), "RequestId");
      if (!id.empty()) error.request_id = id;
    }
  }
  if (error.aws_code.empty()) {
    std::string_view type = response.Header("x-amzn-ErrorType");
    type = type.substr(0, type.find(':'));
    error.aws_code = std::string(type);
  }
  if (error.aws_code.empty()) {
    // HEAD answers and proxies: only the status speaks.
    switch (response.status) {
      case 403:
        error.aws_code = "AccessDenied";
        break;
      case 404:
        error.aws_code = "NotFound";
        break;
      case 503:
        error.aws_code = "ServiceUnavailable";
        break;
      default:
        error.aws_code = fmt::format("HTTP{}", response.status);
        break;
    }
  }
  if (error.message.empty() && !body.empty() && first == std::string_view::npos) {
    error.message = std::string(body.substr(0, 200));
  }
  error.code = CodeFor(error.aws_code, response.status);
  if (error.code == ErrorCode::kPermissionDenied) {
    error.message +=
        fmt::format(" [costwise needs the IAM permission {}]", IamAction(service, operation));
  }
  return error;
}

AwsClient::AwsClient(ClientConfig config) : config_(std::move(config)) {
  if (!config_.transport) config_.transport = std::make_shared<CurlTransport>();
  if (!config_.sleep) {
    config_.sleep = [](std::chrono::milliseconds wait) { std::this_thread::sleep_for(wait); };
  }
  if (!config_.random) {
    auto engine = std::make_shared<std::mt19937_64>(std::random_device{}());
    config_.random = [engine] { return std::uniform_real_distribution<double>(0.0, 1.0)(*engine); };
  }
}

std::int64_t AwsClient::Now() const {
  return (config_.now ? config_.now() : UnixSecondsNow()) + clock_skew_;
}

std::chrono::milliseconds AwsClient::Backoff(int retry) {
  // Full jitter (aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/).
  const double ceiling = std::min<double>(
      static_cast<double>(config_.retry.cap.count()),
      static_cast<double>(config_.retry.base.count()) * std::pow(2.0, std::min(retry, 30)));
  return std::chrono::milliseconds(static_cast<std::int64_t>(config_.random() * ceiling));
}

AwsResult<HttpResponse> AwsClient::Send(const ServiceInfo& service, std::string_view operation,
                                        HttpRequest request, const BodySink* sink) {
  const Endpoint endpoint = ResolveEndpoint(service, config_.region, config_.endpoints);
  request.path = endpoint.path_prefix + (request.path.empty() ? "/" : request.path);
  request.SetHeader("Host", endpoint.host);
  if (!request.Header("User-Agent")) request.SetHeader("User-Agent", "costwise/0.1");

  SigningOptions options;
  options.region = SigningRegion(service, config_.region);
  options.service = std::string(service.signing_name);
  if (service.protocol == Protocol::kRestXml) {
    options.normalize_path = false;
    options.double_encode_path = false;
    options.content_sha256_header = true;
  }

  // A streamed body cannot be taken back: once bytes reached the sink, no retry.
  std::size_t delivered = 0;
  const BodySink counting = [&](std::string_view chunk) {
    delivered += chunk.size();
    return (*sink)(chunk);
  };
  const BodySink* transfer_sink = sink != nullptr ? &counting : nullptr;

  bool refreshed_credentials = false;
  bool corrected_skew = false;
  AwsError last;
  int attempt = 0;
  int retries = 0;
  while (attempt < config_.retry.max_attempts) {
    ++attempt;
    auto credentials =
        config_.credentials
            ? config_.credentials->Get()
            : Result<Credentials>(MakeError(ErrorCode::kUnauthenticated, "no credentials"));
    if (!credentials) {
      AwsError error;
      error.code = credentials.error().code;
      error.service = std::string(service.id);
      error.operation = std::string(operation);
      error.message = "no AWS credentials: " + credentials.error().message;
      error.attempts = attempt;
      return unexpected<AwsError>(std::move(error));
    }
    options.time = Now();
    HttpRequest signed_request = request;
    SignWithHeaders(signed_request, *credentials, options);
    ++stats_.calls;
    if (attempt > 1) ++stats_.retries;
    auto response = config_.transport->Send(endpoint.base_url, signed_request,
                                            config_.retry.timeout, transfer_sink);
    if (!response) {
      last = AwsError{ErrorCode::kUnavailable,  0,      "",
                      response.error().message, "",     std::string(service.id),
                      std::string(operation),   attempt};
      if (delivered > 0) break;
    } else if (response->status >= 200 && response->status < 300) {
      return std::move(*response);
    } else {
      last = ParseAwsError(service, operation, *response);
      last.attempts = attempt;
      if (IsClockSkew(last) && !corrected_skew) {
        corrected_skew = true;
        if (auto aws_time = ParseHttpDate(response->Header("Date"))) {
          clock_skew_ = *aws_time - (config_.now ? config_.now() : UnixSecondsNow());
          --attempt;  // not the service's fault: a free retry
          continue;
        }
      }
      if (IsExpiredCredentials(last.aws_code) && !refreshed_credentials && config_.credentials) {
        refreshed_credentials = true;
        ++stats_.credential_refreshes;
        config_.credentials->Invalidate();
        --attempt;
        continue;
      }
      if (!IsThrottling(last.aws_code, last.http_status) &&
          !IsTransient(last.aws_code, last.http_status)) {
        break;
      }
    }
    if (attempt >= config_.retry.max_attempts) break;
    const std::chrono::milliseconds wait = Backoff(retries++);
    stats_.backoffs.push_back(wait);
    config_.sleep(wait);
  }
  last.attempts = std::max(last.attempts, attempt);
  if (last.code == ErrorCode::kInternal) last.code = ErrorCode::kUnavailable;
  return unexpected<AwsError>(std::move(last));
}

AwsResult<HttpResponse> AwsClient::CallQuery(const ServiceInfo& service, std::string_view action,
                                             const std::vector<QueryParam>& params) {
  std::vector<QueryParam> all = {{"Action", std::string(action)},
                                 {"Version", std::string(service.api_version)}};
  all.insert(all.end(), params.begin(), params.end());
  HttpRequest request;
  request.method = "POST";
  request.path = "/";
  request.body = FormEncode(all);
  request.SetHeader("Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
  return Send(service, action, std::move(request));
}

AwsResult<HttpResponse> AwsClient::CallJson(const ServiceInfo& service, std::string_view operation,
                                            std::string body) {
  HttpRequest request;
  request.method = "POST";
  request.path = "/";
  request.body = std::move(body);
  request.SetHeader("Content-Type", "application/x-amz-json-1.1");
  request.SetHeader("X-Amz-Target", fmt::format("{}.{}", service.json_target_prefix, operation));
  return Send(service, operation, std::move(request));
}

}  // namespace costwise::aws
