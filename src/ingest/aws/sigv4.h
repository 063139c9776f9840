#pragma once
// AWS Signature Version 4 (docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv.html): the
// canonical request, the string to sign, the derived signing key, and the two ways of carrying
// the signature, the Authorization header and a presigned URL's query parameters.
//
// Checked byte for byte against the official test suite (../shared/data/sigv4-suite) and against
// botocore on requests of every service costwise calls (tests/ingest/aws/sigv4_test.cpp).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace costwise::aws {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;            // empty for long-term keys
  std::optional<std::int64_t> expires;  // Unix seconds; empty when they do not expire
  std::string source;                   // where they came from ("environment", "profile dev", ...)

  [[nodiscard]] bool empty() const { return access_key_id.empty(); }
};

using HeaderField = std::pair<std::string, std::string>;
using QueryParam = std::pair<std::string, std::string>;  // decoded name and value

// A request as it will be sent. `path` is the path as it goes on the request line (its segments
// already percent-encoded by whoever built it); `query` holds decoded names and values, in order;
// header names keep their case, and the Host header must be among them.
struct HttpRequest {
  std::string method = "GET";
  std::string path = "/";
  std::vector<QueryParam> query;
  std::vector<HeaderField> headers;
  std::string body;

  // The first value of a header, by case-insensitive name.
  [[nodiscard]] std::optional<std::string_view> Header(std::string_view name) const;
  void SetHeader(std::string_view name, std::string value);  // replaces every same-named one
  void RemoveHeader(std::string_view name);
  // path + "?" + the encoded query (or just the path).
  [[nodiscard]] std::string Target() const;
};

struct SigningOptions {
  std::string region;
  std::string service;
  std::int64_t time = 0;  // Unix seconds, UTC
  // Every service but S3 normalizes the path (dot segments, repeated slashes) and encodes the
  // already-encoded path once more; S3 signs the path exactly as sent.
  bool normalize_path = true;
  bool double_encode_path = true;
  // Adds x-amz-content-sha256 (S3 requires it) with the payload hash.
  bool content_sha256_header = false;
  // The session token goes with the request but outside the signature (a few services want it so).
  bool omit_session_token = false;
  // Replaces the body's SHA-256 in the canonical request (for example "UNSIGNED-PAYLOAD").
  std::optional<std::string> payload_hash;
  int expires_seconds = 3600;  // presigned URLs only
};

// What the signature was computed over: for logs, errors ("signature does not match") and tests.
struct SigningResult {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;  // lower-case hex
  std::string signed_headers;
  std::string credential_scope;  // date/region/service/aws4_request
};

// Signs with the Authorization header. Adds, in this order and replacing any earlier ones,
// X-Amz-Security-Token (when there is a token), X-Amz-Date, x-amz-content-sha256 (when asked)
// and Authorization.
SigningResult SignWithHeaders(HttpRequest& request, const Credentials& credentials,
                              const SigningOptions& options);

// Presigns: appends X-Amz-Algorithm, X-Amz-Credential, X-Amz-Date, X-Amz-SignedHeaders,
// X-Amz-Expires, X-Amz-Security-Token (when there is a token) and X-Amz-Signature to the query.
SigningResult Presign(HttpRequest& request, const Credentials& credentials,
                      const SigningOptions& options);

// The pieces, public for the tests and the test double's error messages.
[[nodiscard]] std::string UriEncode(std::string_view text, bool keep_slash);
[[nodiscard]] std::string UriDecode(std::string_view text);
[[nodiscard]] std::string CanonicalUri(std::string_view path, const SigningOptions& options);
[[nodiscard]] std::string CanonicalQuery(const std::vector<QueryParam>& query);
[[nodiscard]] std::string AmzDate(std::int64_t unix_seconds);  // 20150830T123600Z
[[nodiscard]] std::string Sha256Hex(std::string_view data);
[[nodiscard]] std::string HmacSha256Hex(std::string_view key, std::string_view data);
[[nodiscard]] std::string SigningKey(std::string_view secret_access_key, std::string_view date,
                                     std::string_view region, std::string_view service);
// Splits "a=1&b=&c" into decoded pairs ("+" stays a plus, as AWS reads it).
[[nodiscard]] std::vector<QueryParam> ParseQuery(std::string_view query);

}  // namespace costwise::aws
