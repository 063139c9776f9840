#include "api/server.h"

#include <httplib.h>

#include <csignal>
#include <ctime>
#include <functional>
#include <mutex>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "api/cost_render.h"
#include "api/error_status.h"
#include "service/cost_service.h"
#include "store/repository.h"

namespace costwise::api {
namespace {

// The server's shared state: the repository is one database session, used under a lock.
struct Context {
  std::mutex mutex;
  std::unique_ptr<store::Repository> repository;
};

using Handler = std::function<void(Context&, const httplib::Request&, httplib::Response&)>;

struct Route {
  const char* method;
  const char* pattern;
  Handler handler;
};

void SendJson(httplib::Response& response, int status, const nlohmann::json& body) {
  response.status = status;
  response.set_content(body.dump(), "application/json");
}

void SendError(httplib::Response& response, const Error& error) {
  SendJson(response, HttpStatusFor(error.code), ErrorBody(error));
}

void Healthz(Context& /*context*/, const httplib::Request& /*request*/,
             httplib::Response& response) {
  SendJson(response, 200, {{"status", "ok"}});
}

Date Today() { return DateOfTimestamp(static_cast<std::int64_t>(std::time(nullptr))); }

void GetCosts(Context& context, const httplib::Request& request, httplib::Response& response) {
  const std::string tenant = request.get_param_value("tenant");
  if (tenant.empty()) {
    SendError(response, Error{ErrorCode::kInvalidInput, "the tenant query parameter is required"});
    return;
  }
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
    return service::QueryCosts(*context.repository, tenant, *query);
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

// The routes table: every endpoint the server answers.
const std::vector<Route>& Routes() {
  static const std::vector<Route> kRoutes = {
      {"GET", "/healthz", Healthz},
      {"GET", "/api/costs", GetCosts},
  };
  return kRoutes;
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

  httplib::Server server;
  for (const Route& route : Routes()) {
    auto handler = [&context, &route](const httplib::Request& request,
                                      httplib::Response& response) {
      route.handler(context, request, response);
    };
    if (std::string_view(route.method) == "GET") server.Get(route.pattern, handler);
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
