#pragma once
// The JSON shapes of who a request acts as, a new session and API tokens. Password hashes and
// token hashes never appear; a token's text only in the answer that creates it.
#include <optional>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "service/auth.h"
#include "store/auth_types.h"

namespace costwise::api {

// {"user": {"id", "email"}, "organisation": {"id", "name"}, "role", "csrf_token"?}; the CSRF
// token is set for a browser session, absent for an API token.
[[nodiscard]] nlohmann::json PrincipalToJson(const service::Principal& principal,
                                             std::optional<std::string_view> csrf_token);

// PrincipalToJson with the CSRF token and "expires_at".
[[nodiscard]] nlohmann::json SessionToJson(const service::NewSession& session);

// {"id", "name", "token", "created_at"}: the one time the token's text is shown.
[[nodiscard]] nlohmann::json NewApiTokenToJson(const service::NewApiToken& token);

// {"tokens": [{"id", "name", "user": {"id", "email"}, "created_at", "last_used_at",
// "revoked_at"}]}, times null when unset.
[[nodiscard]] nlohmann::json ApiTokensToJson(const std::vector<store::ApiTokenRecord>& tokens);

}  // namespace costwise::api
