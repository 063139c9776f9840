#include "api/job_kinds.h"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "api/json_values.h"
#include "api/metrics.h"
#include "service/alerts.h"
#include "service/anomaly_service.h"
#include "service/cost_forecast.h"
#include "service/job_service.h"
#include "service/recommendation_apply.h"
#include "service/rightsizing_tenant.h"

namespace costwise::api {
namespace {

using store::JobKind;
using store::JobRecord;

// A file being read reports its progress at most this often.
constexpr std::chrono::milliseconds kProgressInterval{500};

constexpr double kMegabyte = 1024.0 * 1024.0;
// Of an ingest's progress, the share of reading the files (storing is the rest).
constexpr double kReadShare = 0.8;

Result<nlohmann::json> PayloadObject(const JobRecord& job) {
  nlohmann::json payload = nlohmann::json::parse(job.payload, nullptr, false);
  if (payload.is_discarded() || !payload.is_object()) {
    return MakeError(ErrorCode::kInvalidInput,
                     fmt::format("job {}: the payload is not a JSON object", job.id));
  }
  return payload;
}

Result<std::string> RunIngest(store::Repository& repository, const JobRecord& job,
                              const service::JobProgress& progress) {
  Result<nlohmann::json> payload = PayloadObject(job);
  if (!payload) return unexpected(std::move(payload.error()));
  std::vector<std::string> paths;
  const auto files = payload->find("files");
  if (files != payload->end() && files->is_array()) {
    for (const nlohmann::json& file : *files) {
      if (file.is_string()) paths.push_back(file.get<std::string>());
    }
  }
  if (paths.empty()) {
    return MakeError(ErrorCode::kInvalidInput,
                     fmt::format("job {}: the payload names no file to ingest", job.id));
  }
  Status stop;  // the first error a progress report returned: the ingest stops with it
  auto last_report = std::chrono::steady_clock::now() - kProgressInterval;
  service::IngestOptions options;
  options.progress = [&](std::size_t index, const std::string& path, std::uint64_t done,
                         std::uint64_t total) {
    const auto now = std::chrono::steady_clock::now();
    if (!stop || now - last_report < kProgressInterval) return;
    last_report = now;
    const double file_share = total == 0 ? 1.0 : static_cast<double>(done) / total;
    const double fraction =
        kReadShare * (static_cast<double>(index) + file_share) / static_cast<double>(paths.size());
    stop = progress(fraction, fmt::format("reading {} ({:.1f} of {:.1f} MB)",
                                          std::filesystem::path(path).filename().string(),
                                          static_cast<double>(done) / kMegabyte,
                                          static_cast<double>(total) / kMegabyte));
  };
  options.before_store = [&](const service::IngestSummary& summary) {
    if (!stop) return;
    stop = progress(kReadShare, fmt::format("storing {} cube rows", summary.cube_rows));
  };
  options.keep_going = [&]() -> Status { return stop; };
  Result<service::IngestSummary> summary =
      service::IngestFiles(repository, job.tenant_name, paths, options);
  if (!summary) return unexpected(std::move(summary.error()));
  // From now on the organisation's detection and forecast also run daily.
  if (Result<int> scheduled = service::EnsureDailyRefresh(
          repository, job.tenant_id, static_cast<std::int64_t>(std::time(nullptr)));
      !scheduled) {
    return unexpected(std::move(scheduled.error()));
  }
  return IngestSummaryToJson(*summary).dump();
}

Result<std::string> RunDetect(store::Repository& repository, const JobRecord& job,
                              const service::JobProgress& progress, service::ModelStore* models) {
  if (Status go = progress(0, "detecting cost anomalies"); !go) return unexpected(go.error());
  // Detection queues the immediate alerts of what it found (docs/service.md, "Alerts").
  auto detected = TimePrediction("anomaly", [&] {
    service::AnomalyDetectionOptions options;
    options.models = models;
    return service::DetectAnomaliesAndAlert(repository, job.tenant_name, options);
  });
  if (!detected) return unexpected(std::move(detected.error()));
  const service::AnomalyDetectionSummary* summary = &detected->detection;
  nlohmann::json result = {{"monitors", summary->monitors},
                           {"alerts_queued", detected->alerts_queued},
                           {"new_anomalies", summary->new_anomalies},
                           {"extended", summary->extended},
                           {"updated", summary->updated},
                           {"unchanged", summary->unchanged},
                           {"suppressed", summary->suppressed},
                           {"closed", summary->closed},
                           {"from", summary->from ? summary->from->ToString() : ""},
                           {"to", summary->to ? summary->to->ToString() : ""},
                           {"model", summary->model},
                           {"resumed_monitors", summary->resumed_monitors},
                           {"retrained", summary->retrained},
                           {"warnings", summary->warnings}};
  return result.dump();
}

Result<std::string> RunForecast(store::Repository& repository, const JobRecord& job,
                                const service::JobProgress& progress) {
  Result<nlohmann::json> payload = PayloadObject(job);
  if (!payload) return unexpected(std::move(payload.error()));
  service::CostForecastOptions options;
  options.horizon = payload->value("horizon", options.horizon);
  options.group_by = payload->value("group_by", options.group_by);
  if (Status go = progress(0, "forecasting costs"); !go) return unexpected(go.error());
  auto report = TimePrediction(
      "forecast", [&] { return service::ForecastCosts(repository, job.tenant_name, options); });
  if (!report) return unexpected(std::move(report.error()));
  nlohmann::json result = {{"horizon", options.horizon},
                           {"group_by", options.group_by},
                           {"history_from", report->history_from.ToString()},
                           {"history_days", report->history_days},
                           {"series", report->run.series.size()}};
  return result.dump();
}

Result<std::string> RunRightsize(store::Repository& repository, const JobRecord& job,
                                 const service::JobProgress& progress,
                                 const service::AwsSyncOptions* aws) {
  Status stop;
  service::TenantRightsizeOptions options;
  // The organisation's catalog with the Price List API's prices, once a sync refreshed them.
  if (aws != nullptr) options.catalog_path = service::TenantCatalogPath(*aws, job.tenant_id);
  options.progress = [&](std::size_t done, std::size_t total) {
    if (!stop) return;
    stop = progress(total == 0 ? 0.0 : static_cast<double>(done) / static_cast<double>(total),
                    fmt::format("profiled {} of {} instances", done, total));
  };
  if (Status go = progress(0, "right-sizing"); !go) return unexpected(go.error());
  auto sized = TimePrediction("rightsizing", [&] {
    return service::RightsizeTenant(repository, job.tenant_name, options);
  });
  if (!sized) return unexpected(std::move(sized.error()));
  if (!stop) return unexpected(stop.error());
  nlohmann::json result = {{"recommendations", sized->stored.size()},
                           {"open", sized->counts.open},
                           {"applied", sized->counts.applied},
                           {"dismissed", sized->counts.dismissed},
                           {"snoozed", sized->counts.snoozed},
                           {"monthly_savings", sized->report.monthly_savings}};
  return result.dump();
}

Result<std::string> RunSync(store::Repository& repository, const JobRecord& job,
                            const service::JobProgress& progress,
                            const service::AwsSyncOptions& aws) {
  Result<nlohmann::json> payload = PayloadObject(job);
  if (!payload) return unexpected(std::move(payload.error()));
  std::optional<std::string> account;
  if (payload->contains("account") && (*payload)["account"].is_string()) {
    account = (*payload)["account"].get<std::string>();
  }
  service::AwsSyncOptions options = aws;
  Status stop;
  options.progress = [&](std::string_view line) {
    if (stop) stop = progress(0.5, std::string(line));
  };
  if (Status go = progress(0, "syncing the AWS accounts"); !go) return unexpected(go.error());
  auto summary = service::SyncAwsAccounts(repository, job.tenant_name, account, options);
  if (!summary) return unexpected(std::move(summary.error()));
  const bool any = std::any_of(summary->accounts.begin(), summary->accounts.end(),
                               [](const auto& one) { return one.status == "connected"; });
  if (!any) {
    std::vector<std::string> errors;
    for (const auto& one : summary->accounts) {
      errors.push_back(fmt::format("{}: {}", one.aws_account_id, one.error));
    }
    return MakeError(ErrorCode::kUnavailable,
                     fmt::format("no account synced: {}", fmt::join(errors, "; ")));
  }
  if (Result<int> scheduled = service::EnsureDailyRefresh(
          repository, job.tenant_id, static_cast<std::int64_t>(std::time(nullptr)));
      !scheduled) {
    return unexpected(std::move(scheduled.error()));
  }
  return SyncSummaryToJson(*summary).dump();
}

Result<std::string> RunApply(store::Repository& repository, const JobRecord& job,
                             const service::JobProgress& progress,
                             const service::AwsSyncOptions& aws,
                             const service::Ec2ApplyOptions& apply) {
  Result<nlohmann::json> payload = PayloadObject(job);
  if (!payload) return unexpected(std::move(payload.error()));
  const auto id = payload->find("recommendation_id");
  const auto request = payload->find("request_id");
  if (id == payload->end() || !id->is_number_integer() || request == payload->end() ||
      !request->is_number_integer()) {
    return MakeError(ErrorCode::kInvalidInput,
                     "an apply job needs recommendation_id and request_id");
  }
  service::Ec2ApplyOptions options = apply;
  options.on_step = [&](const std::vector<service::ApplyStepRecord>& steps) {
    // Eight steps make a whole apply; the message says which one is done.
    (void)progress(std::min(1.0, static_cast<double>(steps.size()) / 9.0),
                   fmt::format("{}: {}", steps.back().step, steps.back().status));
  };
  auto plan = service::RunQueuedApply(repository, job.tenant_id, job.tenant_name,
                                      id->get<std::int64_t>(), request->get<std::int64_t>(), aws,
                                      options, static_cast<std::int64_t>(std::time(nullptr)));
  if (!plan) return unexpected(std::move(plan.error()));
  const nlohmann::json result = {{"recommendation_id", id->get<std::int64_t>()},
                                 {"request_id", request->get<std::int64_t>()},
                                 {"outcome", plan->outcome},
                                 {"message", plan->message}};
  if (plan->outcome != "applied") {
    // Rolled back or failed: the job failed, the audit log says what happened.
    return MakeError(ErrorCode::kUnavailable, plan->message);
  }
  return result.dump();
}

// True when `path` is `root` or inside it, once both are made absolute and normal.
bool IsInside(const std::filesystem::path& path, const std::filesystem::path& root) {
  std::error_code error;
  const std::filesystem::path full = std::filesystem::weakly_canonical(path, error);
  if (error) return false;
  const std::filesystem::path base = std::filesystem::weakly_canonical(root, error);
  if (error) return false;
  const auto [base_end, full_end] =
      std::mismatch(base.begin(), base.end(), full.begin(), full.end());
  return base_end == base.end() && full_end != full.end();
}

// Removes the folder of an ingested upload (kept while the job may still be retried).
void RemoveUploadFolder(const std::string& upload_root, const JobRecord& job) {
  const nlohmann::json payload = nlohmann::json::parse(job.payload, nullptr, false);
  if (!payload.is_object() || !payload.contains("upload_dir") ||
      !payload["upload_dir"].is_string()) {
    return;
  }
  const std::filesystem::path folder = payload["upload_dir"].get<std::string>();
  if (!IsInside(folder, upload_root)) {
    spdlog::warn("job {}: not removing {}: it is outside the upload folder {}", job.id,
                 folder.string(), upload_root);
    return;
  }
  std::error_code error;
  std::filesystem::remove_all(folder, error);
  if (error) {
    spdlog::warn("job {}: cannot remove the uploaded files in {}: {}", job.id, folder.string(),
                 error.message());
  }
}

}  // namespace

// The kind's function, with its duration and outcome recorded in /metrics.
service::JobFunction Timed(store::JobKind kind, service::JobFunction run) {
  return [kind, run = std::move(run)](store::Repository& repository, const JobRecord& job,
                                      const service::JobProgress& progress) {
    const auto started = std::chrono::steady_clock::now();
    Result<std::string> result = run(repository, job, progress);
    ObserveSeconds(
        "costwise_job_duration_seconds", "Time a job attempt took, by kind and outcome",
        {{"kind", std::string(store::JobKindName(kind))},
         {"outcome", result ? "succeeded" : "failed"}},
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    return result;
  };
}

service::JobRegistry BuiltinJobKinds(const std::string& upload_root, service::ModelStore* models,
                                     const service::AwsSyncOptions* aws,
                                     const service::Ec2ApplyOptions* apply) {
  service::JobRegistry registry;
  registry[JobKind::kIngest] = {
      Timed(JobKind::kIngest, RunIngest),
      {JobKind::kDetect, JobKind::kForecast},
      [upload_root](const JobRecord& job) { RemoveUploadFolder(upload_root, job); }};
  registry[JobKind::kDetect] = {Timed(JobKind::kDetect,
                                      [models](store::Repository& repository, const JobRecord& job,
                                               const service::JobProgress& progress) {
                                        return RunDetect(repository, job, progress, models);
                                      }),
                                {},
                                {}};
  registry[JobKind::kForecast] = {Timed(JobKind::kForecast, RunForecast), {}, {}};
  registry[JobKind::kRightsize] = {Timed(JobKind::kRightsize,
                                         [aws](store::Repository& repository, const JobRecord& job,
                                               const service::JobProgress& progress) {
                                           return RunRightsize(repository, job, progress, aws);
                                         }),
                                   {},
                                   {}};
  if (aws != nullptr) {
    registry[JobKind::kSync] = {Timed(JobKind::kSync,
                                      [aws](store::Repository& repository, const JobRecord& job,
                                            const service::JobProgress& progress) {
                                        return RunSync(repository, job, progress, *aws);
                                      }),
                                {JobKind::kDetect, JobKind::kForecast, JobKind::kRightsize},
                                {}};
  }
  if (aws != nullptr && apply != nullptr) {
    registry[JobKind::kApply] = {Timed(JobKind::kApply,
                                       [aws, apply](store::Repository& repository,
                                                    const JobRecord& job,
                                                    const service::JobProgress& progress) {
                                         return RunApply(repository, job, progress, *aws, *apply);
                                       }),
                                 {},
                                 {}};
  }
  return registry;
}

nlohmann::json SyncSummaryToJson(const service::AwsSyncSummary& summary) {
  nlohmann::json accounts = nlohmann::json::array();
  for (const service::AccountSyncSummary& account : summary.accounts) {
    accounts.push_back(
        {{"id", account.account_id},
         {"account_id", account.aws_account_id},
         {"name", account.name},
         {"status", account.status},
         {"error", account.error.empty() ? nlohmann::json(nullptr) : nlohmann::json(account.error)},
         {"cur",
          {{"source", account.cur_source},
           {"format", account.cur_format},
           {"billing_periods", account.billing_periods},
           {"athena_bytes_scanned", account.athena_bytes_scanned},
           {"athena_rows", account.athena_rows},
           {"s3_files", account.s3_files.size()},
           {"s3_bytes", account.s3_bytes}}},
         {"instances", account.instances},
         {"volumes", account.volumes},
         {"addresses", account.addresses},
         {"metric_samples", account.metric_samples},
         {"metric_calls", account.metric_calls},
         {"aws_calls", account.aws_calls},
         {"aws_retries", account.aws_retries}});
  }
  nlohmann::json out = {{"accounts", accounts}};
  out["ingest"] = summary.ingest ? IngestSummaryToJson(*summary.ingest) : nlohmann::json(nullptr);
  out["metrics"] = summary.metrics ? nlohmann::json{{"samples", summary.metrics->samples},
                                                    {"added", summary.metrics->added},
                                                    {"updated", summary.metrics->updated}}
                                   : nlohmann::json(nullptr);
  out["metric_anomalies"] = {{"found", summary.metric_anomalies},
                             {"new", summary.new_metric_anomalies},
                             {"alerts_queued", summary.metric_alerts_queued}};
  out["prices"] = {{"refreshed", summary.prices},
                   {"error", summary.prices_error.empty() ? nlohmann::json(nullptr)
                                                          : nlohmann::json(summary.prices_error)}};
  out["inventory_skipped"] = summary.inventory_skipped.empty()
                                 ? nlohmann::json(nullptr)
                                 : nlohmann::json(summary.inventory_skipped);
  return out;
}

nlohmann::json IngestPayload(const std::vector<std::string>& paths, const std::string& upload_dir) {
  return {{"files", paths}, {"upload_dir", upload_dir}};
}

nlohmann::json IngestSummaryToJson(const service::IngestSummary& summary) {
  nlohmann::json files = nlohmann::json::array();
  for (const service::IngestedFile& file : summary.files) {
    files.push_back({{"name", std::filesystem::path(file.path).filename().string()},
                     {"format", file.format},
                     {"checksum", file.checksum},
                     {"rows", file.rows},
                     {"rejected_rows", file.rejected_rows}});
  }
  return {{"files", files},
          {"cube_rows", summary.cube_rows},
          {"rows_deleted", summary.rows_deleted},
          {"rows_inserted", summary.rows_inserted},
          {"billed_total", MoneyText(summary.billed_total)},
          {"effective_total", MoneyText(summary.effective_total)},
          {"read_seconds", summary.read_seconds},
          {"store_seconds", summary.store_seconds}};
}

}  // namespace costwise::api
