#include "api/server.h"

#include <httplib.h>

#include <array>
#include <charconv>
#include <csignal>
#include <ctime>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "api/auth_render.h"
#include "api/cost_render.h"
#include "api/error_status.h"
#include "service/auth.h"
#include "service/cost_service.h"
#include "store/repository.h"

namespace costwise::api {
namespace {

// The server's shared state. The repository serialises its own calls; the mutex keeps the
// cost queries one at a time as before.
struct Context {
  std::mutex mutex;
  std::unique_ptr<store::Repository> repository;
  service::AuthOptions auth;
  bool secure_cookies = false;
};

constexpr char kSessionCookie[] = "costwise_session";
constexpr char kCsrfHeader[] = "X-CSRF-Token";
constexpr std::string_view kBearerPrefix = "Bearer ";

// Who may call a route: anyone, or an authenticated member with at least this permission.
enum class Access { kPublic, kRead, kWrite };

// The authenticated caller of a route that is not public.
struct Caller {
  service::Principal principal;
  std::string session_token;  // empty when authenticated by an API token
};

using Handler =
    std::function<void(Context&, const httplib::Request&, httplib::Response&, const Caller&)>;

struct Route {
  const char* method;
  const char* pattern;  // a regular expression for cpp-httplib
  Access access;
  Handler handler;
};

std::int64_t Now() { return static_cast<std::int64_t>(std::time(nullptr)); }

void SendJson(httplib::Response& response, int status, const nlohmann::json& body) {
  response.status = status;
  // Text from the request (an email, say) may not be UTF-8: replace bad bytes, never throw.
  response.set_content(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                       "application/json");
}

void SendError(httplib::Response& response, const Error& error) {
  SendJson(response, HttpStatusFor(error.code), ErrorBody(error));
}

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

// The caller of a route, from an `Authorization: Bearer` API token or the session cookie (whose
// mutating requests must carry the session's CSRF token).
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

// The request body as a JSON object; InvalidInput otherwise.
Result<nlohmann::json> JsonBody(const httplib::Request& request) {
  nlohmann::json body = nlohmann::json::parse(request.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    return MakeError(ErrorCode::kInvalidInput, "the request body must be a JSON object");
  }
  return body;
}

// A string member of a JSON object, "" when absent; InvalidInput when it is not a string.
Result<std::string> StringMember(const nlohmann::json& body, const char* name) {
  const auto found = body.find(name);
  if (found == body.end() || found->is_null()) return std::string();
  if (!found->is_string()) {
    return MakeError(ErrorCode::kInvalidInput, fmt::format("\"{}\" must be a string", name));
  }
  return found->get<std::string>();
}

// The named string members of the body, in order.
template <std::size_t N>
Result<std::array<std::string, N>> StringMembers(const httplib::Request& request,
                                                 const std::array<const char*, N>& names) {
  Result<nlohmann::json> body = JsonBody(request);
  if (!body) return unexpected(std::move(body.error()));
  std::array<std::string, N> values;
  for (std::size_t i = 0; i < N; ++i) {
    Result<std::string> value = StringMember(*body, names[i]);
    if (!value) return unexpected(std::move(value.error()));
    values[i] = std::move(*value);
  }
  return values;
}

void Healthz(Context& /*context*/, const httplib::Request& /*request*/, httplib::Response& response,
             const Caller& /*caller*/) {
  SendJson(response, 200, {{"status", "ok"}});
}

void SendSession(Context& context, httplib::Response& response, int status,
                 const Result<service::NewSession>& session) {
  if (!session) {
    SendError(response, session.error());
    return;
  }
  SetSessionCookie(context, response, session->token, context.auth.session_lifetime_seconds);
  SendJson(response, status, SessionToJson(*session));
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
  auto token = service::CreateApiToken(*context.repository, caller.principal, (*fields)[0], Now());
  if (!token) return SendError(response, token.error());
  SendJson(response, 201, NewApiTokenToJson(*token));
}

void ListTokens(Context& context, const httplib::Request& /*request*/, httplib::Response& response,
                const Caller& caller) {
  auto tokens = service::ListApiTokens(*context.repository, caller.principal);
  if (!tokens) return SendError(response, tokens.error());
  SendJson(response, 200, ApiTokensToJson(*tokens));
}

void RevokeToken(Context& context, const httplib::Request& request, httplib::Response& response,
                 const Caller& caller) {
  std::int64_t id = 0;
  const std::string text = request.matches[1];
  if (std::from_chars(text.data(), text.data() + text.size(), id).ec != std::errc()) {
    return SendError(response, Error{ErrorCode::kNotFound, fmt::format("no API token {}", text)});
  }
  if (Status revoked = service::RevokeApiToken(*context.repository, caller.principal, id, Now());
      !revoked) {
    return SendError(response, revoked.error());
  }
  response.status = 204;
}

Date Today() { return DateOfTimestamp(Now()); }

void GetCosts(Context& context, const httplib::Request& request, httplib::Response& response,
              const Caller& caller) {
  service::CostQueryText text;
  text.from = request.get_param_value("from");
  text.to = request.get_param_value("to");
  text.group_by = request.get_param_value("group_by");
  text.granularity = request.get_param_value("granularity");
  const std::size_t filters = request.get_param_value_count("filter");
  for (std::size_t i = 0; i < filters; ++i) {
    text.filters.push_back(request.get_param_value("filter", i));
  }
  auto query = service::ParseCostQuery(text, Today());
  if (!query) {
    SendError(response, query.error());
    return;
  }
  Result<service::CostReport> report = [&] {
    const std::lock_guard lock(context.mutex);
    return service::QueryCosts(*context.repository, caller.principal.tenant_name, *query);
  }();
  if (!report) {
    SendError(response, report.error());
    return;
  }
  const std::string format = request.get_param_value("format");
  if (format == "csv") {
    response.set_header("Content-Disposition", "attachment; filename=\"costs.csv\"");
    response.set_content(CostReportToCsv(*report), "text/csv");
    return;
  }
  if (!format.empty() && format != "json") {
    SendError(response, Error{ErrorCode::kInvalidInput, "format must be json or csv"});
    return;
  }
  SendJson(response, 200, CostReportToJson(*report));
}

// The routes table: every endpoint the server answers, and who may call it. The tenant of an
// authenticated route is always the caller's, never taken from the request.
const std::vector<Route>& Routes() {
  static const std::vector<Route> kRoutes = {
      {"GET", "/healthz", Access::kPublic, Healthz},
      {"POST", "/api/auth/signup", Access::kPublic, SignUp},
      {"POST", "/api/auth/login", Access::kPublic, LogIn},
      {"POST", "/api/auth/logout", Access::kRead, LogOut},
      {"GET", "/api/auth/me", Access::kRead, Me},
      {"POST", "/api/tokens", Access::kRead, CreateToken},
      {"GET", "/api/tokens", Access::kRead, ListTokens},
      {"DELETE", R"(/api/tokens/(\d+))", Access::kRead, RevokeToken},
      {"GET", "/api/costs", Access::kRead, GetCosts},
  };
  return kRoutes;
}

// Authenticates and authorises the caller of a route, then runs its handler.
void Dispatch(Context& context, const Route& route, const httplib::Request& request,
              httplib::Response& response) {
  if (route.access == Access::kPublic) {
    route.handler(context, request, response, Caller{});
    return;
  }
  Result<Caller> caller = Authenticate(context, request);
  if (!caller) return SendError(response, caller.error());
  const service::Permission needed =
      route.access == Access::kWrite ? service::Permission::kWrite : service::Permission::kRead;
  if (Status allowed = service::Require(caller->principal, needed); !allowed) {
    return SendError(response, allowed.error());
  }
  route.handler(context, request, response, *caller);
}

httplib::Server* g_server = nullptr;

void StopOnSignal(int /*signal*/) {
  if (g_server != nullptr) g_server->stop();
}

}  // namespace

Status RunServer(const ServerOptions& options) {
  auto repository = store::OpenRepository(options.database_url);
  if (!repository) return unexpected(repository.error());
  Context context;
  context.repository = std::move(*repository);
  context.secure_cookies = options.secure_cookies;

  httplib::Server server;
  for (const Route& route : Routes()) {
    auto handler = [&context, &route](const httplib::Request& request,
                                      httplib::Response& response) {
      Dispatch(context, route, request, response);
    };
    const std::string_view method = route.method;
    if (method == "GET") server.Get(route.pattern, handler);
    if (method == "POST") server.Post(route.pattern, handler);
    if (method == "DELETE") server.Delete(route.pattern, handler);
  }
  if (!options.web_dir.empty() && !server.set_mount_point("/", options.web_dir)) {
    spdlog::warn("web folder {} does not exist; serving the API only", options.web_dir);
  }
  server.set_exception_handler(
      [](const httplib::Request& /*request*/, httplib::Response& response, std::exception_ptr) {
        SendError(response, Error{ErrorCode::kInternal, "internal error"});
      });
  server.set_logger([](const httplib::Request& request, const httplib::Response& response) {
    spdlog::info("{} {} {}", request.method, request.path, response.status);
  });
  if (!server.bind_to_port(options.host, options.port)) {
    return MakeError(ErrorCode::kUnavailable,
                     fmt::format("cannot listen on {}:{} (is another server using the port?)",
                                 options.host, options.port));
  }
  g_server = &server;
  std::signal(SIGINT, StopOnSignal);
  std::signal(SIGTERM, StopOnSignal);
  spdlog::info("costwise serving on http://{}:{} (database: {})",
               options.host == "0.0.0.0" ? "localhost" : options.host, options.port,
               options.database_url);
  const bool ok = server.listen_after_bind();
  g_server = nullptr;
  if (!ok) return MakeError(ErrorCode::kUnavailable, "the server stopped unexpectedly");
  return {};
}

}  // namespace costwise::api
