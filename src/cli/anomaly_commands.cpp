#include "cli/anomaly_commands.h"

#include <optional>

#include <fmt/format.h>

#include "api/anomaly_render.h"
#include "cli/anomaly_table.h"
#include "cli/output.h"
#include "service/alerts.h"
#include "store/repository.h"

namespace costwise::cli {
namespace {

constexpr int kJsonIndent = 2;
constexpr std::string_view kAllStatuses = "all";

void PrintSummary(const service::AnomalyDetectionSummary& summary) {
  if (!summary.from) {
    fmt::print("tenant '{}' has no cost data: nothing to scan\n", summary.tenant);
    return;
  }
  fmt::print(
      "scanned {} monitors of tenant '{}' from {} to {}: {} new, {} extended, {} suppressed, {} "
      "closed, {} updated, {} unchanged\n",
      summary.monitors, summary.tenant, summary.from->ToString(), summary.to->ToString(),
      summary.new_anomalies, summary.extended, summary.suppressed, summary.closed, summary.updated,
      summary.unchanged);
  if (summary.resumed_monitors > 0) {
    fmt::print("{} continued {} monitors from its saved state\n", summary.model,
               summary.resumed_monitors);
  }
  if (!summary.retrained.empty()) {
    fmt::print("trained {} ({})\n", summary.model, summary.retrained == "schedule"
                                                      ? "the window outgrew the lookback"
                                                      : "after feedback");
  }
  for (const std::string& warning : summary.warnings) {
    fmt::print(stderr, "warning: {}\n", warning);
  }
  fmt::print("{}", AnomalyTable(summary.anomalies));
}

int RunDetect(store::Repository& repository, const std::string& tenant,
              const service::AnomalyDetectionOptions& options, const std::string& format) {
  auto result = service::DetectAnomaliesAndAlert(repository, tenant, options);
  if (!result) return Fail(result.error());
  if (format == "json") {
    fmt::print("{}\n", api::DetectionSummaryToJson(result->detection).dump(kJsonIndent));
  } else {
    PrintSummary(result->detection);
  }
  if (result->alerts_queued > 0) {
    fmt::print(stderr, "queued {} alert deliveries; `costwise serve` sends them\n",
               result->alerts_queued);
  }
  return 0;
}

int RunList(store::Repository& repository, const std::string& tenant, const std::string& status,
            const std::string& format) {
  const std::optional<AnomalyStatus> wanted =
      status == kAllStatuses ? std::nullopt : ParseStatus(status);
  auto anomalies = service::ListCostAnomalies(repository, tenant, wanted);
  if (!anomalies) return Fail(anomalies.error());
  if (format == "json") {
    fmt::print("{}\n", api::AnomalyListToJson(tenant, *anomalies).dump(kJsonIndent));
  } else {
    fmt::print("{}", AnomalyTable(*anomalies));
  }
  return 0;
}

int RunFeedback(store::Repository& repository, const std::string& tenant, std::int64_t id,
                const std::string& verdict, const std::string& note) {
  const std::optional<AnomalyFeedback> feedback = ParseFeedback(verdict);
  if (!feedback) {
    return Fail(Error{ErrorCode::kInvalidInput,
                      fmt::format("--verdict must be yes, no or planned, got '{}'", verdict)});
  }
  auto anomaly = service::SetAnomalyFeedback(repository, tenant, id, *feedback, note);
  if (!anomaly) return Fail(anomaly.error());
  fmt::print("anomaly {} of tenant '{}' ({} from {} to {}): feedback {}\n", anomaly->id, tenant,
             MonitorLabel(anomaly->monitor), anomaly->start_date.ToString(),
             anomaly->end_date.ToString(), FeedbackName(anomaly->feedback));
  return 0;
}

}  // namespace

AnomalyCommands::AnomalyCommands(CLI::App& anomalies) {
  detect_ = anomalies.add_subcommand(
      "detect", "find cost anomalies in the tenant's daily cube and store them with root causes");
  list_ = anomalies.add_subcommand("list", "list the tenant's stored cost anomalies");
  feedback_ = anomalies.add_subcommand(
      "feedback", "record whether an anomaly was real (yes), not (no) or planned activity");
  for (CLI::App* command : {detect_, list_, feedback_}) {
    command->add_option("--tenant", tenant_, "tenant (organisation) name")->required();
  }
  for (CLI::App* command : {detect_, list_}) {
    command->add_option("--format", format_, "table|json")
        ->check(CLI::IsMember({"table", "json"}))
        ->capture_default_str();
  }
  detect_
      ->add_option("--lookback-days", detect_options_.lookback_days,
                   "days scanned, ending at the latest day of cost data")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  detect_
      ->add_option("--top", detect_options_.top_values,
                   "monitors per dimension and tag key: the values with the most spend")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  detect_
      ->add_option("--models-dir", models_dir_,
                   "continue from (and save) the detector state in this folder, as `serve "
                   "--models-dir` does; without it, every run rescans its whole window")
      ->check(CLI::ExistingDirectory);
  detect_
      ->add_option("--retrain-days", detect_options_.retrain_days,
                   "with --models-dir: train a new detector version once the window is this many "
                   "days longer than the lookback")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  list_->add_option("--status", status_, "open|closed|suppressed|all")
      ->check(CLI::IsMember({"open", "closed", "suppressed", "all"}))
      ->capture_default_str();
  feedback_->add_option("--id", id_, "anomaly id (from list)")->required();
  feedback_->add_option("--verdict", verdict_, "yes|no|planned")
      ->required()
      ->check(CLI::IsMember({"yes", "no", "planned"}));
  feedback_->add_option("--note", note_, "free text kept with the verdict");
}

bool AnomalyCommands::Parsed() const {
  return detect_->parsed() || list_->parsed() || feedback_->parsed();
}

int AnomalyCommands::Run(const std::string& database) const {
  auto repository = store::OpenRepository(database);
  if (!repository) return Fail(repository.error());
  if (detect_->parsed()) {
    service::AnomalyDetectionOptions options = detect_options_;
    std::optional<service::ModelStore> models;
    if (!models_dir_.empty()) {
      models.emplace(models_dir_, 1);
      options.models = &*models;
    }
    return RunDetect(**repository, tenant_, options, format_);
  }
  if (list_->parsed()) return RunList(**repository, tenant_, status_, format_);
  return RunFeedback(**repository, tenant_, id_, verdict_, note_);
}

}  // namespace costwise::cli
