#include "store/db_error.h"

#include <exception>
#include <new>
#include <string>

#include <fmt/format.h>

#include "store/soci_includes.h"

namespace costwise::store {
namespace {

constexpr int kSqlitePrimaryCodeMask = 0xff;

std::string Trimmed(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ' || text.back() == '\r')) {
    text.remove_suffix(1);
  }
  return std::string(text);
}

Error Make(ErrorCode code, std::string_view context, std::string_view what) {
  return Error{code, fmt::format("{}: {}", context, Trimmed(what))};
}

}  // namespace

ErrorCode CodeForSqlState(std::string_view sqlstate) {
  if (sqlstate.size() < 2) return ErrorCode::kInternal;
  const std::string_view sqlstate_class = sqlstate.substr(0, 2);
  if (sqlstate_class == "08" || sqlstate_class == "53" || sqlstate_class == "57" ||
      sqlstate_class == "40" || sqlstate_class == "55") {
    // Connection, insufficient resources, operator intervention, transaction rollback
    // (serialization failure, deadlock), lock not available: retrying later may succeed.
    return ErrorCode::kUnavailable;
  }
  if (sqlstate_class == "23") return ErrorCode::kConflict;
  if (sqlstate_class == "22") return ErrorCode::kInvalidInput;
  if (sqlstate_class == "28") return ErrorCode::kPermissionDenied;
  return ErrorCode::kInternal;
}

ErrorCode CodeForSqliteResult(int result) {
  switch (result & kSqlitePrimaryCodeMask) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_READONLY:
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
    case SQLITE_NOMEM:
      return ErrorCode::kUnavailable;
    case SQLITE_PERM:
    case SQLITE_AUTH:
      return ErrorCode::kPermissionDenied;
    case SQLITE_CONSTRAINT:
      return ErrorCode::kConflict;
    case SQLITE_TOOBIG:
    case SQLITE_MISMATCH:
    case SQLITE_RANGE:
      return ErrorCode::kInvalidInput;
    default:
      return ErrorCode::kInternal;
  }
}

Error CurrentExceptionError(std::string_view context) {
  try {
    throw;
  } catch (const soci::postgresql_soci_error& error) {
    return Make(CodeForSqlState(error.sqlstate()), context, error.what());
  } catch (const soci::sqlite3_soci_error& error) {
    return Make(CodeForSqliteResult(error.result()), context, error.what());
  } catch (const soci::soci_error& error) {
    switch (error.get_error_category()) {
      case soci::soci_error::connection_error:
        return Make(ErrorCode::kUnavailable, context, error.what());
      case soci::soci_error::constraint_violation:
        return Make(ErrorCode::kConflict, context, error.what());
      case soci::soci_error::no_privilege:
        return Make(ErrorCode::kPermissionDenied, context, error.what());
      default:
        return Make(ErrorCode::kInternal, context, error.what());
    }
  } catch (const std::bad_alloc&) {
    return Make(ErrorCode::kUnavailable, context, "out of memory");
  } catch (const std::exception& error) {
    return Make(ErrorCode::kInternal, context, error.what());
  } catch (...) {
    return Make(ErrorCode::kInternal, context, "unknown error");
  }
}

}  // namespace costwise::store
