#include "api/anomaly_handlers.h"

#include <optional>
#include <string>

#include <fmt/format.h>

#include "api/anomaly_render.h"
#include "api/json_values.h"
#include "api/metrics.h"
#include "api/ml_render.h"
#include "api/query_params.h"
#include "service/alerts.h"
#include "service/anomaly_service.h"
#include "service/metric_anomalies.h"

namespace costwise::api {
namespace {

Result<service::AnomalyQuery> AnomalyQueryOf(const httplib::Request& request) {
  service::AnomalyQuery query;
  auto status = NamedParam(request, "status", ParseStatus, "open, closed, suppressed");
  if (!status) return unexpected(std::move(status.error()));
  query.status = *status;
  auto severity = NamedParam(request, "severity", ParseSeverity, "low, medium, high, critical");
  if (!severity) return unexpected(std::move(severity.error()));
  query.severity = *severity;
  auto from = DateParam(request, "from");
  if (!from) return unexpected(std::move(from.error()));
  query.from = *from;
  auto to = DateParam(request, "to");
  if (!to) return unexpected(std::move(to.error()));
  query.to = *to;
  auto min_impact = MoneyParam(request, "min_impact");
  if (!min_impact) return unexpected(std::move(min_impact.error()));
  query.min_impact = *min_impact;
  if (Status page = ReadPage(request, query); !page) return unexpected(std::move(page.error()));
  return query;
}

}  // namespace

void ListMetricAnomalies(Context& context, const httplib::Request& request,
                         httplib::Response& response, const Caller& caller) {
  const Result<std::size_t> limit = CountParam(request, "limit", 100);
  if (!limit) return SendError(response, limit.error());
  SendResult(response, 200,
             service::ListMetricAnomalies(*context.repository, caller.principal, *limit),
             [](const std::vector<MetricAnomaly>& anomalies) {
               nlohmann::json items = nlohmann::json::array();
               for (const MetricAnomaly& anomaly : anomalies) {
                 items.push_back({{"id", anomaly.id},
                                  {"instance_id", anomaly.instance_id},
                                  {"region", anomaly.region},
                                  {"metric", anomaly.metric},
                                  {"started_at", TimeJson(anomaly.started_at)},
                                  {"ended_at", TimeJson(anomaly.ended_at)},
                                  {"peak_value", anomaly.peak_value},
                                  {"expected_value", anomaly.expected_value},
                                  {"score", anomaly.score},
                                  {"status", anomaly.open ? "open" : "closed"},
                                  {"detected_at", TimeJson(anomaly.detected_at)}});
               }
               return nlohmann::json{{"anomalies", items}};
             });
}

void ListAnomalies(Context& context, const httplib::Request& request, httplib::Response& response,
                   const Caller& caller) {
  auto query = AnomalyQueryOf(request);
  if (!query) return SendError(response, query.error());
  // The same question at the same anomalies revision has the same answer.
  const Result<std::int64_t> revision =
      context.repository->AnomaliesRevision(caller.principal.tenant_id);
  if (!revision) return SendError(response, revision.error());
  std::string key = std::to_string(caller.principal.tenant_id);
  for (const auto& [name, value] : request.params) key += fmt::format("&{}={}", name, value);
  if (std::optional<std::string> cached = context.anomaly_pages.Find(key, *revision)) {
    response.set_content(std::move(*cached), "application/json");
    return;
  }
  const Result<service::AnomalyPage> page =
      service::FindCostAnomalies(*context.repository, caller.principal.tenant_name, *query);
  if (!page) return SendError(response, page.error());
  SendJson(response, 200, AnomalyPageToJson(*page, query->limit, query->offset));
  context.anomaly_pages.Store(key, *revision, response.body);
}

void DetectAnomalies(Context& context, const httplib::Request& /*request*/,
                     httplib::Response& response, const Caller& caller) {
  service::AnomalyDetectionOptions options;
  options.now = Now();
  options.models = context.models;
  const std::lock_guard lock(context.mutex);
  // Detection queues the immediate alerts of what it found (docs/service.md, "Alerts").
  SendResult(response, 200,
             TimePrediction("anomaly",
                            [&] {
                              return service::DetectAnomaliesAndAlert(
                                  *context.repository, caller.principal.tenant_name, options);
                            }),
             [](const service::DetectionWithAlerts& detected) {
               nlohmann::json body = DetectionSummaryToJson(detected.detection);
               body["alerts_queued"] = detected.alerts_queued;
               return body;
             });
}

void GetAnomaly(Context& context, const httplib::Request& request, httplib::Response& response,
                const Caller& caller) {
  const Result<std::int64_t> id = PathId(request, 1, "anomaly");
  if (!id) return SendError(response, id.error());
  // Read-only: no need of the detection lock. The series comes from the loaded detector state
  // when it is current, else from a rescan.
  service::AnomalyDetectionOptions options;
  options.models = context.models;
  SendResult(response, 200,
             service::GetCostAnomalyDetail(*context.repository, caller.principal.tenant_name, *id,
                                           options),
             AnomalyDetailToJson);
}

void SendAnomalyFeedback(Context& context, const httplib::Request& request,
                         httplib::Response& response, const Caller& caller) {
  const Result<std::int64_t> id = PathId(request, 1, "anomaly");
  if (!id) return SendError(response, id.error());
  auto fields = StringMembers<2>(request, {"verdict", "note"});
  if (!fields) return SendError(response, fields.error());
  const auto& [verdict_text, note] = *fields;
  const std::optional<AnomalyFeedback> verdict = ParseFeedback(verdict_text);
  if (!verdict || *verdict == AnomalyFeedback::kNone) {
    return SendError(response, Error{ErrorCode::kInvalidInput,
                                     "\"verdict\" must be \"yes\", \"no\" or \"planned\""});
  }
  SendResult(response, 200,
             service::SetAnomalyFeedback(*context.repository, caller.principal.tenant_name, *id,
                                         *verdict, note, Now()),
             AnomalyToJson);
}

}  // namespace costwise::api
