#include "service/aws_sync.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include <fmt/format.h>

#include "core/clock.h"
#include "ingest/aws/athena_cur.h"
#include "ingest/aws/cloudwatch.h"
#include "ingest/aws/credentials.h"
#include "ingest/aws/ec2.h"
#include "ingest/aws/pricing.h"
#include "ingest/aws/s3.h"
#include "ingest/aws/sts.h"
#include "service/alerts.h"
#include "service/cloud_accounts.h"
#include "service/instance_catalog.h"
#include "service/job_service.h"
#include "service/metric_anomalies.h"

namespace costwise::service {
namespace {

namespace fs = std::filesystem;

// One CloudWatch metric costwise reads for each running instance.
struct MetricSpec {
  std::string_view name_space;
  std::string_view metric;
  std::string_view stat;
};
constexpr MetricSpec kInstanceMetrics[] = {
    {"AWS/EC2", "CPUUtilization", "Average"}, {"AWS/EC2", "NetworkIn", "Sum"},
    {"AWS/EC2", "NetworkOut", "Sum"},         {"AWS/EC2", "EBSReadBytes", "Sum"},
    {"AWS/EC2", "EBSWriteBytes", "Sum"},      {"CWAgent", "mem_used_percent", "Average"},
};

std::int64_t NowOf(const AwsSyncOptions& options) {
  return options.now != 0 ? options.now : UnixSecondsNow();
}

void Report(const AwsSyncOptions& options, const std::string& line) {
  if (options.progress) options.progress(line);
}

// A temporary folder removed when the sync ends.
class WorkDir {
 public:
  explicit WorkDir(const std::string& requested) {
    if (!requested.empty()) {
      path_ = requested;
      fs::create_directories(path_);
      return;
    }
    std::string pattern = (fs::temp_directory_path() / "costwise-sync-XXXXXX").string();
    if (mkdtemp(pattern.data()) != nullptr) {
      path_ = pattern;
      owned_ = true;
    }
  }
  ~WorkDir() {
    std::error_code ignored;
    if (owned_) fs::remove_all(path_, ignored);
  }
  WorkDir(const WorkDir&) = delete;
  WorkDir& operator=(const WorkDir&) = delete;
  [[nodiscard]] const fs::path& path() const { return path_; }
  [[nodiscard]] bool ok() const { return !path_.empty(); }

 private:
  fs::path path_;
  bool owned_ = false;
};

// The clients of one account: costwise's own identity assumes the account's role.
class AccountAws {
 public:
  AccountAws(const store::CloudAccountRecord& account, std::string region,
             const AwsSyncOptions& options,
             std::shared_ptr<aws::CredentialsProvider> costwise_identity)
      : region_(std::move(region)), options_(options) {
    aws::ClientConfig sts = Config(region_);
    aws::AssumeRoleRequest request;
    request.role_arn = account.role_arn;
    request.external_id = account.external_id;
    request.session_name = "costwise-" + account.account_id;
    role_ = std::make_shared<aws::AssumeRoleCredentials>(std::move(costwise_identity), request,
                                                         std::move(sts));
  }

  aws::AwsClient& Client(const std::string& region) {
    auto it = clients_.find(region);
    if (it == clients_.end()) {
      aws::ClientConfig config = Config(region);
      config.credentials = role_;
      it = clients_.emplace(region, std::make_unique<aws::AwsClient>(std::move(config))).first;
    }
    return *it->second;
  }
  aws::AwsClient& Home() { return Client(region_); }
  [[nodiscard]] const std::string& region() const { return region_; }

  void AddStats(AccountSyncSummary& summary) const {
    for (const auto& [region, client] : clients_) {
      summary.aws_calls += client->stats().calls;
      summary.aws_retries += client->stats().retries;
    }
  }

 private:
  aws::ClientConfig Config(const std::string& region) const {
    aws::ClientConfig config;
    config.region = region;
    config.transport = options_.transport;
    config.endpoints = options_.environment.Endpoints();
    config.retry = options_.retry;
    return config;
  }

  std::string region_;
  const AwsSyncOptions& options_;
  std::shared_ptr<aws::CredentialsProvider> role_;
  std::map<std::string, std::unique_ptr<aws::AwsClient>> clients_;
};

std::vector<Date> BillingPeriods(std::int64_t now, int months, const AwsSyncOptions& options) {
  std::vector<Date> periods;
  if (options.since) {
    const Date last = (options.until ? *options.until : DateOfTimestamp(now)).FirstOfMonth();
    for (Date month = options.since->FirstOfMonth(); month <= last;
         month = month.AddDays(32).FirstOfMonth()) {
      periods.push_back(month);
    }
    return periods;
  }
  Date month = DateOfTimestamp(now).FirstOfMonth();
  for (int i = 0; i < std::max(1, months); ++i) {
    periods.push_back(month);
    month = month.AddDays(-1).FirstOfMonth();
  }
  std::reverse(periods.begin(), periods.end());
  return periods;
}

std::string FileSafe(std::string text) {
  for (char& c : text) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.') c = '_';
  }
  return text;
}

// The account's CUR files for the periods, written under `dir`; their paths are appended.
Status FetchCur(AccountAws& aws, const CurSource& source, const std::vector<Date>& periods,
                const fs::path& dir, const std::string& account_id, const AwsSyncOptions& options,
                AccountSyncSummary& summary, std::vector<std::string>& paths) {
  if (source.kind == CurSource::Kind::kAthena) {
    summary.cur_source = "athena";
    aws::AthenaLocation location{source.database, source.table, source.workgroup,
                                 source.output_location};
    aws::AthenaWait wait;
    wait.first_poll = options.athena_first_poll;
    auto table = aws::ReadCurTable(aws.Home(), location, wait);
    if (!table) return unexpected<Error>(table.error().ToError());
    summary.cur_format = std::string(aws::CurTableKindName(table->kind));
    for (const Date period : periods) {
      const std::string path =
          (dir / fmt::format("{}-athena-{}.csv", account_id, period.MonthString())).string();
      Report(options,
             fmt::format("account {}: Athena query for {} ({} table {}.{})", account_id,
                         period.MonthString(), summary.cur_format, source.database, source.table));
      auto exported = aws::ExportBillingPeriod(aws.Home(), location, *table, period, path, wait);
      if (!exported) return unexpected<Error>(exported.error().ToError());
      summary.athena_bytes_scanned += exported->execution.bytes_scanned;
      summary.athena_rows += exported->rows;
      Report(options,
             fmt::format("account {}: {}: {} rows, {} bytes scanned", account_id,
                         period.MonthString(), exported->rows, exported->execution.bytes_scanned));
      if (exported->rows == 0) {
        std::error_code ignored;
        fs::remove(path, ignored);
        continue;
      }
      summary.billing_periods.push_back(period.MonthString());
      paths.push_back(path);
    }
    return {};
  }

  summary.cur_source = "s3";
  summary.cur_format = "files";
  auto reports = aws::FindCurReports(aws.Home(), source.bucket, source.prefix);
  if (!reports) return unexpected<Error>(reports.error().ToError());
  std::set<std::string> wanted;
  for (const Date period : periods) wanted.insert(period.MonthString());
  int file_number = 0;
  for (const aws::CurReport& report : *reports) {
    if (!wanted.contains(report.billing_period)) continue;
    summary.billing_periods.push_back(report.billing_period);
    for (const std::string& key : report.keys) {
      if (key.ends_with(".parquet") || key.ends_with(".snappy.parquet")) {
        return MakeError(ErrorCode::kInvalidInput,
                         fmt::format("s3://{}/{} is Parquet: costwise reads CSV (gzip or plain) "
                                     "reports from S3; read Parquet reports through Athena",
                                     source.bucket, key));
      }
      const std::string base = key.substr(key.rfind('/') + 1);
      const fs::path path = dir / fmt::format("{}-s3-{}-{:03}-{}", account_id,
                                              report.billing_period, ++file_number, FileSafe(base));
      std::ofstream out(path, std::ios::binary | std::ios::trunc);
      if (!out)
        return MakeError(ErrorCode::kInternal, fmt::format("cannot write {}", path.string()));
      std::int64_t bytes = 0;
      auto done = aws::GetObject(aws.Home(), source.bucket, key, [&](std::string_view chunk) {
        out.write(chunk.data(), static_cast<std::streamsize>(chunk.size()));
        bytes += static_cast<std::int64_t>(chunk.size());
        return static_cast<bool>(out);
      });
      out.close();
      if (!done) return unexpected<Error>(done.error().ToError());
      if (!out)
        return MakeError(ErrorCode::kInternal, fmt::format("writing {} failed", path.string()));
      summary.s3_files.push_back(fmt::format("s3://{}/{}", source.bucket, key));
      summary.s3_bytes += bytes;
      Report(options, fmt::format("account {}: read s3://{}/{} ({} bytes)", account_id,
                                  source.bucket, key, bytes));
      paths.push_back(path.string());
    }
  }
  return {};
}

struct Inventory {
  std::vector<CloudInstance> instances;
  std::vector<CloudVolume> volumes;
  std::vector<CloudAddress> addresses;
};

Status FetchInventory(AccountAws& aws, const std::vector<std::string>& regions,
                      AccountSyncSummary& summary, Inventory& inventory,
                      std::vector<std::pair<std::string, std::string>>& running) {
  for (const std::string& region : regions) {
    aws::AwsClient& client = aws.Client(region);
    auto instances = aws::DescribeInstances(client);
    if (!instances) return unexpected<Error>(instances.error().ToError());
    for (const aws::Ec2Instance& instance : *instances) {
      if (instance.state == "terminated") continue;
      inventory.instances.push_back(CloudInstance{instance.instance_id,
                                                  instance.instance_type,
                                                  region,
                                                  instance.platform,
                                                  instance.state,
                                                  aws::TagsJson(instance.tags),
                                                  {}});
      if (instance.state == "running") running.emplace_back(region, instance.instance_id);
      ++summary.instances;
    }
    auto volumes = aws::DescribeVolumes(client);
    if (!volumes) return unexpected<Error>(volumes.error().ToError());
    for (const aws::Ec2Volume& volume : *volumes) {
      inventory.volumes.push_back(CloudVolume{volume.volume_id,
                                              volume.volume_type,
                                              volume.size_gib,
                                              volume.iops,
                                              volume.throughput_mibps,
                                              region,
                                              volume.state,
                                              volume.attached_instance_id,
                                              aws::TagsJson(volume.tags),
                                              {}});
      ++summary.volumes;
    }
    auto addresses = aws::DescribeAddresses(client);
    if (!addresses) return unexpected<Error>(addresses.error().ToError());
    for (const aws::Ec2Address& address : *addresses) {
      inventory.addresses.push_back(CloudAddress{address.allocation_id,
                                                 address.public_ip,
                                                 region,
                                                 address.association_id,
                                                 address.instance_id,
                                                 aws::TagsJson(address.tags),
                                                 {}});
      ++summary.addresses;
    }
  }
  return {};
}

Status FetchMetrics(AccountAws& aws,
                    const std::vector<std::pair<std::string, std::string>>& running,
                    std::int64_t start, std::int64_t end, int period, const AwsSyncOptions& options,
                    AccountSyncSummary& summary, std::vector<MetricSample>& samples) {
  std::map<std::string, std::vector<std::string>> by_region;
  for (const auto& [region, id] : running) by_region[region].push_back(id);
  for (const auto& [region, ids] : by_region) {
    std::vector<aws::MetricQuery> queries;
    std::vector<std::pair<std::string, std::string>> meaning;  // instance, metric per query
    for (const std::string& id : ids) {
      for (const MetricSpec& spec : kInstanceMetrics) {
        queries.push_back(aws::MetricQuery{fmt::format("m{}", queries.size()),
                                           std::string(spec.name_space),
                                           std::string(spec.metric),
                                           {{"InstanceId", id}},
                                           period,
                                           std::string(spec.stat)});
        meaning.emplace_back(id, std::string(spec.metric));
      }
    }
    auto results = aws::GetMetricData(
        aws.Client(region), queries, start, end,
        [&](int calls, std::size_t done, std::size_t total) {
          summary.metric_calls = calls;
          Report(options, fmt::format("account {}: {} metrics {} of {} queries",
                                      summary.aws_account_id, region, done, total));
        });
    if (!results) return unexpected<Error>(results.error().ToError());
    summary.metric_queries += static_cast<std::int64_t>(queries.size());
    for (std::size_t i = 0; i < results->size(); ++i) {
      const aws::MetricResult& result = (*results)[i];
      for (std::size_t j = 0; j < result.timestamps.size(); ++j) {
        samples.push_back(MetricSample{meaning[i].first, meaning[i].second, result.timestamps[j],
                                       result.values[j]});
      }
      summary.metric_samples += static_cast<std::int64_t>(result.timestamps.size());
    }
  }
  return {};
}

std::shared_ptr<aws::CredentialsProvider> CostwiseIdentity(const AwsSyncOptions& options) {
  aws::ClientConfig base;
  base.region = aws::DefaultRegion(options.environment);
  base.transport = options.transport;
  base.endpoints = options.environment.Endpoints();
  base.retry = options.retry;
  return aws::DefaultCredentialsChain(options.environment, base);
}

}  // namespace

std::unique_ptr<aws::AwsClient> AccountClient(const store::CloudAccountRecord& account,
                                              const std::string& region,
                                              const AwsSyncOptions& options) {
  AccountAws aws(account, region, options, CostwiseIdentity(options));
  aws::ClientConfig config = aws.Home().config();
  return std::make_unique<aws::AwsClient>(std::move(config));
}

std::string TenantCatalogPath(const AwsSyncOptions& options, std::int64_t tenant_id) {
  if (options.catalog_dir.empty()) return "";
  const fs::path path = fs::path(options.catalog_dir) / fmt::format("{}.csv", tenant_id);
  std::error_code error;
  return fs::exists(path, error) ? path.string() : "";
}

bool AwsSyncSummary::ok() const {
  return std::all_of(accounts.begin(), accounts.end(), [](const AccountSyncSummary& account) {
    return account.status == "connected";
  });
}

Result<AwsSyncSummary> SyncAwsAccounts(store::Repository& repository, std::string_view tenant_name,
                                       std::optional<std::string> account_filter,
                                       const AwsSyncOptions& options) {
  auto tenant = repository.FindTenant(tenant_name);
  if (!tenant) return unexpected<Error>(tenant.error());
  auto records = repository.ListCloudAccounts(tenant->id);
  if (!records) return unexpected<Error>(records.error());
  std::vector<store::CloudAccountRecord> accounts;
  for (const store::CloudAccountRecord& record : *records) {
    if (account_filter && std::to_string(record.id) != *account_filter &&
        record.account_id != *account_filter) {
      continue;
    }
    accounts.push_back(record);
  }
  if (accounts.empty()) {
    return MakeError(
        ErrorCode::kNotFound,
        account_filter
            ? fmt::format("tenant {} has no cloud account {}", tenant_name, *account_filter)
            : fmt::format("tenant {} has no cloud accounts: onboard one first "
                          "(POST /api/cloud-accounts or the web UI's Connect AWS)",
                          tenant_name));
  }
  std::erase_if(accounts,
                [](const store::CloudAccountRecord& record) { return record.role_arn.empty(); });
  if (accounts.empty()) {
    return MakeError(ErrorCode::kInvalidInput,
                     "no cloud account has a role ARN yet: enter the role costwise assumes "
                     "(PATCH /api/cloud-accounts/{id} or the onboarding wizard)");
  }

  WorkDir work(options.work_dir);
  if (!work.ok()) return MakeError(ErrorCode::kInternal, "cannot create a temporary folder");
  const std::int64_t now = NowOf(options);
  auto identity = CostwiseIdentity(options);

  AwsSyncSummary summary;
  summary.tenant = std::string(tenant_name);
  std::vector<std::string> cur_paths;
  std::vector<std::size_t> cur_accounts;  // summaries whose CUR files are in cur_paths
  Inventory inventory;
  bool inventory_complete = true;
  std::vector<std::pair<std::string, std::string>> watched;  // running instances, all accounts
  std::vector<MetricSample> samples;

  const int period = options.metrics_period_seconds;
  std::int64_t metrics_end = now - now % period;
  std::int64_t metrics_start = metrics_end - std::int64_t{options.metrics_lookback_days} * 86400;
  if (options.metrics) {
    auto newest = repository.NewestMetricSample(tenant->id);
    if (!newest) return unexpected<Error>(newest.error());
    if (*newest) metrics_start = std::max(metrics_start, **newest + period);
    metrics_start -= metrics_start % period;
  }

  for (const store::CloudAccountRecord& record : accounts) {
    AccountSyncSummary account;
    account.account_id = record.id;
    account.aws_account_id = record.account_id;
    account.name = record.name;
    std::optional<CurSource> source;
    std::string source_error;
    if (!record.cur_source.empty()) {
      auto parsed = ParseCurSourceText(record.cur_source);
      if (parsed) {
        source = *parsed;
      } else {
        source_error =
            "the stored CUR source cannot be read (enter it again): " + parsed.error().message;
      }
    }
    const std::string home_region = source && !source->region.empty()
                                        ? source->region
                                        : aws::DefaultRegion(options.environment);
    AccountAws aws(record, home_region, options, identity);
    Report(options, fmt::format("account {} ({}): assuming {}", record.account_id, record.name,
                                record.role_arn));
    Status done = [&]() -> Status {
      if (!source_error.empty()) return MakeError(ErrorCode::kInvalidInput, source_error);
      auto caller = aws::GetCallerIdentity(aws.Home());
      if (!caller) return unexpected<Error>(caller.error().ToError());
      account.caller_arn = caller->arn;
      if (caller->account != record.account_id) {
        return MakeError(ErrorCode::kInvalidInput,
                         fmt::format("the role {} is in AWS account {}, not {}", record.role_arn,
                                     caller->account, record.account_id));
      }
      if (options.cur && source) {
        const std::vector<Date> periods = BillingPeriods(
            now, record.last_sync_at ? options.months : options.backfill_months, options);
        const std::size_t before = cur_paths.size();
        Status fetched = FetchCur(aws, *source, periods, work.path(), record.account_id, options,
                                  account, cur_paths);
        if (!fetched) {
          cur_paths.resize(before);
          return fetched;
        }
      }
      std::vector<std::pair<std::string, std::string>> running;
      if (options.inventory || options.metrics) {
        const std::vector<std::string> regions =
            options.regions.empty() ? std::vector<std::string>{home_region} : options.regions;
        Inventory own;
        Status listed = FetchInventory(aws, regions, account, own, running);
        if (!listed) {
          inventory_complete = false;
          return listed;
        }
        inventory.instances.insert(inventory.instances.end(), own.instances.begin(),
                                   own.instances.end());
        inventory.volumes.insert(inventory.volumes.end(), own.volumes.begin(), own.volumes.end());
        inventory.addresses.insert(inventory.addresses.end(), own.addresses.begin(),
                                   own.addresses.end());
      }
      if (options.metrics && !running.empty() && metrics_start < metrics_end) {
        Status read = FetchMetrics(aws, running, metrics_start, metrics_end, period, options,
                                   account, samples);
        if (!read) return read;
        watched.insert(watched.end(), running.begin(), running.end());
      }
      return {};
    }();
    aws.AddStats(account);
    if (done) {
      account.status = "connected";
      if (!account.billing_periods.empty()) cur_accounts.push_back(summary.accounts.size());
    } else {
      account.status = "error";
      account.error = done.error().message;
      Report(options, fmt::format("account {}: {}", record.account_id, account.error));
    }
    summary.accounts.push_back(std::move(account));
  }

  // The regions whose prices are refreshed: those the inventory has, and those asked for.
  std::set<std::string> price_regions(options.regions.begin(), options.regions.end());
  for (const CloudInstance& instance : inventory.instances) price_regions.insert(instance.region);

  if (!cur_paths.empty()) {
    IngestOptions ingest_options;
    auto ingested = IngestFiles(repository, tenant_name, cur_paths, ingest_options);
    if (ingested) {
      summary.ingest = std::move(*ingested);
    } else {
      for (std::size_t index : cur_accounts) {
        summary.accounts[index].status = "error";
        summary.accounts[index].error = "ingesting the CUR failed: " + ingested.error().message;
      }
    }
  }
  if (options.inventory) {
    if (inventory_complete) {
      store::InventoryReplacement replacement;
      replacement.instances = std::move(inventory.instances);
      replacement.volumes = std::move(inventory.volumes);
      replacement.addresses = std::move(inventory.addresses);
      replacement.imported_at = now;
      auto replaced = repository.ReplaceInventory(tenant->id, replacement);
      if (!replaced) return unexpected<Error>(replaced.error());
      summary.inventory = *replaced;
    } else {
      summary.inventory_skipped =
          "an account's inventory could not be listed: the stored inventory was kept";
    }
  }
  // Prices of the regions the inventory has, through the first account that synced (its role
  // has pricing:GetProducts): the organisation's catalog for right-sizing.
  if (!options.catalog_dir.empty()) {
    const std::set<std::string>& regions = price_regions;
    const auto connected = std::find_if(summary.accounts.begin(), summary.accounts.end(),
                                        [](const auto& one) { return one.status == "connected"; });
    if (connected != summary.accounts.end() && !regions.empty()) {
      const auto record = std::find_if(accounts.begin(), accounts.end(), [&](const auto& one) {
        return one.id == connected->account_id;
      });
      auto client = AccountClient(*record, "us-east-1", options);
      std::vector<aws::Ec2Price> prices;
      for (const std::string& region : regions) {
        Report(options, fmt::format("prices of {} from the Price List API", region));
        auto priced = aws::GetEc2LinuxPrices(*client, region);
        if (!priced) {
          summary.prices_error = priced.error().Describe();
          break;
        }
        prices.insert(prices.end(), priced->begin(), priced->end());
      }
      if (summary.prices_error.empty() && !prices.empty()) {
        const std::string path =
            (fs::path(options.catalog_dir) / fmt::format("{}.csv", tenant->id)).string();
        const std::string existing = TenantCatalogPath(options, tenant->id);
        auto base = existing.empty() ? BuiltInInstanceCatalog() : ReadInstanceCatalog(existing);
        if (!base) base = BuiltInInstanceCatalog();  // a damaged file is rebuilt
        auto refreshed = base ? WithPrices(*base, prices) : unexpected(base.error());
        Status written = refreshed ? WriteInstanceCatalog(*refreshed, path)
                                   : Status(unexpected(refreshed.error()));
        if (written) {
          summary.catalog_path = path;
          summary.prices = static_cast<std::int64_t>(prices.size());
        } else {
          summary.prices_error = written.error().message;
        }
      }
      if (!summary.prices_error.empty()) {
        Report(options, "prices not refreshed: " + summary.prices_error);
      }
    }
  }
  if (options.metrics && !samples.empty()) {
    std::size_t next = 0;
    auto upserted =
        repository.UpsertMetricSamples(tenant->id, [&](std::vector<MetricSample>& chunk) {
          chunk.clear();
          const std::size_t end = std::min(samples.size(), next + 10000);
          chunk.insert(chunk.end(), samples.begin() + static_cast<std::ptrdiff_t>(next),
                       samples.begin() + static_cast<std::ptrdiff_t>(end));
          next = end;
          return !chunk.empty();
        });
    if (!upserted) return unexpected<Error>(upserted.error());
    summary.metrics = *upserted;
    Report(options, fmt::format("scoring the metrics of {} instances", watched.size()));
    auto detected = DetectMetricAnomalies(repository, tenant->id, watched, now,
                                          options.metrics_lookback_days);
    if (!detected) return unexpected<Error>(detected.error());
    summary.metric_anomalies = static_cast<std::int64_t>(detected->found.size());
    summary.new_metric_anomalies = static_cast<std::int64_t>(detected->added.size());
    // New ones reach people through the organisation's alert rules.
    auto queued = OnMetricAnomaliesDetected(repository, tenant->id, detected->added, now);
    if (!queued) return unexpected<Error>(queued.error());
    summary.metric_alerts_queued = *queued;
  }
  for (const AccountSyncSummary& account : summary.accounts) {
    auto recorded = repository.SetCloudAccountStatus(
        tenant->id, account.account_id, account.status, account.error,
        account.status == "connected" ? std::optional<std::int64_t>(now) : std::nullopt);
    if (!recorded) return unexpected<Error>(recorded.error());
  }
  return summary;
}

Result<ConnectionTest> TestAwsConnection(store::Repository& repository, std::int64_t tenant_id,
                                         std::int64_t account_id, const AwsSyncOptions& options) {
  auto record = repository.GetCloudAccount(tenant_id, account_id);
  if (!record) return unexpected<Error>(record.error());
  ConnectionTest test;
  if (record->role_arn.empty()) {
    return MakeError(ErrorCode::kInvalidInput, "enter the role ARN before testing the connection");
  }
  std::optional<CurSource> source;
  if (!record->cur_source.empty()) {
    if (auto parsed = ParseCurSourceText(record->cur_source)) source = *parsed;
  }
  const std::string region =
      source && !source->region.empty() ? source->region : aws::DefaultRegion(options.environment);
  AccountAws aws(*record, region, options, CostwiseIdentity(options));
  std::string failure;
  auto step = [&](std::string name, Status status, std::string detail) {
    if (!failure.empty()) {
      test.steps.push_back({std::move(name), "skipped", ""});
      return;
    }
    if (status) {
      test.steps.push_back({std::move(name), "passed", std::move(detail)});
    } else {
      failure = status.error().message;
      test.steps.push_back({std::move(name), "failed", status.error().message});
    }
  };
  auto caller = aws::GetCallerIdentity(aws.Home());
  step("assume-role", caller ? Status{} : Status(unexpected<Error>(caller.error().ToError())),
       caller ? "assumed " + record->role_arn + " as " + caller->arn : "");
  step(
      "identity",
      !caller || caller->account == record->account_id
          ? Status{}
          : MakeError(ErrorCode::kInvalidInput, fmt::format("the role is in AWS account {}, not {}",
                                                            caller->account, record->account_id)),
      caller ? "account " + caller->account : "");
  if (!source) {
    test.steps.push_back({"cur-source", "skipped", "no CUR source entered yet"});
  } else if (source->kind == CurSource::Kind::kAthena) {
    aws::AthenaWait wait;
    wait.first_poll = options.athena_first_poll;
    Status checked;
    std::string detail;
    if (failure.empty()) {
      auto table = aws::ReadCurTable(
          aws.Home(), {source->database, source->table, source->workgroup, source->output_location},
          wait);
      if (table) {
        detail =
            fmt::format("Athena table {}.{}: {} with {} columns", source->database, source->table,
                        aws::CurTableKindName(table->kind), table->columns.size());
      } else {
        checked = unexpected<Error>(table.error().ToError());
      }
    }
    step("cur-source", checked, detail);
  } else {
    Status checked;
    std::string detail;
    if (failure.empty()) {
      auto reports = aws::FindCurReports(aws.Home(), source->bucket, source->prefix);
      if (!reports) {
        checked = unexpected<Error>(reports.error().ToError());
      } else if (reports->empty()) {
        checked = MakeError(ErrorCode::kNotFound,
                            fmt::format("no CUR manifests (*-Manifest.json) under s3://{}/{}: "
                                        "is the report delivered there yet?",
                                        source->bucket, source->prefix));
      } else {
        detail = fmt::format("{} billing periods under s3://{}/{}", reports->size(), source->bucket,
                             source->prefix);
      }
    }
    step("cur-source", checked, detail);
  }
  test.ok = failure.empty();
  auto recorded = repository.SetCloudAccountStatus(
      tenant_id, account_id, test.ok ? "connected" : "error", failure, std::nullopt);
  if (!recorded) return unexpected<Error>(recorded.error());
  test.account = *recorded;
  return test;
}

Result<ConnectionTestAnswer> TestCloudAccountConnection(store::Repository& repository,
                                                        const Principal& principal,
                                                        std::int64_t account_id,
                                                        const AwsSyncOptions& options,
                                                        std::int64_t now) {
  if (Status allowed = Require(principal, Permission::kWrite); !allowed) {
    return unexpected(std::move(allowed.error()));
  }
  ConnectionTestAnswer answer;
  auto test = TestAwsConnection(repository, principal.tenant_id, account_id, options);
  if (!test) return unexpected(std::move(test.error()));
  answer.test = std::move(*test);
  if (answer.test.ok) {
    if (Result<int> scheduled = EnsureDailySync(repository, principal.tenant_id, now); !scheduled) {
      return unexpected(std::move(scheduled.error()));
    }
    auto job = SubmitAccountSync(repository, principal.tenant_id, account_id, now);
    if (!job) return unexpected(std::move(job.error()));
    answer.sync_job = std::move(*job);
  }
  return answer;
}

}  // namespace costwise::service
