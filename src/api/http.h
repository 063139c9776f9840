#pragma once
// What every route handler shares: the server's state, the authenticated caller, the routes
// table's entry type, and the helpers that read a request and write a JSON answer. Handlers only
// parse the request, call one service function and render its result.
#include <httplib.h>

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <variant>

#include <nlohmann/json.hpp>

#include "core/date.h"
#include "core/error.h"
#include "service/alerts.h"
#include "service/auth.h"
#include "service/aws_sync.h"
#include "service/ec2_apply.h"
#include "service/jobs.h"
#include "service/model_store.h"
#include "service/versioned_cache.h"
#include "store/repository.h"

namespace costwise::api {

// The server's shared state. The repository serialises its own calls; `mutex` keeps the cube
// queries one at a time.
struct Context {
  std::mutex mutex;
  std::unique_ptr<store::Repository> repository;
  service::AuthOptions auth;
  bool secure_cookies = false;
  // Answers (their text) of the dashboard's reads, kept until the data they come from changes:
  // GET /api/costs until the cube does, GET /api/ml/anomalies until the anomalies do, GET
  // /api/ml/forecast until a forecast run is stored (docs/service.md, "Answer caches").
  service::VersionedCache<std::string> cost_answers{512};
  service::VersionedCache<std::string> anomaly_pages{512};
  service::VersionedCache<std::string> forecast_answers{256};
  service::AlertOptions alerts;
  std::unique_ptr<service::AlertSender> alert_sender;  // sends alert deliveries and tests
  // The background jobs (docs/service.md, "Jobs"); null when the server runs none.
  service::JobRunner* jobs = nullptr;
  std::string upload_dir;                 // uploaded files go under <upload_dir>/<tenant id>/
  service::ModelStore* models = nullptr;  // saved detector states, the recent ones loaded
  std::string samples_dir;                // the bundled samples of the sample workspace
  std::uint64_t max_upload_bytes = 0;     // of one upload request's body
  std::size_t max_body_bytes = std::size_t{1} << 20;  // of a route that does not stream
  std::string aws_principal_arn;  // costwise's AWS principal, trusted by onboarded roles
  // costwise's AWS access (its credentials chain and endpoints, from the environment): syncs,
  // connection tests and applies act through the onboarded accounts' roles with it.
  service::AwsSyncOptions aws;
  service::Ec2ApplyOptions apply;  // how applies wait for an instance's state
};

// Who may call a route: anyone, or an authenticated member with at least this permission.
enum class Access { kPublic, kRead, kWrite, kManageMembers };

// The authenticated caller of a route that is not public.
struct Caller {
  service::Principal principal;
  std::string session_token;  // empty when authenticated by an API token
};

using Handler =
    std::function<void(Context&, const httplib::Request&, httplib::Response&, const Caller&)>;
// A handler that reads the request body itself, as it arrives (file uploads streamed to disk).
using StreamingHandler = std::function<void(Context&, const httplib::Request&, httplib::Response&,
                                            const Caller&, const httplib::ContentReader&)>;

struct Route {
  const char* method;   // GET, POST, PUT, PATCH or DELETE
  const char* pattern;  // a regular expression for cpp-httplib; groups are path parameters
  Access access;
  std::variant<Handler, StreamingHandler> handler;
};

inline constexpr std::uint64_t kBytesPerMegabyte = std::uint64_t{1} << 20;

[[nodiscard]] std::int64_t Now();
[[nodiscard]] Date Today();

void SendJson(httplib::Response& response, int status, const nlohmann::json& body);
void SendError(httplib::Response& response, const Error& error);
// Sends the value as JSON with the status, or the error.
template <typename T, typename Render>
void SendResult(httplib::Response& response, int status, const Result<T>& result, Render render) {
  if (!result) return SendError(response, result.error());
  SendJson(response, status, render(*result));
}

// The request body as a JSON object; InvalidInput otherwise.
[[nodiscard]] Result<nlohmann::json> JsonBody(const httplib::Request& request);
// A string member of a JSON object, "" when absent or null; InvalidInput when not a string.
[[nodiscard]] Result<std::string> StringMember(const nlohmann::json& body, const char* name);

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

// The id in the route's path group `group` (1 = the first); NotFound naming `what` ("anomaly")
// when it is not a positive number.
[[nodiscard]] Result<std::int64_t> PathId(const httplib::Request& request, std::size_t group,
                                          std::string_view what);

}  // namespace costwise::api
