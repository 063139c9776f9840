#pragma once
// The records of alerting (schema version 7, docs/service.md "Alerts"): a tenant's channels
// (where alerts go), rules (which anomalies alert, how often, to which channels) and the delivery
// log (one row per message to one channel, with its attempts).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/cost_anomaly.h"
#include "core/date.h"
#include "core/money.h"

namespace costwise::store {

enum class AlertChannelType { kWebhook, kSlack, kEmail, kSns };
enum class AlertFrequency { kImmediate, kDaily, kWeekly };
// What a delivery carries: one anomaly (immediate), a digest of a period, or a test message.
enum class DeliveryKind { kImmediate, kDaily, kWeekly, kTest };
enum class DeliveryStatus { kPending, kSent, kFailed };

// "webhook" | "slack" | "email" | "sns"; "immediate" | "daily" | "weekly"; "immediate" |
// "daily" | "weekly" | "test"; "pending" | "sent" | "failed". The Parse functions accept exactly
// these names.
[[nodiscard]] std::string_view ChannelTypeName(AlertChannelType type);
[[nodiscard]] std::optional<AlertChannelType> ParseChannelType(std::string_view name);
[[nodiscard]] std::string_view FrequencyName(AlertFrequency frequency);
[[nodiscard]] std::optional<AlertFrequency> ParseFrequency(std::string_view name);
[[nodiscard]] std::string_view DeliveryKindName(DeliveryKind kind);
[[nodiscard]] std::optional<DeliveryKind> ParseDeliveryKind(std::string_view name);
[[nodiscard]] std::string_view DeliveryStatusName(DeliveryStatus status);
[[nodiscard]] std::optional<DeliveryStatus> ParseDeliveryStatus(std::string_view name);

// Where a channel's messages go; each type uses some of the fields.
struct AlertChannelConfig {
  std::string
      url;  // webhook and Slack: the http(s) endpoint; email: the smtp:// or smtps:// server
  std::string email_from;
  std::vector<std::string> email_to;
  std::string smtp_username;
  std::string smtp_password;  // stored to log in with; never shown
  bool starttls = false;      // email over smtp://: require STARTTLS
  std::string topic_arn;      // SNS
  friend bool operator==(const AlertChannelConfig&, const AlertChannelConfig&) = default;
};

struct AlertChannelRecord {
  std::int64_t id = 0;
  std::int64_t tenant_id = 0;
  std::string name;
  AlertChannelType type = AlertChannelType::kWebhook;
  AlertChannelConfig config;
  std::string secret;  // a webhook's HMAC key; "" for the other types
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
};

// Of the anomalies, those whose monitor or a root cause has one of the values in `dimension`
// ("service", "account", "tag:team", ...), or whose monitor label is one of the values when the
// dimension is "monitor" ("total", "service=Amazon EC2").
struct AlertRuleFilter {
  std::string dimension;
  std::vector<std::string> values;
  friend bool operator==(const AlertRuleFilter&, const AlertRuleFilter&) = default;
};

struct AlertRuleRecord {
  std::int64_t id = 0;
  std::int64_t tenant_id = 0;
  std::string name;
  Money min_impact;                   // in the anomaly's currency
  std::optional<double> min_percent;  // of the expected spend; empty = any
  AnomalySeverity min_severity = AnomalySeverity::kLow;
  std::vector<AlertRuleFilter> filters;  // all must match; by dimension
  AlertFrequency frequency = AlertFrequency::kImmediate;
  std::vector<std::int64_t> channel_ids;  // ascending
  bool enabled = true;
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
};

struct AlertDeliveryRecord {
  std::int64_t id = 0;
  std::int64_t tenant_id = 0;
  std::optional<std::int64_t> rule_id;     // empty for a test message, or once the rule is gone
  std::optional<std::int64_t> channel_id;  // empty once the channel is gone
  DeliveryKind kind = DeliveryKind::kImmediate;
  std::vector<std::int64_t> anomaly_ids;
  std::vector<std::int64_t> metric_anomaly_ids;  // anomalies of synced CloudWatch series
  std::optional<Date> period_start;  // a digest's days, inclusive
  std::optional<Date> period_end;
  // Of one rule, at most one delivery set per key: "anomaly:<id>", "metric:<id>", "daily:<day>",
  // "weekly:<day>".
  std::string dedupe_key;
  DeliveryStatus status = DeliveryStatus::kPending;
  int attempts = 0;
  std::int64_t next_attempt_at = 0;  // when pending
  std::string last_error;
  std::optional<int> response_status;  // of the last attempt (HTTP status or SMTP reply code)
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
  std::optional<std::int64_t> sent_at;
  // Read back only: names of the tenant, rule and channel ("" when gone).
  std::string tenant_name;
  std::string rule_name;
  std::string channel_name;
};

// The outcome of one attempt at a delivery.
struct AlertAttempt {
  std::int64_t at = 0;
  bool sent = false;
  std::optional<int> response_status;
  std::string error;                     // why it failed; "" when sent
  std::optional<std::int64_t> retry_at;  // a failure with a retry stays pending until then
};

struct AlertDeliveryFilter {
  std::optional<DeliveryStatus> status;
  std::optional<std::int64_t> rule_id;
  std::optional<std::int64_t> channel_id;
  int limit = 100;
};

}  // namespace costwise::store
