#include "store/metrics_store.h"

#include <algorithm>
#include <string>

#include "store/pg_copy.h"
#include "store/soci_includes.h"

namespace costwise::store {
namespace {

// Rows fetched per round trip when reading samples.
constexpr std::size_t kFetchRows = 4096;

constexpr std::string_view kSqliteStage =
    "INSERT INTO temp.costwise_metric_import (instance_id, metric, sampled_at, value) "
    "VALUES (?1, ?2, ?3, ?4)";

// The upserts from the import table into instance_metrics, :tenant bound.
constexpr std::string_view kSqliteUpsert =
    "INSERT INTO instance_metrics (tenant_id, instance_id, metric, sampled_at, value) "
    "SELECT :tenant, instance_id, metric, sampled_at, value FROM (SELECT instance_id, "
    "metric, sampled_at, value, MAX(rowid) FROM temp.costwise_metric_import GROUP BY "
    "instance_id, metric, sampled_at) WHERE true ON CONFLICT (tenant_id, instance_id, "
    "metric, sampled_at) DO UPDATE SET value = excluded.value WHERE value <> "
    "excluded.value";
constexpr std::string_view kPostgresUpsert =
    "INSERT INTO instance_metrics (tenant_id, instance_id, metric, sampled_at, value) "
    "SELECT DISTINCT ON (instance_id, metric, sampled_at) CAST(:tenant AS BIGINT), "
    "instance_id, metric, sampled_at, value FROM costwise_metric_import "
    "ORDER BY instance_id, metric, sampled_at, ordinal DESC "
    "ON CONFLICT (tenant_id, instance_id, metric, sampled_at) DO UPDATE SET value = "
    "EXCLUDED.value WHERE instance_metrics.value <> EXCLUDED.value";

// Runs `upsert` for the tenant, then `drop` (the import table): the rows the upsert changed.
std::int64_t UpsertImported(soci::session& session, std::int64_t tenant_id, std::string_view upsert,
                            std::string_view drop) {
  const long long tenant = tenant_id;
  soci::statement statement = (session.prepare << upsert, soci::use(tenant, "tenant"));
  statement.execute(true);
  const std::int64_t changed = statement.get_affected_rows();
  session << drop;
  return changed;
}

// SQLite: the samples go into a temporary table through the C API under SOCI's connection (the
// strings bound in place), then into instance_metrics in one upsert in key order, which takes
// the last of duplicate keys (the row with the highest rowid, SQLite's bare-column rule for MAX)
// and counts a key once, as PostgreSQL does.
class SqliteMetricWriter final : public MetricSampleWriter {
 public:
  SqliteMetricWriter(soci::session& session, std::int64_t tenant_id)
      : session_(session),
        db_(static_cast<soci::sqlite3_session_backend*>(session.get_backend())->conn_),
        tenant_id_(tenant_id) {
    session_ << "DROP TABLE IF EXISTS temp.costwise_metric_import";
    session_ << "CREATE TEMPORARY TABLE costwise_metric_import (instance_id TEXT NOT NULL, "
                "metric TEXT NOT NULL, sampled_at INTEGER NOT NULL, value REAL NOT NULL)";
    if (sqlite_api::sqlite3_prepare_v2(db_, kSqliteStage.data(),
                                       static_cast<int>(kSqliteStage.size()), &stmt_,
                                       nullptr) != SQLITE_OK) {
      Fail("prepare");
    }
  }
  ~SqliteMetricWriter() override { sqlite_api::sqlite3_finalize(stmt_); }

  void Write(std::span<const MetricSample> samples) override {
    for (const MetricSample& sample : samples) {
      BindText(1, sample.instance_id);
      BindText(2, sample.metric);
      Check(sqlite_api::sqlite3_bind_int64(stmt_, 3, sample.timestamp));
      Check(sqlite_api::sqlite3_bind_double(stmt_, 4, sample.value));
      if (sqlite_api::sqlite3_step(stmt_) != SQLITE_DONE) Fail("insert");
      sqlite_api::sqlite3_reset(stmt_);
    }
  }

  std::int64_t Finish() override {
    sqlite_api::sqlite3_finalize(stmt_);
    stmt_ = nullptr;
    return UpsertImported(session_, tenant_id_, kSqliteUpsert,
                          "DROP TABLE temp.costwise_metric_import");
  }

 private:
  void BindText(int index, const std::string& text) {
    Check(sqlite_api::sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()),
                                        static_cast<sqlite_api::sqlite3_destructor_type>(nullptr)));
  }
  void Check(int rc) {
    if (rc != SQLITE_OK) Fail("bind");
  }
  [[noreturn]] void Fail(const char* what) {
    std::string message = "sqlite3 ";
    message.append(what)
        .append(" into the metrics import table failed: ")
        .append(sqlite_api::sqlite3_errmsg(db_));
    throw soci::soci_error(message);
  }

  soci::session& session_;
  sqlite_api::sqlite3* db_;
  sqlite_api::sqlite3_stmt* stmt_ = nullptr;
  std::int64_t tenant_id_;
};

// PostgreSQL: COPY into a temporary table (dropped at commit), then one upsert, which takes the
// last of duplicate keys (ON CONFLICT cannot update a row twice in one statement).
class PostgresMetricWriter final : public MetricSampleWriter {
 public:
  PostgresMetricWriter(soci::session& session, std::int64_t tenant_id)
      : session_(session), tenant_id_(tenant_id) {
    session_ << "CREATE TEMPORARY TABLE costwise_metric_import (instance_id TEXT NOT NULL, "
                "metric TEXT NOT NULL, sampled_at BIGINT NOT NULL, value DOUBLE PRECISION NOT "
                "NULL, ordinal BIGINT GENERATED ALWAYS AS IDENTITY) ON COMMIT DROP";
  }

  void Write(std::span<const MetricSample> samples) override {
    PgCopyWriter copy(session_, "costwise_metric_import", "instance_id, metric, sampled_at, value");
    for (const MetricSample& sample : samples) {
      copy.Text(sample.instance_id);
      copy.Text(sample.metric);
      copy.Integer(sample.timestamp);
      copy.Double(sample.value);
      copy.EndRow();
    }
    copy.Finish();
  }

  std::int64_t Finish() override {
    return UpsertImported(session_, tenant_id_, kPostgresUpsert,
                          "DROP TABLE costwise_metric_import");
  }

 private:
  soci::session& session_;
  std::int64_t tenant_id_;
};

}  // namespace

std::unique_ptr<MetricSampleWriter> MakeMetricSampleWriter(soci::session& session, Backend backend,
                                                           std::int64_t tenant_id) {
  if (backend == Backend::kSqlite) return std::make_unique<SqliteMetricWriter>(session, tenant_id);
  return std::make_unique<PostgresMetricWriter>(session, tenant_id);
}

std::int64_t CountMetricSamples(soci::session& session, std::int64_t tenant_id) {
  const long long tenant = tenant_id;
  long long count = 0;
  session << "SELECT COUNT(*) FROM instance_metrics WHERE tenant_id = :tenant",
      soci::use(tenant, "tenant"), soci::into(count);
  return count;
}

std::optional<std::int64_t> ReadNewestMetricSample(soci::session& session, std::int64_t tenant_id) {
  const long long tenant = tenant_id;
  long long newest = 0;
  soci::indicator indicator = soci::i_null;
  session << "SELECT MAX(sampled_at) FROM instance_metrics WHERE tenant_id = :tenant",
      soci::use(tenant, "tenant"), soci::into(newest, indicator);
  if (indicator != soci::i_ok) return std::nullopt;
  return newest;
}

std::vector<MetricSeriesRecord> ReadMetricSeries(soci::session& session, std::int64_t tenant_id,
                                                 std::string_view instance_id, std::int64_t from,
                                                 std::int64_t to) {
  const long long tenant = tenant_id;
  const std::string instance(instance_id);
  const long long first = from;
  const long long end = to;
  std::vector<std::string> metrics(kFetchRows);
  std::vector<long long> times(kFetchRows);
  std::vector<double> values(kFetchRows);
  soci::statement select =
      (session.prepare << "SELECT metric, sampled_at, value FROM instance_metrics WHERE "
                          "tenant_id = :tenant AND instance_id = :instance AND sampled_at >= "
                          ":from AND sampled_at < :to ORDER BY metric, sampled_at",
       soci::use(tenant, "tenant"), soci::use(instance, "instance"), soci::use(first, "from"),
       soci::use(end, "to"), soci::into(metrics), soci::into(times), soci::into(values));
  std::vector<MetricSeriesRecord> series;
  select.execute();
  while (select.fetch()) {
    for (std::size_t i = 0; i < metrics.size(); ++i) {
      // ORDER BY keeps a metric's rows together, whatever the database's collation.
      if (series.empty() || series.back().metric != metrics[i]) {
        series.push_back(MetricSeriesRecord{metrics[i], {}, {}});
      }
      series.back().timestamps.push_back(times[i]);
      series.back().values.push_back(values[i]);
    }
  }
  std::sort(
      series.begin(), series.end(),
      [](const MetricSeriesRecord& a, const MetricSeriesRecord& b) { return a.metric < b.metric; });
  return series;
}

}  // namespace costwise::store
