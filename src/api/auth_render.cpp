#include "api/auth_render.h"

#include "api/json_values.h"

namespace costwise::api {
namespace {

nlohmann::json OptionalTime(const std::optional<std::int64_t>& seconds) {
  return seconds ? TimeJson(*seconds) : nlohmann::json(nullptr);
}

}  // namespace

nlohmann::json PrincipalToJson(const service::Principal& principal,
                               std::optional<std::string_view> csrf_token) {
  nlohmann::json body = {
      {"user", {{"id", principal.user_id}, {"email", principal.email}}},
      {"organisation", {{"id", principal.tenant_id}, {"name", principal.tenant_name}}},
      {"role", store::RoleName(principal.role)},
  };
  if (csrf_token) body["csrf_token"] = *csrf_token;
  return body;
}

nlohmann::json SessionToJson(const service::NewSession& session) {
  nlohmann::json body = PrincipalToJson(session.principal, session.csrf_token);
  body["expires_at"] = TimeJson(session.expires_at);
  return body;
}

nlohmann::json NewApiTokenToJson(const service::NewApiToken& token) {
  return {{"id", token.id},
          {"name", token.name},
          {"token", token.token},
          {"created_at", TimeJson(token.created_at)}};
}

nlohmann::json ApiTokensToJson(const std::vector<store::ApiTokenRecord>& tokens) {
  nlohmann::json list = nlohmann::json::array();
  for (const store::ApiTokenRecord& token : tokens) {
    list.push_back({{"id", token.id},
                    {"name", token.name},
                    {"user", {{"id", token.user_id}, {"email", token.email}}},
                    {"created_at", TimeJson(token.created_at)},
                    {"last_used_at", OptionalTime(token.last_used_at)},
                    {"revoked_at", OptionalTime(token.revoked_at)}});
  }
  return {{"tokens", list}};
}

}  // namespace costwise::api
