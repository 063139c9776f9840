#include "service/rightsizing_tenant.h"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <map>
#include <tuple>
#include <utility>

#include <fmt/format.h>

#include "core/clock.h"
#include "core/tags.h"
#include "service/instance_catalog.h"
#include "service/model_registry.h"
#include "service/rightsizing_actions.h"

namespace costwise::service {
namespace {

constexpr std::string_view kModelType = "rightsizing";
constexpr std::string_view kModelEngine = "rightsizing/1";
constexpr std::int64_t kDaySeconds = 86'400;
// Samples handed to the store at a time.
constexpr std::size_t kSampleChunk = 1 << 16;
constexpr std::string_view kStopOption = "stop";

// A JSON number, or null for what JSON cannot hold.
std::string Number(double value) {
  return std::isfinite(value) ? fmt::format("{}", value) : std::string("null");
}
double Cents(double dollars) { return std::round(dollars * 100) / 100; }
double Tenth(double value) { return std::round(value * 10) / 10; }

Money MoneyOf(double dollars) {
  if (!std::isfinite(dollars)) return Money();
  return Money::FromNanos(std::llround(dollars * static_cast<double>(Money::kNanosPerUnit)));
}

std::string_view CreditModeText(const std::optional<rightsizing::CreditMode>& mode) {
  if (!mode) return "default";
  return *mode == rightsizing::CreditMode::kStandard ? "standard" : "unlimited";
}

// File order: by source file and line, then id (rows without a source).
template <typename Row, typename Key>
void SortBySource(std::vector<Row>& rows, Key key) {
  std::stable_sort(rows.begin(), rows.end(), [&](const Row& a, const Row& b) {
    return std::tie(a.source.path, a.source.line, key(a)) <
           std::tie(b.source.path, b.source.line, key(b));
  });
}

// The one file every instance was imported from, or a description of the tenant's inventory.
std::string InventorySource(const std::vector<CloudInstance>& instances, std::string_view tenant) {
  if (!instances.empty() && !instances.front().source.path.empty() &&
      std::all_of(instances.begin(), instances.end(), [&](const CloudInstance& instance) {
        return instance.source.path == instances.front().source.path;
      })) {
    return instances.front().source.path;
  }
  return fmt::format("tenant '{}' inventory", tenant);
}

RightsizeInput InputOf(CloudInventory inventory, std::string_view tenant) {
  SortBySource(inventory.instances,
               [](const CloudInstance& row) -> const std::string& { return row.instance_id; });
  SortBySource(inventory.volumes,
               [](const CloudVolume& row) -> const std::string& { return row.volume_id; });
  SortBySource(inventory.addresses,
               [](const CloudAddress& row) -> const std::string& { return AddressKey(row); });
  RightsizeInput input;
  input.inventory_source = InventorySource(inventory.instances, tenant);
  input.metrics_source = fmt::format("tenant '{}' metrics", tenant);
  input.instances = std::move(inventory.instances);
  input.volumes = std::move(inventory.volumes);
  input.addresses = std::move(inventory.addresses);
  return input;
}

std::string JsonString(std::string_view text) {
  std::string quoted;
  AppendJsonString(quoted, text);
  return quoted;
}

ResourceRecommendation InstanceRecommendationOf(const InstanceRecommendation& item,
                                                std::int64_t model_id) {
  const rightsizing::Recommendation& r = item.recommendation;
  const rightsizing::SizingOption& best = r.options.front();
  const bool stop = r.finding == rightsizing::Finding::kIdle || best.type == kStopOption;
  ResourceRecommendation recommendation;
  recommendation.kind = RecommendationKind::kInstance;
  recommendation.resource_id = item.instance.instance_id;
  recommendation.region = item.instance.region;
  recommendation.finding = rightsizing::FindingName(r.finding);
  recommendation.action = stop ? "stop" : "resize";
  recommendation.current_type = r.current_type;
  recommendation.recommended_type = stop ? std::string() : best.type;
  recommendation.summary = r.summary;
  recommendation.options_json = SizingOptionsJson(r.options);
  recommendation.performance_risk = best.performance_risk;
  recommendation.current_monthly_cost = MoneyOf(r.current_monthly);
  recommendation.monthly_savings = MoneyOf(best.monthly_savings);
  recommendation.confidence = std::isfinite(r.confidence) ? std::clamp(r.confidence, 0.0, 1.0) : 0;
  recommendation.model_id = model_id;
  ResourceActions actions = InstanceActions(item.instance, r);
  recommendation.aws_cli = std::move(actions.aws_cli);
  recommendation.terraform = std::move(actions.terraform);
  return recommendation;
}

ResourceRecommendation IdleRecommendationOf(const rightsizing::IdleResource& resource,
                                            std::int64_t model_id) {
  const bool volume = resource.kind == rightsizing::IdleKind::kUnattachedVolume;
  ResourceRecommendation recommendation;
  recommendation.kind = volume ? RecommendationKind::kVolume : RecommendationKind::kAddress;
  recommendation.resource_id = resource.id;
  recommendation.region = resource.region;
  recommendation.finding = rightsizing::IdleKindName(resource.kind);
  recommendation.action = volume ? "delete" : "release";
  recommendation.summary = resource.summary;
  recommendation.current_monthly_cost = MoneyOf(resource.monthly_cost);
  recommendation.monthly_savings = MoneyOf(resource.monthly_cost);
  recommendation.confidence = 1;  // a fact of the inventory, not an estimate
  recommendation.model_id = model_id;
  ResourceActions actions = IdleResourceActions(resource);
  recommendation.aws_cli = std::move(actions.aws_cli);
  recommendation.terraform = std::move(actions.terraform);
  return recommendation;
}

Error WithTenant(Error error, std::string_view tenant, std::int64_t id) {
  if (error.code == ErrorCode::kNotFound) {
    error.message = fmt::format("tenant '{}' has no recommendation {}", tenant, id);
  }
  return error;
}

}  // namespace

std::string SizingOptionsJson(const std::vector<rightsizing::SizingOption>& options) {
  std::string json = "[";
  for (const rightsizing::SizingOption& option : options) {
    if (json.size() > 1) json += ',';
    const std::string memory =
        option.projected_memory ? Number(Tenth(*option.projected_memory)) : std::string("null");
    const std::string credits =
        option.burstable
            ? fmt::format(R"({{"baseline":{},"average_use":{},"monthly_surplus_cost":{}}})",
                          Number(option.credit_baseline),
                          Number(Tenth(option.average_cpu_use * 100) / 100),
                          Number(Cents(option.monthly_credit_cost)))
            : std::string("null");
    json += fmt::format(
        R"({{"type":{},"monthly_savings":{},"projected_cpu_p99":{},"projected_cpu_p99_5":{},)"
        R"("projected_mem_p99":{},"performance_risk":{},"migration_effort":{},"credits":{}}})",
        JsonString(option.type), Number(Cents(option.monthly_savings)),
        Number(Tenth(option.projected_cpu_p99)), Number(Tenth(option.projected_cpu)), memory,
        option.performance_risk, JsonString(rightsizing::EffortName(option.effort)), credits);
  }
  json += ']';
  return json;
}

std::string RightsizingModelParams(const rightsizing::SizingPolicy& policy, int lookback_days,
                                   std::string_view catalog_source,
                                   std::string_view performance_source) {
  return fmt::format(
      R"({{"lookback_days":{},"catalog":{},"performance":{},"cpu_target":{},"memory_target":{},)"
      R"("network_target":{},"peak_limit":{},"under_cpu":{},"under_memory":{},"idle_cpu":{},)"
      R"("idle_network_bytes_per_second":{},"max_options":{},"allow_arm64":{},)"
      R"("allow_other_families":{},"allow_burstable":{},"credit_mode":{},"projection_days":{},)"
      R"("trend_t":{},"bursty_cpu_target":{},"memory_bound_memory_target":{},)"
      R"("preferred_max_risk":{}}})",
      lookback_days, JsonString(catalog_source), JsonString(performance_source),
      Number(policy.cpu_target), Number(policy.memory_target), Number(policy.network_target),
      Number(policy.peak_limit), Number(policy.under_cpu), Number(policy.under_memory),
      Number(policy.idle_cpu), Number(policy.idle_network_bytes_per_second), policy.max_options,
      policy.allow_arm64, policy.allow_other_families, policy.allow_burstable,
      JsonString(CreditModeText(policy.credit_mode)), policy.projection_days,
      Number(policy.trend_t), Number(policy.bursty_cpu_target),
      Number(policy.memory_bound_memory_target), policy.preferred_max_risk);
}

std::vector<ResourceRecommendation> RecommendationsOf(const RightsizeReport& report,
                                                      std::int64_t model_id) {
  std::vector<ResourceRecommendation> recommendations;
  for (const InstanceRecommendation& item : report.instances) {
    if (item.recommendation.options.empty()) continue;
    recommendations.push_back(InstanceRecommendationOf(item, model_id));
  }
  for (const rightsizing::IdleResource& resource : report.idle_resources) {
    recommendations.push_back(IdleRecommendationOf(resource, model_id));
  }
  return recommendations;
}

Result<InventoryImportSummary> ImportInventory(store::Repository& repository,
                                               std::string_view tenant,
                                               const std::vector<std::string>& paths) {
  if (paths.empty()) {
    return MakeError(ErrorCode::kInvalidInput, "inventory import: no files given");
  }
  InventoryImportSummary summary;
  summary.tenant = std::string(tenant);
  store::InventoryReplacement replacement;
  for (const std::string& path : paths) {
    auto kind = ingest::DetectInventoryKind(path);
    if (!kind) return unexpected(kind.error());
    ImportedInventoryFile file{path, *kind, 0};
    switch (*kind) {
      case ingest::InventoryKind::kInstances: {
        auto rows = ingest::ReadInventoryCsv(path);
        if (!rows) return unexpected(rows.error());
        if (!replacement.instances) replacement.instances.emplace();
        std::move(rows->begin(), rows->end(), std::back_inserter(*replacement.instances));
        file.rows = rows->size();
        break;
      }
      case ingest::InventoryKind::kVolumes: {
        auto rows = ingest::ReadVolumesCsv(path);
        if (!rows) return unexpected(rows.error());
        if (!replacement.volumes) replacement.volumes.emplace();
        std::move(rows->begin(), rows->end(), std::back_inserter(*replacement.volumes));
        file.rows = rows->size();
        break;
      }
      case ingest::InventoryKind::kAddresses: {
        auto rows = ingest::ReadAddressesCsv(path);
        if (!rows) return unexpected(rows.error());
        if (!replacement.addresses) replacement.addresses.emplace();
        std::move(rows->begin(), rows->end(), std::back_inserter(*replacement.addresses));
        file.rows = rows->size();
        break;
      }
    }
    summary.files.push_back(std::move(file));
  }
  auto tenant_row = repository.EnsureTenant(tenant);
  if (!tenant_row) return unexpected(tenant_row.error());
  replacement.imported_at = UnixSecondsNow();
  auto changes = repository.ReplaceInventory(tenant_row->id, replacement);
  if (!changes) return unexpected(changes.error());
  summary.changes = *changes;
  return summary;
}

Result<MetricsImportSummary> ImportMetrics(store::Repository& repository, std::string_view tenant,
                                           const std::string& path) {
  auto metrics = ingest::ReadMetricsCsv(path);
  if (!metrics) return unexpected(metrics.error());
  auto tenant_row = repository.EnsureTenant(tenant);
  if (!tenant_row) return unexpected(tenant_row.error());
  MetricsImportSummary summary;
  summary.tenant = std::string(tenant);
  summary.path = path;
  summary.instances = static_cast<std::int64_t>(metrics->size());
  // Chunks of samples, instance by instance and metric by metric, in file order within each.
  auto instance = metrics->begin();
  std::map<std::string, ingest::MetricSeries>::iterator metric;
  std::size_t next = 0;
  if (instance != metrics->end()) metric = instance->second.begin();
  const store::MetricSampleReader reader = [&](std::vector<MetricSample>& chunk) {
    while (instance != metrics->end() && chunk.size() < kSampleChunk) {
      if (metric == instance->second.end()) {
        if (++instance != metrics->end()) metric = instance->second.begin();
        continue;
      }
      const ingest::MetricSeries& series = metric->second;
      for (; next < series.timestamps.size() && chunk.size() < kSampleChunk; ++next) {
        chunk.push_back(MetricSample{instance->first, metric->first, series.timestamps[next],
                                     series.values[next]});
      }
      if (next == series.timestamps.size()) {
        ++metric;
        next = 0;
      }
    }
    return instance != metrics->end();
  };
  auto stored = repository.UpsertMetricSamples(tenant_row->id, reader);
  if (!stored) return unexpected(stored.error());
  summary.samples = *stored;
  return summary;
}

Result<TenantRightsizeResult> RightsizeTenant(store::Repository& repository,
                                              std::string_view tenant,
                                              const TenantRightsizeOptions& options) {
  if (options.lookback_days != 14 && options.lookback_days != 32 && options.lookback_days != 93) {
    return MakeError(
        ErrorCode::kInvalidInput,
        fmt::format("a lookback of {} days: choose 14, 32 or 93", options.lookback_days));
  }
  auto tenant_row = repository.FindTenant(tenant);
  if (!tenant_row) return unexpected(tenant_row.error());
  const std::int64_t tenant_id = tenant_row->id;
  auto catalog = LoadCatalog(options.catalog_path);
  if (!catalog) return unexpected(catalog.error());
  const std::string& catalog_source = catalog->source;

  auto inventory = repository.LoadInventory(tenant_id);
  if (!inventory) return unexpected(inventory.error());
  if (inventory->instances.empty() && inventory->volumes.empty() && inventory->addresses.empty()) {
    return MakeError(ErrorCode::kNotFound,
                     fmt::format("tenant '{}' has no inventory: import it with costwise inventory "
                                 "import --tenant {} FILE...",
                                 tenant, tenant));
  }
  RightsizeInput input = InputOf(std::move(*inventory), tenant);

  auto newest = repository.NewestMetricSample(tenant_id);
  if (!newest) return unexpected(newest.error());
  auto pipeline = PipelineOptions(options.lookback_days, options.policy, options.performance_path,
                                  options.progress);
  if (!pipeline) return unexpected(pipeline.error());
  RightsizeOptions& rightsize = *pipeline;
  rightsize.lookback_end = newest->has_value() ? LookbackEndAfter(**newest) : 0;
  const std::int64_t from = rightsize.lookback_end - options.lookback_days * kDaySeconds;
  const std::int64_t to = rightsize.lookback_end;
  input.metrics = [&](const CloudInstance& instance) -> Result<InstanceMetrics> {
    auto series = repository.ReadInstanceMetrics(tenant_id, instance.instance_id, from, to);
    if (!series) return unexpected(series.error());
    InstanceMetrics metrics;
    for (MetricSeriesRecord& record : *series) {
      metrics.emplace(std::move(record.metric),
                      ingest::MetricSeries{std::move(record.timestamps), std::move(record.values)});
    }
    return metrics;
  };
  auto report = Rightsize(input, catalog->catalog, catalog_source, rightsize);
  if (!report) return unexpected(report.error());

  const std::int64_t now = options.now != 0 ? options.now : UnixSecondsNow();
  ModelTraining training;
  training.model_type = kModelType;
  training.engine = kModelEngine;
  training.params = RightsizingModelParams(
      options.policy, options.lookback_days, catalog_source,
      options.performance_path.empty() ? "built-in" : options.performance_path);
  training.metrics = fmt::format(R"({{"instances":{},"lookback_days":{}}})",
                                 report->instances.size(), options.lookback_days);
  training.data_from = Date::FromDays(static_cast<std::int32_t>(from / kDaySeconds));
  training.data_to = Date::FromDays(static_cast<std::int32_t>((to - 1) / kDaySeconds));
  training.now = now;
  auto model = RecordTraining(repository, tenant_id, training);
  if (!model) return unexpected(model.error());
  const std::vector<ResourceRecommendation> recommendations = RecommendationsOf(*report, model->id);
  auto ids = repository.ReplaceRecommendations(tenant_id, recommendations, now);
  if (!ids) return unexpected(ids.error());
  auto stored = repository.ListRecommendations(tenant_id, std::nullopt);
  if (!stored) return unexpected(stored.error());

  TenantRightsizeResult result;
  result.report = std::move(*report);
  result.model_id = model->id;
  std::map<std::int64_t, ResourceRecommendation*> by_id;
  for (ResourceRecommendation& recommendation : *stored)
    by_id.emplace(recommendation.id, &recommendation);
  for (const std::int64_t id : *ids) {
    const auto found = by_id.find(id);
    if (found == by_id.end()) continue;
    switch (found->second->status) {
      case RecommendationStatus::kOpen:
        ++result.counts.open;
        break;
      case RecommendationStatus::kApplied:
        ++result.counts.applied;
        break;
      case RecommendationStatus::kDismissed:
        ++result.counts.dismissed;
        break;
      case RecommendationStatus::kSnoozed:
        ++result.counts.snoozed;
        break;
    }
    result.stored.push_back(std::move(*found->second));
  }
  return result;
}

Result<std::vector<ResourceRecommendation>> ListRecommendations(
    store::Repository& repository, std::string_view tenant,
    std::optional<RecommendationStatus> status) {
  auto tenant_row = repository.FindTenant(tenant);
  if (!tenant_row) return unexpected(tenant_row.error());
  return repository.ListRecommendations(tenant_row->id, status);
}

Result<ResourceRecommendation> GetRecommendation(store::Repository& repository,
                                                 std::string_view tenant, std::int64_t id) {
  auto all = ListRecommendations(repository, tenant, std::nullopt);
  if (!all) return unexpected(all.error());
  for (ResourceRecommendation& recommendation : *all) {
    if (recommendation.id == id) return std::move(recommendation);
  }
  return unexpected(WithTenant(Error{ErrorCode::kNotFound, ""}, tenant, id));
}

Result<ResourceRecommendation> SetRecommendationStatus(store::Repository& repository,
                                                       std::string_view tenant, std::int64_t id,
                                                       RecommendationStatus status,
                                                       std::optional<std::int64_t> snoozed_until,
                                                       std::int64_t now) {
  if (status == RecommendationStatus::kSnoozed && (!snoozed_until || *snoozed_until <= now)) {
    return MakeError(ErrorCode::kInvalidInput,
                     fmt::format("recommendation {}: a snooze must end in the future", id));
  }
  if (status != RecommendationStatus::kSnoozed) snoozed_until.reset();
  auto tenant_row = repository.FindTenant(tenant);
  if (!tenant_row) return unexpected(tenant_row.error());
  auto updated = repository.SetRecommendationStatus(tenant_row->id, id, status, snoozed_until, now);
  if (!updated) return unexpected(WithTenant(std::move(updated.error()), tenant, id));
  return updated;
}

}  // namespace costwise::service
