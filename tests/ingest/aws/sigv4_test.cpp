// The signer against the official AWS Signature Version 4 test suite (../shared/data/sigv4-suite,
// 38 cases, each signed with the Authorization header and as a presigned URL), byte for byte:
// canonical request, string to sign, signature and the signed request.
#include "ingest/aws/sigv4.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/date.h"

namespace costwise::aws {
namespace {

namespace fs = std::filesystem;

std::string Slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << "cannot read " << path;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

fs::path SuiteDir() { return fs::path(COSTWISE_SHARED_DATA_DIR) / "sigv4-suite" / "v4"; }

// request.txt, split the way the suite means it: the request line's target may hold spaces, a
// header line that starts with white space continues the previous header.
struct SuiteRequest {
  std::string method;
  std::string target;                     // as written: path and raw query
  std::vector<std::string> header_lines;  // raw, for rebuilding the signed request
  HttpRequest request;
};

SuiteRequest ParseSuiteRequest(const std::string& text) {
  SuiteRequest out;
  std::size_t line_end = text.find('\n');
  const std::string request_line = text.substr(0, line_end);
  const std::size_t first_space = request_line.find(' ');
  const std::size_t last_space = request_line.rfind(' ');
  out.method = request_line.substr(0, first_space);
  out.target = request_line.substr(first_space + 1, last_space - first_space - 1);
  out.request.method = out.method;
  const std::size_t question = out.target.find('?');
  out.request.path = out.target.substr(0, question);
  if (question != std::string::npos)
    out.request.query = ParseQuery(out.target.substr(question + 1));

  std::size_t position = line_end + 1;
  while (position < text.size()) {
    line_end = text.find('\n', position);
    if (line_end == std::string::npos) line_end = text.size();
    const std::string line = text.substr(position, line_end - position);
    position = line_end + 1;
    if (line.empty()) break;
    out.header_lines.push_back(line);
    if (line.front() == ' ' || line.front() == '\t') {
      out.request.headers.back().second += "\n" + line;
      continue;
    }
    const std::size_t colon = line.find(':');
    out.request.headers.emplace_back(line.substr(0, colon), line.substr(colon + 1));
  }
  out.request.body = position < text.size() ? text.substr(position) : "";
  return out;
}

struct SuiteCase {
  std::string name;
  fs::path dir;
  Credentials credentials;
  SigningOptions options;
};

SuiteCase LoadCase(const fs::path& dir) {
  const auto context = nlohmann::json::parse(Slurp(dir / "context.json"));
  SuiteCase out;
  out.name = dir.filename().string();
  out.dir = dir;
  out.credentials.access_key_id = context["credentials"]["access_key_id"];
  out.credentials.secret_access_key = context["credentials"]["secret_access_key"];
  out.credentials.session_token = context["credentials"].value("token", "");
  out.options.region = context["region"];
  out.options.service = context["service"];
  out.options.time = ParseTimestamp(context["timestamp"].get<std::string>()).value();
  out.options.normalize_path = context["normalize"];
  out.options.content_sha256_header = context["sign_body"];
  out.options.omit_session_token = context.value("omit_session_token", false);
  out.options.expires_seconds = context["expiration_in_seconds"];
  return out;
}

std::vector<fs::path> SuiteCases() {
  std::vector<fs::path> dirs;
  for (const auto& entry : fs::directory_iterator(SuiteDir())) {
    if (entry.is_directory()) dirs.push_back(entry.path());
  }
  std::sort(dirs.begin(), dirs.end());
  return dirs;
}

std::string JoinLines(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& line : lines) out += line + "\n";
  return out;
}

TEST(SigV4SuiteTest, HasEveryCase) { EXPECT_EQ(SuiteCases().size(), 38u); }

TEST(SigV4SuiteTest, HeaderSigningMatchesEveryCase) {
  for (const fs::path& dir : SuiteCases()) {
    const SuiteCase test_case = LoadCase(dir);
    SCOPED_TRACE(test_case.name);
    SuiteRequest parsed = ParseSuiteRequest(Slurp(dir / "request.txt"));
    const std::size_t original_headers = parsed.request.headers.size();
    const SigningResult result =
        SignWithHeaders(parsed.request, test_case.credentials, test_case.options);
    EXPECT_EQ(result.canonical_request, Slurp(dir / "header-canonical-request.txt"));
    EXPECT_EQ(result.string_to_sign, Slurp(dir / "header-string-to-sign.txt"));
    EXPECT_EQ(result.signature, Slurp(dir / "header-signature.txt"));

    std::vector<std::string> lines = parsed.header_lines;
    for (std::size_t i = original_headers; i < parsed.request.headers.size(); ++i) {
      lines.push_back(parsed.request.headers[i].first + ":" + parsed.request.headers[i].second);
    }
    const std::string signed_request = parsed.method + " " + parsed.target + " HTTP/1.1\n" +
                                       JoinLines(lines) + "\n" + parsed.request.body;
    EXPECT_EQ(signed_request, Slurp(dir / "header-signed-request.txt"));
  }
}

TEST(SigV4SuiteTest, PresignedUrlMatchesEveryCase) {
  for (const fs::path& dir : SuiteCases()) {
    const SuiteCase test_case = LoadCase(dir);
    SCOPED_TRACE(test_case.name);
    SuiteRequest parsed = ParseSuiteRequest(Slurp(dir / "request.txt"));
    const std::size_t original_params = parsed.request.query.size();
    const SigningResult result = Presign(parsed.request, test_case.credentials, test_case.options);
    EXPECT_EQ(result.canonical_request, Slurp(dir / "query-canonical-request.txt"));
    EXPECT_EQ(result.string_to_sign, Slurp(dir / "query-string-to-sign.txt"));
    EXPECT_EQ(result.signature, Slurp(dir / "query-signature.txt"));

    std::string target = parsed.target;
    char separator = target.find('?') == std::string::npos ? '?' : '&';
    for (std::size_t i = original_params; i < parsed.request.query.size(); ++i) {
      target += separator + UriEncode(parsed.request.query[i].first, false) + "=" +
                UriEncode(parsed.request.query[i].second, false);
      separator = '&';
    }
    const std::string signed_request = parsed.method + " " + target + " HTTP/1.1\n" +
                                       JoinLines(parsed.header_lines) + "\n" + parsed.request.body;
    EXPECT_EQ(signed_request, Slurp(dir / "query-signed-request.txt"));
  }
}

TEST(SigV4Test, SigningKeyMatchesTheDocumentedExample) {
  // The derived key of the AWS General Reference's example (secret, 20120215, us-east-1, iam).
  const std::string key =
      SigningKey("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20120215", "us-east-1", "iam");
  std::string hex;
  for (unsigned char c : key) hex += fmt::format("{:02x}", c);
  EXPECT_EQ(hex, "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d");
}

TEST(SigV4Test, UriEncodingFollowsAwsRules) {
  EXPECT_EQ(UriEncode("a b+c/d~e*", false), "a%20b%2Bc%2Fd~e%2A");
  EXPECT_EQ(UriEncode("a b/c", true), "a%20b/c");
  EXPECT_EQ(UriDecode("a%20b%2Fc%zz%4"), "a b/c%zz%4");
  EXPECT_EQ(UriEncode("\xe1\x88\xb4", false), "%E1%88%B4");
}

TEST(SigV4Test, S3PathsAreSignedAsSent) {
  SigningOptions s3;
  s3.normalize_path = false;
  s3.double_encode_path = false;
  EXPECT_EQ(CanonicalUri("/bucket/a%20b/../c", s3), "/bucket/a%20b/../c");
  SigningOptions other;
  EXPECT_EQ(CanonicalUri("/bucket/a%20b/../c", other), "/bucket/c");
  EXPECT_EQ(CanonicalUri("/a%20b", other), "/a%2520b");
  EXPECT_EQ(CanonicalUri("", other), "/");
}

TEST(SigV4Test, ResigningReplacesTheEarlierSignature) {
  HttpRequest request;
  request.headers = {{"Host", "sts.amazonaws.com"}};
  Credentials credentials{"AKID", "secret", "token", std::nullopt, "test"};
  SigningOptions options;
  options.region = "us-east-1";
  options.service = "sts";
  options.time = 1440938160;
  const SigningResult first = SignWithHeaders(request, credentials, options);
  options.time += 60;
  const SigningResult second = SignWithHeaders(request, credentials, options);
  EXPECT_NE(first.signature, second.signature);
  int authorizations = 0;
  for (const auto& [name, value] : request.headers) authorizations += name == "Authorization";
  EXPECT_EQ(authorizations, 1);
  EXPECT_EQ(request.Header("x-amz-date"), "20150830T123700Z");
  EXPECT_EQ(request.headers.size(), 4u);  // Host, token, date, Authorization
}

}  // namespace
}  // namespace costwise::aws
