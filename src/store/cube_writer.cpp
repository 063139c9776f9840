#include "store/cube_writer.h"

#include <algorithm>
#include <string>
#include <vector>

#include "store/pg_copy.h"
#include "store/soci_includes.h"

namespace costwise::store {
namespace {

constexpr std::string_view kCubeColumns =
    "tenant_id, usage_date, billing_period, provider, billing_account_id, sub_account_id, "
    "service, region, usage_type, charge_category, resource_id, currency, tag_set_id, "
    "billed_cost_nanos, effective_cost_nanos, list_cost_nanos, has_list_cost, usage_quantity, "
    "line_items";

// SQLite through its C API, under SOCI's connection: the row's strings are bound in place
// (SQLITE_STATIC) instead of being copied into column vectors, which halves the cost per row.
class SqliteStatement {
 public:
  SqliteStatement(sqlite_api::sqlite3* db, const std::string& sql) : db_(db) {
    if (sqlite_api::sqlite3_prepare_v2(db, sql.c_str(), static_cast<int>(sql.size()), &stmt_,
                                       nullptr) != SQLITE_OK) {
      Fail("prepare");
    }
  }
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;
  ~SqliteStatement() { sqlite_api::sqlite3_finalize(stmt_); }

  void Integer(int index, std::int64_t value) {
    Check(sqlite_api::sqlite3_bind_int64(stmt_, index, value), "bind");
  }
  void Real(int index, double value) {
    Check(sqlite_api::sqlite3_bind_double(stmt_, index, value), "bind");
  }
  // `text` must stay alive until Step.
  void Text(int index, const std::string& text) {
    Check(sqlite_api::sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()),
                                        static_cast<sqlite_api::sqlite3_destructor_type>(nullptr)),
          "bind");
  }
  void Step() {
    if (sqlite_api::sqlite3_step(stmt_) != SQLITE_DONE) Fail("insert");
    sqlite_api::sqlite3_reset(stmt_);
  }

 private:
  void Check(int rc, const char* what) {
    if (rc != SQLITE_OK) Fail(what);
  }
  [[noreturn]] void Fail(const char* what) {
    throw soci::soci_error(std::string("sqlite3 ") + what +
                           " into cost_daily failed: " + sqlite_api::sqlite3_errmsg(db_));
  }
  sqlite_api::sqlite3* db_;
  sqlite_api::sqlite3_stmt* stmt_ = nullptr;
};

void InsertSqlite(soci::session& session, std::int64_t tenant_id, std::span<const CubeRow> rows,
                  std::span<const std::int64_t> tag_set_ids) {
  auto* backend = static_cast<soci::sqlite3_session_backend*>(session.get_backend());
  SqliteStatement insert(backend->conn_, std::string("INSERT INTO cost_daily (") +
                                             std::string(kCubeColumns) +
                                             ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
                                             "?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)");
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const CubeRow& row = rows[i];
    int column = 0;
    insert.Integer(++column, tenant_id);
    insert.Integer(++column, row.date.days());
    insert.Integer(++column, row.billing_period.days());
    insert.Text(++column, row.provider);
    insert.Text(++column, row.billing_account_id);
    insert.Text(++column, row.sub_account_id);
    insert.Text(++column, row.service);
    insert.Text(++column, row.region);
    insert.Text(++column, row.usage_type);
    insert.Text(++column, row.charge_category);
    insert.Text(++column, row.resource_id);
    insert.Text(++column, row.currency);
    insert.Integer(++column, tag_set_ids[i]);
    insert.Integer(++column, row.billed_cost.nanos());
    insert.Integer(++column, row.effective_cost.nanos());
    insert.Integer(++column, row.list_cost.nanos());
    insert.Integer(++column, row.has_list_cost ? 1 : 0);
    insert.Real(++column, row.usage_quantity);
    insert.Integer(++column, row.line_items);
    insert.Step();
  }
}

void InsertPostgres(soci::session& session, std::int64_t tenant_id, std::span<const CubeRow> rows,
                    std::span<const std::int64_t> tag_set_ids) {
  PgCopyWriter copy(session, "cost_daily", kCubeColumns);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const CubeRow& row = rows[i];
    copy.Integer(tenant_id);
    copy.Integer(row.date.days());
    copy.Integer(row.billing_period.days());
    copy.Text(row.provider);
    copy.Text(row.billing_account_id);
    copy.Text(row.sub_account_id);
    copy.Text(row.service);
    copy.Text(row.region);
    copy.Text(row.usage_type);
    copy.Text(row.charge_category);
    copy.Text(row.resource_id);
    copy.Text(row.currency);
    copy.Integer(tag_set_ids[i]);
    copy.Integer(row.billed_cost.nanos());
    copy.Integer(row.effective_cost.nanos());
    copy.Integer(row.list_cost.nanos());
    copy.Integer(row.has_list_cost ? 1 : 0);
    copy.Double(row.usage_quantity);
    copy.Integer(row.line_items);
    copy.EndRow();
  }
  copy.Finish();
}

}  // namespace

void InsertCubeRows(soci::session& session, Backend backend, std::int64_t tenant_id,
                    std::span<const CubeRow> rows, std::span<const std::int64_t> tag_set_ids) {
  if (rows.empty()) return;
  if (backend == Backend::kSqlite) {
    InsertSqlite(session, tenant_id, rows, tag_set_ids);
  } else {
    InsertPostgres(session, tenant_id, rows, tag_set_ids);
  }
}

}  // namespace costwise::store
