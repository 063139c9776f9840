#include "store/sql_repository.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <mutex>
#include <set>
#include <span>
#include <string>
#include <system_error>
#include <tuple>
#include <type_traits>
#include <vector>

#include <fmt/format.h>

#include "core/clock.h"
#include "store/alert_store.h"
#include "store/anomaly_store.h"
#include "store/auth_store.h"
#include "store/cloud_account_store.h"
#include "store/cost_query.h"
#include "store/cube_scan.h"
#include "store/cube_writer.h"
#include "store/db_error.h"
#include "store/forecast_store.h"
#include "store/inventory_store.h"
#include "store/job_store.h"
#include "store/member_store.h"
#include "store/metrics_store.h"
#include "store/metric_anomaly_store.h"
#include "store/migrations.h"
#include "store/ml_models.h"
#include "store/recommendation_store.h"
#include "store/revisions.h"
#include "store/soci_includes.h"
#include "store/tag_sets.h"
#include "store/transaction.h"

namespace costwise::store {
namespace {

// How long an SQLite writer waits for another one (another process ingesting, say).
constexpr int kSqliteBusyTimeoutSeconds = 30;
// Page cache per connection. The default 2 MiB makes index maintenance of a million-row ingest
// read pages back from the OS over and over; 64 MiB cuts a million-row ingest by a third.
constexpr int kSqliteCacheKib = 64 * 1024;
constexpr std::string_view kSqliteMemory = ":memory:";
constexpr std::string_view kCompletedStatus = "completed";
constexpr char kConnectionFailureSqlState[] = "08006";
// Rows changed by one ingest from which PostgreSQL's statistics are refreshed right away.
constexpr std::int64_t kAnalyzeAfterRows = 10'000;

// True for well-formed UTF-8 without NUL bytes: what PostgreSQL accepts in TEXT. Checked for
// both backends so that a batch SQLite stores is one PostgreSQL stores too.
bool IsStorableText(std::string_view text) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t size = text.size();
  std::size_t i = 0;
  while (i < size) {
    const unsigned char lead = bytes[i];
    if (lead >= 0x01 && lead < 0x80) {
      ++i;
      continue;
    }
    std::size_t length = 0;
    unsigned char min_second = 0x80;
    unsigned char max_second = 0xbf;
    if (lead >= 0xc2 && lead <= 0xdf) {
      length = 2;
    } else if (lead >= 0xe0 && lead <= 0xef) {
      length = 3;
      if (lead == 0xe0) min_second = 0xa0;  // overlong
      if (lead == 0xed) max_second = 0x9f;  // surrogates
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      length = 4;
      if (lead == 0xf0) min_second = 0x90;  // overlong
      if (lead == 0xf4) max_second = 0x8f;  // above U+10FFFF
    } else {
      return false;  // NUL, continuation byte, overlong lead or out of range
    }
    if (i + length > size) return false;
    if (bytes[i + 1] < min_second || bytes[i + 1] > max_second) return false;
    for (std::size_t k = 2; k < length; ++k) {
      if (bytes[i + k] < 0x80 || bytes[i + k] > 0xbf) return false;
    }
    i += length;
  }
  return true;
}

Status CheckText(std::string_view text, std::string_view field, std::string_view where) {
  if (IsStorableText(text)) return {};
  return MakeError(
      ErrorCode::kInvalidInput,
      fmt::format("{}: {} is not valid UTF-8 text (or contains a NUL byte)", where, field));
}

Status ValidateRow(const CubeRow& row, std::int64_t index) {
  const auto where = [&] { return fmt::format("cube row {} ({})", index, row.date.ToString()); };
  const std::pair<std::string_view, const std::string*> fields[] = {
      {"provider", &row.provider},
      {"billing account", &row.billing_account_id},
      {"sub account", &row.sub_account_id},
      {"service", &row.service},
      {"region", &row.region},
      {"usage type", &row.usage_type},
      {"charge category", &row.charge_category},
      {"resource id", &row.resource_id},
      {"currency", &row.currency},
  };
  for (const auto& [name, value] : fields) {
    if (!IsStorableText(*value)) return CheckText(*value, name, where());
  }
  for (const Tag& tag : row.tags) {
    if (!IsStorableText(tag.key)) return CheckText(tag.key, "a tag key", where());
    if (!IsStorableText(tag.value)) return CheckText(tag.value, "a tag value", where());
  }
  if (!std::isfinite(row.usage_quantity)) {
    return MakeError(ErrorCode::kInvalidInput,
                     fmt::format("{}: the usage quantity is not a finite number", where()));
  }
  return {};
}

// The batch without its rows: scopes, files, and how the rows are given.
Status ValidateBatchHeader(const IngestBatch& batch) {
  if (batch.row_reader && !batch.rows.empty()) {
    return MakeError(ErrorCode::kInvalidInput,
                     "an ingest batch gives its rows either in `rows` or through `row_reader`, "
                     "not both");
  }
  for (const BillingScope& scope : batch.scopes) {
    if (auto status = CheckText(scope.provider, "provider", "billing scope"); !status) {
      return status;
    }
    if (auto status = CheckText(scope.billing_account_id, "billing account", "billing scope");
        !status) {
      return status;
    }
  }
  for (const IngestFileRecord& file : batch.files) {
    const std::pair<std::string_view, const std::string*> fields[] = {
        {"path", &file.path}, {"checksum", &file.checksum}, {"format", &file.format}};
    for (const auto& [name, value] : fields) {
      if (auto status = CheckText(*value, name, "ingest file record"); !status) return status;
    }
  }
  return {};
}

// Checks rows[i] (numbered first_index + i in messages). Every row must also belong to one of
// the scopes being replaced, or a later ingest of its scope would not replace it.
Status ValidateRows(std::span<const CubeRow> rows, std::int64_t first_index,
                    const std::set<BillingScope>& scopes) {
  const CubeRow* previous = nullptr;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const CubeRow& row = rows[i];
    const std::int64_t index = first_index + static_cast<std::int64_t>(i);
    if (auto status = ValidateRow(row, index); !status) return status;
    // Rows come in long runs of one scope: look the scope up only when it changes.
    if (previous != nullptr && previous->billing_period == row.billing_period &&
        previous->provider == row.provider &&
        previous->billing_account_id == row.billing_account_id) {
      continue;
    }
    const BillingScope scope{row.provider, row.billing_account_id, row.billing_period};
    if (!scopes.contains(scope)) {
      return MakeError(
          ErrorCode::kInvalidInput,
          fmt::format("cube row {} belongs to billing scope {} / {} / {}, which the batch does "
                      "not replace",
                      index, row.provider, row.billing_account_id,
                      row.billing_period.MonthString()));
    }
    previous = &row;
  }
  return {};
}

std::string BillingPeriodsText(std::vector<Date> periods) {
  for (Date& period : periods) period = period.FirstOfMonth();
  std::sort(periods.begin(), periods.end());
  periods.erase(std::unique(periods.begin(), periods.end()), periods.end());
  std::string text;
  for (const Date period : periods) {
    if (!text.empty()) text.push_back(',');
    text += period.MonthString();
  }
  return text;
}

// Every text an anomaly stores must be storable on both backends.
Status ValidateAnomaly(const CostAnomaly& anomaly, std::size_t index) {
  const std::string where = fmt::format("anomaly {} ({})", index, MonitorLabel(anomaly.monitor));
  if (anomaly.end_date < anomaly.start_date) {
    return MakeError(ErrorCode::kInvalidInput,
                     fmt::format("{}: ends ({}) before it starts ({})", where,
                                 anomaly.end_date.ToString(), anomaly.start_date.ToString()));
  }
  if (anomaly.monitor.dimension) {
    if (Status text = CheckText(anomaly.monitor.dimension->tag_key, "the tag key", where); !text) {
      return text;
    }
  }
  if (Status text = CheckText(anomaly.monitor.value, "the monitor value", where); !text) {
    return text;
  }
  if (Status text = CheckText(anomaly.monitor.currency, "the currency", where); !text) {
    return text;
  }
  for (const RootCause& cause : anomaly.root_causes) {
    if (Status text = CheckText(cause.dimension, "a root cause dimension", where); !text) {
      return text;
    }
    if (Status text = CheckText(cause.value, "a root cause value", where); !text) return text;
  }
  return {};
}

// Every text a forecast run stores must be storable on both backends.
Status ValidateForecastRun(const CostForecastRun& run) {
  const std::string where =
      fmt::format("forecast run ({} days{})", run.horizon,
                  run.group_by.empty() ? std::string() : " by " + run.group_by);
  if (run.horizon < 1) {
    return MakeError(ErrorCode::kInvalidInput, where + ": the horizon must be at least one day");
  }
  if (Status text = CheckText(run.group_by, "the group-by", where); !text) return text;
  for (const CostForecast& forecast : run.series) {
    for (const auto& [name, text] :
         {std::pair<std::string_view, const std::string*>{"a group value", &forecast.group_value},
          {"a currency", &forecast.currency},
          {"a model", &forecast.model}}) {
      if (Status valid = CheckText(*text, name, where); !valid) return valid;
    }
    for (std::size_t i = 1; i < forecast.points.size(); ++i) {
      if (forecast.points[i].day <= forecast.points[i - 1].day) {
        return MakeError(
            ErrorCode::kInvalidInput,
            fmt::format("{}: the points of {} are not in day order ({} after {})", where,
                        ForecastSeriesLabel(run.group_by, forecast),
                        forecast.points[i].day.ToString(), forecast.points[i - 1].day.ToString()));
      }
    }
  }
  return {};
}

// "path:line" of an imported row, or "<what> <id>" for a row without a source.
std::string RowPlace(const ResourceSource& source, std::string_view what, std::string_view id) {
  if (!source.path.empty()) return fmt::format("{}:{}", source.path, source.line);
  return fmt::format("{} {}", what, id);
}

// An address is identified by its allocation id or, without one, by its public IP.
Status ValidateKey(const CloudAddress& row) {
  if (!AddressKey(row).empty()) return {};
  return MakeError(ErrorCode::kInvalidInput,
                   fmt::format("{}: an address needs an allocation_id or a public_ip",
                               RowPlace(row.source, "address", "")));
}
// Other kinds: a missing id is a missing required column.
template <typename Row>
Status ValidateKey(const Row&) {
  return {};
}

// One inventory row, checked by its columns (VisitColumns): every text storable, the required
// ones non-empty, its id not seen before in its kind, every number finite and non-negative.
template <typename Row>
Status ValidateInventoryRow(std::string_view what, const Row& row,
                            std::span<const std::string_view> required,
                            std::set<std::string>& seen) {
  if (Status key = ValidateKey(row); !key) return key;
  const std::string& id = InventoryKey(row);
  const std::string place = RowPlace(row.source, what, id);
  if (Status path = CheckText(row.source.path, "the source path", place); !path) return path;
  Status valid;
  VisitColumns(row, [&](std::string_view name, const auto& value) {
    if constexpr (std::is_same_v<std::remove_cvref_t<decltype(value)>, std::string>) {
      if (!valid) return;
      valid = CheckText(value, name, place);
      if (valid && value.empty() &&
          std::find(required.begin(), required.end(), name) != required.end()) {
        valid = MakeError(ErrorCode::kInvalidInput, fmt::format("{}: {} {} has no {}", place, what,
                                                                id.empty() ? "(no id)" : id, name));
      }
    }
  });
  if (!valid) return valid;
  if (!seen.insert(id).second) {
    return MakeError(ErrorCode::kInvalidInput,
                     fmt::format("{}: {} {} is listed twice", place, what, id));
  }
  VisitColumns(row, [&](std::string_view name, const auto& value) {
    if constexpr (std::is_same_v<std::remove_cvref_t<decltype(value)>, double>) {
      if (valid && (!std::isfinite(value) || value < 0)) {
        valid = MakeError(
            ErrorCode::kInvalidInput,
            fmt::format("{}: {} {}: {} is not a non-negative number", place, what, id, name));
      }
    }
  });
  return valid;
}

// Every row of one kind when the replacement sets that kind.
template <typename Row>
Status ValidateInventoryKind(std::string_view what, const std::optional<std::vector<Row>>& rows,
                             std::span<const std::string_view> required) {
  if (!rows) return {};
  std::set<std::string> seen;
  for (const Row& row : *rows) {
    if (Status valid = ValidateInventoryRow(what, row, required, seen); !valid) return valid;
  }
  return {};
}

Status ValidateInventory(const InventoryReplacement& replacement) {
  constexpr std::string_view kInstanceRequired[] = {"instance_id", "instance_type", "region"};
  constexpr std::string_view kVolumeRequired[] = {"volume_id", "volume_type", "region"};
  constexpr std::string_view kAddressRequired[] = {"region"};
  if (Status valid = ValidateInventoryKind("instance", replacement.instances, kInstanceRequired);
      !valid) {
    return valid;
  }
  if (Status valid = ValidateInventoryKind("volume", replacement.volumes, kVolumeRequired);
      !valid) {
    return valid;
  }
  return ValidateInventoryKind("address", replacement.addresses, kAddressRequired);
}

// Samples[i] is numbered first_index + i in messages.
Status ValidateMetricSamples(std::span<const MetricSample> samples, std::int64_t first_index) {
  for (std::size_t i = 0; i < samples.size(); ++i) {
    const MetricSample& sample = samples[i];
    const std::int64_t index = first_index + static_cast<std::int64_t>(i);
    const std::string where = fmt::format("metric sample {}", index);
    if (sample.instance_id.empty() || sample.metric.empty()) {
      return MakeError(ErrorCode::kInvalidInput,
                       fmt::format("{}: the instance id and the metric must not be empty", where));
    }
    if (Status text = CheckText(sample.instance_id, "the instance id", where); !text) return text;
    if (Status text = CheckText(sample.metric, "the metric", where); !text) return text;
    if (!std::isfinite(sample.value)) {
      return MakeError(ErrorCode::kInvalidInput,
                       fmt::format("{} ({} {} at {}): the value is not a finite number", where,
                                   sample.instance_id, sample.metric, sample.timestamp));
    }
  }
  return {};
}

constexpr int kMaxPerformanceRisk = 4;

Status ValidateRecommendations(std::span<const ResourceRecommendation> recommendations) {
  std::set<std::tuple<RecommendationKind, std::string, std::string, std::string>> actions;
  for (std::size_t i = 0; i < recommendations.size(); ++i) {
    const ResourceRecommendation& r = recommendations[i];
    const std::string where = fmt::format("recommendation {} ({})", i, RecommendedActionLabel(r));
    if (r.resource_id.empty() || r.action.empty()) {
      return MakeError(ErrorCode::kInvalidInput,
                       fmt::format("{}: the resource id and the action must not be empty", where));
    }
    const std::pair<std::string_view, const std::string*> texts[] = {
        {"the resource id", &r.resource_id},   {"the region", &r.region},
        {"the finding", &r.finding},           {"the action", &r.action},
        {"the current type", &r.current_type}, {"the recommended type", &r.recommended_type},
        {"the summary", &r.summary},           {"the options", &r.options_json},
        {"the Terraform change", &r.terraform}};
    for (const auto& [name, text] : texts) {
      if (Status valid = CheckText(*text, name, where); !valid) return valid;
    }
    for (const std::string& command : r.aws_cli) {
      if (Status valid = CheckText(command, "an AWS CLI command", where); !valid) return valid;
      if (command.find('\n') != std::string::npos || command.empty()) {
        return MakeError(ErrorCode::kInvalidInput,
                         fmt::format("{}: an AWS CLI command is empty or spans lines", where));
      }
    }
    if (r.performance_risk &&
        (*r.performance_risk < 0 || *r.performance_risk > kMaxPerformanceRisk)) {
      return MakeError(
          ErrorCode::kInvalidInput,
          fmt::format("{}: the performance risk {} is not in 0..4", where, *r.performance_risk));
    }
    if (!std::isfinite(r.confidence) || r.confidence < 0 || r.confidence > 1) {
      return MakeError(ErrorCode::kInvalidInput,
                       fmt::format("{}: the confidence is not in [0, 1]", where));
    }
    if (!actions.emplace(r.kind, r.resource_id, r.action, r.recommended_type).second) {
      return MakeError(ErrorCode::kInvalidInput,
                       fmt::format("{}: the same action is recommended twice", where));
    }
  }
  return {};
}

// After a large ingest PostgreSQL's planner has no statistics for the new rows until autovacuum
// gets to them, and picks nested loops that turn a 50 ms tag-filtered query into minutes.
void RefreshStatistics(soci::session& session, Backend backend, const ReplaceSummary& summary) {
  if (backend != Backend::kPostgresql) return;
  if (summary.rows_inserted + summary.rows_deleted < kAnalyzeAfterRows) return;
  try {
    session << "ANALYZE cost_daily, tag_sets, tag_values";
  } catch (...) {  // NOLINT(bugprone-empty-catch): the ingest is committed; autovacuum catches up
  }
}

void ConfigurePostgres(soci::session& session) {
  // libpq prints notices ("relation already exists, skipping") to stderr otherwise.
  session << "SET client_min_messages TO warning";
}

constexpr int kSqlitePageSize = 32768;

std::unique_ptr<soci::session> ConnectSqlite(const std::string& path) {
  // Every SqlRepository serialises its calls with its own mutex, so SQLite's per-call connection
  // mutexes (about twenty lock/unlock pairs per inserted row) are pure cost: use multi-thread mode
  // (connections not shared between threads at once). Must precede SQLite's initialisation;
  // when something else initialised it first the call fails harmlessly and serialised mode stays.
  static std::once_flag configured;
  std::call_once(configured, [] { sqlite_api::sqlite3_config(SQLITE_CONFIG_MULTITHREAD); });
  if (path != kSqliteMemory && !path.starts_with("file:")) {
    const std::filesystem::path parent = std::filesystem::path(path).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent);  // throws filesystem_error
  }
  auto session = std::make_unique<soci::session>(
      soci::sqlite3, fmt::format("db=\"{}\" timeout={}", path, kSqliteBusyTimeoutSeconds));
  // Bigger pages make the cube's B-trees shallower and bulk inserts cheaper; this only takes
  // effect when the database file is created (before the first table).
  *session << "PRAGMA page_size = " << kSqlitePageSize;
  std::string journal_mode;
  *session << "PRAGMA journal_mode = WAL", soci::into(journal_mode);
  *session << "PRAGMA foreign_keys = ON";
  *session << "PRAGMA synchronous = NORMAL";
  *session << "PRAGMA cache_size = -" << kSqliteCacheKib;
  return session;
}

// NotFound when no tenant has this id.
Status RequireTenant(soci::session& session, std::int64_t tenant_id) {
  const long long tenant = tenant_id;
  int tenants = 0;
  session << "SELECT COUNT(*) FROM tenants WHERE id = :tenant", soci::use(tenant, "tenant"),
      soci::into(tenants);
  if (tenants == 0) {
    return MakeError(ErrorCode::kNotFound, fmt::format("no tenant with id {}", tenant_id));
  }
  return {};
}

// The rows of a batch in place of its billing scopes, and one ingest run per file, in the
// caller's transaction. Throws.
Result<ReplaceSummary> WriteBillingScopes(soci::session& session, Backend backend,
                                          std::int64_t tenant_id, const IngestBatch& batch,
                                          const std::set<BillingScope>& scopes) {
  const long long tenant = tenant_id;

  ReplaceSummary summary;
  {
    std::string provider;
    std::string billing_account_id;
    long long billing_period = 0;
    soci::statement remove =
        (session.prepare << "DELETE FROM cost_daily WHERE tenant_id = :tenant "
                            "AND provider = :provider AND billing_account_id = :account "
                            "AND billing_period = :period",
         soci::use(tenant, "tenant"), soci::use(provider, "provider"),
         soci::use(billing_account_id, "account"), soci::use(billing_period, "period"));
    for (const BillingScope& scope : batch.scopes) {
      provider = scope.provider;
      billing_account_id = scope.billing_account_id;
      billing_period = scope.billing_period.days();
      remove.execute(true);
      summary.rows_deleted += remove.get_affected_rows();
    }
  }

  TagSetResolver tag_sets(session, backend, tenant_id);
  const auto store_rows = [&](std::span<const CubeRow> rows) -> Status {
    if (Status valid = ValidateRows(rows, summary.rows_inserted, scopes); !valid) return valid;
    const std::vector<std::int64_t> tag_set_ids = tag_sets.Resolve(rows);
    InsertCubeRows(session, backend, tenant_id, rows, tag_set_ids);
    summary.rows_inserted += static_cast<std::int64_t>(rows.size());
    return {};
  };
  if (batch.row_reader) {
    std::vector<CubeRow> chunk;
    for (bool more = true; more;) {
      chunk.clear();
      more = batch.row_reader(chunk);
      if (chunk.empty()) continue;
      if (Status stored = store_rows(chunk); !stored) {
        return unexpected(std::move(stored.error()));
      }
    }
  } else if (Status stored = store_rows(batch.rows); !stored) {
    return unexpected(std::move(stored.error()));
  }

  {
    IngestFileRecord file;
    std::string billing_periods;
    const std::string status(kCompletedStatus);
    const long long started_at = batch.started_at;
    const long long finished_at = UnixSecondsNow();
    long long rows = 0;
    long long rejected_rows = 0;
    long long run_id = 0;
    soci::statement insert =
        (session.prepare
             << "INSERT INTO ingest_runs (tenant_id, path, checksum, format, billing_periods, "
                "rows, rejected_rows, status, started_at, finished_at) VALUES (:tenant, :path, "
                ":checksum, :format, :periods, :rows, :rejected, :status, :started, :finished) "
                "RETURNING id",
         soci::use(tenant, "tenant"), soci::use(file.path, "path"),
         soci::use(file.checksum, "checksum"), soci::use(file.format, "format"),
         soci::use(billing_periods, "periods"), soci::use(rows, "rows"),
         soci::use(rejected_rows, "rejected"), soci::use(status, "status"),
         soci::use(started_at, "started"), soci::use(finished_at, "finished"), soci::into(run_id));
    for (const IngestFileRecord& record : batch.files) {
      file = record;
      billing_periods = BillingPeriodsText(record.billing_periods);
      rows = record.rows;
      rejected_rows = record.rejected_rows;
      insert.execute(true);
      summary.run_ids.push_back(run_id);
    }
  }
  return summary;
}

// Runs body(session) in a transaction holding the tenant's lock of `kind`, once the tenant is
// known to exist, and commits when body returns a value (an error rolls back). Throws.
template <typename Body>
auto RunInTenantTransaction(soci::session& session, Backend backend, LockKind kind,
                            std::int64_t tenant_id, Body& body)
    -> std::invoke_result_t<Body&, soci::session&> {
  Transaction transaction(session, backend);
  LockForTransaction(session, backend, kind, tenant_id);
  if (Status exists = RequireTenant(session, tenant_id); !exists) {
    return unexpected(std::move(exists.error()));
  }
  std::invoke_result_t<Body&, soci::session&> result = body(session);
  if (result) transaction.Commit();
  return result;
}

}  // namespace

Result<std::unique_ptr<Repository>> SqlRepository::Open(const StoreLocation& location) {
  std::unique_ptr<soci::session> session;
  try {
    if (location.backend == Backend::kSqlite) {
      session = ConnectSqlite(location.sqlite_path);
    } else {
      session = std::make_unique<soci::session>(soci::postgresql, location.postgres_uri);
      ConfigurePostgres(*session);
    }
  } catch (...) {
    Error error = CurrentExceptionError(fmt::format(
        "cannot open the {} database {}", store::BackendName(location.backend), location.display));
    error.code = ErrorCode::kUnavailable;
    return unexpected(std::move(error));
  }
  if (Status migrated = ApplyMigrations(*session, location.backend); !migrated) {
    return unexpected(std::move(migrated.error()));
  }
  return std::make_unique<SqlRepository>(std::move(session), location.backend);
}

SqlRepository::SqlRepository(std::unique_ptr<soci::session> session, Backend backend)
    : session_(std::move(session)), backend_(backend) {}

SqlRepository::~SqlRepository() = default;

void SqlRepository::ReconnectIfBroken() {
  if (backend_ != Backend::kPostgresql) return;
  const auto* backend = static_cast<soci::postgresql_session_backend*>(session_->get_backend());
  if (backend != nullptr && backend->conn_ != nullptr &&
      PQstatus(backend->conn_) == CONNECTION_OK) {
    return;
  }
  try {
    session_->reconnect();
    ConfigurePostgres(*session_);
  } catch (const std::exception& error) {
    throw soci::postgresql_soci_error(
        fmt::format("the connection was lost and reconnecting failed: {}", error.what()),
        kConnectionFailureSqlState);
  }
}

std::string_view SqlRepository::BackendName() const { return store::BackendName(backend_); }

template <typename Body, typename... Args>
auto SqlRepository::WithSession(Body&& body, fmt::format_string<const Args&...> what,
                                const Args&... args)
    -> std::invoke_result_t<Body&, soci::session&> {
  const std::lock_guard lock(mutex_);
  try {
    ReconnectIfBroken();
    return body(*session_);
  } catch (...) {
    return unexpected(CurrentExceptionError(fmt::format(what, args...)));
  }
}

template <typename Body, typename... Args>
auto SqlRepository::InTenantTransaction(LockKind kind, std::int64_t tenant_id, Body&& body,
                                        fmt::format_string<const Args&...> what,
                                        const Args&... args)
    -> std::invoke_result_t<Body&, soci::session&> {
  return WithSession(
      [&](soci::session& session) {
        return RunInTenantTransaction(session, backend_, kind, tenant_id, body);
      },
      what, args...);
}

Result<int> SqlRepository::SchemaVersion() {
  return WithSession(
      [](soci::session& session) -> Result<int> { return ReadSchemaVersion(session); },
      "reading the schema version");
}

Result<Tenant> SqlRepository::EnsureTenant(std::string_view name) {
  if (name.empty()) return MakeError(ErrorCode::kInvalidInput, "a tenant name must not be empty");
  if (Status text = CheckText(name, "the name", "tenant"); !text) {
    return unexpected(std::move(text.error()));
  }
  Status created = WithSession(
      [&](soci::session& session) -> Status {
        const std::string tenant_name(name);
        const long long now = UnixSecondsNow();
        session << "INSERT INTO tenants (name, created_at) VALUES (:name, :now) "
                   "ON CONFLICT (name) DO NOTHING",
            soci::use(tenant_name, "name"), soci::use(now, "now");
        return {};
      },
      "creating tenant \"{}\"", name);
  if (!created) return unexpected(std::move(created.error()));
  return FindTenant(name);
}

Result<Tenant> SqlRepository::FindTenant(std::string_view name) {
  const auto find = [&](soci::session& session) -> Result<Tenant> {
    const std::string tenant_name(name);
    long long id = 0;
    session << "SELECT id FROM tenants WHERE name = :name", soci::use(tenant_name, "name"),
        soci::into(id);
    if (!session.got_data()) {
      return MakeError(ErrorCode::kNotFound, fmt::format("no tenant named \"{}\"", name));
    }
    return Tenant{id, tenant_name};
  };
  return WithSession(find, "looking up tenant \"{}\"", name);
}

Result<ReplaceSummary> SqlRepository::ReplaceBillingScopes(std::int64_t tenant_id,
                                                           const IngestBatch& batch) {
  if (Status valid = ValidateBatchHeader(batch); !valid) {
    return unexpected(std::move(valid.error()));
  }
  const std::set<BillingScope> scopes(batch.scopes.begin(), batch.scopes.end());
  const auto write = [&](soci::session& session) {
    return WriteBillingScopes(session, backend_, tenant_id, batch, scopes);
  };
  return WithSession(
      [&](soci::session& session) {
        Result<ReplaceSummary> summary =
            RunInTenantTransaction(session, backend_, LockKind::kTenantCube, tenant_id, write);
        if (summary) RefreshStatistics(session, backend_, *summary);
        return summary;
      },
      "replacing {} billing scope(s) of tenant {}", batch.scopes.size(), tenant_id);
}

Result<std::vector<CostGroupRow>> SqlRepository::QueryCosts(std::int64_t tenant_id,
                                                            const CostQuery& query) {
  if (Status valid = ValidateCostQuery(query); !valid) {
    return unexpected(std::move(valid.error()));
  }
  for (const CostFilter& filter : query.filters) {
    for (const std::string& value : filter.values) {
      if (Status text = CheckText(value, "a filter value", "cost query"); !text) {
        return unexpected(std::move(text.error()));
      }
    }
  }
  return WithSession(
      [&](soci::session& session) -> Result<std::vector<CostGroupRow>> {
        return RunCostQuery(session, tenant_id, query);
      },
      "querying costs");
}

Result<std::vector<IngestRunRecord>> SqlRepository::ListIngestRuns(std::int64_t tenant_id) {
  const auto list = [&](soci::session& session) -> Result<std::vector<IngestRunRecord>> {
    const long long tenant = tenant_id;
    IngestRunRecord run;
    long long id = 0;
    long long rows = 0;
    long long rejected_rows = 0;
    long long started_at = 0;
    long long finished_at = 0;
    soci::indicator finished_indicator = soci::i_ok;
    soci::statement select =
        (session.prepare << "SELECT id, path, checksum, format, billing_periods, rows, "
                            "rejected_rows, status, started_at, finished_at FROM ingest_runs "
                            "WHERE tenant_id = :tenant ORDER BY started_at DESC, id DESC",
         soci::use(tenant, "tenant"), soci::into(id), soci::into(run.path),
         soci::into(run.checksum), soci::into(run.format), soci::into(run.billing_periods),
         soci::into(rows), soci::into(rejected_rows), soci::into(run.status),
         soci::into(started_at), soci::into(finished_at, finished_indicator));
    select.execute();
    std::vector<IngestRunRecord> runs;
    while (select.fetch()) {
      run.id = id;
      run.rows = rows;
      run.rejected_rows = rejected_rows;
      run.started_at = started_at;
      run.finished_at = finished_indicator == soci::i_ok ? finished_at : 0;
      runs.push_back(run);
    }
    return runs;
  };
  return WithSession(list, "listing the ingest runs of tenant {}", tenant_id);
}

Result<std::int64_t> SqlRepository::CubeVersion(std::int64_t tenant_id) {
  return WithSession(
      [&](soci::session& session) -> Result<std::int64_t> {
        const long long tenant = tenant_id;
        long long version = 0;
        session << "SELECT COALESCE(MAX(id), 0) FROM ingest_runs WHERE tenant_id = :tenant",
            soci::use(tenant), soci::into(version);
        return version;
      },
      "reading the cube version of tenant {}", tenant_id);
}

Result<std::int64_t> SqlRepository::AnomaliesRevision(std::int64_t tenant_id) {
  return WithSession(
      [&](soci::session& session) -> Result<std::int64_t> {
        return ReadRevision(session, tenant_id, Revision::kAnomalies);
      },
      "reading the anomalies revision of tenant {}", tenant_id);
}

Result<std::int64_t> SqlRepository::ForecastsRevision(std::int64_t tenant_id) {
  return WithSession(
      [&](soci::session& session) -> Result<std::int64_t> {
        return ReadRevision(session, tenant_id, Revision::kForecasts);
      },
      "reading the forecasts revision of tenant {}", tenant_id);
}

Result<std::optional<DayRange>> SqlRepository::CostDayRange(std::int64_t tenant_id) {
  return WithSession(
      [&](soci::session& session) -> Result<std::optional<DayRange>> {
        return ReadCostDayRange(session, tenant_id);
      },
      "reading the cost days of tenant {}", tenant_id);
}

Status SqlRepository::ScanCubeRows(std::int64_t tenant_id, Date from, Date to,
                                   const CubeRowSink& sink) {
  return WithSession(
      [&](soci::session& session) -> Status {
        ScanCube(session, tenant_id, from, to, sink);
        return {};
      },
      "reading the cube of tenant {} from {} to {}", tenant_id, from.ToString(), to.ToString());
}

Result<std::int64_t> SqlRepository::EnsureModel(const ModelRecord& model) {
  const std::string where = fmt::format("model {}/{}", model.model_type, model.version);
  if (model.model_type.empty()) {
    return MakeError(ErrorCode::kInvalidInput, where + ": the model type must not be empty");
  }
  for (const auto& [name, text] :
       {std::pair<std::string_view, const std::string*>{"the type", &model.model_type},
        {"the params", &model.params},
        {"the path", &model.model_path}}) {
    if (Status valid = CheckText(*text, name, where); !valid) {
      return unexpected(std::move(valid.error()));
    }
  }
  return WithSession(
      [&](soci::session& session) -> Result<std::int64_t> {
        return EnsureModelRow(session, backend_, model, UnixSecondsNow());
      },
      "registering {}", where);
}

Result<std::vector<std::int64_t>> SqlRepository::UpsertAnomalies(
    std::int64_t tenant_id, std::span<const CostAnomaly> anomalies) {
  for (std::size_t i = 0; i < anomalies.size(); ++i) {
    if (Status valid = ValidateAnomaly(anomalies[i], i); !valid) {
      return unexpected(std::move(valid.error()));
    }
  }
  return InTenantTransaction(
      LockKind::kTenantAnomalies, tenant_id,
      [&](soci::session& session) { return WriteAnomalies(session, tenant_id, anomalies); },
      "storing {} anomalies of tenant {}", anomalies.size(), tenant_id);
}

Result<std::vector<CostAnomaly>> SqlRepository::ListAnomalies(std::int64_t tenant_id,
                                                              std::optional<AnomalyStatus> status) {
  return WithSession(
      [&](soci::session& session) {
        return ReadAnomalies(session, tenant_id, AnomalySelection{std::nullopt, status});
      },
      "listing the anomalies of tenant {}", tenant_id);
}

Result<CostAnomaly> SqlRepository::ReadOneAnomaly(std::int64_t tenant_id, std::int64_t anomaly_id) {
  Result<std::vector<CostAnomaly>> found =
      ReadAnomalies(*session_, tenant_id, AnomalySelection{anomaly_id, std::nullopt});
  if (!found) return unexpected(std::move(found.error()));
  if (found->empty()) {
    return MakeError(ErrorCode::kNotFound,
                     fmt::format("tenant {} has no anomaly {}", tenant_id, anomaly_id));
  }
  return std::move(found->front());
}

Result<CostAnomaly> SqlRepository::GetAnomaly(std::int64_t tenant_id, std::int64_t anomaly_id) {
  return WithSession([&](soci::session&) { return ReadOneAnomaly(tenant_id, anomaly_id); },
                     "reading anomaly {} of tenant {}", anomaly_id, tenant_id);
}

Result<CostAnomaly> SqlRepository::SetAnomalyFeedback(std::int64_t tenant_id,
                                                      std::int64_t anomaly_id,
                                                      AnomalyFeedback feedback,
                                                      std::string_view note, std::int64_t at) {
  if (Status text = CheckText(note, "the note", fmt::format("feedback on anomaly {}", anomaly_id));
      !text) {
    return unexpected(std::move(text.error()));
  }
  return WithSession(
      [&](soci::session& session) -> Result<CostAnomaly> {
        if (!WriteAnomalyFeedback(session, tenant_id, anomaly_id, feedback, note, at)) {
          return MakeError(ErrorCode::kNotFound,
                           fmt::format("tenant {} has no anomaly {}", tenant_id, anomaly_id));
        }
        return ReadOneAnomaly(tenant_id, anomaly_id);
      },
      "recording feedback on anomaly {} of tenant {}", anomaly_id, tenant_id);
}

Result<std::vector<std::int64_t>> SqlRepository::ReplaceForecastRun(std::int64_t tenant_id,
                                                                    const CostForecastRun& run) {
  if (Status valid = ValidateForecastRun(run); !valid) return unexpected(std::move(valid.error()));
  return InTenantTransaction(
      LockKind::kTenantForecasts, tenant_id,
      [&](soci::session& session) -> Result<std::vector<std::int64_t>> {
        DeleteForecastRun(session, tenant_id, run.group_by, run.horizon);
        RaiseRevision(session, tenant_id, Revision::kForecasts);
        return WriteForecastRun(session, tenant_id, run);
      },
      "storing {} forecast series of tenant {}", run.series.size(), tenant_id);
}

Result<std::optional<CostForecastRun>> SqlRepository::LatestForecastRun(std::int64_t tenant_id,
                                                                        std::string_view group_by,
                                                                        int horizon) {
  return WithSession(
      [&](soci::session& session) -> Result<std::optional<CostForecastRun>> {
        return ReadForecastRun(session, tenant_id, group_by, horizon);
      },
      "reading the forecasts of tenant {}", tenant_id);
}

Result<InventoryReplaceSummary> SqlRepository::ReplaceInventory(
    std::int64_t tenant_id, const InventoryReplacement& replacement) {
  if (Status valid = ValidateInventory(replacement); !valid) {
    return unexpected(std::move(valid.error()));
  }
  const auto replace = [&](soci::session& session) -> Result<InventoryReplaceSummary> {
    InventoryReplaceSummary summary;
    const std::int64_t now = replacement.imported_at;
    if (replacement.instances) {
      summary.instances = ReplaceInstances(session, tenant_id, *replacement.instances, now);
    }
    if (replacement.volumes) {
      summary.volumes = ReplaceVolumes(session, tenant_id, *replacement.volumes, now);
    }
    if (replacement.addresses) {
      summary.addresses = ReplaceAddresses(session, tenant_id, *replacement.addresses, now);
    }
    return summary;
  };
  return InTenantTransaction(LockKind::kTenantInventory, tenant_id, replace,
                             "replacing the inventory of tenant {}", tenant_id);
}

Result<CloudInventory> SqlRepository::LoadInventory(std::int64_t tenant_id) {
  return WithSession(
      [&](soci::session& session) -> Result<CloudInventory> {
        return ReadInventory(session, tenant_id);
      },
      "reading the inventory of tenant {}", tenant_id);
}

Result<MetricUpsertSummary> SqlRepository::UpsertMetricSamples(std::int64_t tenant_id,
                                                               const MetricSampleReader& reader) {
  const auto upsert = [&](soci::session& session) -> Result<MetricUpsertSummary> {
    const std::int64_t before = CountMetricSamples(session, tenant_id);
    MetricUpsertSummary summary;
    const std::unique_ptr<MetricSampleWriter> writer =
        MakeMetricSampleWriter(session, backend_, tenant_id);
    std::vector<MetricSample> chunk;
    for (bool more = static_cast<bool>(reader); more;) {
      chunk.clear();
      more = reader(chunk);
      if (chunk.empty()) continue;
      if (Status valid = ValidateMetricSamples(chunk, summary.samples); !valid) {
        return unexpected(std::move(valid.error()));
      }
      writer->Write(chunk);
      summary.samples += static_cast<std::int64_t>(chunk.size());
    }
    const std::int64_t changed = writer->Finish();
    summary.added = CountMetricSamples(session, tenant_id) - before;
    summary.updated = changed - summary.added;
    return summary;
  };
  return InTenantTransaction(LockKind::kTenantMetrics, tenant_id, upsert,
                             "storing the metrics of tenant {}", tenant_id);
}

Result<std::optional<std::int64_t>> SqlRepository::NewestMetricSample(std::int64_t tenant_id) {
  return WithSession(
      [&](soci::session& session) -> Result<std::optional<std::int64_t>> {
        return ReadNewestMetricSample(session, tenant_id);
      },
      "reading the newest metric sample of tenant {}", tenant_id);
}

Result<std::vector<MetricSeriesRecord>> SqlRepository::ReadInstanceMetrics(
    std::int64_t tenant_id, std::string_view instance_id, std::int64_t from, std::int64_t to) {
  if (Status text = CheckText(instance_id, "the instance id", "reading metrics"); !text) {
    return unexpected(std::move(text.error()));
  }
  return WithSession(
      [&](soci::session& session) -> Result<std::vector<MetricSeriesRecord>> {
        return ReadMetricSeries(session, tenant_id, instance_id, from, to);
      },
      "reading the metrics of instance {} of tenant {}", instance_id, tenant_id);
}

Result<std::vector<std::int64_t>> SqlRepository::ReplaceRecommendations(
    std::int64_t tenant_id, std::span<const ResourceRecommendation> recommendations,
    std::int64_t now) {
  if (Status valid = ValidateRecommendations(recommendations); !valid) {
    return unexpected(std::move(valid.error()));
  }
  return InTenantTransaction(
      LockKind::kTenantRecommendations, tenant_id,
      [&](soci::session& session) -> Result<std::vector<std::int64_t>> {
        return MergeRecommendations(session, tenant_id, recommendations, now);
      },
      "storing {} recommendations of tenant {}", recommendations.size(), tenant_id);
}

Result<std::vector<ResourceRecommendation>> SqlRepository::ListRecommendations(
    std::int64_t tenant_id, std::optional<RecommendationStatus> status) {
  return WithSession(
      [&](soci::session& session) {
        return ReadRecommendations(session, tenant_id,
                                   RecommendationSelection{std::nullopt, status});
      },
      "listing the recommendations of tenant {}", tenant_id);
}

Result<ResourceRecommendation> SqlRepository::SetRecommendationStatus(
    std::int64_t tenant_id, std::int64_t recommendation_id, RecommendationStatus status,
    std::optional<std::int64_t> snoozed_until, std::int64_t at) {
  const bool snoozed = status == RecommendationStatus::kSnoozed;
  if (snoozed != snoozed_until.has_value()) {
    return MakeError(ErrorCode::kInvalidInput,
                     fmt::format("recommendation {}: {}", recommendation_id,
                                 snoozed ? "a snooze needs an end time"
                                         : "only a snoozed recommendation has an end time"));
  }
  const auto set_status = [&](soci::session& session) -> Result<ResourceRecommendation> {
    const auto not_found = [&] {
      return MakeError(ErrorCode::kNotFound, fmt::format("tenant {} has no recommendation {}",
                                                         tenant_id, recommendation_id));
    };
    if (!WriteRecommendationStatus(session, tenant_id, recommendation_id, status, snoozed_until,
                                   at)) {
      return not_found();
    }
    Result<std::vector<ResourceRecommendation>> found = ReadRecommendations(
        session, tenant_id, RecommendationSelection{recommendation_id, std::nullopt});
    if (!found) return unexpected(std::move(found.error()));
    if (found->empty()) return not_found();
    return std::move(found->front());
  };
  return WithSession(set_status, "setting the status of recommendation {} of tenant {}",
                     recommendation_id, tenant_id);
}

// --- users, organisations and tenancy ---------------------------------------------------------

namespace {

// Every text an account stores must be storable on both backends.
Status CheckAccountTexts(std::initializer_list<std::pair<std::string_view, std::string_view>> texts,
                         std::string_view where) {
  for (const auto& [name, text] : texts) {
    if (Status valid = CheckText(text, name, where); !valid) return valid;
  }
  return {};
}

}  // namespace

Result<TenantModel> SqlRepository::RecordModelTraining(std::int64_t tenant_id,
                                                       const TenantModel& trained) {
  const std::string where = fmt::format("model {} of tenant {}", trained.model_type, tenant_id);
  if (trained.model_type.empty()) {
    return MakeError(ErrorCode::kInvalidInput, where + ": the model type must not be empty");
  }
  for (const auto& [name, text] :
       {std::pair<std::string_view, const std::string*>{"the type", &trained.model_type},
        {"the params", &trained.params},
        {"the metrics", &trained.metrics},
        {"the artifact path", &trained.artifact_path}}) {
    if (Status valid = CheckText(*text, name, where); !valid) {
      return unexpected(std::move(valid.error()));
    }
  }
  return InTenantTransaction(
      LockKind::kModels, tenant_id,
      [&](soci::session& session) -> Result<TenantModel> {
        return WriteModelTraining(session, tenant_id, trained);
      },
      "recording a training run of {}", where);
}

Result<std::vector<TenantModel>> SqlRepository::ListTenantModels(std::int64_t tenant_id) {
  return WithSession(
      [&](soci::session& session) -> Result<std::vector<TenantModel>> {
        return ReadTenantModels(session, tenant_id, std::nullopt);
      },
      "listing the models of tenant {}", tenant_id);
}

Result<TenantModel> SqlRepository::GetTenantModel(std::int64_t tenant_id, std::int64_t model_id) {
  return WithSession(
      [&](soci::session& session) -> Result<TenantModel> {
        std::vector<TenantModel> models = ReadTenantModels(session, tenant_id, model_id);
        if (models.empty()) {
          return MakeError(ErrorCode::kNotFound,
                           fmt::format("tenant {} has no model {}", tenant_id, model_id));
        }
        return std::move(models.front());
      },
      "reading model {} of tenant {}", model_id, tenant_id);
}

Status SqlRepository::SetModelArtifact(std::int64_t tenant_id, std::int64_t model_id,
                                       std::string_view path) {
  const std::string where = fmt::format("model {} of tenant {}", model_id, tenant_id);
  const std::string text(path);
  if (Status valid = CheckText(text, "the artifact path", where); !valid) return valid;
  return WithSession(
      [&](soci::session& session) -> Status {
        const long long tenant = tenant_id;
        const long long id = model_id;
        soci::statement update =
            (session.prepare << "UPDATE ml_models SET model_path = :path WHERE id = :id AND "
                                "tenant_id = :tenant",
             soci::use(text, "path"), soci::use(id, "id"), soci::use(tenant, "tenant"));
        update.execute(true);
        if (update.get_affected_rows() == 0) {
          return MakeError(ErrorCode::kNotFound,
                           fmt::format("tenant {} has no model {}", tenant_id, model_id));
        }
        return {};
      },
      "recording the artifact of {}", where);
}

Result<int> SqlRepository::RequestModelRetraining(std::int64_t tenant_id,
                                                  std::string_view model_type, std::int64_t at) {
  return InTenantTransaction(
      LockKind::kModels, tenant_id,
      [&](soci::session& session) -> Result<int> {
        return MarkForRetraining(session, tenant_id, model_type, at);
      },
      "marking model {} of tenant {} for retraining", model_type, tenant_id);
}

Result<std::int64_t> SqlRepository::RecordRecommendationAction(
    std::int64_t tenant_id, const RecommendationActionRecord& action) {
  const std::string where = fmt::format("apply request on recommendation {} of tenant {}",
                                        action.recommendation_id, tenant_id);
  for (const auto& [name, text] :
       {std::pair<std::string_view, const std::string*>{"the plan", &action.plan},
        {"the outcome", &action.outcome}}) {
    if (Status valid = CheckText(*text, name, where); !valid) {
      return unexpected(std::move(valid.error()));
    }
  }
  return InTenantTransaction(
      LockKind::kTenantRecommendations, tenant_id,
      [&](soci::session& session) -> Result<std::int64_t> {
        const std::optional<std::int64_t> id =
            InsertRecommendationAction(session, tenant_id, action);
        if (!id) {
          return MakeError(ErrorCode::kNotFound, fmt::format("tenant {} has no recommendation {}",
                                                             tenant_id, action.recommendation_id));
        }
        return *id;
      },
      "recording the {}", where);
}

Result<std::vector<MetricAnomaly>> SqlRepository::RecordMetricAnomalies(
    std::int64_t tenant_id, std::span<const MetricAnomaly> anomalies, std::int64_t now) {
  for (const MetricAnomaly& anomaly : anomalies) {
    const std::string where = fmt::format("a metric anomaly of {}", anomaly.instance_id);
    if (anomaly.instance_id.empty() || anomaly.metric.empty()) {
      return MakeError(ErrorCode::kInvalidInput,
                       "a metric anomaly needs an instance id and a metric");
    }
    for (const auto& [name, text] :
         {std::pair<std::string_view, const std::string*>{"the instance id", &anomaly.instance_id},
          {"the region", &anomaly.region},
          {"the metric", &anomaly.metric}}) {
      if (Status valid = CheckText(*text, name, where); !valid) {
        return unexpected(std::move(valid.error()));
      }
    }
    if (!std::isfinite(anomaly.peak_value) || !std::isfinite(anomaly.expected_value) ||
        !std::isfinite(anomaly.score)) {
      return MakeError(ErrorCode::kInvalidInput, fmt::format("{}: a value is not finite", where));
    }
  }
  return InTenantTransaction(
      LockKind::kTenantMetrics, tenant_id,
      [&](soci::session& session) -> Result<std::vector<MetricAnomaly>> {
        return UpsertMetricAnomalyRows(session, tenant_id, anomalies, now);
      },
      "storing {} metric anomalies of tenant {}", anomalies.size(), tenant_id);
}

Result<MetricAnomaly> SqlRepository::GetMetricAnomaly(std::int64_t tenant_id, std::int64_t id) {
  return WithSession(
      [&](soci::session& session) -> Result<MetricAnomaly> {
        std::optional<MetricAnomaly> anomaly = ReadMetricAnomaly(session, tenant_id, id);
        if (!anomaly) {
          return MakeError(ErrorCode::kNotFound,
                           fmt::format("tenant {} has no metric anomaly {}", tenant_id, id));
        }
        return *anomaly;
      },
      "reading metric anomaly {} of tenant {}", id, tenant_id);
}

Result<std::vector<MetricAnomaly>> SqlRepository::ListMetricAnomalies(std::int64_t tenant_id,
                                                                      std::size_t limit) {
  return WithSession(
      [&](soci::session& session) -> Result<std::vector<MetricAnomaly>> {
        return ReadMetricAnomalies(session, tenant_id, limit);
      },
      "listing the metric anomalies of tenant {}", tenant_id);
}

Status SqlRepository::UpdateRecommendationAction(std::int64_t tenant_id, std::int64_t action_id,
                                                 std::string_view plan, std::string_view outcome) {
  const std::string where = fmt::format("apply request {} of tenant {}", action_id, tenant_id);
  const std::string plan_text(plan);
  const std::string outcome_text(outcome);
  for (const auto& [name, text] :
       {std::pair<std::string_view, const std::string*>{"the plan", &plan_text},
        {"the outcome", &outcome_text}}) {
    if (Status valid = CheckText(*text, name, where); !valid) return valid;
  }
  return WithSession(
      [&](soci::session& session) -> Status {
        if (!UpdateRecommendationActionRow(session, tenant_id, action_id, plan_text,
                                           outcome_text)) {
          return MakeError(ErrorCode::kNotFound,
                           fmt::format("tenant {} has no apply request {}", tenant_id, action_id));
        }
        return {};
      },
      "updating the {}", where);
}

Result<std::vector<RecommendationActionRecord>> SqlRepository::ListRecommendationActions(
    std::int64_t tenant_id, std::int64_t recommendation_id) {
  return WithSession(
      [&](soci::session& session) -> Result<std::vector<RecommendationActionRecord>> {
        return ReadRecommendationActions(session, tenant_id, recommendation_id);
      },
      "listing the apply requests on recommendation {} of tenant {}", recommendation_id, tenant_id);
}

Result<Membership> SqlRepository::CreateUserWithOrganisation(std::string_view email,
                                                             std::string_view password_hash,
                                                             std::string_view organisation,
                                                             std::int64_t now) {
  if (Status valid = CheckAccountTexts(
          {{"the email", email}, {"the organisation name", organisation}}, "sign-up");
      !valid) {
    return unexpected(std::move(valid.error()));
  }
  return WithSession(
      [&](soci::session& session) {
        return InsertUserWithOrganisation(session, backend_, email, password_hash, organisation,
                                          now);
      },
      "creating the user {} with the organisation \"{}\"", email, organisation);
}

Result<Membership> SqlRepository::EnsureSampleOrganisation(std::int64_t user_id,
                                                           std::string_view name,
                                                           std::int64_t now) {
  if (Status valid = CheckAccountTexts({{"the organisation name", name}}, "sample workspace");
      !valid) {
    return unexpected(std::move(valid.error()));
  }
  return WithSession(
      [&](soci::session& session) {
        return InsertSampleOrganisation(session, backend_, user_id, name, now);
      },
      "opening the sample workspace of user {}", user_id);
}

Result<UserRecord> SqlRepository::FindUserByEmail(std::string_view email) {
  if (!IsStorableText(email)) {
    return MakeError(ErrorCode::kNotFound, "no user with this email");
  }
  return WithSession([&](soci::session& session) { return SelectUserByEmail(session, email); },
                     "looking up the user {}", email);
}

Result<std::vector<Membership>> SqlRepository::ListMemberships(std::int64_t user_id) {
  return WithSession(
      [&](soci::session& session) -> Result<std::vector<Membership>> {
        return SelectMemberships(session, user_id);
      },
      "listing the organisations of user {}", user_id);
}

Status SqlRepository::RecordLoginAttempt(std::string_view email, std::int64_t at, bool succeeded) {
  if (Status valid = CheckText(email, "the email", "log-in attempt"); !valid) return valid;
  return WithSession(
      [&](soci::session& session) -> Status {
        InsertLoginAttempt(session, email, at, succeeded);
        return {};
      },
      "recording a log-in attempt of {}", email);
}

Result<LoginFailures> SqlRepository::RecentLoginFailures(std::string_view email,
                                                         std::int64_t since) {
  if (!IsStorableText(email)) return LoginFailures{};
  return WithSession(
      [&](soci::session& session) -> Result<LoginFailures> {
        return CountLoginFailures(session, email, since);
      },
      "counting the failed log-ins of {}", email);
}

Result<std::int64_t> SqlRepository::CreateSession(const SessionRecord& record) {
  return WithSession(
      [&](soci::session& session) -> Result<std::int64_t> {
        return InsertSession(session, record);
      },
      "creating a session of user {} in tenant {}", record.user_id, record.tenant_id);
}

Result<SessionRecord> SqlRepository::FindSession(std::string_view token_hash) {
  return WithSession([&](soci::session& session) { return SelectSession(session, token_hash); },
                     "looking up a session");
}

Status SqlRepository::RevokeSession(std::string_view token_hash, std::int64_t at) {
  return WithSession(
      [&](soci::session& session) { return MarkSessionRevoked(session, token_hash, at); },
      "revoking a session");
}

Result<std::int64_t> SqlRepository::CreateApiToken(const ApiTokenRecord& token) {
  if (Status valid = CheckText(token.name, "the name", "API token"); !valid) {
    return unexpected(std::move(valid.error()));
  }
  return WithSession(
      [&](soci::session& session) -> Result<std::int64_t> {
        return InsertApiToken(session, token);
      },
      "creating the API token \"{}\" of user {} in tenant {}", token.name, token.user_id,
      token.tenant_id);
}

Result<ApiTokenRecord> SqlRepository::UseApiToken(std::string_view token_hash, std::int64_t now) {
  return WithSession(
      [&](soci::session& session) { return SelectApiTokenForUse(session, token_hash, now); },
      "looking up an API token");
}

Result<std::vector<ApiTokenRecord>> SqlRepository::ListApiTokens(std::int64_t tenant_id) {
  return WithSession(
      [&](soci::session& session) -> Result<std::vector<ApiTokenRecord>> {
        return SelectApiTokens(session, tenant_id);
      },
      "listing the API tokens of tenant {}", tenant_id);
}

Status SqlRepository::RevokeApiToken(std::int64_t tenant_id, std::int64_t token_id,
                                     std::int64_t at) {
  return WithSession(
      [&](soci::session& session) { return MarkApiTokenRevoked(session, tenant_id, token_id, at); },
      "revoking API token {} of tenant {}", token_id, tenant_id);
}

Result<std::int64_t> SqlRepository::CreateInvitation(const InvitationRecord& invitation) {
  if (Status valid = CheckText(invitation.email, "the email", "invitation"); !valid) {
    return unexpected(std::move(valid.error()));
  }
  return WithSession(
      [&](soci::session& session) -> Result<std::int64_t> {
        return InsertInvitation(session, invitation);
      },
      "inviting {} to tenant {}", invitation.email, invitation.tenant_id);
}

Result<InvitationRecord> SqlRepository::FindInvitation(std::string_view token_hash) {
  return WithSession([&](soci::session& session) { return SelectInvitation(session, token_hash); },
                     "looking up an invitation");
}

Result<Membership> SqlRepository::AcceptInvitation(std::int64_t invitation_id, std::int64_t user_id,
                                                   std::string_view email,
                                                   std::string_view password_hash,
                                                   std::int64_t now) {
  if (Status valid = CheckText(email, "the email", "invitation"); !valid) {
    return unexpected(std::move(valid.error()));
  }
  return WithSession(
      [&](soci::session& session) {
        return AcceptInvitationRows(session, backend_, invitation_id, user_id, email, password_hash,
                                    now);
      },
      "accepting invitation {}", invitation_id);
}

// --- alerts -----------------------------------------------------------------------------------

namespace {

Status CheckChannelTexts(const AlertChannelRecord& channel) {
  const AlertChannelConfig& config = channel.config;
  for (const auto& [field, text] :
       {std::pair<std::string_view, std::string_view>{"the name", channel.name},
        {"the url", config.url},
        {"the sender", config.email_from},
        {"the SMTP user name", config.smtp_username},
        {"the SMTP password", config.smtp_password},
        {"the topic ARN", config.topic_arn}}) {
    if (Status valid = CheckText(text, field, "alert channel"); !valid) return valid;
  }
  for (const std::string& address : config.email_to) {
    if (Status valid = CheckText(address, "a recipient", "alert channel"); !valid) return valid;
  }
  return {};
}

Status CheckRuleTexts(const AlertRuleRecord& rule) {
  if (Status name = CheckText(rule.name, "the name", "alert rule"); !name) return name;
  for (const AlertRuleFilter& filter : rule.filters) {
    if (Status valid = CheckText(filter.dimension, "a filter dimension", "alert rule"); !valid) {
      return valid;
    }
    for (const std::string& value : filter.values) {
      if (Status text = CheckText(value, "a filter value", "alert rule"); !text) return text;
    }
  }
  return {};
}

}  // namespace

Result<std::int64_t> SqlRepository::CreateAlertChannel(const AlertChannelRecord& channel) {
  if (Status valid = CheckChannelTexts(channel); !valid) return unexpected(valid.error());
  return InTenantTransaction(
      LockKind::kTenantAlerts, channel.tenant_id,
      [&](soci::session& session) { return InsertAlertChannel(session, channel); },
      "creating the alert channel \"{}\" of tenant {}", channel.name, channel.tenant_id);
}

Result<std::vector<AlertChannelRecord>> SqlRepository::ListAlertChannels(std::int64_t tenant_id) {
  return WithSession(
      [&](soci::session& session) -> Result<std::vector<AlertChannelRecord>> {
        return SelectAlertChannels(session, tenant_id);
      },
      "listing the alert channels of tenant {}", tenant_id);
}

Result<AlertChannelRecord> SqlRepository::GetAlertChannel(std::int64_t tenant_id,
                                                          std::int64_t channel_id) {
  return WithSession(
      [&](soci::session& session) { return SelectAlertChannel(session, tenant_id, channel_id); },
      "reading alert channel {} of tenant {}", channel_id, tenant_id);
}

Status SqlRepository::UpdateAlertChannel(const AlertChannelRecord& channel) {
  if (Status valid = CheckChannelTexts(channel); !valid) return valid;
  return InTenantTransaction(
      LockKind::kTenantAlerts, channel.tenant_id,
      [&](soci::session& session) { return UpdateAlertChannelRow(session, channel); },
      "updating alert channel {} of tenant {}", channel.id, channel.tenant_id);
}

Status SqlRepository::DeleteAlertChannel(std::int64_t tenant_id, std::int64_t channel_id) {
  return InTenantTransaction(
      LockKind::kTenantAlerts, tenant_id,
      [&](soci::session& session) { return DeleteAlertChannelRow(session, tenant_id, channel_id); },
      "deleting alert channel {} of tenant {}", channel_id, tenant_id);
}

Result<std::int64_t> SqlRepository::CreateAlertRule(const AlertRuleRecord& rule) {
  if (Status valid = CheckRuleTexts(rule); !valid) return unexpected(valid.error());
  return InTenantTransaction(
      LockKind::kTenantAlerts, rule.tenant_id,
      [&](soci::session& session) { return InsertAlertRule(session, rule); },
      "creating the alert rule \"{}\" of tenant {}", rule.name, rule.tenant_id);
}

Result<std::vector<AlertRuleRecord>> SqlRepository::ListAlertRules(std::int64_t tenant_id) {
  return WithSession(
      [&](soci::session& session) -> Result<std::vector<AlertRuleRecord>> {
        return SelectAlertRules(session, tenant_id);
      },
      "listing the alert rules of tenant {}", tenant_id);
}

Result<std::vector<AlertRuleRecord>> SqlRepository::ListEnabledAlertRules(
    AlertFrequency frequency) {
  return WithSession(
      [&](soci::session& session) -> Result<std::vector<AlertRuleRecord>> {
        return SelectEnabledAlertRules(session, frequency);
      },
      "listing the enabled {} alert rules", FrequencyName(frequency));
}

Result<AlertRuleRecord> SqlRepository::GetAlertRule(std::int64_t tenant_id, std::int64_t rule_id) {
  return WithSession(
      [&](soci::session& session) { return SelectAlertRule(session, tenant_id, rule_id); },
      "reading alert rule {} of tenant {}", rule_id, tenant_id);
}

Status SqlRepository::UpdateAlertRule(const AlertRuleRecord& rule) {
  if (Status valid = CheckRuleTexts(rule); !valid) return valid;
  return InTenantTransaction(
      LockKind::kTenantAlerts, rule.tenant_id,
      [&](soci::session& session) { return UpdateAlertRuleRow(session, rule); },
      "updating alert rule {} of tenant {}", rule.id, rule.tenant_id);
}

Status SqlRepository::DeleteAlertRule(std::int64_t tenant_id, std::int64_t rule_id) {
  return InTenantTransaction(
      LockKind::kTenantAlerts, tenant_id,
      [&](soci::session& session) { return DeleteAlertRuleRow(session, tenant_id, rule_id); },
      "deleting alert rule {} of tenant {}", rule_id, tenant_id);
}

Result<std::vector<std::int64_t>> SqlRepository::QueueAlertDeliveries(
    std::int64_t tenant_id, std::span<const AlertDeliveryRecord> deliveries) {
  for (const AlertDeliveryRecord& delivery : deliveries) {
    if (Status valid = CheckText(delivery.dedupe_key, "the dedupe key", "alert delivery"); !valid) {
      return unexpected(valid.error());
    }
  }
  return InTenantTransaction(
      LockKind::kTenantAlerts, tenant_id,
      [&](soci::session& session) -> Result<std::vector<std::int64_t>> {
        return InsertAlertDeliveries(session, tenant_id, deliveries);
      },
      "queueing {} alert deliveries of tenant {}", deliveries.size(), tenant_id);
}

Result<std::vector<AlertDeliveryRecord>> SqlRepository::ListAlertDeliveries(
    std::int64_t tenant_id, const AlertDeliveryFilter& filter) {
  return WithSession(
      [&](soci::session& session) -> Result<std::vector<AlertDeliveryRecord>> {
        return SelectAlertDeliveries(session, tenant_id, filter);
      },
      "listing the alert deliveries of tenant {}", tenant_id);
}

Result<AlertDeliveryRecord> SqlRepository::GetAlertDelivery(std::int64_t tenant_id,
                                                            std::int64_t delivery_id) {
  return WithSession(
      [&](soci::session& session) { return SelectAlertDelivery(session, tenant_id, delivery_id); },
      "reading alert delivery {} of tenant {}", delivery_id, tenant_id);
}

Result<std::vector<AlertDeliveryRecord>> SqlRepository::DueAlertDeliveries(std::int64_t now,
                                                                           int limit) {
  return WithSession(
      [&](soci::session& session) -> Result<std::vector<AlertDeliveryRecord>> {
        return SelectDueAlertDeliveries(session, now, limit);
      },
      "listing the alert deliveries due at {}", now);
}

Result<bool> SqlRepository::ClaimAlertDelivery(std::int64_t delivery_id, int attempts,
                                               std::int64_t now, std::int64_t lease_until) {
  return WithSession(
      [&](soci::session& session) -> Result<bool> {
        return ClaimAlertDeliveryRow(session, delivery_id, attempts, now, lease_until);
      },
      "claiming alert delivery {}", delivery_id);
}

Status SqlRepository::RecordAlertAttempt(std::int64_t delivery_id, const AlertAttempt& attempt) {
  if (Status valid = CheckText(attempt.error, "the error", "alert delivery"); !valid) {
    return valid;
  }
  return WithSession(
      [&](soci::session& session) { return RecordAlertAttemptRow(session, delivery_id, attempt); },
      "recording an attempt of alert delivery {}", delivery_id);
}

// --- jobs -------------------------------------------------------------------------------------

Result<JobRecord> SqlRepository::EnqueueJob(const NewJob& job) {
  if (Status payload = CheckText(job.payload, "the payload", "job"); !payload) {
    return unexpected(std::move(payload.error()));
  }
  return WithSession([&](soci::session& session) { return InsertJob(session, backend_, job); },
                     "queueing a {} job of tenant {}", JobKindName(job.kind), job.tenant_id);
}

Result<std::optional<JobRecord>> SqlRepository::ClaimJob(std::string_view owner, std::int64_t now,
                                                         std::int64_t lease_seconds) {
  return WithSession(
      [&](soci::session& session) -> Result<std::optional<JobRecord>> {
        return ClaimNextJob(session, backend_, owner, now, lease_seconds);
      },
      "claiming a job for worker {}", owner);
}

Result<JobHeartbeat> SqlRepository::ReportJobProgress(std::int64_t job_id, std::string_view owner,
                                                      double progress, std::string_view message,
                                                      std::int64_t lease_expires_at) {
  if (Status text = CheckText(message, "the progress message", "job"); !text) {
    return unexpected(std::move(text.error()));
  }
  return WithSession(
      [&](soci::session& session) {
        return UpdateJobProgress(session, job_id, owner, progress, message, lease_expires_at);
      },
      "recording the progress of job {}", job_id);
}

Result<JobRecord> SqlRepository::SucceedJob(std::int64_t job_id, std::string_view owner,
                                            std::string_view result_json, std::int64_t now) {
  if (Status text = CheckText(result_json, "the result", "job"); !text) {
    return unexpected(std::move(text.error()));
  }
  return WithSession(
      [&](soci::session& session) {
        return MarkJobSucceeded(session, backend_, job_id, owner, result_json, now);
      },
      "recording the success of job {}", job_id);
}

Result<JobRecord> SqlRepository::FailJob(std::int64_t job_id, std::string_view owner,
                                         std::string_view error, std::int64_t now,
                                         const std::optional<RetryBackoff>& retry) {
  // An error message quoting a bad file may hold bytes that are not UTF-8: keep what is text.
  std::string message(error);
  if (!IsStorableText(message)) {
    std::replace_if(
        message.begin(), message.end(),
        [](char c) { return c == '\0' || static_cast<unsigned char>(c) >= 0x80; }, '?');
  }
  return WithSession(
      [&](soci::session& session) {
        return MarkJobFailed(session, backend_, job_id, owner, message, now, retry);
      },
      "recording the failure of job {}", job_id);
}

Result<JobRecord> SqlRepository::AcknowledgeJobCancel(std::int64_t job_id, std::string_view owner,
                                                      std::int64_t now) {
  return WithSession(
      [&](soci::session& session) {
        return MarkJobCancelled(session, backend_, job_id, owner, now);
      },
      "recording the cancellation of job {}", job_id);
}

Result<JobRecord> SqlRepository::ReleaseJob(std::int64_t job_id, std::string_view owner) {
  return WithSession(
      [&](soci::session& session) { return ReturnJobToQueue(session, backend_, job_id, owner); },
      "returning job {} to the queue", job_id);
}

Result<JobRecord> SqlRepository::CancelJob(std::int64_t tenant_id, std::int64_t job_id,
                                           std::int64_t now) {
  return WithSession(
      [&](soci::session& session) {
        return RequestJobCancel(session, backend_, tenant_id, job_id, now);
      },
      "cancelling job {} of tenant {}", job_id, tenant_id);
}

Result<JobRecord> SqlRepository::GetJob(std::int64_t tenant_id, std::int64_t job_id) {
  return WithSession([&](soci::session& session) { return SelectJob(session, tenant_id, job_id); },
                     "reading job {} of tenant {}", job_id, tenant_id);
}

Result<std::vector<JobRecord>> SqlRepository::ListJobs(std::int64_t tenant_id,
                                                       const JobFilter& filter) {
  return WithSession(
      [&](soci::session& session) -> Result<std::vector<JobRecord>> {
        return SelectJobs(session, tenant_id, filter);
      },
      "listing the jobs of tenant {}", tenant_id);
}

Result<JobScheduleRecord> SqlRepository::SaveJobSchedule(const JobScheduleRecord& schedule) {
  if (Status payload = CheckText(schedule.payload, "the payload", "job schedule"); !payload) {
    return unexpected(std::move(payload.error()));
  }
  return WithSession(
      [&](soci::session& session) { return UpsertSchedule(session, backend_, schedule); },
      "saving the {} schedule of tenant {}", JobKindName(schedule.kind), schedule.tenant_id);
}

Result<std::vector<JobScheduleRecord>> SqlRepository::ListJobSchedules(std::int64_t tenant_id) {
  return WithSession(
      [&](soci::session& session) -> Result<std::vector<JobScheduleRecord>> {
        return SelectSchedules(session, tenant_id);
      },
      "listing the job schedules of tenant {}", tenant_id);
}

Status SqlRepository::DeleteJobSchedule(std::int64_t tenant_id, std::int64_t schedule_id) {
  return WithSession(
      [&](soci::session& session) { return DeleteSchedule(session, tenant_id, schedule_id); },
      "deleting job schedule {} of tenant {}", schedule_id, tenant_id);
}

Result<std::vector<JobRecord>> SqlRepository::EnqueueDueSchedules(std::int64_t now,
                                                                  int max_attempts) {
  return WithSession(
      [&](soci::session& session) -> Result<std::vector<JobRecord>> {
        return EnqueueSchedulesDue(session, backend_, now, max_attempts);
      },
      "queueing the scheduled jobs due at {}", now);
}

// --- organisations: members, invitations, pruning; cloud accounts ------------------------------

Result<std::vector<MemberRecord>> SqlRepository::ListMembers(std::int64_t tenant_id) {
  return WithSession(
      [&](soci::session& session) -> Result<std::vector<MemberRecord>> {
        return SelectMembers(session, tenant_id);
      },
      "listing the members of tenant {}", tenant_id);
}

Status SqlRepository::SetMemberRole(std::int64_t tenant_id, std::int64_t user_id, Role role) {
  return WithSession(
      [&](soci::session& session) {
        return UpdateMemberRole(session, backend_, tenant_id, user_id, role);
      },
      "changing the role of user {} in tenant {}", user_id, tenant_id);
}

Status SqlRepository::RemoveMember(std::int64_t tenant_id, std::int64_t user_id, std::int64_t now) {
  return WithSession(
      [&](soci::session& session) {
        return DeleteMember(session, backend_, tenant_id, user_id, now);
      },
      "removing user {} from tenant {}", user_id, tenant_id);
}

Result<std::vector<InvitationRecord>> SqlRepository::ListPendingInvitations(
    std::int64_t tenant_id) {
  return WithSession(
      [&](soci::session& session) -> Result<std::vector<InvitationRecord>> {
        return SelectPendingInvitations(session, tenant_id);
      },
      "listing the invitations of tenant {}", tenant_id);
}

Status SqlRepository::DeleteInvitation(std::int64_t tenant_id, std::int64_t invitation_id) {
  return WithSession(
      [&](soci::session& session) {
        return DeletePendingInvitation(session, tenant_id, invitation_id);
      },
      "deleting invitation {} of tenant {}", invitation_id, tenant_id);
}

Result<AuthPruneSummary> SqlRepository::PruneAuthRecords(std::int64_t now,
                                                         std::int64_t attempts_before) {
  return WithSession(
      [&](soci::session& session) -> Result<AuthPruneSummary> {
        return DeleteStaleAuthRows(session, backend_, now, attempts_before);
      },
      "pruning expired sessions and old log-in attempts");
}

Result<CloudAccountRecord> SqlRepository::CreateCloudAccount(const CloudAccountRecord& account) {
  if (Status valid = CheckAccountTexts({{"the name", account.name},
                                        {"the account id", account.account_id},
                                        {"the role ARN", account.role_arn}},
                                       "cloud account");
      !valid) {
    return unexpected(std::move(valid.error()));
  }
  return InTenantTransaction(
      LockKind::kTenantCloudAccounts, account.tenant_id,
      [&](soci::session& session) { return InsertCloudAccount(session, account); },
      "adding the {} account {} to tenant {}", account.provider, account.account_id,
      account.tenant_id);
}

Result<std::vector<CloudAccountRecord>> SqlRepository::ListCloudAccounts(std::int64_t tenant_id) {
  return WithSession(
      [&](soci::session& session) -> Result<std::vector<CloudAccountRecord>> {
        return SelectCloudAccounts(session, tenant_id);
      },
      "listing the cloud accounts of tenant {}", tenant_id);
}

Result<CloudAccountRecord> SqlRepository::GetCloudAccount(std::int64_t tenant_id,
                                                          std::int64_t account_id) {
  return WithSession(
      [&](soci::session& session) { return SelectCloudAccount(session, tenant_id, account_id); },
      "reading cloud account {} of tenant {}", account_id, tenant_id);
}

Result<CloudAccountRecord> SqlRepository::SetCloudAccountConnection(std::int64_t tenant_id,
                                                                    std::int64_t account_id,
                                                                    std::string_view role_arn,
                                                                    std::string_view cur_source) {
  if (Status valid = CheckAccountTexts({{"the role ARN", role_arn}, {"the CUR source", cur_source}},
                                       "cloud account");
      !valid) {
    return unexpected(std::move(valid.error()));
  }
  return WithSession(
      [&](soci::session& session) {
        return UpdateCloudAccountConnection(session, tenant_id, account_id, role_arn, cur_source);
      },
      "setting the connection of cloud account {} of tenant {}", account_id, tenant_id);
}

Result<CloudAccountRecord> SqlRepository::SetCloudAccountStatus(
    std::int64_t tenant_id, std::int64_t account_id, std::string_view status,
    std::string_view last_error, std::optional<std::int64_t> synced_at) {
  if (status != "connected" && status != "error" && status != "pending") {
    return MakeError(ErrorCode::kInvalidInput,
                     fmt::format("a cloud account's status is pending, connected or error, not "
                                 "\"{}\"",
                                 status));
  }
  // Errors from AWS can be long: keep what fits the column's budget.
  std::string_view error = last_error;
  if (error.size() > 2000) {
    std::size_t cut = 2000;
    while (cut > 0 && (static_cast<unsigned char>(error[cut]) & 0xC0) == 0x80) --cut;  // UTF-8
    error = error.substr(0, cut);
  }
  return WithSession(
      [&](soci::session& session) {
        return UpdateCloudAccountStatus(session, tenant_id, account_id, status, error, synced_at);
      },
      "recording the status of cloud account {} of tenant {}", account_id, tenant_id);
}

Status SqlRepository::DeleteCloudAccount(std::int64_t tenant_id, std::int64_t account_id) {
  return WithSession(
      [&](soci::session& session) { return DeleteCloudAccountRow(session, tenant_id, account_id); },
      "deleting cloud account {} of tenant {}", account_id, tenant_id);
}

}  // namespace costwise::store
