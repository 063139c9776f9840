#include "api/rightsizing_render.h"

#include <cmath>

#include "api/json_values.h"

namespace costwise::api {
namespace {

double Cents(double dollars) { return std::round(dollars * 100) / 100; }
double Tenth(double value) { return std::round(value * 10) / 10; }

nlohmann::json PercentilesJson(const rightsizing::Percentiles& p) {
  return {{"p50", p.p50}, {"p95", p.p95}, {"p99", p.p99}, {"p99_5", p.p99_5}, {"max", p.max}};
}

nlohmann::json OptionJson(const rightsizing::SizingOption& option) {
  return {{"type", option.type},
          {"monthly_savings", Cents(option.monthly_savings)},
          {"projected_cpu_p99", Tenth(option.projected_cpu_p99)},
          {"projected_cpu_p99_5", Tenth(option.projected_cpu)},
          {"projected_mem_p99", option.projected_memory
                                    ? nlohmann::json(Tenth(*option.projected_memory))
                                    : nlohmann::json(nullptr)},
          {"performance_risk", option.performance_risk},
          {"migration_effort", EffortName(option.effort)}};
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
         {"summary", r.summary},
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
                    {"summary", resource.summary}});
  }
  return {{"lookback_end", TimeJson(report.lookback_end)},
          {"lookback_days", report.lookback_days},
          {"catalog", report.catalog_source},
          {"monthly_savings", Cents(report.monthly_savings)},
          {"skipped", report.skipped},
          {"instances", instances},
          {"idle_resources", idle}};
}

}  // namespace costwise::api
