#include "api/system_handlers.h"

#include <string_view>
#include <tuple>

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

namespace {

// The loaded-model cache's counters (service::ModelStore), in the Prometheus text format.
std::string ModelCacheMetrics(const service::ModelStore& models) {
  const service::ModelCacheStats stats = models.stats();
  std::string text;
  for (const auto& [name, help, type, value] :
       {std::tuple<std::string_view, std::string_view, std::string_view, std::size_t>{
            "costwise_model_cache_entries", "Models loaded in memory", "gauge", stats.entries},
        {"costwise_model_cache_evictions_total",
         "Loaded models dropped to make room (least recently used first)", "counter",
         stats.evictions},
        {"costwise_model_cache_hits_total", "Model loads answered from memory", "counter",
         stats.hits},
        {"costwise_model_cache_misses_total", "Model loads that read the artifact (or found none)",
         "counter", stats.misses}}) {
    text += fmt::format("# HELP {0} {1}\n# TYPE {0} {2}\n{0} {3}\n", name, help, type, value);
  }
  return text;
}

}  // namespace

void GetMetrics(Context& context, const httplib::Request& /*request*/, httplib::Response& response,
                const Caller& /*caller*/) {
  std::string text = RenderMetrics();
  if (context.models != nullptr) text += ModelCacheMetrics(*context.models);
  response.status = 200;
  response.set_content(text, kMetricsContentType);
}

}  // namespace costwise::api
