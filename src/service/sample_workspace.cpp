#include "service/sample_workspace.h"

#include <system_error>

#include <fmt/format.h>

#include "core/clock.h"
#include "service/cost_forecast.h"
#include "service/members.h"
#include "service/rightsizing_tenant.h"

namespace costwise::service {
namespace {

Result<std::string> SampleFile(const std::filesystem::path& folder, std::string_view name) {
  const std::filesystem::path path = folder / name;
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error)) {
    return MakeError(ErrorCode::kNotFound,
                     fmt::format("the sample file {} is missing (samples folder {}: serve "
                                 "--samples-dir or `costwise sample load --samples-dir`)",
                                 path.string(), folder.string()));
  }
  return path.string();
}

Error InStep(Error error, std::string_view step) {
  error.message = fmt::format("sample workspace, {}: {}", step, error.message);
  return error;
}

}  // namespace

Result<SampleLoadSummary> LoadSampleData(store::Repository& repository, std::string_view tenant,
                                         const SampleLoadOptions& options) {
  std::vector<std::string> files;
  for (const std::string_view name :
       {kSampleFocusFile, kSampleCurFile, kSampleInventoryFile, kSampleMetricsFile}) {
    auto path = SampleFile(options.samples_dir, name);
    if (!path) return unexpected(std::move(path.error()));
    files.push_back(std::move(*path));
  }
  const std::int64_t now = options.now != 0 ? options.now : UnixSecondsNow();
  SampleLoadSummary summary;
  summary.tenant = std::string(tenant);

  auto ingested = IngestFiles(repository, tenant, {files[0], files[1]}, IngestOptions{});
  if (!ingested) return unexpected(InStep(std::move(ingested.error()), "billing samples"));
  summary.ingest = std::move(*ingested);
  auto inventory = ImportInventory(repository, tenant, {files[2]});
  if (!inventory) return unexpected(InStep(std::move(inventory.error()), "VM inventory"));
  auto metrics = ImportMetrics(repository, tenant, files[3]);
  if (!metrics) return unexpected(InStep(std::move(metrics.error()), "VM metrics"));
  summary.instances = metrics->instances;
  summary.metric_samples = metrics->samples.samples;

  AnomalyDetectionOptions detection;
  detection.models = options.models;
  detection.now = now;
  auto detected = DetectCostAnomalies(repository, tenant, detection);
  if (!detected) return unexpected(InStep(std::move(detected.error()), "anomaly detection"));
  summary.detection = std::move(*detected);
  for (const std::string_view group_by : {std::string_view(), std::string_view("service")}) {
    CostForecastOptions forecast;
    forecast.group_by = std::string(group_by);
    forecast.now = now;
    auto report = ForecastCosts(repository, tenant, forecast);
    if (!report) return unexpected(InStep(std::move(report.error()), "forecast"));
    if (group_by.empty()) summary.forecast_series = report->run.series.size();
  }
  TenantRightsizeOptions rightsize;
  rightsize.now = now;
  auto sized = RightsizeTenant(repository, tenant, rightsize);
  if (!sized) return unexpected(InStep(std::move(sized.error()), "right-sizing"));
  summary.recommendations = sized->stored.size();
  return summary;
}

Result<SampleWorkspace> OpenSampleWorkspace(store::Repository& repository,
                                            const Principal& principal,
                                            std::string_view session_token,
                                            const SampleLoadOptions& options,
                                            const AuthOptions& auth) {
  if (session_token.empty()) {
    return MakeError(ErrorCode::kInvalidInput,
                     "a sample workspace opens in a browser session, not with an API token");
  }
  const std::int64_t now = options.now != 0 ? options.now : UnixSecondsNow();
  auto membership = repository.EnsureSampleOrganisation(
      principal.user_id, fmt::format("Sample data ({})", principal.email), now);
  if (!membership) return unexpected(std::move(membership.error()));
  SampleWorkspace workspace;
  auto range = repository.CostDayRange(membership->tenant_id);
  if (!range) return unexpected(std::move(range.error()));
  if (!*range) {  // new, or an earlier load stopped half-way: load (again)
    auto loaded = LoadSampleData(repository, membership->tenant_name, options);
    if (!loaded) return unexpected(std::move(loaded.error()));
    workspace.loaded = true;
    workspace.summary = std::move(*loaded);
  }
  auto session =
      SwitchOrganisation(repository, principal, session_token, membership->tenant_name, now, auth);
  if (!session) return unexpected(std::move(session.error()));
  workspace.session = std::move(*session);
  return workspace;
}

}  // namespace costwise::service
