#pragma once
// Turns database driver failures into costwise::Error values. Nothing thrown by SOCI, libpq or the
// standard library leaves src/store/: every public entry point catches and calls
// CurrentExceptionError.
#include <string_view>

#include "core/error.h"

namespace costwise::store {

// The code for a PostgreSQL SQLSTATE: connection and resource failures are Unavailable,
// integrity violations Conflict, data exceptions (out of range, bad encoding) InvalidInput,
// anything else Internal.
[[nodiscard]] ErrorCode CodeForSqlState(std::string_view sqlstate);

// The code for an SQLite result code (primary or extended).
[[nodiscard]] ErrorCode CodeForSqliteResult(int result);

// The Error for the exception being handled; call only inside a catch block. The message is
// "<context>: <driver message>".
[[nodiscard]] Error CurrentExceptionError(std::string_view context);

}  // namespace costwise::store
