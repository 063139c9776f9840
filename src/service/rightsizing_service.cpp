#include "service/rightsizing_service.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include <fmt/format.h>

#include "engines/rightsizing/performance.h"
#include "ingest/metrics_csv.h"
#include "service/instance_catalog.h"

namespace costwise::service {
namespace {

constexpr std::int64_t kDefaultPeriodSeconds = 300;
constexpr std::int64_t kHourSeconds = 3600;

rightsizing::MetricSamples View(const ingest::MetricSeries* series) {
  if (series == nullptr) return {};
  return {series->timestamps, series->values};
}

// The sampling period: the most common gap between CPU samples (CloudWatch: 60 or 300 s).
std::int64_t PeriodOf(const ingest::MetricSeries* cpu) {
  if (cpu == nullptr || cpu->timestamps.size() < 2) return kDefaultPeriodSeconds;
  std::vector<std::int64_t> times = cpu->timestamps;
  if (!std::is_sorted(times.begin(), times.end())) std::sort(times.begin(), times.end());
  std::vector<std::int64_t> gaps;
  for (std::size_t i = 1; i < times.size(); ++i) {
    if (times[i] > times[i - 1]) gaps.push_back(times[i] - times[i - 1]);
  }
  if (gaps.empty()) return kDefaultPeriodSeconds;
  std::nth_element(gaps.begin(), gaps.begin() + static_cast<std::ptrdiff_t>(gaps.size() / 2),
                   gaps.end());
  return gaps[gaps.size() / 2];
}

Result<rightsizing::UtilizationProfile> ProfileOf(const InstanceMetrics& metrics,
                                                  const rightsizing::ProfileOptions& options) {
  const auto metric = [&](const char* name) -> const ingest::MetricSeries* {
    const auto series = metrics.find(name);
    return series == metrics.end() ? nullptr : &series->second;
  };
  // NetworkIn and NetworkOut together: the profile adds samples that share a timestamp.
  ingest::MetricSeries network;
  for (const char* name : {"NetworkIn", "NetworkOut"}) {
    if (const ingest::MetricSeries* part = metric(name)) {
      network.timestamps.insert(network.timestamps.end(), part->timestamps.begin(),
                                part->timestamps.end());
      network.values.insert(network.values.end(), part->values.begin(), part->values.end());
    }
  }
  const ingest::MetricSeries* cpu = metric("CPUUtilization");
  return rightsizing::BuildProfile(View(cpu), View(metric("mem_used_percent")), View(&network),
                                   PeriodOf(cpu), options);
}

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

std::int64_t LookbackEndAfter(std::int64_t newest) {
  return (newest / kHourSeconds + 1) * kHourSeconds;
}

Result<RightsizeReport> Rightsize(const RightsizeInput& input,
                                  const rightsizing::InstanceCatalog& catalog,
                                  std::string catalog_source, const RightsizeOptions& options) {
  RightsizeReport report;
  report.catalog_source = std::move(catalog_source);
  report.lookback_days = options.lookback_days;
  report.lookback_end = options.lookback_end;
  const rightsizing::PerformanceTable& performance = options.performance;
  rightsizing::ProfileOptions profile_options;
  profile_options.lookback_end = options.lookback_end;
  profile_options.lookback_days = options.lookback_days;

  // Profiles first, one instance's samples at a time.
  std::vector<const CloudInstance*> running;
  for (const CloudInstance& instance : input.instances) {
    if (!instance.state.empty() && instance.state != "running") {
      report.skipped.push_back(fmt::format("{} ({})", instance.instance_id, instance.state));
    } else {
      running.push_back(&instance);
    }
  }
  auto clock = std::chrono::steady_clock::now();
  std::vector<rightsizing::UtilizationProfile> profiles;
  profiles.reserve(running.size());
  for (const CloudInstance* instance : running) {
    auto metrics = input.metrics ? input.metrics(*instance) : Result<InstanceMetrics>{};
    if (!metrics) return unexpected(metrics.error());
    auto profile = ProfileOf(*metrics, profile_options);
    if (!profile) {
      return MakeError(profile.error().code,
                       fmt::format("{}: instance {}: {}", input.metrics_source,
                                   instance->instance_id, profile.error().message));
    }
    profiles.push_back(std::move(*profile));
    if (options.progress) options.progress(profiles.size(), running.size());
  }
  report.timings.profile_seconds = SecondsSince(clock);

  // Workload groups over the instances with enough data; each sets its headroom.
  clock = std::chrono::steady_clock::now();
  std::vector<const rightsizing::UtilizationProfile*> sufficient;
  std::vector<std::size_t> sufficient_index;
  for (std::size_t i = 0; i < profiles.size(); ++i) {
    if (profiles[i].sufficient) {
      sufficient.push_back(&profiles[i]);
      sufficient_index.push_back(i);
    }
  }
  auto groups = rightsizing::GroupWorkloads(sufficient, options.workloads);
  if (!groups) return unexpected(groups.error());
  std::vector<rightsizing::Workload> workloads(profiles.size(),
                                               rightsizing::Workload::kUnclassified);
  std::vector<rightsizing::Workload> own_workloads = workloads;
  std::vector<int> clusters(profiles.size(), -1);
  std::vector<std::vector<double>> features(profiles.size());
  for (std::size_t j = 0; j < sufficient_index.size(); ++j) {
    const std::size_t i = sufficient_index[j];
    workloads[i] = groups->workloads[j];
    clusters[i] = groups->clusters[j];
    const auto row = groups->features.row(static_cast<Eigen::Index>(j));
    own_workloads[i] = rightsizing::NameWorkload(row);
    for (Eigen::Index c = 0; c < row.size(); ++c) features[i].push_back(row(c));
  }
  for (int c = 0; c < groups->k; ++c) {
    WorkloadCluster cluster;
    cluster.instances =
        static_cast<std::size_t>(std::count(groups->clusters.begin(), groups->clusters.end(), c));
    for (Eigen::Index f = 0; f < groups->centers.cols(); ++f) {
      cluster.center.push_back(groups->centers(c, f));
    }
    cluster.workload = rightsizing::NameWorkload(groups->centers.row(c));
    report.clusters.push_back(std::move(cluster));
  }
  report.silhouettes = groups->silhouettes;
  report.timings.cluster_seconds = SecondsSince(clock);

  clock = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < running.size(); ++i) {
    const CloudInstance& instance = *running[i];
    auto recommendation = rightsizing::Recommend(
        instance.instance_id, profiles[i], instance.instance_type, instance.region, catalog,
        performance,
        // The more cautious of the group's headroom and the instance's own pattern's: the group
        // lends a quiet member its peers' caution, never the other way round.
        options.policy.ForWorkload(workloads[i]).ForWorkload(own_workloads[i]));
    if (recommendation) recommendation->workload = workloads[i];
    if (!recommendation) {
      return MakeError(
          recommendation.error().code,
          fmt::format("{}:{}: instance {}: {}", input.inventory_source, instance.source.line,
                      instance.instance_id, recommendation.error().message));
    }
    const rightsizing::Finding finding = recommendation->finding;
    if ((finding == rightsizing::Finding::kOverProvisioned ||
         finding == rightsizing::Finding::kIdle) &&
        !recommendation->options.empty()) {
      report.monthly_savings += recommendation->options.front().monthly_savings;
    }
    report.instances.push_back({instance, std::move(profiles[i]), std::move(*recommendation),
                                clusters[i], std::move(features[i]), own_workloads[i]});
  }
  report.timings.recommend_seconds = SecondsSince(clock);

  auto idle = rightsizing::FindIdleResources(input.volumes, input.addresses);
  if (!idle) {
    return MakeError(idle.error().code,
                     fmt::format("{}: {}", input.inventory_source, idle.error().message));
  }
  for (const rightsizing::IdleResource& resource : *idle) {
    report.monthly_savings += resource.monthly_cost;
  }
  report.idle_resources = std::move(*idle);
  return report;
}

Result<RightsizeOptions> PipelineOptions(int lookback_days, const rightsizing::SizingPolicy& policy,
                                         const std::string& performance_path,
                                         std::function<void(std::size_t, std::size_t)> progress) {
  RightsizeOptions options;
  options.lookback_days = lookback_days;
  options.policy = policy;
  options.progress = std::move(progress);
  if (!performance_path.empty()) {
    auto performance = ReadPerformanceTable(performance_path);
    if (!performance) return unexpected(performance.error());
    options.performance = std::move(*performance);
  }
  return options;
}

Result<LoadedCatalog> LoadCatalog(const std::string& catalog_path) {
  auto catalog =
      catalog_path.empty() ? BuiltInInstanceCatalog() : ReadInstanceCatalog(catalog_path);
  if (!catalog) return unexpected(catalog.error());
  return LoadedCatalog{std::move(*catalog),
                       catalog_path.empty() ? std::string(kBuiltInCatalogSource) : catalog_path};
}

Result<RightsizeReport> RightsizeFiles(const RightsizeFileOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  auto catalog = LoadCatalog(options.catalog_path);
  if (!catalog) return unexpected(catalog.error());
  RightsizeInput input;
  input.inventory_source = options.inventory_path;
  input.metrics_source = options.metrics_path;
  auto inventory = ingest::ReadInventoryCsv(options.inventory_path);
  if (!inventory) return unexpected(inventory.error());
  input.instances = std::move(*inventory);
  if (!options.volumes_path.empty()) {
    auto volumes = ingest::ReadVolumesCsv(options.volumes_path);
    if (!volumes) return unexpected(volumes.error());
    input.volumes = std::move(*volumes);
  }
  if (!options.addresses_path.empty()) {
    auto addresses = ingest::ReadAddressesCsv(options.addresses_path);
    if (!addresses) return unexpected(addresses.error());
    input.addresses = std::move(*addresses);
  }
  // Every row is checked here, before any instance is profiled; the samples themselves are read
  // instance by instance below (or, for a gzip file or one whose instances are interleaved,
  // they are in memory now).
  auto metrics = ingest::MetricsFile::Open(options.metrics_path);
  if (!metrics) return unexpected(metrics.error());

  auto pipeline = PipelineOptions(options.lookback_days, options.policy, options.performance_path,
                                  options.progress);
  if (!pipeline) return unexpected(pipeline.error());
  RightsizeOptions& rightsize = *pipeline;
  if (options.lookback_end) {
    rightsize.lookback_end = *options.lookback_end;
  } else {
    rightsize.lookback_end = metrics->newest() ? LookbackEndAfter(*metrics->newest()) : 0;
  }
  // Rightsize asks for the running instances in inventory order: they are read ahead of it on
  // the other cores while it profiles. An instance asked for out of that order is read then.
  std::optional<ingest::MetricsPrefetcher> prefetcher;
  if (metrics->by_ranges()) {
    std::vector<std::string> running;
    for (const CloudInstance& instance : input.instances) {
      if (instance.state.empty() || instance.state == "running") {
        running.push_back(instance.instance_id);
      }
    }
    // One core is left to the profiling that takes them.
    const unsigned cores = std::max(1U, std::thread::hardware_concurrency());
    prefetcher.emplace(*metrics, std::move(running), static_cast<int>(std::max(1U, cores - 1)));
  }
  std::size_t next = 0;
  input.metrics = [&](const CloudInstance& instance) -> Result<InstanceMetrics> {
    if (prefetcher && next < prefetcher->size() && prefetcher->id(next) == instance.instance_id) {
      return prefetcher->Take(next++);
    }
    return metrics->Take(instance.instance_id);
  };
  const double read_seconds = SecondsSince(started);
  auto report = Rightsize(input, catalog->catalog, catalog->source, rightsize);
  if (!report) return report;
  // Time the profiling waited for samples was spent reading them.
  const double waited = prefetcher ? prefetcher->seconds_waited() : 0;
  report->timings.read_seconds = read_seconds + waited;
  report->timings.profile_seconds = std::max(0.0, report->timings.profile_seconds - waited);
  return report;
}

}  // namespace costwise::service
