#include "api/server.h"

#include <httplib.h>

#include <csignal>
#include <string>
#include <variant>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "api/alert_sender.h"
#include "api/alert_worker.h"
#include "api/auth_handlers.h"
#include "api/http.h"
#include "api/job_kinds.h"
#include "api/routes.h"
#include "store/repository.h"

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

// Authenticates and authorises the caller of a route, then runs its handler.
void Dispatch(Context& context, const Route& route, const httplib::Request& request,
              httplib::Response& response, const httplib::ContentReader* reader = nullptr) {
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

constexpr std::uint64_t kBytesPerMegabyte = 1024 * 1024;

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
  context.alerts.public_url = options.public_url;
  context.alerts.retry_base_seconds = options.alert_retry_seconds;
  context.alert_sender = std::make_unique<CurlAlertSender>();
  context.upload_dir = options.upload_dir;
  context.max_upload_bytes = options.max_upload_mb * kBytesPerMegabyte;

  service::JobRunnerOptions job_options;
  job_options.workers = options.workers;
  job_options.lease_seconds = options.job_lease_seconds;
  const std::string database_url = options.database_url;
  service::JobRunner jobs([database_url] { return store::OpenRepository(database_url); },
                          BuiltinJobKinds(options.upload_dir), job_options);
  if (options.workers > 0) context.jobs = &jobs;

  httplib::Server server;
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
  // Jobs start once the port is ours: a server that cannot listen runs none.
  if (context.jobs != nullptr) {
    if (Status started = jobs.Start(); !started) return started;
  }
  g_server = &server;
  std::signal(SIGINT, StopOnSignal);
  std::signal(SIGTERM, StopOnSignal);
  spdlog::info("costwise serving on http://{}:{} (database: {})",
               options.host == "0.0.0.0" ? "localhost" : options.host, options.port,
               options.database_url);
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
