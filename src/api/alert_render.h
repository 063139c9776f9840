#pragma once
// The JSON shapes of alert channels, rules and deliveries, and reading channels and rules from a
// request body (docs/service.md, "Alerts"). A webhook's secret appears only in the answer that
// creates it, an SMTP password never, a Slack webhook URL (a credential) only as its host.
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "service/alerts.h"
#include "store/alert_types.h"

namespace costwise::api {

// {"name", "type", "config": {"url", "from", "to" (a list or one address), "username",
// "password", "starttls", "topic_arn"}}; InvalidInput naming the member of the wrong type.
[[nodiscard]] Result<service::AlertChannelInput> AlertChannelFromJson(const nlohmann::json& body);

// {"name", "min_impact" (a decimal string or number), "min_percent" (number or null),
// "min_severity", "filters": {DIMENSION: [VALUE, ...]}, "frequency", "channel_ids": [id, ...],
// "enabled"}; InvalidInput naming the member of the wrong type.
[[nodiscard]] Result<service::AlertRuleInput> AlertRuleFromJson(const nlohmann::json& body);

// {"id", "name", "type", "config": {...without secrets, "password_set"}, "created_at",
// "updated_at"}, and "secret" when `with_secret` (the webhook's, at creation).
[[nodiscard]] nlohmann::json AlertChannelToJson(const store::AlertChannelRecord& channel,
                                                bool with_secret = false);
// {"channels": [...]}
[[nodiscard]] nlohmann::json AlertChannelsToJson(
    const std::vector<store::AlertChannelRecord>& channels);

// {"id", "name", "min_impact", "min_percent", "min_severity", "filters", "frequency",
// "channel_ids", "enabled", "created_at", "updated_at"}
[[nodiscard]] nlohmann::json AlertRuleToJson(const store::AlertRuleRecord& rule);
// {"rules": [...]}
[[nodiscard]] nlohmann::json AlertRulesToJson(const std::vector<store::AlertRuleRecord>& rules);

// {"id", "kind", "status", "rule": {"id", "name"} | null, "channel": {"id", "name"} | null,
// "anomaly_ids", "period": {"start", "end"} | null, "attempts", "next_attempt_at" (null unless
// pending), "last_error", "response_status", "created_at", "updated_at", "sent_at"}
[[nodiscard]] nlohmann::json AlertDeliveryToJson(const store::AlertDeliveryRecord& delivery);
// {"deliveries": [...]}
[[nodiscard]] nlohmann::json AlertDeliveriesToJson(
    const std::vector<store::AlertDeliveryRecord>& deliveries);

}  // namespace costwise::api
