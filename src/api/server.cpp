#include "api/server.h"

#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include <fmt/format.h>
#include <netinet/in.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include "api/alert_sender.h"
#include "api/alert_worker.h"
#include "api/auth_handlers.h"
#include "api/error_status.h"
#include "api/http.h"
#include "api/job_kinds.h"
#include "api/metrics.h"
#include "api/routes.h"
#include "service/cloud_accounts.h"
#include "service/members.h"
#include "store/repository.h"
#include "store/store_url.h"

namespace costwise::api {
namespace {

// Runs the route's handler; `reader` is the body's reader of a streaming route.
void RunHandler(Context& context, const Route& route, const httplib::Request& request,
                httplib::Response& response, const Caller& caller,
                const httplib::ContentReader* reader) {
  if (const auto* streaming = std::get_if<StreamingHandler>(&route.handler)) {
    if (reader != nullptr) (*streaming)(context, request, response, caller, *reader);
    return;
  }
  std::get<Handler>(route.handler)(context, request, response, caller);
}

constexpr char kRequestIdHeader[] = "X-Request-Id";
constexpr std::size_t kMaxRequestIdBytes = 128;
constexpr std::size_t kGeneratedRequestIdBytes = 16;
constexpr time_t kReadTimeoutSeconds = 30;
constexpr time_t kWriteTimeoutSeconds = 30;
constexpr std::chrono::hours kPruneInterval{24};
constexpr char kCorsAllowHeaders[] = "Content-Type, Authorization, X-CSRF-Token, X-Request-Id";
constexpr char kCorsMaxAgeSeconds[] = "600";

// Headers on every answer. The Content-Security-Policy suits the web UI (a Vite React build
// served from this origin: scripts from the origin, inline styles, data: images).
const httplib::Headers& SecurityHeaders() {
  static const httplib::Headers kHeaders = {
      {"X-Content-Type-Options", "nosniff"},
      {"X-Frame-Options", "DENY"},
      {"Referrer-Policy", "no-referrer"},
      {"Content-Security-Policy",
       "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "frame-ancestors 'none'"},
  };
  return kHeaders;
}

// What one request's handling thread knows about it: cpp-httplib runs the pre-routing handler,
// the route's handler and the logger of a request on one thread.
struct RequestScope {
  std::chrono::steady_clock::time_point started;
  const char* route = nullptr;  // the routes table's pattern, once dispatched
};
thread_local RequestScope t_request;

// A client's request id when it is sane (1 to 128 letters, digits and . _ : -), else a new one.
std::string RequestIdFor(const httplib::Request& request) {
  const std::string given = request.get_header_value(kRequestIdHeader);
  const bool sane = !given.empty() && given.size() <= kMaxRequestIdBytes &&
                    std::all_of(given.begin(), given.end(), [](char c) {
                      return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' ||
                             c == '_' || c == ':' || c == '-';
                    });
  if (sane) return given;
  thread_local std::mt19937_64 random(std::random_device{}());
  std::string id;
  for (std::size_t i = 0; i < kGeneratedRequestIdBytes / sizeof(std::uint64_t); ++i) {
    id.append(fmt::format("{:016x}", random()));
  }
  return id;
}

// Authenticates and authorises the caller of a route, then runs its handler.
void Authorise(Context& context, const Route& route, const httplib::Request& request,
               httplib::Response& response, const httplib::ContentReader* reader) {
  if (route.access == Access::kPublic) {
    RunHandler(context, route, request, response, Caller{}, reader);
    return;
  }
  Result<Caller> caller = Authenticate(context, request);
  if (!caller) return SendError(response, caller.error());
  const service::Permission needed = route.access == Access::kManageMembers
                                         ? service::Permission::kManageMembers
                                     : route.access == Access::kWrite ? service::Permission::kWrite
                                                                      : service::Permission::kRead;
  if (Status allowed = service::Require(caller->principal, needed); !allowed) {
    return SendError(response, allowed.error());
  }
  RunHandler(context, route, request, response, *caller, reader);
}

Error BodyTooLarge(std::size_t limit_bytes) {
  return Error{ErrorCode::kInvalidInput,
               fmt::format("the request body is larger than the limit of {} bytes", limit_bytes)};
}

void SendBodyTooLarge(httplib::Response& response, std::size_t max_body_bytes) {
  SendJson(response, 413, ErrorBody(BodyTooLarge(max_body_bytes)));
}

// Authenticates and authorises the caller of a route, then runs its handler. When a streaming
// route answers without reading the body (an error, a body over its limit), the connection is
// closed after the answer: the client may still be sending it.
void Dispatch(Context& context, const Route& route, const httplib::Request& request,
              httplib::Response& response, const httplib::ContentReader* reader = nullptr) {
  t_request.route = route.pattern;
  if (reader == nullptr) {
    if (request.body.size() > context.max_body_bytes) {
      return SendBodyTooLarge(response, context.max_body_bytes);
    }
    return Authorise(context, route, request, response, nullptr);
  }
  bool read = false;
  const httplib::ContentReader tracked(
      [&](httplib::ContentReceiver receiver) {
        read = true;
        return (*reader)(std::move(receiver));
      },
      [&](httplib::MultipartContentHeader header, httplib::ContentReceiver receiver) {
        read = true;
        return (*reader)(std::move(header), std::move(receiver));
      });
  Authorise(context, route, request, response, &tracked);
  if (!read && request.get_header_value<std::uint64_t>("Content-Length") > 0) {
    response.set_header("Connection", "close");
  }
}

// The web UI's routes (/costs, /anomalies/42) are the browser's: a GET of a path that is no
// file of the web folder, not under /api/ and without a file extension gets the UI's
// index.html, which routes it. Missing assets (/assets/x.js) and API paths stay 404s.
bool ServeAppShell(const std::string& web_dir, const httplib::Request& request,
                   httplib::Response& response) {
  if (web_dir.empty() || response.status != 404) return false;
  if (request.method != "GET" && request.method != "HEAD") return false;
  const std::string& path = request.path;
  if (path.starts_with("/api/") || path == "/api" || path == "/metrics" || path == "/healthz" ||
      path == "/readyz") {
    return false;
  }
  const std::size_t last_slash = path.rfind('/');
  if (path.find('.', last_slash == std::string::npos ? 0 : last_slash) != std::string::npos) {
    return false;
  }
  std::ifstream index(std::filesystem::path(web_dir) / "index.html", std::ios::binary);
  if (!index) return false;
  std::ostringstream html;
  html << index.rdbuf();
  response.status = 200;
  response.set_header("Cache-Control", "no-cache");
  response.set_content(html.str(), "text/html; charset=utf-8");
  return true;
}

// A JSON error body for answers cpp-httplib made itself (no route, a body over its payload limit,
// a malformed request), instead of its empty or HTML ones.
httplib::Server::HandlerResponse JsonErrorForEmptyAnswers(std::size_t payload_limit_bytes,
                                                          const httplib::Request& request,
                                                          httplib::Response& response) {
  if (!response.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
  const int status = response.status;
  Error error{ErrorCode::kInvalidInput, fmt::format("the request is malformed (HTTP {})", status)};
  if (status == 404) {
    error = Error{ErrorCode::kNotFound,
                  fmt::format("no such endpoint: {} {} (see /api/docs)", request.method,
                              request.path.substr(0, kMaxRequestIdBytes))};
  } else if (status == 413) {
    error = BodyTooLarge(payload_limit_bytes);
  } else if (status >= 500) {
    error = Error{ErrorCode::kInternal, "internal error"};
  }
  IncrementCounter("costwise_errors_total", "Error answers of the API, by error code",
                   {{"code", std::string(ErrorCodeName(error.code))}});
  response.set_content(
      ErrorBody(error).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
      "application/json");
  response.status = status;
  return httplib::Server::HandlerResponse::Handled;
}

std::string UtcTimestamp(std::chrono::system_clock::time_point at) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(at);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()).count() % 1000;
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", utc.tm_year + 1900,
                     utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, millis);
}

// The request log: one JSON object per line on stdout. Only the method, the route pattern, the
// path (without its query), the status, the duration, the request id and the peer address are
// written: never headers (cookies, tokens, Authorization), query strings or bodies.
std::shared_ptr<spdlog::logger> RequestLogger() {
  static const std::shared_ptr<spdlog::logger> kLogger = [] {
    auto logger = std::make_shared<spdlog::logger>(
        "costwise-requests", std::make_shared<spdlog::sinks::stdout_sink_mt>());
    logger->set_pattern("%v");
    logger->flush_on(spdlog::level::info);
    return logger;
  }();
  return kLogger;
}

void LogAndCount(const httplib::Request& request, const httplib::Response& response) {
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t_request.started).count();
  const std::string route = t_request.route != nullptr ? t_request.route
                            : response.status < 400    ? "static"
                                                       : "unmatched";
  IncrementCounter(
      "costwise_http_requests_total", "HTTP requests answered, by route, method and status",
      {{"route", route}, {"method", request.method}, {"status", std::to_string(response.status)}});
  ObserveSeconds("costwise_http_request_duration_seconds",
                 "Time to answer an HTTP request, by route", {{"route", route}}, seconds);
  const nlohmann::json line = {
      {"time", UtcTimestamp(std::chrono::system_clock::now())},
      {"level", response.status >= 500 ? "error" : "info"},
      {"msg", "request"},
      {"request_id", response.get_header_value(kRequestIdHeader)},
      {"method", request.method},
      {"route", route},
      {"path", request.path},
      {"status", response.status},
      {"duration_ms", seconds * 1000.0},
      {"remote", request.remote_addr},
  };
  RequestLogger()->info(line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  // An answer made before routing (a malformed request) must not inherit this request's route.
  t_request = RequestScope{std::chrono::steady_clock::now(), nullptr};
}

// The pattern flag %*: the log message as a JSON string.
class JsonMessageFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& message, const std::tm& /*time*/,
              spdlog::memory_buf_t& out) override {
    const std::string text =
        nlohmann::json(std::string(message.payload.data(), message.payload.size()))
            .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    out.append(text.data(), text.data() + text.size());
  }
  [[nodiscard]] std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<JsonMessageFlag>();
  }
};

// The server's other log lines (start-up, pruning, warnings) as JSON objects too.
void UseJsonLogLines() {
  auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
  formatter->add_flag<JsonMessageFlag>('*').set_pattern(
      R"({"time":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","msg":%*})");
  spdlog::set_formatter(std::move(formatter));
}

// Prunes expired sessions and old log-in attempts now and then every day, until stopped.
class Pruner {
 public:
  explicit Pruner(store::Repository& repository)
      : thread_([this, &repository](std::stop_token stop) { Run(repository, stop); }) {}
  ~Pruner() {
    thread_.request_stop();
    wake_.notify_all();
  }
  Pruner(const Pruner&) = delete;
  Pruner& operator=(const Pruner&) = delete;

 private:
  void Run(store::Repository& repository, const std::stop_token& stop) {
    while (!stop.stop_requested()) {
      const Result<store::AuthPruneSummary> pruned = service::PruneAuthRecords(repository, Now());
      if (pruned) {
        spdlog::info("pruned {} ended sessions and {} old log-in attempts", pruned->sessions,
                     pruned->login_attempts);
      } else {
        spdlog::warn("pruning sessions and log-in attempts failed: {}", pruned.error().message);
      }
      std::unique_lock lock(mutex_);
      wake_.wait_for(lock, stop, kPruneInterval, [] { return false; });
    }
  }

  std::mutex mutex_;
  std::condition_variable_any wake_;
  std::jthread thread_;  // last: starts once the members it uses exist
};

Status CheckOptions(const ServerOptions& options) {
  if (!options.aws_principal_arn.empty()) {
    if (Status valid = service::ValidatePrincipalArn(options.aws_principal_arn); !valid) {
      return MakeError(ErrorCode::kInvalidInput,
                       fmt::format("--aws-principal-arn: {}", valid.error().message));
    }
  }
  static const std::regex kOrigin(R"(https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?)");
  if (!options.cors_origin.empty() && !std::regex_match(options.cors_origin, kOrigin)) {
    return MakeError(ErrorCode::kInvalidInput,
                     fmt::format("--cors-origin \"{}\" is not an origin like "
                                 "https://costs.example.com (scheme, host, optional port; no "
                                 "path, no *)",
                                 options.cors_origin));
  }
  return {};
}

void RegisterRoutes(httplib::Server& server, Context& context) {
  for (const Route& route : Routes()) {
    const std::string_view method = route.method;
    if (std::holds_alternative<StreamingHandler>(route.handler) && method == "POST") {
      server.Post(route.pattern,
                  [&context, &route](const httplib::Request& request, httplib::Response& response,
                                     const httplib::ContentReader& reader) {
                    Dispatch(context, route, request, response, &reader);
                  });
      continue;
    }
    auto handler = [&context, &route](const httplib::Request& request,
                                      httplib::Response& response) {
      Dispatch(context, route, request, response);
    };
    if (method == "GET") server.Get(route.pattern, handler);
    if (method == "POST") server.Post(route.pattern, handler);
    if (method == "PUT") server.Put(route.pattern, handler);
    if (method == "PATCH") server.Patch(route.pattern, handler);
    if (method == "DELETE") server.Delete(route.pattern, handler);
  }
}

// Whether the request goes to a route that streams its body (uploads, with a limit of their own).
bool ForStreamingRoute(const httplib::Request& request) {
  static const std::vector<std::pair<std::string, std::regex>> kStreaming = [] {
    std::vector<std::pair<std::string, std::regex>> routes;
    for (const Route& route : Routes()) {
      if (std::holds_alternative<StreamingHandler>(route.handler)) {
        routes.emplace_back(route.method, std::regex(route.pattern));
      }
    }
    return routes;
  }();
  return std::any_of(kStreaming.begin(), kStreaming.end(), [&](const auto& route) {
    return route.first == request.method && std::regex_match(request.path, route.second);
  });
}

// The bodies of routes that do not stream are read into memory before their handler runs, up to
// the upload limit (cpp-httplib has one limit for all routes). Beyond max_body_bytes Dispatch
// answers 413 once the body is read; one announced over kMaxReadBody, or sent in chunks (of
// unknown length), is refused here before it is read, and the connection closed: reading it
// would take that much memory.
constexpr std::uint64_t kMaxReadBody = 16 * kBytesPerMegabyte;

bool RefuseLargeBody(const httplib::Request& request, httplib::Response& response,
                     std::size_t max_body_bytes) {
  const bool chunked =
      request.get_header_value("Transfer-Encoding").find("chunked") != std::string::npos;
  const std::uint64_t length = request.get_header_value<std::uint64_t>("Content-Length");
  if ((!chunked && length <= std::max<std::uint64_t>(max_body_bytes, kMaxReadBody)) ||
      ForStreamingRoute(request)) {
    return false;
  }
  t_request.route = "body-limit";
  response.set_header("Connection", "close");
  if (chunked) {
    SendJson(response, 411,
             ErrorBody(Error{ErrorCode::kInvalidInput,
                             "a chunked request body is only taken by uploads: send "
                             "Content-Length"}));
  } else {
    SendBodyTooLarge(response, max_body_bytes);
  }
  return true;
}

// A POST, PUT or PATCH without Content-Length or Transfer-Encoding has no body (RFC 9112), but
// cpp-httplib would read one until the client closes the connection: 30 s of a hung request and
// then a 400 for `curl -X POST`. Such a request gets 411 at once, saying what to send.
bool RefuseBodyWithoutLength(const httplib::Request& request, httplib::Response& response) {
  if (request.method != "POST" && request.method != "PUT" && request.method != "PATCH") {
    return false;
  }
  if (request.has_header("Content-Length") || request.has_header("Transfer-Encoding")) {
    return false;
  }
  t_request.route = "body-limit";
  response.set_header("Connection", "close");
  SendJson(response, 411,
           ErrorBody(Error{ErrorCode::kInvalidInput,
                           fmt::format("{} needs a Content-Length header (0 for an empty body, "
                                       "e.g. curl -d '' or --json '{{}}')",
                                       request.method)}));
  return true;
}

// Request ids, timing, body limits and CORS, before routing; CORS preflights are answered here.
void HandleRequestsBeforeRouting(httplib::Server& server, const ServerOptions& options) {
  server.set_pre_routing_handler(
      [cors_origin = options.cors_origin, max_body_bytes = options.max_body_bytes](
          const httplib::Request& request, httplib::Response& response) {
        t_request = RequestScope{std::chrono::steady_clock::now(), nullptr};
        response.set_header(kRequestIdHeader, RequestIdFor(request));
        if (RefuseBodyWithoutLength(request, response) ||
            RefuseLargeBody(request, response, max_body_bytes)) {
          return httplib::Server::HandlerResponse::Handled;
        }
        if (cors_origin.empty() || request.get_header_value("Origin") != cors_origin) {
          return httplib::Server::HandlerResponse::Unhandled;
        }
        response.set_header("Access-Control-Allow-Origin", cors_origin);
        response.set_header("Access-Control-Allow-Credentials", "true");
        response.set_header("Access-Control-Expose-Headers", kRequestIdHeader);
        response.set_header("Vary", "Origin");
        if (request.method != "OPTIONS") return httplib::Server::HandlerResponse::Unhandled;
        response.set_header("Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE");
        response.set_header("Access-Control-Allow-Headers", kCorsAllowHeaders);
        response.set_header("Access-Control-Max-Age", kCorsMaxAgeSeconds);
        t_request.route = "cors-preflight";
        response.status = 204;
        return httplib::Server::HandlerResponse::Handled;
      });
}

// cpp-httplib listens with a backlog of 5 (compiled into Debian's library): 64 clients connecting
// at once overflow it, and the dropped connections retry after a second. Linux takes a second
// listen() on a listening socket as a new backlog; the socket is the one listening on the port.
constexpr int kListenBacklog = 1024;
constexpr int kMaxDescriptorScanned = 4096;

void WidenListenBacklog(int port) {
  for (int fd = 3; fd < kMaxDescriptorScanned; ++fd) {
    int listening = 0;
    socklen_t size = sizeof(listening);
    if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &size) != 0 || listening == 0) {
      continue;
    }
    sockaddr_storage address{};
    socklen_t address_size = sizeof(address);
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&address), &address_size) != 0) continue;
    int bound = -1;
    if (address.ss_family == AF_INET) {
      bound = ntohs(reinterpret_cast<const sockaddr_in*>(&address)->sin_port);
    } else if (address.ss_family == AF_INET6) {
      bound = ntohs(reinterpret_cast<const sockaddr_in6*>(&address)->sin6_port);
    }
    if (bound == port && listen(fd, kListenBacklog) != 0) {
      spdlog::warn("cannot widen the listen backlog of port {}", port);
    }
  }
}

httplib::Server* g_server = nullptr;

void StopOnSignal(int /*signal*/) {
  if (g_server != nullptr) g_server->stop();
}

}  // namespace

Status RunServer(const ServerOptions& options) {
  if (Status valid = CheckOptions(options); !valid) return valid;
  UseJsonLogLines();
  auto repository = store::OpenRepository(options.database_url);
  if (!repository) return unexpected(repository.error());
  Context context;
  context.repository = std::move(*repository);
  context.secure_cookies = options.secure_cookies;
  context.aws_principal_arn = options.aws_principal_arn;
  context.aws.environment = aws::Environment::FromProcess();
  context.aws.athena_first_poll = std::chrono::milliseconds(options.aws_poll_ms);
  context.aws.catalog_dir = (std::filesystem::path(options.models_dir) / "catalogs").string();
  context.apply.poll = std::chrono::milliseconds(options.aws_poll_ms);
  context.max_body_bytes = options.max_body_bytes;
  context.alerts.public_url = options.public_url;
  context.alerts.retry_base_seconds = options.alert_retry_seconds;
  context.alert_sender = std::make_unique<CurlAlertSender>(&context.aws);
  context.upload_dir = options.upload_dir;
  service::ModelStore models(options.models_dir, options.model_cache);
  context.models = &models;
  context.samples_dir = options.samples_dir;
  context.max_upload_bytes = options.max_upload_mb * kBytesPerMegabyte;

  service::JobRunnerOptions job_options;
  job_options.workers = options.workers;
  job_options.lease_seconds = options.job_lease_seconds;
  const std::string database_url = options.database_url;
  service::JobRunner jobs([database_url] { return store::OpenRepository(database_url); },
                          BuiltinJobKinds(options.upload_dir, &models, &context.aws, &context.apply), job_options);
  if (options.workers > 0) context.jobs = &jobs;

  httplib::Server server;
  server.set_default_headers(SecurityHeaders());
  // The largest body any route takes: an upload's. The other routes' bodies are refused beyond
  // max_body_bytes (Dispatch, RefuseLargeBody).
  const std::size_t payload_limit =
      std::max<std::size_t>(options.max_body_bytes, options.max_upload_mb * kBytesPerMegabyte);
  server.set_payload_max_length(payload_limit);
  server.set_read_timeout(kReadTimeoutSeconds, 0);
  server.set_write_timeout(kWriteTimeoutSeconds, 0);
  HandleRequestsBeforeRouting(server, options);
  RegisterRoutes(server, context);
  if (!options.web_dir.empty() && !server.set_mount_point("/", options.web_dir)) {
    spdlog::warn("web folder {} does not exist; serving the API only", options.web_dir);
  }
  // A thread per connection up to options.threads: with fewer, a keep-alive client waits for a
  // thread another client's connection holds, and latency grows with the connection count.
  const int threads = options.threads;
  server.new_task_queue = [threads] {
    return new httplib::ThreadPool(static_cast<std::size_t>(threads));
  };
  server.set_keep_alive_max_count(options.keep_alive_requests);
  // An answer goes out in more than one write (headers, body): with Nagle's algorithm the second
  // waits for the client's delayed ACK, 40 ms on Linux.
  server.set_tcp_nodelay(true);
  server.set_error_handler(httplib::Server::HandlerWithResponse(
      [payload_limit, web_dir = options.web_dir](const httplib::Request& request,
                                                 httplib::Response& response) {
        if (response.body.empty() && ServeAppShell(web_dir, request, response)) {
          return httplib::Server::HandlerResponse::Handled;
        }
        return JsonErrorForEmptyAnswers(payload_limit, request, response);
      }));
  server.set_exception_handler(
      [](const httplib::Request& /*request*/, httplib::Response& response, std::exception_ptr) {
        SendError(response, Error{ErrorCode::kInternal, "internal error"});
      });
  server.set_logger(LogAndCount);
  if (!server.bind_to_port(options.host, options.port)) {
    return MakeError(ErrorCode::kUnavailable,
                     fmt::format("cannot listen on {}:{} (is another server using the port?)",
                                 options.host, options.port));
  }
  // Jobs start once the port is ours: a server that cannot listen runs none.
  if (context.jobs != nullptr) {
    if (Status started = jobs.Start(); !started) return started;
  }
  WidenListenBacklog(options.port);
  const Pruner pruner(*context.repository);
  g_server = &server;
  std::signal(SIGINT, StopOnSignal);
  std::signal(SIGTERM, StopOnSignal);
  spdlog::info("costwise serving on http://{}:{} (database: {})",
               options.host == "0.0.0.0" ? "localhost" : options.host, options.port,
               store::RedactUrlPassword(options.database_url));
  bool ok = false;
  {
    const AlertWorker alerts(context, options.alerts_interval_seconds);
    ok = server.listen_after_bind();
  }
  g_server = nullptr;
  jobs.Stop();
  if (!ok) return MakeError(ErrorCode::kUnavailable, "the server stopped unexpectedly");
  return {};
}

}  // namespace costwise::api
