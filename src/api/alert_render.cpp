#include "api/alert_render.h"

#include <optional>
#include <string>

#include <fmt/format.h>

#include "api/json_values.h"

namespace costwise::api {
namespace {

Error WrongType(std::string_view member, std::string_view expected) {
  return Error{ErrorCode::kInvalidInput, fmt::format("\"{}\" must be {}", member, expected)};
}

// The member, or null when absent.
const nlohmann::json& Member(const nlohmann::json& object, const char* name) {
  static const nlohmann::json kNull;
  const auto found = object.find(name);
  return found == object.end() ? kNull : *found;
}

Status ReadString(const nlohmann::json& object, const char* name, std::string& out,
                  std::string_view path = "") {
  const nlohmann::json& value = Member(object, name);
  if (value.is_null()) return {};
  if (!value.is_string()) return unexpected(WrongType(fmt::format("{}{}", path, name), "a string"));
  out = value.get<std::string>();
  return {};
}

Status ReadBool(const nlohmann::json& object, const char* name, bool& out,
                std::string_view path = "") {
  const nlohmann::json& value = Member(object, name);
  if (value.is_null()) return {};
  if (!value.is_boolean()) {
    return unexpected(WrongType(fmt::format("{}{}", path, name), "true or false"));
  }
  out = value.get<bool>();
  return {};
}

Status ReadStrings(const nlohmann::json& value, std::string_view name,
                   std::vector<std::string>& out) {
  if (value.is_null()) return {};
  if (value.is_string()) {
    out = {value.get<std::string>()};
    return {};
  }
  if (!value.is_array()) return unexpected(WrongType(name, "a list of strings"));
  out.clear();
  for (const nlohmann::json& item : value) {
    if (!item.is_string()) return unexpected(WrongType(name, "a list of strings"));
    out.push_back(item.get<std::string>());
  }
  return {};
}

nlohmann::json OptionalTime(const std::optional<std::int64_t>& seconds) {
  return seconds ? TimeJson(*seconds) : nlohmann::json(nullptr);
}

// "https://hooks.slack.com/..." for a Slack webhook URL, whose path is its credential.
std::string MaskedUrl(const std::string& url) {
  const std::size_t scheme = url.find("://");
  if (scheme == std::string::npos) return "...";
  const std::size_t path = url.find('/', scheme + 3);
  return path == std::string::npos ? url : url.substr(0, path) + "/...";
}

}  // namespace

Result<service::AlertChannelInput> AlertChannelFromJson(const nlohmann::json& body) {
  service::AlertChannelInput input;
  if (Status s = ReadString(body, "name", input.name); !s) return unexpected(s.error());
  if (Status s = ReadString(body, "type", input.type); !s) return unexpected(s.error());
  const nlohmann::json& config = Member(body, "config");
  if (config.is_null()) return input;
  if (!config.is_object()) return unexpected(WrongType("config", "an object"));
  store::AlertChannelConfig& out = input.config;
  for (const auto& [name, field] : {std::pair<const char*, std::string*>{"url", &out.url},
                                    {"from", &out.email_from},
                                    {"username", &out.smtp_username},
                                    {"password", &out.smtp_password},
                                    {"topic_arn", &out.topic_arn}}) {
    if (Status s = ReadString(config, name, *field, "config."); !s) return unexpected(s.error());
  }
  if (Status s = ReadBool(config, "starttls", out.starttls, "config."); !s) {
    return unexpected(s.error());
  }
  if (Status s = ReadStrings(Member(config, "to"), "config.to", out.email_to); !s) {
    return unexpected(s.error());
  }
  return input;
}

Result<service::AlertRuleInput> AlertRuleFromJson(const nlohmann::json& body) {
  service::AlertRuleInput input;
  if (Status s = ReadString(body, "name", input.name); !s) return unexpected(s.error());
  const nlohmann::json& impact = Member(body, "min_impact");
  if (impact.is_string()) {
    input.min_impact = impact.get<std::string>();
  } else if (impact.is_number()) {
    input.min_impact = impact.dump();
  } else if (!impact.is_null()) {
    return unexpected(WrongType("min_impact", "a decimal amount (a string or a number)"));
  }
  const nlohmann::json& percent = Member(body, "min_percent");
  if (percent.is_number()) {
    input.min_percent = percent.get<double>();
  } else if (!percent.is_null()) {
    return unexpected(WrongType("min_percent", "a number or null"));
  }
  if (Status s = ReadString(body, "min_severity", input.min_severity); !s) {
    return unexpected(s.error());
  }
  if (Status s = ReadString(body, "frequency", input.frequency); !s) {
    return unexpected(s.error());
  }
  if (Status s = ReadBool(body, "enabled", input.enabled); !s) return unexpected(s.error());
  const nlohmann::json& filters = Member(body, "filters");
  if (!filters.is_null()) {
    if (!filters.is_object()) {
      return unexpected(WrongType("filters", "an object of dimension: [values]"));
    }
    for (const auto& [dimension, values] : filters.items()) {
      store::AlertRuleFilter filter{dimension, {}};
      if (Status s = ReadStrings(values, fmt::format("filters.{}", dimension), filter.values); !s) {
        return unexpected(s.error());
      }
      input.filters.push_back(std::move(filter));
    }
  }
  const nlohmann::json& channels = Member(body, "channel_ids");
  if (!channels.is_null()) {
    if (!channels.is_array()) return unexpected(WrongType("channel_ids", "a list of ids"));
    for (const nlohmann::json& id : channels) {
      if (!id.is_number_integer()) return unexpected(WrongType("channel_ids", "a list of ids"));
      input.channel_ids.push_back(id.get<std::int64_t>());
    }
  }
  return input;
}

nlohmann::json AlertChannelToJson(const store::AlertChannelRecord& channel, bool with_secret) {
  const store::AlertChannelConfig& config = channel.config;
  nlohmann::json shown = nlohmann::json::object();
  switch (channel.type) {
    case store::AlertChannelType::kWebhook:
      shown = {{"url", config.url}};
      break;
    case store::AlertChannelType::kSlack:
      shown = {{"url", MaskedUrl(config.url)}};
      break;
    case store::AlertChannelType::kEmail:
      shown = {{"url", config.url},
               {"from", config.email_from},
               {"to", config.email_to},
               {"username", config.smtp_username},
               {"password_set", !config.smtp_password.empty()},
               {"starttls", config.starttls}};
      break;
    case store::AlertChannelType::kSns:
      shown = {{"topic_arn", config.topic_arn}};
      break;
  }
  nlohmann::json body = {{"id", channel.id},
                         {"name", channel.name},
                         {"type", store::ChannelTypeName(channel.type)},
                         {"config", shown},
                         {"created_at", TimeJson(channel.created_at)},
                         {"updated_at", TimeJson(channel.updated_at)}};
  if (with_secret && !channel.secret.empty()) body["secret"] = channel.secret;
  return body;
}

nlohmann::json AlertChannelsToJson(const std::vector<store::AlertChannelRecord>& channels) {
  nlohmann::json list = nlohmann::json::array();
  for (const store::AlertChannelRecord& channel : channels) {
    list.push_back(AlertChannelToJson(channel));
  }
  return {{"channels", list}};
}

nlohmann::json AlertRuleToJson(const store::AlertRuleRecord& rule) {
  nlohmann::json filters = nlohmann::json::object();
  for (const store::AlertRuleFilter& filter : rule.filters) {
    filters[filter.dimension] = filter.values;
  }
  return {{"id", rule.id},
          {"name", rule.name},
          {"min_impact", MoneyText(rule.min_impact)},
          {"min_percent",
           rule.min_percent ? nlohmann::json(*rule.min_percent) : nlohmann::json(nullptr)},
          {"min_severity", SeverityName(rule.min_severity)},
          {"filters", filters},
          {"frequency", store::FrequencyName(rule.frequency)},
          {"channel_ids", rule.channel_ids},
          {"enabled", rule.enabled},
          {"created_at", TimeJson(rule.created_at)},
          {"updated_at", TimeJson(rule.updated_at)}};
}

nlohmann::json AlertRulesToJson(const std::vector<store::AlertRuleRecord>& rules) {
  nlohmann::json list = nlohmann::json::array();
  for (const store::AlertRuleRecord& rule : rules) list.push_back(AlertRuleToJson(rule));
  return {{"rules", list}};
}

nlohmann::json AlertDeliveryToJson(const store::AlertDeliveryRecord& delivery) {
  const auto named = [](const std::optional<std::int64_t>& id, const std::string& name) {
    return id ? nlohmann::json{{"id", *id}, {"name", name}} : nlohmann::json(nullptr);
  };
  nlohmann::json period = nullptr;
  if (delivery.period_start && delivery.period_end) {
    period = {{"start", delivery.period_start->ToString()},
              {"end", delivery.period_end->ToString()}};
  }
  const bool pending = delivery.status == store::DeliveryStatus::kPending;
  return {
      {"id", delivery.id},
      {"kind", store::DeliveryKindName(delivery.kind)},
      {"status", store::DeliveryStatusName(delivery.status)},
      {"rule", named(delivery.rule_id, delivery.rule_name)},
      {"channel", named(delivery.channel_id, delivery.channel_name)},
      {"anomaly_ids", delivery.anomaly_ids},
      {"metric_anomaly_ids", delivery.metric_anomaly_ids},
      {"period", period},
      {"attempts", delivery.attempts},
      {"next_attempt_at", pending ? TimeJson(delivery.next_attempt_at) : nlohmann::json(nullptr)},
      {"last_error", delivery.last_error},
      {"response_status", delivery.response_status ? nlohmann::json(*delivery.response_status)
                                                   : nlohmann::json(nullptr)},
      {"created_at", TimeJson(delivery.created_at)},
      {"updated_at", TimeJson(delivery.updated_at)},
      {"sent_at", OptionalTime(delivery.sent_at)}};
}

nlohmann::json AlertDeliveriesToJson(const std::vector<store::AlertDeliveryRecord>& deliveries) {
  nlohmann::json list = nlohmann::json::array();
  for (const store::AlertDeliveryRecord& delivery : deliveries) {
    list.push_back(AlertDeliveryToJson(delivery));
  }
  return {{"deliveries", list}};
}

}  // namespace costwise::api
