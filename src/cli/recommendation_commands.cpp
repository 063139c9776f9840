#include "cli/recommendation_commands.h"

#include <optional>
#include <vector>

#include <fmt/format.h>

#include "api/recommendation_render.h"
#include "cli/output.h"
#include "core/clock.h"
#include "core/date.h"
#include "service/rightsizing_tenant.h"
#include "store/repository.h"

namespace costwise::cli {
namespace {

constexpr int kJsonIndent = 2;
constexpr std::string_view kAllStatuses = "all";
constexpr std::int64_t kDaySeconds = 86'400;
constexpr int kDefaultSnoozeDays = 30;

std::string Table(const std::vector<ResourceRecommendation>& recommendations) {
  if (recommendations.empty()) return "(no recommendations)\n";
  std::string text = fmt::format(
      "{:>6}  {:<9} {:<24} {:<12} {:<20} {:<26} {:>10} {:>4} {:>5}  "
      "{:<22} {}\n",
      "id", "kind", "resource", "region", "finding", "action", "saves/mo", "risk", "conf", "status",
      "summary");
  for (const ResourceRecommendation& r : recommendations) {
    std::string action = r.action;
    if (!r.recommended_type.empty()) action.append(" to ").append(r.recommended_type);
    std::string status(RecommendationStatusName(r.status));
    if (r.snoozed_until) status.append(" to ").append(DateOfTimestamp(*r.snoozed_until).ToString());
    text +=
        fmt::format("{:>6}  {:<9} {:<24} {:<12} {:<20} {:<26} {:>10} {:>4} {:>5.2f}  {:<22} {}\n",
                    r.id, RecommendationKindName(r.kind), r.resource_id, r.region, r.finding,
                    action, r.monthly_savings.ToString(2),
                    r.performance_risk ? std::to_string(*r.performance_risk) : "-", r.confidence,
                    status, r.summary);
  }
  return text;
}

std::string Details(const ResourceRecommendation& r) {
  std::string text = fmt::format("recommendation {}: {} ({})\n", r.id, RecommendedActionLabel(r),
                                 RecommendationStatusName(r.status));
  text += fmt::format("{}\n", r.summary);
  text += fmt::format(
      "region {}, finding {}, saves {}/month of {}/month, confidence {:.2f}, "
      "model {}\n",
      r.region, r.finding, r.monthly_savings.ToString(2), r.current_monthly_cost.ToString(2),
      r.confidence, r.model_version.empty() ? "-" : r.model_version);
  text += "\nAWS CLI:\n";
  for (const std::string& command : r.aws_cli) text += fmt::format("  {}\n", command);
  text += "\nTerraform:\n";
  text += r.terraform;
  return text;
}

// The end of a snooze: the start (UTC) of the day given, or 30 days from now.
Result<std::int64_t> SnoozeEnd(const std::string& until, std::int64_t now) {
  if (until.empty()) return now + kDefaultSnoozeDays * kDaySeconds;
  const std::optional<Date> day = Date::Parse(until);
  if (!day) {
    return MakeError(ErrorCode::kInvalidInput,
                     fmt::format("--until must be a date YYYY-MM-DD, got '{}'", until));
  }
  return static_cast<std::int64_t>(day->days()) * kDaySeconds;
}

}  // namespace

RecommendationCommands::RecommendationCommands(CLI::App& app) {
  recommendations_ =
      app.add_subcommand("recommendations",
                         "a tenant's stored right-sizing recommendations (costwise rightsize "
                         "--tenant makes them)");
  recommendations_->require_subcommand(1);
  list_ = recommendations_->add_subcommand("list", "list the tenant's recommendations");
  show_ = recommendations_->add_subcommand(
      "show", "one recommendation with its AWS CLI commands and Terraform change");
  dismiss_ = recommendations_->add_subcommand(
      "dismiss", "not wanted: later runs keep it dismissed while they recommend the same action");
  snooze_ = recommendations_->add_subcommand(
      "snooze", "not now: a run after --until reopens it if it still recommends the same action");
  reopen_ = recommendations_->add_subcommand("reopen", "make a recommendation open again");
  applied_ = recommendations_->add_subcommand(
      "mark-applied", "record that the change was carried out (by hand, for now)");
  for (CLI::App* command : {list_, show_, dismiss_, snooze_, reopen_, applied_}) {
    command->add_option("--tenant", tenant_, "tenant (organisation) name")->required();
  }
  for (CLI::App* command : {show_, dismiss_, snooze_, reopen_, applied_}) {
    command->add_option("--id", id_, "recommendation id (from list)")->required();
  }
  list_->add_option("--status", status_, "open|applied|dismissed|snoozed|all")
      ->check(CLI::IsMember({"open", "applied", "dismissed", "snoozed", "all"}))
      ->capture_default_str();
  for (CLI::App* command : {list_, show_}) {
    command->add_option("--format", format_, "table|json")
        ->check(CLI::IsMember({"table", "json"}))
        ->capture_default_str();
  }
  snooze_->add_option("--until", until_,
                      "YYYY-MM-DD: snoozed until the start of that day, UTC (default: 30 days)");
}

bool RecommendationCommands::Parsed() const { return recommendations_->parsed(); }

int RecommendationCommands::Run(const std::string& database) const {
  auto repository = store::OpenRepository(database);
  if (!repository) return Fail(repository.error());
  if (list_->parsed()) {
    const std::optional<RecommendationStatus> wanted =
        status_ == kAllStatuses ? std::nullopt : ParseRecommendationStatus(status_);
    auto recommendations = service::ListRecommendations(**repository, tenant_, wanted);
    if (!recommendations) return Fail(recommendations.error());
    if (format_ == "json") {
      fmt::print("{}\n",
                 api::RecommendationListToJson(tenant_, *recommendations).dump(kJsonIndent));
    } else {
      fmt::print("{}", Table(*recommendations));
    }
    return 0;
  }
  if (show_->parsed()) {
    auto recommendation = service::GetRecommendation(**repository, tenant_, id_);
    if (!recommendation) return Fail(recommendation.error());
    if (format_ == "json") {
      fmt::print("{}\n", api::RecommendationToJson(*recommendation).dump(kJsonIndent));
    } else {
      fmt::print("{}", Details(*recommendation));
    }
    return 0;
  }
  const std::int64_t now = UnixSecondsNow();
  RecommendationStatus status = RecommendationStatus::kOpen;
  std::optional<std::int64_t> until;
  if (dismiss_->parsed()) status = RecommendationStatus::kDismissed;
  if (applied_->parsed()) status = RecommendationStatus::kApplied;
  if (snooze_->parsed()) {
    status = RecommendationStatus::kSnoozed;
    auto end = SnoozeEnd(until_, now);
    if (!end) return Fail(end.error());
    until = *end;
  }
  auto updated = service::SetRecommendationStatus(**repository, tenant_, id_, status, until, now);
  if (!updated) return Fail(updated.error());
  fmt::print("recommendation {} of tenant '{}' ({}): {}{}\n", updated->id, tenant_,
             RecommendedActionLabel(*updated), RecommendationStatusName(updated->status),
             updated->snoozed_until
                 ? fmt::format(" until {}", DateOfTimestamp(*updated->snoozed_until).ToString())
                 : std::string());
  return 0;
}

}  // namespace costwise::cli
