#pragma once
// The one place where an Error becomes an HTTP status and a JSON error body.
#include <nlohmann/json.hpp>

#include "core/error.h"

namespace costwise::api {

[[nodiscard]] int HttpStatusFor(ErrorCode code);

// {"error": {"code": "not_found", "message": "...", "details": {...}}}
[[nodiscard]] nlohmann::json ErrorBody(const Error& error,
                                       const nlohmann::json& details = nlohmann::json::object());

}  // namespace costwise::api
