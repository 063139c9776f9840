#include "api/system_handlers.h"

#include <fmt/format.h>

#include "api/metrics.h"

namespace costwise::api {

void Healthz(Context& /*context*/, const httplib::Request& /*request*/, httplib::Response& response,
             const Caller& /*caller*/) {
  SendJson(response, 200, {{"status", "ok"}});
}

void Readyz(Context& context, const httplib::Request& /*request*/, httplib::Response& response,
            const Caller& /*caller*/) {
  const Result<int> version = context.repository->SchemaVersion();
  if (!version) {
    return SendError(
        response, Error{ErrorCode::kUnavailable,
                        fmt::format("the database does not answer: {}", version.error().message)});
  }
  SendJson(response, 200,
           {{"status", "ready"},
            {"database", context.repository->BackendName()},
            {"schema_version", *version}});
}

void GetMetrics(Context& /*context*/, const httplib::Request& /*request*/,
                httplib::Response& response, const Caller& /*caller*/) {
  response.status = 200;
  response.set_content(RenderMetrics(), kMetricsContentType);
}

}  // namespace costwise::api
