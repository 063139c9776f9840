#pragma once
// S3 (REST XML, path-style requests): ListObjectsV2 over every page, GetObject streamed, and the
// Cost and Usage Report manifests that say which files make the latest version of each billing
// period's report (legacy CUR: reportKeys; CUR 2.0 and FOCUS data exports: dataFiles).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ingest/aws/client.h"

namespace costwise::aws {

struct S3Object {
  std::string key;
  std::int64_t size = 0;
  std::string etag;
  std::int64_t last_modified = 0;  // Unix seconds
};

[[nodiscard]] AwsResult<std::vector<S3Object>> ListObjects(AwsClient& client,
                                                           const std::string& bucket,
                                                           const std::string& prefix);
// Streams the object's bytes into `sink`.
[[nodiscard]] AwsResult<void> GetObject(AwsClient& client, const std::string& bucket,
                                        const std::string& key, const BodySink& sink);
// A small object (a manifest) as text; InvalidInput when it is larger than max_bytes.
[[nodiscard]] AwsResult<std::string> GetObjectText(AwsClient& client, const std::string& bucket,
                                                   const std::string& key,
                                                   std::size_t max_bytes = 16 << 20);

// "s3://bucket/some/key" -> {"bucket", "some/key"}; empty when not an s3:// URL.
[[nodiscard]] std::optional<std::pair<std::string, std::string>> ParseS3Url(std::string_view url);

struct CurReport {
  std::string billing_period;  // "YYYY-MM"
  std::string version;         // assemblyId (legacy) or executionId (data exports)
  std::string manifest_key;
  std::int64_t manifest_modified = 0;
  std::vector<std::string> keys;  // the report's data files, in `bucket`
};

// A manifest's report, or why it cannot be read (which field is missing).
[[nodiscard]] Result<CurReport> ParseCurManifest(std::string_view text,
                                                 std::string_view manifest_key,
                                                 std::string_view bucket);

// The latest report version of each billing period under bucket/prefix, by period: each
// *-Manifest.json is read and, per billing period, the most recently written one wins.
[[nodiscard]] AwsResult<std::vector<CurReport>> FindCurReports(AwsClient& client,
                                                               const std::string& bucket,
                                                               const std::string& prefix);

}  // namespace costwise::aws
