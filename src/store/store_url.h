#pragma once
// Parses the database URL given to OpenRepository into what each backend needs.
#include <string>
#include <string_view>

#include "core/error.h"
#include "store/backend.h"

namespace costwise::store {

inline constexpr std::string_view kSqliteScheme = "sqlite:";
inline constexpr std::string_view kAcceptedUrlForms =
    "sqlite:PATH, postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE or postgres://...";

struct StoreLocation {
  Backend backend = Backend::kSqlite;
  // kSqlite: the database file as given after "sqlite:" (":memory:" for an in-memory database).
  std::string sqlite_path;
  // kPostgresql: a libpq connection URI that SOCI 4.0 passes through unchanged (see the .cpp).
  std::string postgres_uri;
  // The URL with any password replaced by "***", for messages and logs.
  std::string display;
};

// InvalidInput for an unknown scheme (the message lists the accepted forms), an empty SQLite path
// or a PostgreSQL URL that libpq cannot parse.
[[nodiscard]] Result<StoreLocation> ParseStoreUrl(std::string_view url);

// The URL with the password of its user info and any "password=" query parameter replaced by
// "***". Text that is not a URL is returned as is.
[[nodiscard]] std::string RedactUrlPassword(std::string_view url);

}  // namespace costwise::store
