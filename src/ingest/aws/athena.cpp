#include "ingest/aws/athena.h"

#include <algorithm>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "ingest/aws/json_read.h"
#include "ingest/aws/xml.h"
#include "ingest/text.h"

namespace costwise::aws {
namespace {

AwsResult<nlohmann::json> CallJsonObject(AwsClient& client, std::string_view operation,
                                         const nlohmann::json& body) {
  auto response = client.CallJson(kAthena, operation, body.dump());
  if (!response) return unexpected<AwsError>(std::move(response.error()));
  auto json = nlohmann::json::parse(response->body, nullptr, false);
  if (!json.is_object()) {
    return unexpected<AwsError>(MalformedAnswer(kAthena, operation, "not a JSON object"));
  }
  return json;
}

}  // namespace

AwsResult<std::string> StartQueryExecution(AwsClient& client, const AthenaQuery& query) {
  nlohmann::json body = {{"QueryString", query.sql},
                         {"QueryExecutionContext", {{"Database", query.database}}}};
  if (!query.workgroup.empty()) body["WorkGroup"] = query.workgroup;
  if (!query.output_location.empty()) {
    body["ResultConfiguration"] = {{"OutputLocation", query.output_location}};
  }
  auto answer = CallJsonObject(client, "StartQueryExecution", body);
  if (!answer) return unexpected<AwsError>(std::move(answer.error()));
  std::string id = TextOf(*answer, "QueryExecutionId");
  if (id.empty()) {
    return unexpected<AwsError>(
        MalformedAnswer(kAthena, "StartQueryExecution", "no QueryExecutionId"));
  }
  return id;
}

AwsResult<AthenaExecution> GetQueryExecution(AwsClient& client, const std::string& id) {
  auto answer = CallJsonObject(client, "GetQueryExecution", {{"QueryExecutionId", id}});
  if (!answer) return unexpected<AwsError>(std::move(answer.error()));
  const auto execution = Member(*answer, "QueryExecution");
  const nlohmann::json& status = Member(execution, "Status");
  const nlohmann::json& statistics = Member(execution, "Statistics");
  AthenaExecution out;
  out.id = id;
  out.state = TextOf(status, "State");
  out.reason = TextOf(status, "StateChangeReason");
  out.bytes_scanned = IntegerOf(statistics, "DataScannedInBytes");
  out.engine_ms = IntegerOf(statistics, "EngineExecutionTimeInMillis");
  if (out.state.empty()) {
    return unexpected<AwsError>(MalformedAnswer(kAthena, "GetQueryExecution", "no Status.State"));
  }
  return out;
}

AwsResult<AthenaExecution> WaitForQuery(AwsClient& client, const std::string& id,
                                        const AthenaWait& wait) {
  const auto sleep = wait.sleep ? wait.sleep : [](std::chrono::milliseconds pause) {
    std::this_thread::sleep_for(pause);
  };
  std::chrono::milliseconds pause = wait.first_poll;
  std::chrono::milliseconds waited{0};
  while (true) {
    auto execution = GetQueryExecution(client, id);
    if (!execution) return execution;
    if (wait.on_poll) wait.on_poll(*execution);
    if (execution->state == "SUCCEEDED") return execution;
    if (execution->state == "FAILED" || execution->state == "CANCELLED") {
      AwsError error;
      error.code = ErrorCode::kInvalidInput;
      error.service = "athena";
      error.operation = "GetQueryExecution";
      error.aws_code =
          "Query" + execution->state.substr(0, 1) + ingest::LowerAscii(execution->state.substr(1));
      error.message =
          fmt::format("query {} {}: {}", id, execution->state,
                      execution->reason.empty() ? "no reason given" : execution->reason);
      return unexpected<AwsError>(std::move(error));
    }
    if (waited >= wait.timeout) {
      AwsError error;
      error.code = ErrorCode::kUnavailable;
      error.service = "athena";
      error.operation = "GetQueryExecution";
      error.message = fmt::format("query {} still {} after {} s", id, execution->state,
                                  std::chrono::duration_cast<std::chrono::seconds>(waited).count());
      return unexpected<AwsError>(std::move(error));
    }
    sleep(pause);
    waited += pause;
    pause = std::min(pause * 2, wait.max_poll);
  }
}

AwsResult<void> ReadQueryResults(AwsClient& client, const std::string& id,
                                 const std::function<void(std::vector<std::string>)>& columns,
                                 const std::function<bool(const AthenaRow&)>& row) {
  std::string token;
  bool first_page = true;
  do {
    nlohmann::json body = {{"QueryExecutionId", id}, {"MaxResults", 1000}};
    if (!token.empty()) body["NextToken"] = token;
    auto answer = CallJsonObject(client, "GetQueryResults", body);
    if (!answer) return unexpected<AwsError>(std::move(answer.error()));
    const auto result_set = Member(*answer, "ResultSet");
    const nlohmann::json& rows = Member(result_set, "Rows");
    if (!rows.is_array()) {
      return unexpected<AwsError>(MalformedAnswer(kAthena, "GetQueryResults", "no ResultSet.Rows"));
    }
    std::size_t skip = 0;
    if (first_page) {
      std::vector<std::string> names;
      for (const auto& info : Member(Member(result_set, "ResultSetMetadata"), "ColumnInfo")) {
        names.push_back(TextOf(info, "Name"));
      }
      // The first row of the first page repeats the column names.
      skip = rows.empty() ? 0 : 1;
      if (columns) columns(std::move(names));
      first_page = false;
    }
    AthenaRow values;
    for (std::size_t i = skip; i < rows.size(); ++i) {
      values.clear();
      for (const auto& datum : Member(rows[i], "Data")) {
        if (datum.contains("VarCharValue") && datum["VarCharValue"].is_string()) {
          values.emplace_back(datum["VarCharValue"].get<std::string>());
        } else {
          values.emplace_back(std::nullopt);
        }
      }
      if (!row(values)) return {};
    }
    token = TextOf(*answer, "NextToken");
  } while (!token.empty());
  return {};
}

}  // namespace costwise::aws
