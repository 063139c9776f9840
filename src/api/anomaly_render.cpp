#include "api/anomaly_render.h"

#include <fmt/format.h>

#include "api/json_values.h"

namespace costwise::api {
namespace {

// "2024-03-10T12:00:00Z"; null for 0 (never).
nlohmann::json TimeOrNull(std::int64_t seconds) {
  return seconds == 0 ? nlohmann::json(nullptr) : TimeJson(seconds);
}

nlohmann::json MonitorJson(const AnomalyMonitor& monitor) {
  std::string dimension = "total";
  std::string key;
  if (monitor.dimension) {
    const bool tag = monitor.dimension->dimension == CostDimension::kTag;
    dimension = tag ? "tag" : DimensionName(*monitor.dimension);
    key = tag ? monitor.dimension->tag_key : "";
  }
  return {{"dimension", dimension},
          {"key", key},
          {"value", monitor.value},
          {"currency", monitor.currency},
          {"label", MonitorLabel(monitor)}};
}

nlohmann::json RootCauseJson(const RootCause& cause) {
  return {
      {"dimension", cause.dimension}, {"value", cause.value}, {"impact", MoneyText(cause.impact)}};
}

}  // namespace

nlohmann::json AnomalyToJson(const CostAnomaly& anomaly) {
  nlohmann::json causes = nlohmann::json::array();
  for (const RootCause& cause : anomaly.root_causes) causes.push_back(RootCauseJson(cause));
  const RootCause* top = TopRootCause(anomaly);
  return {
      {"id", anomaly.id},
      {"monitor", MonitorJson(anomaly.monitor)},
      {"start_date", anomaly.start_date.ToString()},
      {"end_date", anomaly.end_date.ToString()},
      {"actual_spend", MoneyText(anomaly.actual_spend)},
      {"expected_spend", MoneyText(anomaly.expected_spend)},
      {"impact", MoneyText(anomaly.impact)},
      {"impact_percent",
       anomaly.impact_percent ? nlohmann::json(*anomaly.impact_percent) : nlohmann::json(nullptr)},
      {"max_score", anomaly.max_score},
      {"latest_score", anomaly.latest_score},
      {"severity", SeverityName(anomaly.severity)},
      {"status", StatusName(anomaly.status)},
      {"suppressed_by", anomaly.suppressed_by != 0 ? nlohmann::json(anomaly.suppressed_by)
                                                   : nlohmann::json(nullptr)},
      {"root_causes", causes},
      {"top_root_cause", top != nullptr ? RootCauseJson(*top) : nlohmann::json(nullptr)},
      {"model_version", anomaly.model_version},
      {"detected_at", TimeOrNull(anomaly.detected_at)},
      {"updated_at", TimeOrNull(anomaly.updated_at)},
      {"feedback",
       {{"verdict", FeedbackName(anomaly.feedback)},
        {"note", anomaly.feedback_note},
        {"at", TimeOrNull(anomaly.feedback_at)}}},
  };
}

nlohmann::json AnomalyListToJson(const std::string& tenant,
                                 const std::vector<CostAnomaly>& anomalies) {
  nlohmann::json list = nlohmann::json::array();
  for (const CostAnomaly& anomaly : anomalies) list.push_back(AnomalyToJson(anomaly));
  return {{"tenant", tenant}, {"anomalies", list}};
}

nlohmann::json DetectionSummaryToJson(const service::AnomalyDetectionSummary& summary) {
  nlohmann::json json = AnomalyListToJson(summary.tenant, summary.anomalies);
  json["from"] = summary.from ? nlohmann::json(summary.from->ToString()) : nlohmann::json(nullptr);
  json["to"] = summary.to ? nlohmann::json(summary.to->ToString()) : nlohmann::json(nullptr);
  json["monitors"] = summary.monitors;
  json["new"] = summary.new_anomalies;
  json["extended"] = summary.extended;
  json["updated"] = summary.updated;
  json["unchanged"] = summary.unchanged;
  json["suppressed"] = summary.suppressed;
  json["closed"] = summary.closed;
  json["model"] = summary.model.empty() ? nlohmann::json(nullptr) : nlohmann::json(summary.model);
  json["resumed_monitors"] = summary.resumed_monitors;
  json["retrained"] =
      summary.retrained.empty() ? nlohmann::json(nullptr) : nlohmann::json(summary.retrained);
  json["warnings"] = summary.warnings;
  return json;
}

}  // namespace costwise::api
