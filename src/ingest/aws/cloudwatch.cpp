#include "ingest/aws/cloudwatch.h"

#include <algorithm>
#include <ctime>
#include <map>
#include <numeric>

#include <fmt/format.h>

#include "ingest/aws/sts.h"
#include "ingest/aws/xml.h"

namespace costwise::aws {

std::string IsoTime(std::int64_t unix_seconds) {
  const std::string compact = AmzDate(unix_seconds);  // 20261118T110500Z
  return fmt::format("{}-{}-{}T{}:{}:{}Z", compact.substr(0, 4), compact.substr(4, 2),
                     compact.substr(6, 2), compact.substr(9, 2), compact.substr(11, 2),
                     compact.substr(13, 2));
}

AwsResult<std::vector<MetricResult>> GetMetricData(AwsClient& client,
                                                   const std::vector<MetricQuery>& queries,
                                                   std::int64_t start, std::int64_t end,
                                                   const MetricProgress& progress) {
  std::vector<MetricResult> results;
  std::map<std::string, std::size_t> index_of;
  for (const MetricQuery& query : queries) {
    if (!index_of.emplace(query.id, results.size()).second) {
      AwsError error = MalformedAnswer(kCloudWatch, "GetMetricData", "");
      error.code = ErrorCode::kInvalidInput;
      error.message = fmt::format("metric query id \"{}\" is used twice", query.id);
      return unexpected<AwsError>(std::move(error));
    }
    results.push_back(MetricResult{query.id, "", "", {}, {}});
  }
  int calls = 0;
  for (std::size_t first = 0; first < queries.size(); first += kMaxMetricQueriesPerCall) {
    const std::size_t last = std::min(queries.size(), first + kMaxMetricQueriesPerCall);
    std::vector<QueryParam> params;
    for (std::size_t i = first; i < last; ++i) {
      const MetricQuery& query = queries[i];
      const std::string member = fmt::format("MetricDataQueries.member.{}.", i - first + 1);
      params.emplace_back(member + "Id", query.id);
      params.emplace_back(member + "MetricStat.Metric.Namespace", query.name_space);
      params.emplace_back(member + "MetricStat.Metric.MetricName", query.metric_name);
      for (std::size_t d = 0; d < query.dimensions.size(); ++d) {
        const std::string dimension =
            fmt::format("{}MetricStat.Metric.Dimensions.member.{}.", member, d + 1);
        params.emplace_back(dimension + "Name", query.dimensions[d].first);
        params.emplace_back(dimension + "Value", query.dimensions[d].second);
      }
      params.emplace_back(member + "MetricStat.Period", std::to_string(query.period_seconds));
      params.emplace_back(member + "MetricStat.Stat", query.stat);
      params.emplace_back(member + "ReturnData", "true");
    }
    params.emplace_back("StartTime", IsoTime(start));
    params.emplace_back("EndTime", IsoTime(end));
    params.emplace_back("ScanBy", "TimestampAscending");

    std::string token;
    do {
      std::vector<QueryParam> page = params;
      if (!token.empty()) page.emplace_back("NextToken", token);
      auto response = client.CallQuery(kCloudWatch, "GetMetricData", page);
      if (!response) return unexpected<AwsError>(std::move(response.error()));
      ++calls;
      auto document = ParseXml(kCloudWatch, "GetMetricData", *response);
      if (!document) return unexpected<AwsError>(std::move(document.error()));
      const pugi::xml_node result =
          document->child("GetMetricDataResponse").child("GetMetricDataResult");
      if (!result) {
        return unexpected<AwsError>(
            MalformedAnswer(kCloudWatch, "GetMetricData", "no GetMetricDataResult"));
      }
      for (const pugi::xml_node member : result.child("MetricDataResults").children("member")) {
        const auto found = index_of.find(member.child("Id").text().as_string());
        if (found == index_of.end()) continue;
        MetricResult& out = results[found->second];
        out.label = member.child("Label").text().as_string();
        out.status = member.child("StatusCode").text().as_string();
        for (const pugi::xml_node time : member.child("Timestamps").children("member")) {
          out.timestamps.push_back(ParseAwsTime(time.text().as_string()).value_or(0));
        }
        for (const pugi::xml_node value : member.child("Values").children("member")) {
          out.values.push_back(value.text().as_double());
        }
        if (out.timestamps.size() != out.values.size()) {
          return unexpected<AwsError>(
              MalformedAnswer(kCloudWatch, "GetMetricData",
                              fmt::format("query {} has {} timestamps but {} values", out.id,
                                          out.timestamps.size(), out.values.size())));
        }
      }
      token = result.child("NextToken").text().as_string();
    } while (!token.empty());
    if (progress) progress(calls, last, queries.size());
  }
  // Pages come in ascending time per query, but sort anyway: a merged answer must be in order.
  for (MetricResult& result : results) {
    std::vector<std::size_t> order(result.timestamps.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return result.timestamps[a] < result.timestamps[b];
    });
    std::vector<std::int64_t> timestamps;
    std::vector<double> values;
    for (std::size_t i : order) {
      timestamps.push_back(result.timestamps[i]);
      values.push_back(result.values[i]);
    }
    result.timestamps = std::move(timestamps);
    result.values = std::move(values);
  }
  return results;
}

}  // namespace costwise::aws
