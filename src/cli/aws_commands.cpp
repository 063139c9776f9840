#include "cli/aws_commands.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <tuple>

#include <fmt/format.h>

#include "cli/output.h"
#include "ingest/aws/credentials.h"
#include "ingest/aws/pricing.h"
#include "service/aws_sync.h"
#include "store/repository.h"

namespace costwise::cli {
namespace {

bool Skips(const std::vector<std::string>& skip, std::string_view what) {
  return std::find(skip.begin(), skip.end(), what) != skip.end();
}

std::string ChangesText(std::string_view kind, const std::optional<store::InventoryChanges>& c) {
  if (!c) return "";
  return fmt::format("{} {} ({} added, {} changed, {} removed)", kind,
                     c->added + c->changed + c->unchanged, c->added, c->changed, c->removed);
}

}  // namespace

AwsCommands::AwsCommands(CLI::App& app) {
  sync_ = app.add_subcommand(
      "sync",
      "sync a tenant's onboarded AWS accounts: the CUR (through Athena or from S3), the EC2 "
      "inventory and CloudWatch metrics");
  sync_->add_option("--tenant", tenant_, "tenant (organisation) name")->required();
  sync_->add_option("--account", account_,
                    "only this account (costwise's id or the 12-digit AWS account id)");
  sync_
      ->add_option("--months", months_,
                   "billing periods to read: the current month and the ones before it")
      ->check(CLI::Range(1, 36))
      ->capture_default_str();
  sync_
      ->add_option("--backfill-months", backfill_months_,
                   "billing periods an account's first sync reads")
      ->check(CLI::Range(1, 36))
      ->capture_default_str();
  sync_->add_option("--since", since_,
                    "first billing period to read, YYYY-MM (instead of --months)");
  sync_->add_option("--until", until_, "last billing period to read with --since, YYYY-MM");
  sync_
      ->add_option("--models-dir", models_dir_,
                   "the organisation's instance catalog with the Price List API's prices goes "
                   "to DIR/catalogs (what `serve` and `rightsize --tenant` read)")
      ->capture_default_str();
  sync_->add_option("--region", regions_,
                    "regions whose inventory and metrics are read (default: the CUR source's)");
  sync_->add_option("--skip", skip_, "leave out: cur, inventory, metrics")
      ->check(CLI::IsMember({"cur", "inventory", "metrics"}));
  sync_->add_option("--period", period_, "CloudWatch period in seconds")
      ->check(CLI::IsMember({300, 3600}))
      ->capture_default_str();
  sync_
      ->add_option("--lookback-days", lookback_days_,
                   "metrics read back this far when none are stored yet")
      ->check(CLI::Range(1, 63))
      ->capture_default_str();

  CLI::App* aws = app.add_subcommand("aws", "AWS connection tools");
  aws->require_subcommand(1);
  test_ = aws->add_subcommand(
      "test", "test an onboarded account's connection: assume its role, check the CUR source");
  test_->add_option("--tenant", tenant_, "tenant (organisation) name")->required();
  test_->add_option("--account", account_, "costwise's id of the account")->required();
  prices_ = aws->add_subcommand(
      "prices",
      "write the instance catalog (on-demand Linux prices of a region from the Price List API) as "
      "a CSV that `--catalog` options read");
  prices_->add_option("--region", region_, "region code")->capture_default_str();
  prices_->add_option("--out", out_, "CSV file to write")->required();
}

bool AwsCommands::Parsed() const { return sync_->parsed() || test_->parsed() || prices_->parsed(); }

int AwsCommands::Run(const std::string& database) const {
  if (sync_->parsed()) return RunSync(database);
  if (test_->parsed()) return RunTest(database);
  return RunPrices();
}

int AwsCommands::RunSync(const std::string& database) const {
  auto repository = store::OpenRepository(database);
  if (!repository) return Fail(repository.error());
  service::AwsSyncOptions options;
  options.environment = aws::Environment::FromProcess();
  options.months = months_;
  options.backfill_months = backfill_months_;
  for (const auto& [text, target, name] :
       {std::tuple{&since_, &options.since, "--since"}, {&until_, &options.until, "--until"}}) {
    if (text->empty()) continue;
    const std::optional<Date> month = Date::Parse(*text + "-01");
    if (!month || text->size() != 7) {
      return Fail(
          Error{ErrorCode::kInvalidInput,
                fmt::format("{} takes a billing period as YYYY-MM, not \"{}\"", name, *text)});
    }
    *target = month;
  }
  if (!until_.empty() && since_.empty()) {
    return Fail(Error{ErrorCode::kInvalidInput, "--until needs --since"});
  }
  options.regions = regions_;
  options.cur = !Skips(skip_, "cur");
  options.inventory = !Skips(skip_, "inventory");
  options.metrics = !Skips(skip_, "metrics");
  options.metrics_period_seconds = period_;
  options.metrics_lookback_days = lookback_days_;
  options.catalog_dir = (std::filesystem::path(models_dir_) / "catalogs").string();
  options.progress = [](std::string_view line) { fmt::print(stderr, "{}\n", line); };
  auto summary = service::SyncAwsAccounts(
      **repository, tenant_, account_.empty() ? std::nullopt : std::optional(account_), options);
  if (!summary) return Fail(summary.error());
  for (const service::AccountSyncSummary& account : summary->accounts) {
    fmt::print("account {} ({}): {}\n", account.aws_account_id, account.name, account.status);
    if (!account.error.empty()) fmt::print("  error: {}\n", account.error);
    if (!account.cur_source.empty()) {
      fmt::print("  CUR via {} ({}): periods {}", account.cur_source, account.cur_format,
                 account.billing_periods.empty()
                     ? "none"
                     : fmt::format("{}", fmt::join(account.billing_periods, ", ")));
      if (account.cur_source == "athena") {
        fmt::print(", {} result rows, {} bytes scanned\n", account.athena_rows,
                   account.athena_bytes_scanned);
      } else {
        fmt::print(", {} files, {} bytes\n", account.s3_files.size(), account.s3_bytes);
      }
    }
    fmt::print(
        "  inventory: {} instances, {} volumes, {} addresses; metrics: {} samples from {} "
        "queries in {} calls; {} AWS calls, {} retries\n",
        account.instances, account.volumes, account.addresses, account.metric_samples,
        account.metric_queries, account.metric_calls, account.aws_calls, account.aws_retries);
  }
  if (summary->ingest) {
    fmt::print("ingested {} files: {} cube rows, billed {} (periods restated: {})\n",
               summary->ingest->files.size(), summary->ingest->cube_rows,
               summary->ingest->billed_total.ToString(), summary->ingest->scopes.size());
  }
  if (summary->inventory) {
    std::vector<std::string> parts;
    for (std::string part : {ChangesText("instances", summary->inventory->instances),
                             ChangesText("volumes", summary->inventory->volumes),
                             ChangesText("addresses", summary->inventory->addresses)}) {
      if (!part.empty()) parts.push_back(std::move(part));
    }
    fmt::print("inventory replaced: {}\n", fmt::join(parts, "; "));
  } else if (!summary->inventory_skipped.empty()) {
    fmt::print("inventory kept: {}\n", summary->inventory_skipped);
  }
  if (!summary->catalog_path.empty()) {
    fmt::print("prices: {} instance types from the Price List API into {}\n", summary->prices,
               summary->catalog_path);
  } else if (!summary->prices_error.empty()) {
    fmt::print("prices not refreshed: {}\n", summary->prices_error);
  }
  if (summary->metrics) {
    fmt::print("metrics: {} samples ({} new, {} updated); {} anomalies in the series ({} new)\n",
               summary->metrics->samples, summary->metrics->added, summary->metrics->updated,
               summary->metric_anomalies, summary->new_metric_anomalies);
  }
  if (!summary->ok()) {
    return Fail(Error{ErrorCode::kUnavailable, "some accounts failed to sync (see above)"});
  }
  return 0;
}

int AwsCommands::RunTest(const std::string& database) const {
  auto repository = store::OpenRepository(database);
  if (!repository) return Fail(repository.error());
  auto tenant = (*repository)->FindTenant(tenant_);
  if (!tenant) return Fail(tenant.error());
  std::int64_t id = 0;
  try {
    id = std::stoll(account_);
  } catch (const std::exception&) {
    return Fail(Error{ErrorCode::kInvalidInput, "--account takes costwise's numeric account id"});
  }
  service::AwsSyncOptions options;
  options.environment = aws::Environment::FromProcess();
  auto test = service::TestAwsConnection(**repository, tenant->id, id, options);
  if (!test) return Fail(test.error());
  for (const service::ConnectionTestStep& step : test->steps) {
    fmt::print("{:<12} {:<8} {}\n", step.step, step.status, step.detail);
  }
  fmt::print("account {}: {}\n", test->account.account_id, test->account.status);
  return test->ok ? 0 : kExitFailure;
}

int AwsCommands::RunPrices() const {
  const aws::Environment environment = aws::Environment::FromProcess();
  aws::ClientConfig config;
  config.region = "us-east-1";
  config.endpoints = environment.Endpoints();
  config.credentials = aws::DefaultCredentialsChain(environment, config);
  aws::AwsClient client(std::move(config));
  auto prices = aws::GetEc2LinuxPrices(client, region_);
  if (!prices) return Fail(prices.error().ToError());
  if (prices->empty()) {
    return Fail(
        Error{ErrorCode::kNotFound,
              fmt::format("the Price List API has no on-demand Linux prices for {}", region_)});
  }
  std::sort(prices->begin(), prices->end(), [](const aws::Ec2Price& a, const aws::Ec2Price& b) {
    return a.instance_type < b.instance_type;
  });
  std::string text =
      "instance_type,vcpu,memory_gib,arch,gpu_count,region,"
      "price_per_hour_ondemand_linux_usd\n";
  for (const aws::Ec2Price& price : *prices) {
    text +=
        fmt::format("{},{},{},{},{},{},{:.6f}\n", price.instance_type, price.vcpu, price.memory_gib,
                    price.architecture, price.gpus, price.region_code, price.usd_per_hour);
  }
  if (Status written = WriteFile(out_, text); !written) return Fail(written.error());
  fmt::print("wrote {} instance types of {} to {}\n", prices->size(), region_, out_);
  return 0;
}

}  // namespace costwise::cli
