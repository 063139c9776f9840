#pragma once
// Syncing a tenant's onboarded AWS accounts (docs/aws.md): for each account costwise assumes
// the account's role with its External ID, then
//  - reads the CUR: through Athena (the daily aggregation pushed down, only the billing periods
//    asked for) or from S3 (each period's latest report version, found from the manifests), and
//    ingests it through the file ingestion path, all accounts in one transaction, whole billing
//    periods restated;
//  - lists the EC2 inventory of the account's regions and replaces the tenant's inventory;
//  - reads CloudWatch metrics of the running instances since the newest stored sample.
// An account that fails is marked "error" with AWS's message and the others go on; the
// inventory is only replaced when every account's listing succeeded, so a failure never makes
// resources vanish.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "ingest/aws/client.h"
#include "ingest/aws/environment.h"
#include "service/auth.h"
#include "service/ingest_service.h"
#include "store/repository.h"

namespace costwise::service {

struct AwsSyncOptions {
  // costwise's own AWS identity (the credentials chain) and endpoints come from here.
  aws::Environment environment;
  std::shared_ptr<aws::HttpTransport> transport;  // libcurl when empty
  aws::RetryPolicy retry;
  std::chrono::milliseconds athena_first_poll{500};
  std::int64_t now = 0;  // Unix seconds; the wall clock when 0

  int months = 2;  // billing periods: the current one and the months before it
  // An account's first sync (no last_sync_at yet) reads this many instead: the history that
  // detection and forecasting need.
  int backfill_months = 12;
  // Explicit billing periods (their first days), instead of the counts above.
  std::optional<Date> since;
  std::optional<Date> until;
  // Regions whose inventory and metrics are read; empty = the account's CUR source region.
  std::vector<std::string> regions;
  bool cur = true;
  bool inventory = true;
  bool metrics = true;
  int metrics_lookback_days = 14;
  int metrics_period_seconds = 300;  // 300 (5-minute) or 3600

  // Where each organisation's instance catalog refreshed from the Price List API is kept
  // (<dir>/<tenant id>.csv, docs/aws.md); empty = prices are not refreshed. Right-sizing reads it.
  std::string catalog_dir;

  std::string work_dir;  // temporary files; a folder under TMPDIR when empty
  std::function<void(std::string_view)> progress;
};

struct AccountSyncSummary {
  std::int64_t account_id = 0;  // costwise's id
  std::string aws_account_id;
  std::string name;
  std::string status;  // "connected" or "error"
  std::string error;
  std::string caller_arn;  // the assumed role's session
  // CUR
  std::string cur_source;  // "athena" | "s3"
  std::string cur_format;  // athena: the table kind; s3: "files"
  std::vector<std::string> billing_periods;
  std::int64_t athena_bytes_scanned = 0;
  std::int64_t athena_rows = 0;
  std::vector<std::string> s3_files;
  std::int64_t s3_bytes = 0;
  // Inventory and metrics
  std::int64_t instances = 0;
  std::int64_t volumes = 0;
  std::int64_t addresses = 0;
  std::int64_t metric_queries = 0;
  std::int64_t metric_calls = 0;
  std::int64_t metric_samples = 0;
  // AWS calls
  std::int64_t aws_calls = 0;
  std::int64_t aws_retries = 0;
};

struct AwsSyncSummary {
  std::string tenant;
  std::vector<AccountSyncSummary> accounts;
  std::optional<IngestSummary> ingest;  // when CUR data came
  std::optional<store::InventoryReplaceSummary> inventory;
  std::optional<store::MetricUpsertSummary> metrics;
  std::string inventory_skipped;  // why the inventory was not replaced
  std::string catalog_path;       // the refreshed catalog, when prices were refreshed
  std::int64_t prices = 0;        // instance types priced by the Price List API
  std::string prices_error;       // why prices were not refreshed (the sync still succeeds)
  // The synced series through the streaming detector (service/metric_anomalies.h).
  std::int64_t metric_anomalies = 0;      // excursions in the lookback
  std::int64_t new_metric_anomalies = 0;  // stored for the first time
  int metric_alerts_queued = 0;           // immediate deliveries of the alert rules
  [[nodiscard]] bool ok() const;
};

// Syncs every account of the tenant that has a role ARN (or only `account`, costwise's id or
// the 12-digit AWS id). NotFound for an unknown tenant or account; InvalidInput when no account
// is ready (no role ARN). Per-account AWS failures are in the summary, not errors.
[[nodiscard]] Result<AwsSyncSummary> SyncAwsAccounts(store::Repository& repository,
                                                     std::string_view tenant,
                                                     std::optional<std::string> account,
                                                     const AwsSyncOptions& options);

// The organisation's refreshed instance catalog (options.catalog_dir/<tenant id>.csv) when it
// exists, else "" (the built-in catalog).
[[nodiscard]] std::string TenantCatalogPath(const AwsSyncOptions& options, std::int64_t tenant_id);

// A client in `region` that acts as the account's role: costwise's own identity (the chain in
// options.environment) assumes it with the account's External ID, cached and refreshed.
[[nodiscard]] std::unique_ptr<aws::AwsClient> AccountClient(
    const store::CloudAccountRecord& account, const std::string& region,
    const AwsSyncOptions& options);

struct ConnectionTestStep {
  std::string step;    // "assume-role", "identity", "cur-source"
  std::string status;  // "passed" | "failed" | "skipped"
  std::string detail;
};

struct ConnectionTest {
  store::CloudAccountRecord account;  // with the status recorded
  std::vector<ConnectionTestStep> steps;
  bool ok = false;
};

// Assumes the role with the External ID, checks the role is in the account, and reads the CUR
// source's metadata (the Athena table's columns, or the S3 prefix's manifests); records
// "connected" or "error" with the failing step's message.
[[nodiscard]] Result<ConnectionTest> TestAwsConnection(store::Repository& repository,
                                                       std::int64_t tenant_id,
                                                       std::int64_t account_id,
                                                       const AwsSyncOptions& options);

struct ConnectionTestAnswer {
  ConnectionTest test;
  std::optional<store::JobRecord> sync_job;  // the first sync, queued when the test passed
};

// The onboarding wizard's last step (admins and owners): tests the connection of one of the
// caller's organisation's accounts; when it passes, queues the account's first sync and makes
// sure the organisation's accounts are synced daily. NotFound for another organisation's account.
[[nodiscard]] Result<ConnectionTestAnswer> TestCloudAccountConnection(store::Repository& repository,
                                                                      const Principal& principal,
                                                                      std::int64_t account_id,
                                                                      const AwsSyncOptions& options,
                                                                      std::int64_t now);

}  // namespace costwise::service
