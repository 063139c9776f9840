#include "api/alert_handlers.h"

#include <charconv>
#include <optional>
#include <string>

#include <fmt/format.h>

#include "api/alert_render.h"
#include "service/alerts.h"

namespace costwise::api {
namespace {

constexpr std::string_view kChannel = "alert channel";
constexpr std::string_view kRule = "alert rule";

// A positive integer query parameter, or empty when absent.
Result<std::optional<std::int64_t>> IdParameter(const httplib::Request& request, const char* name) {
  if (!request.has_param(name)) return std::optional<std::int64_t>();
  const std::string text = request.get_param_value(name);
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value <= 0) {
    return MakeError(ErrorCode::kInvalidInput,
                     fmt::format("{} must be a positive whole number, got \"{}\"", name, text));
  }
  return std::optional<std::int64_t>(value);
}

void SendNoContent(httplib::Response& response, const Status& status) {
  if (!status) return SendError(response, status.error());
  response.status = 204;
}

nlohmann::json NewChannelJson(const store::AlertChannelRecord& channel) {
  return AlertChannelToJson(channel, true);
}

}  // namespace

void ListAlertChannels(Context& context, const httplib::Request& /*request*/,
                       httplib::Response& response, const Caller& caller) {
  SendResult(response, 200, service::ListAlertChannels(*context.repository, caller.principal),
             AlertChannelsToJson);
}

void CreateAlertChannel(Context& context, const httplib::Request& request,
                        httplib::Response& response, const Caller& caller) {
  Result<nlohmann::json> body = JsonBody(request);
  if (!body) return SendError(response, body.error());
  auto input = AlertChannelFromJson(*body);
  if (!input) return SendError(response, input.error());
  SendResult(response, 201,
             service::CreateAlertChannel(*context.repository, caller.principal, *input, Now()),
             NewChannelJson);
}

void GetAlertChannel(Context& context, const httplib::Request& request, httplib::Response& response,
                     const Caller& caller) {
  const Result<std::int64_t> id = PathId(request, 1, kChannel);
  if (!id) return SendError(response, id.error());
  SendResult(response, 200, service::GetAlertChannel(*context.repository, caller.principal, *id),
             [](const store::AlertChannelRecord& channel) { return AlertChannelToJson(channel); });
}

void UpdateAlertChannel(Context& context, const httplib::Request& request,
                        httplib::Response& response, const Caller& caller) {
  const Result<std::int64_t> id = PathId(request, 1, kChannel);
  if (!id) return SendError(response, id.error());
  Result<nlohmann::json> body = JsonBody(request);
  if (!body) return SendError(response, body.error());
  auto input = AlertChannelFromJson(*body);
  if (!input) return SendError(response, input.error());
  SendResult(response, 200,
             service::UpdateAlertChannel(*context.repository, caller.principal, *id, *input, Now()),
             [](const store::AlertChannelRecord& channel) { return AlertChannelToJson(channel); });
}

void DeleteAlertChannel(Context& context, const httplib::Request& request,
                        httplib::Response& response, const Caller& caller) {
  const Result<std::int64_t> id = PathId(request, 1, kChannel);
  if (!id) return SendError(response, id.error());
  SendNoContent(response, service::DeleteAlertChannel(*context.repository, caller.principal, *id));
}

void TestAlertChannel(Context& context, const httplib::Request& request,
                      httplib::Response& response, const Caller& caller) {
  const Result<std::int64_t> id = PathId(request, 1, kChannel);
  if (!id) return SendError(response, id.error());
  SendResult(response, 200,
             service::TestAlertChannel(*context.repository, *context.alert_sender, caller.principal,
                                       *id, context.alerts, Now()),
             AlertDeliveryToJson);
}

void ListAlertRules(Context& context, const httplib::Request& /*request*/,
                    httplib::Response& response, const Caller& caller) {
  SendResult(response, 200, service::ListAlertRules(*context.repository, caller.principal),
             AlertRulesToJson);
}

void CreateAlertRule(Context& context, const httplib::Request& request, httplib::Response& response,
                     const Caller& caller) {
  Result<nlohmann::json> body = JsonBody(request);
  if (!body) return SendError(response, body.error());
  auto input = AlertRuleFromJson(*body);
  if (!input) return SendError(response, input.error());
  SendResult(response, 201,
             service::CreateAlertRule(*context.repository, caller.principal, *input, Now()),
             AlertRuleToJson);
}

void GetAlertRule(Context& context, const httplib::Request& request, httplib::Response& response,
                  const Caller& caller) {
  const Result<std::int64_t> id = PathId(request, 1, kRule);
  if (!id) return SendError(response, id.error());
  SendResult(response, 200, service::GetAlertRule(*context.repository, caller.principal, *id),
             AlertRuleToJson);
}

void UpdateAlertRule(Context& context, const httplib::Request& request, httplib::Response& response,
                     const Caller& caller) {
  const Result<std::int64_t> id = PathId(request, 1, kRule);
  if (!id) return SendError(response, id.error());
  Result<nlohmann::json> body = JsonBody(request);
  if (!body) return SendError(response, body.error());
  auto input = AlertRuleFromJson(*body);
  if (!input) return SendError(response, input.error());
  SendResult(response, 200,
             service::UpdateAlertRule(*context.repository, caller.principal, *id, *input, Now()),
             AlertRuleToJson);
}

void DeleteAlertRule(Context& context, const httplib::Request& request, httplib::Response& response,
                     const Caller& caller) {
  const Result<std::int64_t> id = PathId(request, 1, kRule);
  if (!id) return SendError(response, id.error());
  SendNoContent(response, service::DeleteAlertRule(*context.repository, caller.principal, *id));
}

void ListAlertDeliveries(Context& context, const httplib::Request& request,
                         httplib::Response& response, const Caller& caller) {
  store::AlertDeliveryFilter filter;
  if (request.has_param("status")) {
    const std::string status = request.get_param_value("status");
    filter.status = store::ParseDeliveryStatus(status);
    if (!filter.status) {
      return SendError(
          response,
          Error{ErrorCode::kInvalidInput,
                fmt::format("status must be pending, sent or failed, got \"{}\"", status)});
    }
  }
  for (const auto& [name, field] :
       {std::pair<const char*, std::optional<std::int64_t>*>{"rule_id", &filter.rule_id},
        {"channel_id", &filter.channel_id}}) {
    auto value = IdParameter(request, name);
    if (!value) return SendError(response, value.error());
    *field = *value;
  }
  auto limit = IdParameter(request, "limit");
  if (!limit) return SendError(response, limit.error());
  if (*limit) filter.limit = static_cast<int>(std::min<std::int64_t>(**limit, 1'000'000));
  SendResult(response, 200,
             service::ListAlertDeliveries(*context.repository, caller.principal, filter),
             AlertDeliveriesToJson);
}

}  // namespace costwise::api
