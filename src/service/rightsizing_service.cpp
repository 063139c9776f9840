#include "service/rightsizing_service.h"

#include <algorithm>
#include <limits>

#include <fmt/format.h>

#include "engines/rightsizing/performance.h"
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
  std::sort(times.begin(), times.end());
  std::vector<std::int64_t> gaps;
  for (std::size_t i = 1; i < times.size(); ++i) {
    if (times[i] > times[i - 1]) gaps.push_back(times[i] - times[i - 1]);
  }
  if (gaps.empty()) return kDefaultPeriodSeconds;
  std::nth_element(gaps.begin(), gaps.begin() + static_cast<std::ptrdiff_t>(gaps.size() / 2),
                   gaps.end());
  return gaps[gaps.size() / 2];
}

}  // namespace

Result<RightsizeReport> RightsizeFiles(const RightsizeFileOptions& options) {
  auto catalog = options.catalog_path.empty() ? BuiltInInstanceCatalog()
                                              : ReadInstanceCatalog(options.catalog_path);
  if (!catalog) return unexpected(catalog.error());
  auto inventory = ingest::ReadInventoryCsv(options.inventory_path);
  if (!inventory) return unexpected(inventory.error());
  auto metrics = ingest::ReadMetricsCsv(options.metrics_path);
  if (!metrics) return unexpected(metrics.error());

  RightsizeReport report;
  report.catalog_source =
      options.catalog_path.empty() ? std::string(kBuiltInCatalogSource) : options.catalog_path;
  report.lookback_days = options.lookback_days;
  if (options.lookback_end) {
    report.lookback_end = *options.lookback_end;
  } else {
    std::int64_t newest = std::numeric_limits<std::int64_t>::min();
    for (const auto& [id, by_metric] : *metrics) {
      for (const auto& [name, series] : by_metric) {
        for (const std::int64_t t : series.timestamps) newest = std::max(newest, t);
      }
    }
    // The end of the hour of the newest sample: a whole-hour window that includes it.
    report.lookback_end = newest == std::numeric_limits<std::int64_t>::min()
                              ? 0
                              : (newest / kHourSeconds + 1) * kHourSeconds;
  }
  const rightsizing::PerformanceTable performance = rightsizing::PerformanceTable::Default();
  rightsizing::ProfileOptions profile_options;
  profile_options.lookback_end = report.lookback_end;
  profile_options.lookback_days = options.lookback_days;

  for (const ingest::InventoryRow& instance : *inventory) {
    if (!instance.state.empty() && instance.state != "running") {
      report.skipped.push_back(fmt::format("{} ({})", instance.instance_id, instance.state));
      continue;
    }
    const auto found = metrics->find(instance.instance_id);
    const auto metric = [&](const char* name) -> const ingest::MetricSeries* {
      if (found == metrics->end()) return nullptr;
      const auto series = found->second.find(name);
      return series == found->second.end() ? nullptr : &series->second;
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
    auto profile = rightsizing::BuildProfile(View(cpu), View(metric("mem_used_percent")),
                                             View(&network), PeriodOf(cpu), profile_options);
    if (!profile) {
      return MakeError(profile.error().code,
                       fmt::format("{}: instance {}: {}", options.metrics_path,
                                   instance.instance_id, profile.error().message));
    }
    auto recommendation =
        rightsizing::Recommend(instance.instance_id, *profile, instance.instance_type,
                               instance.region, *catalog, performance, options.policy);
    if (!recommendation) {
      return MakeError(recommendation.error().code,
                       fmt::format("{}:{}: instance {}: {}", options.inventory_path, instance.line,
                                   instance.instance_id, recommendation.error().message));
    }
    const rightsizing::Finding finding = recommendation->finding;
    if ((finding == rightsizing::Finding::kOverProvisioned ||
         finding == rightsizing::Finding::kIdle) &&
        !recommendation->options.empty()) {
      report.monthly_savings += recommendation->options.front().monthly_savings;
    }
    report.instances.push_back({instance, *profile, std::move(*recommendation)});
  }
  return report;
}

}  // namespace costwise::service
