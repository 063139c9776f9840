#include "api/ml_render.h"

#include <string>

#include "api/anomaly_render.h"
#include "api/json_values.h"
#include "api/recommendation_render.h"
#include "service/model_registry.h"

namespace costwise::api {
namespace {

// A JSON text stored by the service, parsed; the text itself when it does not parse.
nlohmann::json StoredJson(const std::string& text) {
  nlohmann::json value = nlohmann::json::parse(text, nullptr, false);
  return value.is_discarded() ? nlohmann::json(text) : value;
}

nlohmann::json DateOrNull(const std::optional<Date>& date) {
  return date ? nlohmann::json(date->ToString()) : nlohmann::json(nullptr);
}

}  // namespace

nlohmann::json AnomalyPageToJson(const service::AnomalyPage& page, std::size_t limit,
                                 std::size_t offset) {
  nlohmann::json json = AnomalyListToJson(page.tenant, page.anomalies);
  json["total"] = page.total;
  json["limit"] = limit;
  json["offset"] = offset;
  return json;
}

nlohmann::json AnomalyDetailToJson(const service::AnomalyDetail& detail) {
  nlohmann::json json = AnomalyToJson(detail.anomaly);
  nlohmann::json series = nlohmann::json::array();
  for (const service::AnomalySeriesDay& day : detail.series) {
    series.push_back({{"date", day.day.ToString()},
                      {"actual", MoneyText(day.actual)},
                      {"expected", MoneyText(day.expected)},
                      {"lower", MoneyText(day.lower)},
                      {"upper", MoneyText(day.upper)},
                      {"score", day.score},
                      {"in_anomaly", day.in_anomaly}});
  }
  json["window"] = {{"from", detail.anomaly.start_date.ToString()},
                    {"to", detail.anomaly.end_date.ToString()}};
  json["series"] = std::move(series);
  return json;
}

nlohmann::json RecommendationPageToJson(const service::RecommendationPage& page, std::size_t limit,
                                        std::size_t offset) {
  nlohmann::json items = nlohmann::json::array();
  for (const ResourceRecommendation& recommendation : page.recommendations) {
    items.push_back(RecommendationToJson(recommendation));
  }
  return {{"tenant", page.tenant},
          {"total", page.total},
          {"limit", limit},
          {"offset", offset},
          {"recommendations", items}};
}

nlohmann::json RecommendationDetailToJson(const service::RecommendationDetail& detail) {
  nlohmann::json json = RecommendationToJson(detail.recommendation);
  if (detail.utilization) {
    nlohmann::json metrics = nlohmann::json::array();
    for (const service::MetricSummary& metric : detail.utilization->metrics) {
      metrics.push_back({{"metric", metric.metric},
                         {"samples", metric.samples},
                         {"mean", metric.mean},
                         {"p95", metric.p95},
                         {"max", metric.max}});
    }
    const bool any = detail.utilization->to != 0;
    json["utilization"] = {
        {"from", any ? TimeJson(detail.utilization->from) : nlohmann::json(nullptr)},
        {"to", any ? TimeJson(detail.utilization->to) : nlohmann::json(nullptr)},
        {"metrics", metrics}};
  } else {
    json["utilization"] = nullptr;
  }
  nlohmann::json requests = nlohmann::json::array();
  for (const store::RecommendationActionRecord& request : detail.apply_requests) {
    requests.push_back(
        {{"id", request.id},
         {"user", request.user_id != 0
                      ? nlohmann::json{{"id", request.user_id}, {"email", request.user_email}}
                      : nlohmann::json(nullptr)},
         {"requested_at", TimeJson(request.requested_at)},
         {"dry_run", request.dry_run},
         {"outcome", request.outcome},
         {"plan", StoredJson(request.plan)}});
  }
  json["apply_requests"] = std::move(requests);
  return json;
}

nlohmann::json ApplyPlanToJson(const service::ApplyPlan& plan) {
  nlohmann::json json = StoredJson(service::ApplyPlanJson(plan));
  json["request_id"] = plan.request_id;
  json["dry_run"] = plan.dry_run;
  if (plan.job_id != 0) json["job_id"] = plan.job_id;
  json["recommendation"] = RecommendationToJson(plan.recommendation);
  return json;
}

nlohmann::json ModelToJson(const store::TenantModel& model) {
  return {
      {"id", model.id},
      {"model_type", model.model_type},
      {"version", model.version},
      {"label", service::ModelVersionLabel(model)},
      {"status", model.status},
      {"trained_at", TimeJson(model.trained_at)},
      {"accuracy", model.accuracy ? nlohmann::json(*model.accuracy) : nlohmann::json(nullptr)},
      {"metrics", StoredJson(model.metrics)},
      {"params", StoredJson(model.params)},
      {"data_window", {{"from", DateOrNull(model.data_from)}, {"to", DateOrNull(model.data_to)}}},
      {"artifact_path",
       model.artifact_path.empty() ? nlohmann::json(nullptr) : nlohmann::json(model.artifact_path)},
      {"retrain_requested_at", model.retrain_requested_at ? TimeJson(*model.retrain_requested_at)
                                                          : nlohmann::json(nullptr)}};
}

nlohmann::json ModelListToJson(const std::vector<store::TenantModel>& models) {
  nlohmann::json items = nlohmann::json::array();
  for (const store::TenantModel& model : models) items.push_back(ModelToJson(model));
  return {{"models", items}};
}

}  // namespace costwise::api
