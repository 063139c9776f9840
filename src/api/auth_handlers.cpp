#include "api/auth_handlers.h"

#include <optional>
#include <string>

#include <fmt/format.h>

#include "api/auth_render.h"

namespace costwise::api {
namespace {

constexpr std::string_view kBearerPrefix = "Bearer ";

// The value of one cookie of the request, or "".
std::string CookieValue(const httplib::Request& request, std::string_view name) {
  const std::string header = request.get_header_value("Cookie");
  std::string_view rest = header;
  while (!rest.empty()) {
    const std::size_t end = rest.find(';');
    std::string_view pair = rest.substr(0, end);
    rest.remove_prefix(end == std::string_view::npos ? rest.size() : end + 1);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    const std::size_t equals = pair.find('=');
    if (equals != std::string_view::npos && pair.substr(0, equals) == name) {
      return std::string(pair.substr(equals + 1));
    }
  }
  return "";
}

void SetSessionCookie(const Context& context, httplib::Response& response, std::string_view token,
                      std::int64_t max_age) {
  std::string cookie = fmt::format("{}={}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}",
                                   kSessionCookie, token, max_age);
  if (context.secure_cookies) cookie.append("; Secure");
  response.set_header("Set-Cookie", cookie);
}

}  // namespace

void SendSession(Context& context, httplib::Response& response, int status,
                 const Result<service::NewSession>& session) {
  if (!session) return SendError(response, session.error());
  SetSessionCookie(context, response, session->token, context.auth.session_lifetime_seconds);
  SendJson(response, status, SessionToJson(*session));
}

Result<Caller> Authenticate(Context& context, const httplib::Request& request) {
  const std::string authorization = request.get_header_value("Authorization");
  if (!authorization.empty()) {
    if (!authorization.starts_with(kBearerPrefix)) {
      return MakeError(ErrorCode::kUnauthenticated,
                       "not authenticated: the Authorization header must be \"Bearer <API "
                       "token>\"");
    }
    Result<service::Principal> principal = service::AuthenticateApiToken(
        *context.repository, std::string_view(authorization).substr(kBearerPrefix.size()), Now());
    if (!principal) return unexpected(std::move(principal.error()));
    return Caller{std::move(*principal), ""};
  }
  std::string token = CookieValue(request, kSessionCookie);
  if (token.empty()) {
    return MakeError(ErrorCode::kUnauthenticated,
                     "not authenticated: log in, or send an API token as \"Authorization: "
                     "Bearer <token>\"");
  }
  Result<service::Principal> principal = service::Authenticate(*context.repository, token, Now());
  if (!principal) return unexpected(std::move(principal.error()));
  if (request.method != "GET" && request.method != "HEAD") {
    if (Status csrf =
            service::CheckCsrf(*context.repository, token, request.get_header_value(kCsrfHeader));
        !csrf) {
      return unexpected(std::move(csrf.error()));
    }
  }
  return Caller{std::move(*principal), std::move(token)};
}

void SignUp(Context& context, const httplib::Request& request, httplib::Response& response,
            const Caller& /*caller*/) {
  auto fields = StringMembers<3>(request, {"email", "password", "organisation"});
  if (!fields) return SendError(response, fields.error());
  const auto& [email, password, organisation] = *fields;
  SendSession(
      context, response, 201,
      service::SignUp(*context.repository, email, password, organisation, Now(), context.auth));
}

void LogIn(Context& context, const httplib::Request& request, httplib::Response& response,
           const Caller& /*caller*/) {
  auto fields = StringMembers<3>(request, {"email", "password", "organisation"});
  if (!fields) return SendError(response, fields.error());
  const auto& [email, password, organisation] = *fields;
  SendSession(
      context, response, 200,
      service::LogIn(*context.repository, email, password, Now(), context.auth, organisation));
}

void LogOut(Context& context, const httplib::Request& /*request*/, httplib::Response& response,
            const Caller& caller) {
  if (caller.session_token.empty()) {
    return SendError(response, Error{ErrorCode::kInvalidInput,
                                     "log-out ends a browser session; revoke an API token with "
                                     "DELETE /api/tokens/{id}"});
  }
  if (Status done = service::LogOut(*context.repository, caller.session_token, Now()); !done) {
    return SendError(response, done.error());
  }
  SetSessionCookie(context, response, "", 0);
  response.status = 204;
}

void Me(Context& /*context*/, const httplib::Request& /*request*/, httplib::Response& response,
        const Caller& caller) {
  std::optional<std::string> csrf;
  if (!caller.session_token.empty()) csrf = service::CsrfTokenFor(caller.session_token);
  SendJson(response, 200, PrincipalToJson(caller.principal, csrf));
}

void CreateToken(Context& context, const httplib::Request& request, httplib::Response& response,
                 const Caller& caller) {
  auto fields = StringMembers<1>(request, {"name"});
  if (!fields) return SendError(response, fields.error());
  SendResult(response, 201,
             service::CreateApiToken(*context.repository, caller.principal, (*fields)[0], Now()),
             NewApiTokenToJson);
}

void ListTokens(Context& context, const httplib::Request& /*request*/, httplib::Response& response,
                const Caller& caller) {
  SendResult(response, 200, service::ListApiTokens(*context.repository, caller.principal),
             ApiTokensToJson);
}

void RevokeToken(Context& context, const httplib::Request& request, httplib::Response& response,
                 const Caller& caller) {
  const Result<std::int64_t> id = PathId(request, 1, "API token");
  if (!id) return SendError(response, id.error());
  if (Status revoked = service::RevokeApiToken(*context.repository, caller.principal, *id, Now());
      !revoked) {
    return SendError(response, revoked.error());
  }
  response.status = 204;
}

}  // namespace costwise::api
