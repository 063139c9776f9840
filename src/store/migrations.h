#pragma once
// Versioned schema migrations, applied in order when a repository is opened. Each migration runs
// in its own transaction and is recorded in schema_migrations(version, applied_at), so reopening
// applies nothing twice. Migrations are never edited once released: change the schema by
// appending a new one.
#include <span>
#include <string_view>

#include "core/error.h"
#include "store/backend.h"

namespace soci {
class session;
}  // namespace soci

namespace costwise::store {

struct Migration {
  int version = 0;
  std::string_view description;
  // Statements separated by ';' (no ';' inside literals), run on both backends. "{{ID}}" stands
  // for the backend's 64-bit auto-increment primary key column type, "{{WITHOUT_ROWID}}" (right
  // after a CREATE TABLE's closing parenthesis) for SQLite's WITHOUT ROWID, nothing on PostgreSQL.
  std::string_view common_sql;
  // Run after common_sql on that backend only; may be empty.
  std::string_view sqlite_sql;
  std::string_view postgres_sql;
};

[[nodiscard]] std::span<const Migration> Migrations();
[[nodiscard]] int LatestSchemaVersion();

// The highest applied version, 0 when none. Throws soci::soci_error (schema_migrations must
// exist: ApplyMigrations creates it).
[[nodiscard]] int ReadSchemaVersion(soci::session& session);

// Creates schema_migrations when missing and applies the pending migrations. Conflict when the
// database was migrated by a newer build than this one; the driver's error otherwise.
[[nodiscard]] Status ApplyMigrations(soci::session& session, Backend backend);

}  // namespace costwise::store
