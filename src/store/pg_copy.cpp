#include "store/pg_copy.h"

#include <charconv>
#include <memory>
#include <system_error>

#include <fmt/format.h>

#include "store/soci_includes.h"

namespace costwise::store {
namespace {

constexpr std::size_t kFlushBytes = std::size_t{1} << 20;
constexpr int kNumberBufferSize = 32;
constexpr char kConnectionFailureSqlState[] = "08006";
constexpr char kUnknownSqlState[] = "XX000";

struct ResultClear {
  void operator()(PGresult* result) const { PQclear(result); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultClear>;

PGconn* ConnectionOf(soci::session& session) {
  // libsoci_postgresql does not export the backend's type info, so no dynamic_cast: check the
  // name instead.
  if (session.get_backend() == nullptr || session.get_backend_name() != "postgresql") {
    throw soci::soci_error("COPY needs an open PostgreSQL session");
  }
  auto* backend = static_cast<soci::postgresql_session_backend*>(session.get_backend());
  if (backend->conn_ == nullptr) {
    throw soci::soci_error("COPY needs an open PostgreSQL session");
  }
  return backend->conn_;
}

// Reads the results the server sends after a COPY ends; throws the first error.
void ConsumeResults(PGconn* connection, std::string_view what) {
  std::string error;
  std::string sqlstate = kUnknownSqlState;
  while (ResultPtr result{PQgetResult(connection)}) {
    const ExecStatusType status = PQresultStatus(result.get());
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || !error.empty()) continue;
    error = PQresultErrorMessage(result.get());
    if (const char* state = PQresultErrorField(result.get(), PG_DIAG_SQLSTATE)) sqlstate = state;
  }
  if (!error.empty()) {
    throw soci::postgresql_soci_error(fmt::format("{}: {}", what, error), sqlstate.c_str());
  }
}

}  // namespace

PgCopyWriter::PgCopyWriter(soci::session& session, std::string_view table, std::string_view columns)
    : connection_(ConnectionOf(session)) {
  const std::string sql = fmt::format("COPY {} ({}) FROM STDIN", table, columns);
  const ResultPtr result{PQexec(connection_, sql.c_str())};
  if (PQresultStatus(result.get()) != PGRES_COPY_IN) {
    const char* state = PQresultErrorField(result.get(), PG_DIAG_SQLSTATE);
    throw soci::postgresql_soci_error(
        fmt::format("cannot start COPY into {}: {}", table, PQerrorMessage(connection_)),
        state != nullptr ? state : kUnknownSqlState);
  }
  active_ = true;
  buffer_.reserve(kFlushBytes + kFlushBytes / 4);
}

PgCopyWriter::~PgCopyWriter() {
  if (!active_) return;
  // Aborting makes the server fail the COPY, and with it the transaction.
  if (PQputCopyEnd(connection_, "aborted by costwise") == 1) {
    while (ResultPtr result{PQgetResult(connection_)}) {
    }
  }
}

void PgCopyWriter::Separate() {
  if (row_started_) buffer_.push_back('\t');
  row_started_ = true;
}

void PgCopyWriter::Text(std::string_view value) {
  Separate();
  for (const char c : value) {
    switch (c) {
      case '\\':
        buffer_ += "\\\\";
        break;
      case '\t':
        buffer_ += "\\t";
        break;
      case '\n':
        buffer_ += "\\n";
        break;
      case '\r':
        buffer_ += "\\r";
        break;
      default:
        buffer_.push_back(c);
    }
  }
}

void PgCopyWriter::Integer(std::int64_t value) {
  Separate();
  char text[kNumberBufferSize];
  const auto [end, error] = std::to_chars(text, text + sizeof text, value);
  buffer_.append(text, end);
}

void PgCopyWriter::Double(double value) {
  Separate();
  char text[kNumberBufferSize];
  const auto [end, error] = std::to_chars(text, text + sizeof text, value);
  if (error != std::errc()) throw soci::soci_error("cannot format a double for COPY");
  buffer_.append(text, end);
}

void PgCopyWriter::EndRow() {
  buffer_.push_back('\n');
  row_started_ = false;
  if (buffer_.size() >= kFlushBytes) Flush();
}

void PgCopyWriter::Flush() {
  if (buffer_.empty()) return;
  if (PQputCopyData(connection_, buffer_.data(), static_cast<int>(buffer_.size())) != 1) {
    ThrowConnectionError("sending COPY data");
  }
  buffer_.clear();
}

void PgCopyWriter::Finish() {
  Flush();
  active_ = false;
  if (PQputCopyEnd(connection_, nullptr) != 1) ThrowConnectionError("ending COPY");
  ConsumeResults(connection_, "COPY failed");
}

void PgCopyWriter::ThrowConnectionError(std::string_view what) {
  throw soci::postgresql_soci_error(fmt::format("{}: {}", what, PQerrorMessage(connection_)),
                                    kConnectionFailureSqlState);
}

}  // namespace costwise::store
