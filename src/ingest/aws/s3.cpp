#include "ingest/aws/s3.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "ingest/aws/json_read.h"
#include "ingest/aws/sts.h"
#include "ingest/aws/xml.h"

namespace costwise::aws {
namespace {

std::string ObjectPath(const std::string& bucket, const std::string& key) {
  std::string path = "/";
  path += UriEncode(bucket, false);
  path += '/';
  path += UriEncode(key, /*keep_slash=*/true);
  return path;
}

// "20261101T000000.000Z" or "2026-11-01T00:00:00.000Z" -> "2026-11".
std::string PeriodOf(std::string_view start) {
  std::string digits;
  for (char c : start) {
    if (c >= '0' && c <= '9') digits.push_back(c);
    if (digits.size() == 6) break;
  }
  if (digits.size() < 6) return "";
  return digits.substr(0, 4) + "-" + digits.substr(4, 2);
}

}  // namespace

AwsResult<std::vector<S3Object>> ListObjects(AwsClient& client, const std::string& bucket,
                                             const std::string& prefix) {
  std::vector<S3Object> objects;
  std::string token;
  while (true) {
    HttpRequest request;
    request.path = std::string(1, '/').append(UriEncode(bucket, false));
    request.query = {{"list-type", "2"}, {"prefix", prefix}};
    if (!token.empty()) request.query.emplace_back("continuation-token", token);
    auto response = client.Send(kS3, "ListObjectsV2", request);
    if (!response) return unexpected<AwsError>(std::move(response.error()));
    auto document = ParseXml(kS3, "ListObjectsV2", *response);
    if (!document) return unexpected<AwsError>(std::move(document.error()));
    const pugi::xml_node result = document->child("ListBucketResult");
    if (!result) {
      return unexpected<AwsError>(MalformedAnswer(kS3, "ListObjectsV2", "no ListBucketResult"));
    }
    for (const pugi::xml_node item : result.children("Contents")) {
      objects.push_back(
          S3Object{item.child("Key").text().as_string(), item.child("Size").text().as_llong(),
                   item.child("ETag").text().as_string(),
                   ParseAwsTime(item.child("LastModified").text().as_string()).value_or(0)});
    }
    const bool truncated =
        std::string_view(result.child("IsTruncated").text().as_string()) == "true";
    token = result.child("NextContinuationToken").text().as_string();
    if (!truncated || token.empty()) break;
  }
  return objects;
}

AwsResult<void> GetObject(AwsClient& client, const std::string& bucket, const std::string& key,
                          const BodySink& sink) {
  HttpRequest request;
  request.path = ObjectPath(bucket, key);
  auto response = client.Send(kS3, "GetObject", request, &sink);
  if (!response) return unexpected<AwsError>(std::move(response.error()));
  return {};
}

AwsResult<std::string> GetObjectText(AwsClient& client, const std::string& bucket,
                                     const std::string& key, std::size_t max_bytes) {
  std::string text;
  bool too_large = false;
  const BodySink sink = [&](std::string_view chunk) {
    if (text.size() + chunk.size() > max_bytes) {
      too_large = true;
      return false;
    }
    text.append(chunk);
    return true;
  };
  auto done = GetObject(client, bucket, key, sink);
  if (too_large) {
    AwsError error = MalformedAnswer(kS3, "GetObject", "");
    error.code = ErrorCode::kInvalidInput;
    error.message = fmt::format("s3://{}/{} is larger than {} bytes", bucket, key, max_bytes);
    return unexpected<AwsError>(std::move(error));
  }
  if (!done) return unexpected<AwsError>(std::move(done.error()));
  return text;
}

std::optional<std::pair<std::string, std::string>> ParseS3Url(std::string_view url) {
  if (!url.starts_with("s3://")) return std::nullopt;
  url.remove_prefix(5);
  const std::size_t slash = url.find('/');
  if (slash == 0 || url.empty()) return std::nullopt;
  if (slash == std::string_view::npos) return std::make_pair(std::string(url), std::string());
  return std::make_pair(std::string(url.substr(0, slash)), std::string(url.substr(slash + 1)));
}

Result<CurReport> ParseCurManifest(std::string_view text, std::string_view manifest_key,
                                   std::string_view bucket) {
  const auto json = nlohmann::json::parse(text, nullptr, false);
  auto fail = [&](std::string_view what) {
    return MakeError(ErrorCode::kInvalidInput,
                     fmt::format("CUR manifest s3://{}/{}: {}", bucket, manifest_key, what));
  };
  if (!json.is_object()) return fail("not a JSON object");
  CurReport report;
  report.manifest_key = std::string(manifest_key);
  const auto period = Member(json, "billingPeriod");
  report.billing_period = period.is_object() ? PeriodOf(TextOf(period, "start")) : "";
  if (report.billing_period.empty()) return fail("no billingPeriod.start");
  if (json.contains("reportKeys") && json["reportKeys"].is_array()) {
    report.version = TextOf(json, "assemblyId");
    for (const auto& key : json["reportKeys"]) {
      if (key.is_string()) report.keys.push_back(key.get<std::string>());
    }
  } else if (json.contains("dataFiles") && json["dataFiles"].is_array()) {
    report.version = TextOf(json, "executionId");
    for (const auto& file : json["dataFiles"]) {
      if (!file.is_string()) continue;
      const auto location = ParseS3Url(file.get<std::string>());
      if (!location)
        return fail(fmt::format("dataFiles entry {} is not an s3:// URL", file.dump()));
      if (location->first != bucket) {
        return fail(fmt::format("dataFiles entry {} is in another bucket", file.dump()));
      }
      report.keys.push_back(location->second);
    }
  } else {
    return fail("neither reportKeys (legacy CUR) nor dataFiles (data exports)");
  }
  return report;
}

AwsResult<std::vector<CurReport>> FindCurReports(AwsClient& client, const std::string& bucket,
                                                 const std::string& prefix) {
  auto objects = ListObjects(client, bucket, prefix);
  if (!objects) return unexpected<AwsError>(std::move(objects.error()));
  std::map<std::string, CurReport> latest;
  for (const S3Object& object : *objects) {
    if (!object.key.ends_with("-Manifest.json")) continue;
    auto text = GetObjectText(client, bucket, object.key);
    if (!text) return unexpected<AwsError>(std::move(text.error()));
    auto report = ParseCurManifest(*text, object.key, bucket);
    if (!report) {
      AwsError error = MalformedAnswer(kS3, "GetObject", "");
      error.code = report.error().code;
      error.message = report.error().message;
      return unexpected<AwsError>(std::move(error));
    }
    report->manifest_modified = object.last_modified;
    auto [it, inserted] = latest.try_emplace(report->billing_period, *report);
    // The latest write wins; on a tie the period's top-level manifest (the shorter key).
    if (!inserted && (report->manifest_modified > it->second.manifest_modified ||
                      (report->manifest_modified == it->second.manifest_modified &&
                       report->manifest_key.size() < it->second.manifest_key.size()))) {
      it->second = std::move(*report);
    }
  }
  std::vector<CurReport> out;
  for (auto& [period, report] : latest) out.push_back(std::move(report));
  return out;
}

}  // namespace costwise::aws
