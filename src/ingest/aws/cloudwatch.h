#pragma once
// CloudWatch GetMetricData (query protocol): any number of metric queries, sent in batches of at
// most 500 (the API's limit), every page of each batch read (NextToken), results merged per
// query id in time order.
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "ingest/aws/client.h"

namespace costwise::aws {

inline constexpr std::size_t kMaxMetricQueriesPerCall = 500;

struct MetricQuery {
  std::string id;          // [a-z][a-zA-Z0-9_]*, unique in the call
  std::string name_space;  // "AWS/EC2", "CWAgent"
  std::string metric_name;
  std::vector<std::pair<std::string, std::string>> dimensions;
  int period_seconds = 300;
  std::string stat = "Average";
};

struct MetricResult {
  std::string id;
  std::string label;
  std::string status;                    // Complete | PartialData | InternalError | Forbidden
  std::vector<std::int64_t> timestamps;  // Unix seconds, ascending
  std::vector<double> values;
};

// Called after each call with (calls made, queries done, queries in all).
using MetricProgress = std::function<void(int calls, std::size_t done, std::size_t total)>;

// [start, end) in Unix seconds.
[[nodiscard]] AwsResult<std::vector<MetricResult>> GetMetricData(
    AwsClient& client, const std::vector<MetricQuery>& queries, std::int64_t start,
    std::int64_t end, const MetricProgress& progress = nullptr);

// "2026-11-18T11:05:00Z"
[[nodiscard]] std::string IsoTime(std::int64_t unix_seconds);

}  // namespace costwise::aws
