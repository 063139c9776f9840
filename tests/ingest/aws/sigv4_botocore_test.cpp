// The signer against botocore (Debian's python3-botocore) as a reference: botocore serializes and
// signs 240 requests of the six services costwise calls plus 10 presigned S3 URLs
// (botocore_requests.py); each is signed again here from the same method, URL, headers, body,
// region, service and instant, and must carry the same Authorization header, byte for byte.
#include <array>
#include <cstdio>
#include <map>
#include <memory>
#include <set>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/date.h"
#include "ingest/aws/sigv4.h"
#include "ingest/text.h"

namespace costwise::aws {
namespace {

constexpr int kPerService = 40;

nlohmann::json BotocoreRequests() {
  const std::string command = std::string("/usr/bin/python3 ") + COSTWISE_SOURCE_DIR +
                              "/tests/ingest/aws/botocore_requests.py " +
                              std::to_string(kPerService);
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  if (!pipe) return nullptr;
  std::string output;
  std::array<char, 65536> buffer{};
  std::size_t read = 0;
  while ((read = fread(buffer.data(), 1, buffer.size(), pipe.get())) > 0) {
    output.append(buffer.data(), read);
  }
  return nlohmann::json::parse(output, nullptr, /*allow_exceptions=*/false);
}

const nlohmann::json& Requests() {
  static const nlohmann::json requests = BotocoreRequests();
  return requests;
}

// "20260115T075111Z" -> Unix seconds.
std::int64_t ParseAmzDate(const std::string& text) {
  const std::string iso = text.substr(0, 4) + "-" + text.substr(4, 2) + "-" + text.substr(6, 2) +
                          "T" + text.substr(9, 2) + ":" + text.substr(11, 2) + ":" +
                          text.substr(13, 2) + "Z";
  return ParseTimestamp(iso).value();
}

struct Url {
  std::string host;
  std::string path;
  std::string query;
};

Url SplitUrl(const std::string& url) {
  Url out;
  const std::size_t authority = url.find("://") + 3;
  const std::size_t path = url.find('/', authority);
  out.host = url.substr(authority, path - authority);
  const std::size_t question = url.find('?', path);
  out.path = url.substr(path, question - path);
  if (question != std::string::npos) out.query = url.substr(question + 1);
  return out;
}

std::string HeaderOf(const nlohmann::json& entry, const std::string& name) {
  for (const auto& header : entry["headers"]) {
    if (ingest::LowerAscii(header[0].get<std::string>()) == ingest::LowerAscii(name))
      return header[1];
  }
  return "";
}

SigningOptions OptionsFor(const nlohmann::json& entry, std::int64_t time) {
  SigningOptions options;
  options.region = entry["region"];
  options.service = entry["service"];
  options.time = time;
  const bool s3 = entry["s3"];
  options.normalize_path = !s3;
  options.double_encode_path = !s3;
  options.content_sha256_header = s3;
  return options;
}

TEST(SigV4BotocoreTest, ReferenceRequestsWereGenerated) {
  ASSERT_TRUE(Requests().is_array())
      << "botocore_requests.py gave no JSON: is python3-botocore installed (make deps)?";
  EXPECT_GE(Requests().size(), 200u);
  std::set<std::string> services;
  for (const auto& entry : Requests()) services.insert(entry["service"].get<std::string>());
  EXPECT_EQ(services,
            (std::set<std::string>{"athena", "ec2", "monitoring", "pricing", "s3", "sts"}));
}

TEST(SigV4BotocoreTest, AuthorizationHeadersAgree) {
  ASSERT_TRUE(Requests().is_array());
  int compared = 0;
  for (const auto& entry : Requests()) {
    if (entry.value("presigned", false)) continue;
    SCOPED_TRACE(entry["service"].get<std::string>() + " " + entry["operation"].get<std::string>() +
                 " " + entry["url"].get<std::string>());
    const std::string expected = HeaderOf(entry, "Authorization");
    const std::string signed_list =
        expected.substr(expected.find("SignedHeaders=") + 14,
                        expected.find(", Signature=") - expected.find("SignedHeaders=") - 14);
    const std::string token = HeaderOf(entry, "X-Amz-Security-Token");

    // The request as botocore had it before signing: the headers it signed (the signer adds the
    // date, token and content hash itself) and its User-Agent, which nobody signs.
    const Url url = SplitUrl(entry["url"]);
    HttpRequest request;
    request.method = entry["method"];
    request.path = url.path;
    request.query = ParseQuery(url.query);
    request.body = entry["body"];
    request.headers.emplace_back("Host", url.host);
    for (const auto& header : entry["headers"]) {
      const std::string name = ingest::LowerAscii(header[0].get<std::string>());
      if (name == "x-amz-date" || name == "x-amz-security-token" || name == "authorization" ||
          name == "x-amz-content-sha256" || name == "host") {
        continue;
      }
      if (name == "user-agent" ||
          (";" + signed_list + ";").find(";" + name + ";") != std::string::npos) {
        request.headers.emplace_back(header[0], header[1]);
      }
    }
    Credentials credentials{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", token,
                            std::nullopt, "test"};
    SignWithHeaders(request, credentials,
                    OptionsFor(entry, ParseAmzDate(HeaderOf(entry, "X-Amz-Date"))));
    EXPECT_EQ(request.Header("Authorization").value_or(""), expected);
    ++compared;
  }
  EXPECT_GE(compared, 200);
}

TEST(SigV4BotocoreTest, PresignedUrlsAgree) {
  ASSERT_TRUE(Requests().is_array());
  int compared = 0;
  for (const auto& entry : Requests()) {
    if (!entry.value("presigned", false)) continue;
    SCOPED_TRACE(entry["url"].get<std::string>());
    const Url url = SplitUrl(entry["url"]);
    HttpRequest request;
    request.method = "GET";
    request.path = url.path;
    request.headers.emplace_back("Host", url.host);
    std::map<std::string, std::string> expected;
    for (auto& [name, value] : ParseQuery(url.query)) {
      if (name.starts_with("X-Amz-")) {
        expected[name] = value;
      } else {
        request.query.emplace_back(name, value);
      }
    }
    Credentials credentials{
        "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        expected.contains("X-Amz-Security-Token") ? expected["X-Amz-Security-Token"] : "",
        std::nullopt, "test"};
    SigningOptions options = OptionsFor(entry, ParseAmzDate(expected["X-Amz-Date"]));
    options.content_sha256_header = false;
    options.payload_hash = "UNSIGNED-PAYLOAD";
    options.expires_seconds = entry["expires"];
    Presign(request, credentials, options);
    std::map<std::string, std::string> ours;
    for (const auto& [name, value] : request.query) {
      if (name.starts_with("X-Amz-")) ours[name] = value;
    }
    EXPECT_EQ(ours, expected);
    ++compared;
  }
  EXPECT_GE(compared, 10);
}

}  // namespace
}  // namespace costwise::aws
