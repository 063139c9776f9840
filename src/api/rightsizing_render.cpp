#include "api/rightsizing_render.h"

#include <cmath>

#include "api/json_values.h"
#include "service/rightsizing_actions.h"

namespace costwise::api {
namespace {

double Cents(double dollars) { return std::round(dollars * 100) / 100; }
double Tenth(double value) { return std::round(value * 10) / 10; }

nlohmann::json PercentilesJson(const rightsizing::Percentiles& p) {
  return {{"p50", p.p50}, {"p95", p.p95}, {"p99", p.p99}, {"p99_5", p.p99_5}, {"max", p.max}};
}

nlohmann::json OptionJson(const rightsizing::SizingOption& option) {
  return {
      {"type", option.type},
      {"monthly_savings", Cents(option.monthly_savings)},
      {"projected_cpu_p99", Tenth(option.projected_cpu_p99)},
      {"projected_cpu_p99_5", Tenth(option.projected_cpu)},
      {"projected_mem_p99", option.projected_memory
                                ? nlohmann::json(Tenth(*option.projected_memory))
                                : nlohmann::json(nullptr)},
      {"performance_risk", option.performance_risk},
      {"migration_effort", EffortName(option.effort)},
      {"credits", option.burstable
                      ? nlohmann::json{{"baseline", option.credit_baseline},
                                       {"average_use", Tenth(option.average_cpu_use * 100) / 100},
                                       {"monthly_surplus_cost", Cents(option.monthly_credit_cost)}}
                      : nlohmann::json(nullptr)}};
}

// {"aws_cli": [...], "terraform": "..."}, or null when there is nothing to do.
nlohmann::json ActionsJson(const service::ResourceActions& actions) {
  if (actions.empty()) return nullptr;
  return {{"aws_cli", actions.aws_cli}, {"terraform", actions.terraform}};
}

nlohmann::json NumbersJson(const std::vector<double>& values) {
  nlohmann::json numbers = nlohmann::json::array();
  for (const double value : values) numbers.push_back(std::round(value * 1e4) / 1e4);
  return numbers;
}

}  // namespace

nlohmann::json RightsizeReportToJson(const service::RightsizeReport& report) {
  nlohmann::json instances = nlohmann::json::array();
  for (const service::InstanceRecommendation& item : report.instances) {
    const rightsizing::Recommendation& r = item.recommendation;
    const rightsizing::UtilizationProfile& p = item.profile;
    nlohmann::json options = nlohmann::json::array();
    for (const rightsizing::SizingOption& option : r.options) options.push_back(OptionJson(option));
    instances.push_back(
        {{"instance_id", item.instance.instance_id},
         {"region", item.instance.region},
         {"finding", FindingName(r.finding)},
         {"current_type", r.current_type},
         {"current_monthly_cost", Cents(r.current_monthly)},
         {"options", options},
         {"confidence", std::round(r.confidence * 1000) / 1000},
         {"workload",
          {{"name", WorkloadName(r.workload)},
           {"cluster", item.cluster >= 0 ? nlohmann::json(item.cluster) : nlohmann::json(nullptr)},
           {"own_pattern", WorkloadName(item.own_workload)},
           {"features", NumbersJson(item.features)},
           {"cpu_target", r.cpu_target},
           {"memory_target", r.memory_target}}},
         {"growth",
          {{"cpu", std::round(r.cpu_growth * 1000) / 1000},
           {"memory", std::round(r.memory_growth * 1000) / 1000}}},
         {"current_credit_cost", Cents(r.current_credit_monthly)},
         {"summary", r.summary},
         {"actions", ActionsJson(service::InstanceActions(item.instance, r))},
         {"profile",
          {{"cpu", PercentilesJson(p.cpu)},
           {"memory", p.memory ? PercentilesJson(*p.memory) : nlohmann::json(nullptr)},
           {"network_p99",
            p.network_p99 ? nlohmann::json(*p.network_p99) : nlohmann::json(nullptr)},
           {"burstiness", p.burstiness},
           {"daily_periodicity", p.daily_periodicity},
           {"weekly_periodicity", p.weekly_periodicity},
           {"hours_with_data", p.hours_with_data},
           {"coverage", p.coverage}}}});
  }
  nlohmann::json idle = nlohmann::json::array();
  for (const rightsizing::IdleResource& resource : report.idle_resources) {
    idle.push_back({{"id", resource.id},
                    {"kind", IdleKindName(resource.kind)},
                    {"region", resource.region},
                    {"detail", resource.detail},
                    {"monthly_cost", Cents(resource.monthly_cost)},
                    {"action", resource.action},
                    {"summary", resource.summary},
                    {"actions", ActionsJson(service::IdleResourceActions(resource))}});
  }
  nlohmann::json clusters = nlohmann::json::array();
  for (const service::WorkloadCluster& cluster : report.clusters) {
    clusters.push_back({{"workload", WorkloadName(cluster.workload)},
                        {"instances", cluster.instances},
                        {"center", NumbersJson(cluster.center)}});
  }
  return {{"lookback_end", TimeJson(report.lookback_end)},
          {"lookback_days", report.lookback_days},
          {"catalog", report.catalog_source},
          {"monthly_savings", Cents(report.monthly_savings)},
          {"skipped", report.skipped},
          {"instances", instances},
          {"idle_resources", idle},
          {"workloads",
           {{"k", report.clusters.size()},
            {"silhouettes", NumbersJson(report.silhouettes)},
            {"clusters", clusters}}},
          {"timings",
           {{"read_seconds", report.timings.read_seconds},
            {"profile_seconds", report.timings.profile_seconds},
            {"cluster_seconds", report.timings.cluster_seconds},
            {"recommend_seconds", report.timings.recommend_seconds}}}};
}

}  // namespace costwise::api
