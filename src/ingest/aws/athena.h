#pragma once
// Athena (JSON 1.1): StartQueryExecution, GetQueryExecution polled until the query ends, and
// GetQueryResults over every page, the header row dropped.
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "ingest/aws/client.h"

namespace costwise::aws {

struct AthenaQuery {
  std::string sql;
  std::string database;
  std::string workgroup;        // "" = primary
  std::string output_location;  // s3://bucket/prefix/; "" = the workgroup's
};

struct AthenaExecution {
  std::string id;
  std::string state;   // QUEUED | RUNNING | SUCCEEDED | FAILED | CANCELLED
  std::string reason;  // StateChangeReason, for FAILED and CANCELLED
  std::int64_t bytes_scanned = 0;
  std::int64_t engine_ms = 0;
};

[[nodiscard]] AwsResult<std::string> StartQueryExecution(AwsClient& client,
                                                         const AthenaQuery& query);
[[nodiscard]] AwsResult<AthenaExecution> GetQueryExecution(AwsClient& client,
                                                           const std::string& id);

struct AthenaWait {
  std::chrono::milliseconds first_poll{200};
  std::chrono::milliseconds max_poll{5000};
  std::chrono::seconds timeout{1800};
  std::function<void(std::chrono::milliseconds)> sleep;  // real sleep when empty
  std::function<void(const AthenaExecution&)> on_poll;   // progress
};

// Polls (the interval doubling up to max_poll) until the query succeeds; a FAILED or CANCELLED
// query is an error with Athena's reason, and so is a query still running after the timeout.
[[nodiscard]] AwsResult<AthenaExecution> WaitForQuery(AwsClient& client, const std::string& id,
                                                      const AthenaWait& wait);

using AthenaRow = std::vector<std::optional<std::string>>;  // nullopt = NULL

// Every result row in order; `columns` receives the column names before the first row.
// `row` returning false stops the reading.
[[nodiscard]] AwsResult<void> ReadQueryResults(
    AwsClient& client, const std::string& id,
    const std::function<void(std::vector<std::string>)>& columns,
    const std::function<bool(const AthenaRow&)>& row);

}  // namespace costwise::aws
