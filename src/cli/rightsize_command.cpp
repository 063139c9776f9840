#include "cli/rightsize_command.h"

#include <cstdio>
#include <filesystem>

#include <fmt/format.h>

#include "api/rightsizing_render.h"
#include "cli/output.h"
#include "cli/progress_bar.h"
#include "core/date.h"
#include "service/aws_sync.h"
#include "service/rightsizing_service.h"
#include "service/rightsizing_tenant.h"
#include "store/repository.h"

namespace costwise::cli {
namespace {

constexpr int kJsonIndent = 2;
// A bar is worth drawing for fleets of a few hundred instances and more.
constexpr std::uint64_t kProgressMinInstances = 200;

std::string Table(const service::RightsizeReport& report) {
  std::string text =
      fmt::format("right-sizing {} instances over the {} days to {} ({})\n\n",
                  report.instances.size(), report.lookback_days,
                  DateOfTimestamp(report.lookback_end - 1).ToString(), report.catalog_source);
  text +=
      fmt::format("{:<22} {:<18} {:<14} {:>10} {:<14} {:>10} {:>5} {:>5}  {}\n", "instance",
                  "finding", "current", "$/month", "option", "saves/mo", "risk", "conf", "summary");
  for (const service::InstanceRecommendation& item : report.instances) {
    const rightsizing::Recommendation& r = item.recommendation;
    const bool has_option = !r.options.empty();
    text +=
        fmt::format("{:<22} {:<18} {:<14} {:>10.2f} {:<14} {:>10} {:>5} {:>5.2f}  {}\n",
                    item.instance.instance_id, rightsizing::FindingName(r.finding), r.current_type,
                    r.current_monthly, has_option ? r.options.front().type : "-",
                    has_option ? fmt::format("{:.2f}", r.options.front().monthly_savings) : "-",
                    has_option ? std::to_string(r.options.front().performance_risk) : "-",
                    r.confidence, r.summary);
  }
  for (const std::string& skipped : report.skipped) text += fmt::format("skipped {}\n", skipped);
  if (!report.idle_resources.empty()) {
    text += fmt::format("\n{:<26} {:<22} {:<12} {:>10}  {}\n", "idle resource", "kind", "region",
                        "$/month", "summary");
    for (const rightsizing::IdleResource& resource : report.idle_resources) {
      text += fmt::format("{:<26} {:<22} {:<12} {:>10.2f}  {}\n", resource.id,
                          rightsizing::IdleKindName(resource.kind), resource.region,
                          resource.monthly_cost, resource.summary);
    }
  }
  text += fmt::format("\npotential savings: ${:.2f}/month (${:.2f}/year)\n", report.monthly_savings,
                      report.monthly_savings * 12);
  return text;
}

}  // namespace

RightsizeCommand::RightsizeCommand(CLI::App& app) {
  command_ = app.add_subcommand(
      "rightsize",
      "EC2 right-sizing and idle instances from an inventory and its metrics: files "
      "(--inventory, --metrics) or a tenant's stored ones (--tenant)");
  command_
      ->add_option("--models-dir", models_dir_,
                   "with --tenant and no --catalog: the tenant's catalog refreshed from the "
                   "Price List API by `costwise sync` is read from DIR/catalogs")
      ->capture_default_str();
  command_->add_option("--tenant", tenant_,
                       "right-size the tenant's stored inventory and metrics (costwise inventory "
                       "import, metrics import) and store the recommendations");
  command_
      ->add_option("--inventory", inventory_,
                   "CSV instance_id,instance_type,region,platform,state,tags")
      ->check(CLI::ExistingFile);
  command_
      ->add_option("--metrics", metrics_,
                   "CSV instance_id,timestamp,metric,value (CPUUtilization, mem_used_percent, "
                   "NetworkIn, NetworkOut)")
      ->check(CLI::ExistingFile);
  command_
      ->add_option("--volumes", volumes_,
                   "CSV volume_id,volume_type,size_gib,iops,throughput_mibps,region,state,"
                   "attached_instance_id,tags (unattached volumes are idle)")
      ->check(CLI::ExistingFile);
  command_
      ->add_option("--addresses", addresses_,
                   "CSV allocation_id,public_ip,region,association_id,instance_id,tags "
                   "(unassociated Elastic IPs are idle)")
      ->check(CLI::ExistingFile);
  command_->add_option("--catalog", catalog_, "instance catalog CSV (default: the built-in one)")
      ->check(CLI::ExistingFile);
  command_
      ->add_option("--performance", performance_,
                   "CSV cpu_manufacturer,generation,factor: relative per-vCPU performance set "
                   "over the built-in estimates (docs/rightsizing.md)")
      ->check(CLI::ExistingFile);
  command_->add_option("--lookback-days", lookback_days_, "14, 32 or 93")
      ->check(CLI::IsMember({14, 32, 93}))
      ->capture_default_str();
  command_->add_option("--format", format_, "table|json")
      ->check(CLI::IsMember({"table", "json"}))
      ->capture_default_str();
  // The sizing policy: Compute Optimizer's defaults unless changed (docs/rightsizing.md).
  command_
      ->add_option("--cpu-target", policy_.cpu_target,
                   "projected CPU p99.5 at most this percent of a candidate (headroom = 100 - it; "
                   "bursty workloads keep at least 30%)")
      ->check(CLI::Range(1.0, 100.0))
      ->capture_default_str();
  command_
      ->add_option("--memory-target", policy_.memory_target,
                   "projected memory maximum at most this percent (memory-bound workloads keep at "
                   "least 30% headroom)")
      ->check(CLI::Range(1.0, 100.0))
      ->capture_default_str();
  command_
      ->add_option(
          "--max-risk", policy_.preferred_max_risk,
          "options above this performance risk (0-4) are shown only when fewer than three safer "
          "ones fit")
      ->check(CLI::Range(0, 4))
      ->capture_default_str();
  command_
      ->add_option("--lookahead-days", policy_.projection_days,
                   "a growing load is sized for this many days past the lookback")
      ->check(CLI::Range(0, 365))
      ->capture_default_str();
  command_->add_flag("--no-arm64", no_arm64_, "no Graviton (arm64) options");
  command_->add_flag("--same-family", same_family_, "only options of the current family");
  command_->add_flag("--no-burstable", no_burstable_, "no T2/T3/T3a/T4g options");
  command_
      ->add_option("--credit-mode", credit_mode_,
                   "CPU credit mode burstable options are judged in: unlimited or standard "
                   "(default: each family's own, unlimited for T3/T3a/T4g, standard for T2)")
      ->check(CLI::IsMember({"unlimited", "standard"}));
}

rightsizing::SizingPolicy RightsizeCommand::Policy() const {
  rightsizing::SizingPolicy policy = policy_;
  policy.allow_arm64 = !no_arm64_ && !same_family_;
  policy.allow_other_families = !same_family_;
  policy.allow_burstable = !no_burstable_;
  if (credit_mode_ == "unlimited") policy.credit_mode = rightsizing::CreditMode::kUnlimited;
  if (credit_mode_ == "standard") policy.credit_mode = rightsizing::CreditMode::kStandard;
  return policy;
}

bool RightsizeCommand::Parsed() const { return command_->parsed(); }

int RightsizeCommand::Run(const std::string& database) const {
  const bool files =
      !inventory_.empty() || !metrics_.empty() || !volumes_.empty() || !addresses_.empty();
  if (!tenant_.empty() && files) {
    fmt::print(stderr,
               "costwise: error: rightsize takes either --tenant NAME (its stored inventory) or "
               "--inventory INV.csv --metrics METRICS.csv (files), not both\n");
    return kExitUsage;
  }
  if (!tenant_.empty()) return RunTenant(database);
  if (inventory_.empty() || metrics_.empty()) {
    fmt::print(stderr,
               "costwise: error: rightsize needs --tenant NAME, or --inventory INV.csv and "
               "--metrics METRICS.csv; see costwise rightsize --help\n");
    return kExitUsage;
  }
  service::RightsizeFileOptions options;
  options.inventory_path = inventory_;
  options.metrics_path = metrics_;
  options.volumes_path = volumes_;
  options.addresses_path = addresses_;
  options.catalog_path = catalog_;
  options.performance_path = performance_;
  options.lookback_days = lookback_days_;
  options.policy = Policy();
  ProgressBar bar(kProgressMinInstances, "instances");
  options.progress = [&bar](std::size_t done, std::size_t total) {
    bar.Update("profiling", done, total);
  };
  auto report = service::RightsizeFiles(options);
  bar.Finish();
  if (!report) return Fail(report.error());
  Print(*report);
  return 0;
}

int RightsizeCommand::RunTenant(const std::string& database) const {
  auto repository = store::OpenRepository(database);
  if (!repository) return Fail(repository.error());
  service::TenantRightsizeOptions options;
  options.lookback_days = lookback_days_;
  options.catalog_path = catalog_;
  if (catalog_.empty()) {
    // The catalog `costwise sync` refreshed from the Price List API, when there is one.
    auto tenant = (*repository)->FindTenant(tenant_);
    if (tenant) {
      service::AwsSyncOptions aws;
      aws.catalog_dir = (std::filesystem::path(models_dir_) / "catalogs").string();
      options.catalog_path = service::TenantCatalogPath(aws, tenant->id);
    }
  }
  options.performance_path = performance_;
  options.policy = Policy();
  ProgressBar bar(kProgressMinInstances, "instances");
  options.progress = [&bar](std::size_t done, std::size_t total) {
    bar.Update("profiling", done, total);
  };
  auto result = service::RightsizeTenant(**repository, tenant_, options);
  bar.Finish();
  if (!result) return Fail(result.error());
  Print(result->report);
  const service::StoredRecommendationCounts& counts = result->counts;
  fmt::print(stderr,
             "stored {} recommendations of tenant '{}': {} open, {} dismissed, {} snoozed, {} "
             "applied (costwise recommendations list --tenant {})\n",
             result->stored.size(), tenant_, counts.open, counts.dismissed, counts.snoozed,
             counts.applied, tenant_);
  return 0;
}

void RightsizeCommand::Print(const service::RightsizeReport& report) const {
  if (format_ == "json") {
    fmt::print("{}\n", api::RightsizeReportToJson(report).dump(kJsonIndent));
  } else {
    fmt::print("{}", Table(report));
  }
}

}  // namespace costwise::cli
