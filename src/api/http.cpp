#include "api/http.h"

#include <charconv>
#include <ctime>
#include <system_error>

#include <fmt/format.h>

#include "api/error_status.h"
#include "api/metrics.h"

namespace costwise::api {

std::int64_t Now() { return static_cast<std::int64_t>(std::time(nullptr)); }

Date Today() { return DateOfTimestamp(Now()); }

void SendJson(httplib::Response& response, int status, const nlohmann::json& body) {
  response.status = status;
  // Text from the request (an email, say) may not be UTF-8: replace bad bytes, never throw.
  response.set_content(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                       "application/json");
}

void SendError(httplib::Response& response, const Error& error) {
  IncrementCounter("costwise_errors_total", "Error answers of the API, by error code",
                   {{"code", std::string(ErrorCodeName(error.code))}});
  SendJson(response, HttpStatusFor(error.code), ErrorBody(error));
}

Result<nlohmann::json> JsonBody(const httplib::Request& request) {
  nlohmann::json body = nlohmann::json::parse(request.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    return MakeError(ErrorCode::kInvalidInput, "the request body must be a JSON object");
  }
  return body;
}

Result<std::string> StringMember(const nlohmann::json& body, const char* name) {
  const auto found = body.find(name);
  if (found == body.end() || found->is_null()) return std::string();
  if (!found->is_string()) {
    return MakeError(ErrorCode::kInvalidInput, fmt::format("\"{}\" must be a string", name));
  }
  return found->get<std::string>();
}

Result<std::int64_t> PathId(const httplib::Request& request, std::size_t group,
                            std::string_view what) {
  const std::string text = group < request.matches.size() ? request.matches[group].str() : "";
  std::int64_t id = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (error != std::errc() || end != text.data() + text.size() || id <= 0) {
    return MakeError(ErrorCode::kNotFound, fmt::format("no {} {}", what, text));
  }
  return id;
}

}  // namespace costwise::api
