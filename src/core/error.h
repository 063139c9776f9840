#pragma once
// Errors cross module boundaries as values: Result<T> holds either a T or an Error with a code
// (mapped to an HTTP status once, in src/api/) and a message a user can act on.
#include <string>
#include <string_view>

#include "core/expected.h"

namespace costwise {

enum class ErrorCode {
  kInvalidInput,
  kNotFound,
  kUnauthenticated,  // no valid session or token: log in
  kPermissionDenied,
  kConflict,
  kRateLimited,  // too many attempts: try again later
  kUnavailable,
  kInternal,
};

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
};

template <typename T>
using Result = expected<T, Error>;
using Status = Result<void>;

[[nodiscard]] inline unexpected<Error> MakeError(ErrorCode code, std::string message) {
  return unexpected<Error>(Error{code, std::move(message)});
}

// A stable lower-case name for the code ("invalid_input", "not_found", ...), used in JSON errors.
[[nodiscard]] std::string_view ErrorCodeName(ErrorCode code);

}  // namespace costwise
