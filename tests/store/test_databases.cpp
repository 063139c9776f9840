#include "test_databases.h"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <random>
#include <system_error>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <sqlite3.h>

namespace costwise::store::testing {
namespace {

struct PgFinish {
  void operator()(PGconn* connection) const { PQfinish(connection); }
};
struct PgClear {
  void operator()(PGresult* result) const { PQclear(result); }
};
using PgConnection = std::unique_ptr<PGconn, PgFinish>;
using PgResult = std::unique_ptr<PGresult, PgClear>;

std::string UniqueSuffix() {
  static std::atomic<int> counter{0};
  static const std::uint64_t random = std::random_device{}();
  return fmt::format("{}_{}_{:x}", static_cast<long>(::getpid()), counter.fetch_add(1),
                     random & 0xffffffffU);
}

PgConnection ConnectPostgres(const std::string& url, std::string* error) {
  PgConnection connection(PQconnectdb(url.c_str()));
  if (PQstatus(connection.get()) != CONNECTION_OK) {
    *error = fmt::format("cannot connect to {}: {}", url, PQerrorMessage(connection.get()));
    return nullptr;
  }
  return connection;
}

bool ExecutePostgres(PGconn* connection, const std::string& sql, std::string* error) {
  const PgResult result(PQexec(connection, sql.c_str()));
  const ExecStatusType status = PQresultStatus(result.get());
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return true;
  *error = fmt::format("{}: {}", sql, PQerrorMessage(connection));
  return false;
}

}  // namespace

std::string MissingPostgresMessage() {
  return fmt::format(
      "{} is not set, so the PostgreSQL backend was not tested. Run the store tests through "
      "scripts/with-postgres.sh, e.g. `scripts/with-postgres.sh build/tests/store/store_test` "
      "(it starts a throwaway PostgreSQL server and sets the variable).",
      kPostgresUrlVariable);
}

std::unique_ptr<TestDatabase> TestDatabase::Create(Backend backend, std::string* error) {
  const std::string suffix = UniqueSuffix();
  if (backend == Backend::kSqlite) {
    std::error_code code;
    std::filesystem::path folder =
        std::filesystem::temp_directory_path(code) / fmt::format("costwise_store_{}", suffix);
    std::filesystem::create_directories(folder, code);
    if (code) {
      *error = fmt::format("cannot create {}: {}", folder.string(), code.message());
      return nullptr;
    }
    const std::string path = (folder / "store.db").string();
    auto database = std::make_unique<TestDatabase>(backend, "sqlite:" + path);
    database->folder_ = std::move(folder);
    database->sqlite_path_ = path;
    return database;
  }
  const char* server_url = std::getenv(kPostgresUrlVariable);
  if (server_url == nullptr || *server_url == '\0') {
    *error = MissingPostgresMessage();
    return nullptr;
  }
  const PgConnection connection = ConnectPostgres(server_url, error);
  if (!connection) return nullptr;
  const std::string schema = "costwise_test_" + suffix;
  if (!ExecutePostgres(connection.get(), fmt::format("CREATE SCHEMA {}", schema), error)) {
    return nullptr;
  }
  const std::string base = server_url;
  const char separator = base.find('?') == std::string::npos ? '?' : '&';
  // The application name marks the repository's connections for TerminateConnections().
  auto database = std::make_unique<TestDatabase>(
      backend, fmt::format("{}{}options=-csearch_path%3D{}&application_name={}", base, separator,
                           schema, schema));
  database->server_url_ = base;
  database->schema_ = schema;
  return database;
}

TestDatabase::~TestDatabase() {
  if (backend_ == Backend::kSqlite) {
    std::error_code ignored;
    std::filesystem::remove_all(folder_, ignored);
    return;
  }
  std::string error;
  if (const PgConnection connection = ConnectPostgres(server_url_, &error)) {
    if (!ExecutePostgres(
            connection.get(),
            fmt::format("SET client_min_messages TO warning; DROP SCHEMA {} CASCADE", schema_),
            &error)) {
      ADD_FAILURE() << error;
    }
  }
}

std::vector<std::vector<std::string>> TestDatabase::Query(const std::string& sql) const {
  std::vector<std::vector<std::string>> rows;
  if (backend_ == Backend::kSqlite) {
    sqlite3* raw = nullptr;
    if (sqlite3_open_v2(sqlite_path_.c_str(), &raw, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << "cannot open " << sqlite_path_ << ": " << sqlite3_errmsg(raw);
      sqlite3_close(raw);
      return rows;
    }
    const std::unique_ptr<sqlite3, int (*)(sqlite3*)> connection(raw, sqlite3_close);
    sqlite3_stmt* raw_statement = nullptr;
    if (sqlite3_prepare_v2(raw, sql.c_str(), -1, &raw_statement, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << sql << ": " << sqlite3_errmsg(raw);
      return rows;
    }
    const std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> statement(raw_statement,
                                                                          sqlite3_finalize);
    int step = SQLITE_OK;
    while ((step = sqlite3_step(raw_statement)) == SQLITE_ROW) {
      std::vector<std::string> row;
      for (int column = 0; column < sqlite3_column_count(raw_statement); ++column) {
        const auto* text = sqlite3_column_text(raw_statement, column);
        row.emplace_back(text != nullptr ? reinterpret_cast<const char*>(text) : "");
      }
      rows.push_back(std::move(row));
    }
    if (step != SQLITE_DONE) ADD_FAILURE() << sql << ": " << sqlite3_errmsg(raw);
    return rows;
  }
  std::string error;
  const PgConnection connection = ConnectPostgres(url_, &error);
  if (!connection) {
    ADD_FAILURE() << error;
    return rows;
  }
  const PgResult result(PQexec(connection.get(), sql.c_str()));
  const ExecStatusType status = PQresultStatus(result.get());
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
    ADD_FAILURE() << sql << ": " << PQerrorMessage(connection.get());
    return rows;
  }
  for (int tuple = 0; tuple < PQntuples(result.get()); ++tuple) {
    std::vector<std::string> row;
    for (int field = 0; field < PQnfields(result.get()); ++field) {
      row.emplace_back(PQgetvalue(result.get(), tuple, field));
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

long long TestDatabase::QueryInt(const std::string& sql) const {
  const auto rows = Query(sql);
  if (rows.size() != 1 || rows.front().size() != 1) {
    ADD_FAILURE() << sql << ": expected one value, got " << rows.size() << " rows";
    return -1;
  }
  return std::stoll(rows.front().front());
}

long long TestDatabase::TerminateConnections() const {
  std::string error;
  const PgConnection connection = ConnectPostgres(server_url_, &error);
  if (!connection) {
    ADD_FAILURE() << error;
    return -1;
  }
  const std::string sql = fmt::format(
      "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity "
      "WHERE application_name = '{}'",
      schema_);
  const PgResult result(PQexec(connection.get(), sql.c_str()));
  if (PQresultStatus(result.get()) != PGRES_TUPLES_OK) {
    ADD_FAILURE() << sql << ": " << PQerrorMessage(connection.get());
    return -1;
  }
  return std::stoll(PQgetvalue(result.get(), 0, 0));
}

}  // namespace costwise::store::testing
