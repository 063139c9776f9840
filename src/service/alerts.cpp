#include "service/alerts.h"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <cmath>
#include <map>
#include <set>
#include <string_view>
#include <utility>

#include <fmt/format.h>

namespace costwise::service {
namespace {

constexpr std::size_t kSecretBytes = 32;
constexpr std::size_t kMaxNameBytes = 200;
constexpr std::int64_t kSecondsPerDay = 86'400;
constexpr int kDaysPerWeek = 7;
constexpr int kMaxDeliveryLimit = 1000;
constexpr std::string_view kMonitorFilter = "monitor";
// Root-cause dimensions a message names beside the top root cause.
constexpr std::array<std::string_view, 3> kMessageDimensions = {"service", "account", "region"};

std::int64_t ClockSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string RandomHex(std::size_t bytes) {
  std::vector<unsigned char> random(bytes);
  randombytes_buf(random.data(), random.size());
  std::string hex(bytes * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), random.data(), random.size());
  hex.pop_back();
  return hex;
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return text;
}

Status CheckName(std::string_view name, std::string_view what) {
  if (Trim(name).empty() || name.size() > kMaxNameBytes) {
    return MakeError(ErrorCode::kInvalidInput,
                     fmt::format("an alert {} needs a name of 1 to {} bytes", what, kMaxNameBytes));
  }
  return {};
}

bool HasScheme(std::string_view url, std::initializer_list<std::string_view> schemes) {
  return std::any_of(schemes.begin(), schemes.end(),
                     [&](std::string_view scheme) { return url.starts_with(scheme); });
}

bool LooksLikeEmail(std::string_view address) {
  const std::size_t at = address.find('@');
  return at != std::string_view::npos && at > 0 && at + 1 < address.size() &&
         address.find_first_of(" \t\r\n<>,") == std::string_view::npos;
}

// InvalidInput naming the field unless the config has what the type needs.
Status CheckConfig(store::AlertChannelType type, const store::AlertChannelConfig& config) {
  switch (type) {
    case store::AlertChannelType::kWebhook:
    case store::AlertChannelType::kSlack:
      if (!HasScheme(config.url, {"http://", "https://"})) {
        return MakeError(ErrorCode::kInvalidInput, "config.url must be an http:// or https:// URL");
      }
      return {};
    case store::AlertChannelType::kEmail:
      if (!HasScheme(config.url, {"smtp://", "smtps://"})) {
        return MakeError(ErrorCode::kInvalidInput,
                         "config.url must name the SMTP server as smtp://HOST[:PORT] or "
                         "smtps://HOST[:PORT]");
      }
      if (!LooksLikeEmail(config.email_from)) {
        return MakeError(ErrorCode::kInvalidInput, "config.from must be an email address");
      }
      if (config.email_to.empty()) {
        return MakeError(ErrorCode::kInvalidInput, "config.to must list at least one address");
      }
      for (const std::string& address : config.email_to) {
        if (!LooksLikeEmail(address)) {
          return MakeError(ErrorCode::kInvalidInput,
                           fmt::format("config.to: \"{}\" is not an email address", address));
        }
      }
      return {};
    case store::AlertChannelType::kSns:
      if (!config.topic_arn.starts_with("arn:aws:sns:")) {
        return MakeError(ErrorCode::kInvalidInput,
                         "config.topic_arn must be an SNS topic ARN (arn:aws:sns:REGION:ACCOUNT:"
                         "NAME)");
      }
      return {};
  }
  return {};
}

Result<store::AlertChannelType> ParseType(std::string_view type) {
  const auto parsed = store::ParseChannelType(type);
  if (!parsed) {
    return MakeError(ErrorCode::kInvalidInput,
                     fmt::format("type must be webhook, slack, email or sns, got \"{}\"", type));
  }
  return *parsed;
}

Result<store::AlertRuleRecord> ValidateRule(const AlertRuleInput& input) {
  if (Status name = CheckName(input.name, "rule"); !name) return unexpected(name.error());
  store::AlertRuleRecord rule;
  rule.name = std::string(Trim(input.name));
  const auto impact = Money::Parse(input.min_impact.empty() ? "0" : input.min_impact);
  if (!impact || *impact < Money()) {
    return MakeError(
        ErrorCode::kInvalidInput,
        fmt::format("min_impact must be a non-negative amount, got \"{}\"", input.min_impact));
  }
  rule.min_impact = *impact;
  if (input.min_percent && (!std::isfinite(*input.min_percent) || *input.min_percent < 0)) {
    return MakeError(ErrorCode::kInvalidInput, "min_percent must be a non-negative number");
  }
  rule.min_percent = input.min_percent;
  const auto severity = ParseSeverity(input.min_severity);
  if (!severity) {
    return MakeError(ErrorCode::kInvalidInput,
                     fmt::format("min_severity must be low, medium, high or critical, got \"{}\"",
                                 input.min_severity));
  }
  rule.min_severity = *severity;
  const auto frequency = store::ParseFrequency(input.frequency);
  if (!frequency) {
    return MakeError(
        ErrorCode::kInvalidInput,
        fmt::format("frequency must be immediate, daily or weekly, got \"{}\"", input.frequency));
  }
  rule.frequency = *frequency;
  std::map<std::string, std::set<std::string>> filters;
  for (const store::AlertRuleFilter& filter : input.filters) {
    if (filter.dimension != kMonitorFilter && !ParseDimension(filter.dimension)) {
      return MakeError(ErrorCode::kInvalidInput,
                       fmt::format("filters: unknown dimension \"{}\" (monitor, or one of {})",
                                   filter.dimension, KnownDimensionNames()));
    }
    if (filter.values.empty()) {
      return MakeError(ErrorCode::kInvalidInput,
                       fmt::format("filters.{} must list at least one value", filter.dimension));
    }
    filters[filter.dimension].insert(filter.values.begin(), filter.values.end());
  }
  for (auto& [dimension, values] : filters) {
    rule.filters.push_back({dimension, std::vector<std::string>(values.begin(), values.end())});
  }
  const std::set<std::int64_t> channels(input.channel_ids.begin(), input.channel_ids.end());
  rule.channel_ids.assign(channels.begin(), channels.end());
  rule.enabled = input.enabled;
  return rule;
}

// The dimension value of the anomaly's monitor for a filter dimension, when it is that one.
std::optional<std::string> MonitorValue(const AnomalyMonitor& monitor, std::string_view dimension) {
  if (!monitor.dimension || DimensionName(*monitor.dimension) != dimension) return std::nullopt;
  return monitor.value;
}

bool FilterMatches(const store::AlertRuleFilter& filter, const CostAnomaly& anomaly) {
  const auto listed = [&](std::string_view value) {
    return std::find(filter.values.begin(), filter.values.end(), value) != filter.values.end();
  };
  if (filter.dimension == kMonitorFilter) return listed(MonitorLabel(anomaly.monitor));
  if (const auto value = MonitorValue(anomaly.monitor, filter.dimension); value) {
    return listed(*value);
  }
  return std::any_of(
      anomaly.root_causes.begin(), anomaly.root_causes.end(), [&](const RootCause& cause) {
        return cause.dimension == filter.dimension && cause.impact > Money() && listed(cause.value);
      });
}

std::string Amount(Money amount, std::string_view currency) {
  const std::string digits = amount.ToString(2);
  if (currency == "USD") {
    return amount < Money() ? fmt::format("-${}", digits.substr(1)) : fmt::format("${}", digits);
  }
  return fmt::format("{} {}", digits, currency);
}

std::string Period(Date start, Date end) {
  return start == end ? fmt::format("on {}", start.ToString())
                      : fmt::format("from {} to {}", start.ToString(), end.ToString());
}

AlertItem ItemOf(const CostAnomaly& anomaly, const AlertOptions& options) {
  AlertItem item;
  item.anomaly_id = anomaly.id;
  item.monitor = MonitorLabel(anomaly.monitor);
  item.start_date = anomaly.start_date;
  item.end_date = anomaly.end_date;
  item.currency = anomaly.monitor.currency;
  item.impact = anomaly.impact;
  item.impact_percent = anomaly.impact_percent;
  item.severity = anomaly.severity;
  item.status = anomaly.status;
  const auto add = [&](const RootCause& cause) {
    const bool seen =
        std::any_of(item.root_causes.begin(), item.root_causes.end(), [&](const RootCause& other) {
          return other.dimension == cause.dimension && other.value == cause.value;
        });
    if (!seen) item.root_causes.push_back(cause);
  };
  if (const RootCause* top = TopRootCause(anomaly); top != nullptr) add(*top);
  for (const std::string_view dimension : kMessageDimensions) {
    const auto largest = std::find_if(
        anomaly.root_causes.begin(), anomaly.root_causes.end(), [&](const RootCause& cause) {
          return cause.dimension == dimension && !cause.value.empty() && cause.impact > Money();
        });
    if (largest != anomaly.root_causes.end()) add(*largest);
  }
  std::string base = options.public_url;
  while (base.ends_with('/')) base.pop_back();
  item.url = fmt::format("{}/anomalies/{}", base, anomaly.id);
  const std::string percent =
      anomaly.impact_percent ? fmt::format(" (+{:.0f}%)", *anomaly.impact_percent) : "";
  item.summary = fmt::format("{} cost {} more than expected{} {}; severity {}, {}", item.monitor,
                             Amount(anomaly.impact, item.currency), percent,
                             Period(anomaly.start_date, anomaly.end_date),
                             SeverityName(anomaly.severity), StatusName(anomaly.status));
  return item;
}

std::string CausesLine(const AlertItem& item) {
  std::string line;
  for (const RootCause& cause : item.root_causes) {
    if (!line.empty()) line += ", ";
    line += fmt::format("{} {} (+{})", cause.dimension, cause.value,
                        Amount(cause.impact, item.currency));
  }
  return line.empty() ? "none found" : line;
}

std::string TextOf(const AlertMessage& message) {
  std::string text = message.title + "\n\n";
  for (const AlertItem& item : message.items) {
    text +=
        fmt::format("- {}\n  Root causes: {}\n  {}\n", item.summary, CausesLine(item), item.url);
  }
  if (message.kind == store::DeliveryKind::kTest) {
    text += "This is a test message: the channel works.\n";
  } else {
    text += fmt::format("\nOrganisation: {}; alert rule: {}\n", message.organisation, message.rule);
  }
  return text;
}

// Midnight (UTC) of a day, in Unix seconds.
std::int64_t StartOf(Date day) { return std::int64_t{day.days()} * kSecondsPerDay; }

// Monday 0 ... Sunday 6 (1970-01-01 was a Thursday).
int WeekdayOf(Date day) { return ((day.days() + 3) % kDaysPerWeek + kDaysPerWeek) % kDaysPerWeek; }

Status RequireWrite(const Principal& principal) { return Require(principal, Permission::kWrite); }

}  // namespace

Result<store::AlertChannelRecord> CreateAlertChannel(store::Repository& repository,
                                                     const Principal& principal,
                                                     const AlertChannelInput& input,
                                                     std::int64_t now) {
  if (Status allowed = RequireWrite(principal); !allowed) return unexpected(allowed.error());
  if (Status name = CheckName(input.name, "channel"); !name) return unexpected(name.error());
  const auto type = ParseType(input.type);
  if (!type) return unexpected(type.error());
  if (Status config = CheckConfig(*type, input.config); !config) {
    return unexpected(config.error());
  }
  store::AlertChannelRecord channel;
  channel.tenant_id = principal.tenant_id;
  channel.name = std::string(Trim(input.name));
  channel.type = *type;
  channel.config = input.config;
  if (*type == store::AlertChannelType::kWebhook) channel.secret = RandomHex(kSecretBytes);
  channel.created_at = now;
  channel.updated_at = now;
  auto id = repository.CreateAlertChannel(channel);
  if (!id) return unexpected(std::move(id.error()));
  channel.id = *id;
  return channel;
}

Result<std::vector<store::AlertChannelRecord>> ListAlertChannels(store::Repository& repository,
                                                                 const Principal& principal) {
  return repository.ListAlertChannels(principal.tenant_id);
}

Result<store::AlertChannelRecord> GetAlertChannel(store::Repository& repository,
                                                  const Principal& principal,
                                                  std::int64_t channel_id) {
  return repository.GetAlertChannel(principal.tenant_id, channel_id);
}

Result<store::AlertChannelRecord> UpdateAlertChannel(store::Repository& repository,
                                                     const Principal& principal,
                                                     std::int64_t channel_id,
                                                     const AlertChannelInput& input,
                                                     std::int64_t now) {
  if (Status allowed = RequireWrite(principal); !allowed) return unexpected(allowed.error());
  auto channel = repository.GetAlertChannel(principal.tenant_id, channel_id);
  if (!channel) return unexpected(std::move(channel.error()));
  if (Status name = CheckName(input.name, "channel"); !name) return unexpected(name.error());
  if (!input.type.empty() && input.type != store::ChannelTypeName(channel->type)) {
    return MakeError(ErrorCode::kInvalidInput,
                     fmt::format("a channel's type cannot change (it is {}): create another "
                                 "channel",
                                 store::ChannelTypeName(channel->type)));
  }
  store::AlertChannelConfig config = input.config;
  if (config.url.empty()) config.url = channel->config.url;
  if (config.smtp_password.empty()) config.smtp_password = channel->config.smtp_password;
  if (Status valid = CheckConfig(channel->type, config); !valid) {
    return unexpected(valid.error());
  }
  channel->name = std::string(Trim(input.name));
  channel->config = std::move(config);
  channel->updated_at = now;
  if (Status updated = repository.UpdateAlertChannel(*channel); !updated) {
    return unexpected(updated.error());
  }
  return channel;
}

Status DeleteAlertChannel(store::Repository& repository, const Principal& principal,
                          std::int64_t channel_id) {
  if (Status allowed = RequireWrite(principal); !allowed) return allowed;
  return repository.DeleteAlertChannel(principal.tenant_id, channel_id);
}

Result<store::AlertDeliveryRecord> TestAlertChannel(store::Repository& repository,
                                                    AlertSender& sender, const Principal& principal,
                                                    std::int64_t channel_id,
                                                    const AlertOptions& options, std::int64_t now) {
  if (Status allowed = RequireWrite(principal); !allowed) return unexpected(allowed.error());
  auto channel = repository.GetAlertChannel(principal.tenant_id, channel_id);
  if (!channel) return unexpected(std::move(channel.error()));
  store::AlertDeliveryRecord delivery;
  delivery.tenant_id = principal.tenant_id;
  delivery.channel_id = channel_id;
  delivery.kind = store::DeliveryKind::kTest;
  delivery.dedupe_key = fmt::format("test:{}", now);
  // Due only after the claim time, so that the background sender leaves it alone while it is
  // sent here.
  delivery.next_attempt_at = now + options.claim_seconds;
  delivery.created_at = now;
  auto ids = repository.QueueAlertDeliveries(principal.tenant_id, {&delivery, 1});
  if (!ids) return unexpected(std::move(ids.error()));
  if (ids->empty()) return MakeError(ErrorCode::kInternal, "the test delivery was not recorded");
  const std::int64_t id = ids->front();
  delivery.tenant_name = principal.tenant_name;
  auto message = BuildAlertMessage(repository, delivery, options);
  if (!message) return unexpected(std::move(message.error()));
  const SendOutcome outcome = sender.Send(*channel, *message, now);
  store::AlertAttempt attempt;
  attempt.at = now;
  attempt.sent = outcome.sent;
  attempt.response_status = outcome.response_status;
  attempt.error = outcome.error;
  if (Status recorded = repository.RecordAlertAttempt(id, attempt); !recorded) {
    return unexpected(recorded.error());
  }
  return repository.GetAlertDelivery(principal.tenant_id, id);
}

Result<store::AlertRuleRecord> CreateAlertRule(store::Repository& repository,
                                               const Principal& principal,
                                               const AlertRuleInput& input, std::int64_t now) {
  if (Status allowed = RequireWrite(principal); !allowed) return unexpected(allowed.error());
  auto rule = ValidateRule(input);
  if (!rule) return unexpected(std::move(rule.error()));
  rule->tenant_id = principal.tenant_id;
  rule->created_at = now;
  rule->updated_at = now;
  auto id = repository.CreateAlertRule(*rule);
  if (!id) return unexpected(std::move(id.error()));
  rule->id = *id;
  return rule;
}

Result<std::vector<store::AlertRuleRecord>> ListAlertRules(store::Repository& repository,
                                                           const Principal& principal) {
  return repository.ListAlertRules(principal.tenant_id);
}

Result<store::AlertRuleRecord> GetAlertRule(store::Repository& repository,
                                            const Principal& principal, std::int64_t rule_id) {
  return repository.GetAlertRule(principal.tenant_id, rule_id);
}

Result<store::AlertRuleRecord> UpdateAlertRule(store::Repository& repository,
                                               const Principal& principal, std::int64_t rule_id,
                                               const AlertRuleInput& input, std::int64_t now) {
  if (Status allowed = RequireWrite(principal); !allowed) return unexpected(allowed.error());
  auto stored = repository.GetAlertRule(principal.tenant_id, rule_id);
  if (!stored) return unexpected(std::move(stored.error()));
  auto rule = ValidateRule(input);
  if (!rule) return unexpected(std::move(rule.error()));
  rule->id = rule_id;
  rule->tenant_id = principal.tenant_id;
  rule->created_at = stored->created_at;
  rule->updated_at = now;
  if (Status updated = repository.UpdateAlertRule(*rule); !updated) {
    return unexpected(updated.error());
  }
  return rule;
}

Status DeleteAlertRule(store::Repository& repository, const Principal& principal,
                       std::int64_t rule_id) {
  if (Status allowed = RequireWrite(principal); !allowed) return allowed;
  return repository.DeleteAlertRule(principal.tenant_id, rule_id);
}

Result<std::vector<store::AlertDeliveryRecord>> ListAlertDeliveries(
    store::Repository& repository, const Principal& principal,
    const store::AlertDeliveryFilter& filter) {
  if (filter.limit < 1 || filter.limit > kMaxDeliveryLimit) {
    return MakeError(ErrorCode::kInvalidInput,
                     fmt::format("limit must be from 1 to {}", kMaxDeliveryLimit));
  }
  return repository.ListAlertDeliveries(principal.tenant_id, filter);
}

namespace {

// An immediate delivery of the rule, due now, before its anomalies, key and channel are set.
store::AlertDeliveryRecord ImmediateDelivery(std::int64_t tenant_id,
                                             const store::AlertRuleRecord& rule, std::int64_t now) {
  store::AlertDeliveryRecord delivery;
  delivery.tenant_id = tenant_id;
  delivery.rule_id = rule.id;
  delivery.kind = store::DeliveryKind::kImmediate;
  delivery.next_attempt_at = now;
  delivery.created_at = now;
  return delivery;
}

// The delivery once to each of the rule's channels.
void AddPerChannel(const store::AlertRuleRecord& rule, store::AlertDeliveryRecord delivery,
                   std::vector<store::AlertDeliveryRecord>& deliveries) {
  for (const std::int64_t channel : rule.channel_ids) {
    delivery.channel_id = channel;
    deliveries.push_back(delivery);
  }
}

}  // namespace

bool RuleMatches(const store::AlertRuleRecord& rule, const CostAnomaly& anomaly) {
  if (anomaly.impact < rule.min_impact) return false;
  if (rule.min_percent && anomaly.impact_percent && *anomaly.impact_percent < *rule.min_percent) {
    return false;
  }
  if (anomaly.severity < rule.min_severity) return false;
  return std::all_of(
      rule.filters.begin(), rule.filters.end(),
      [&](const store::AlertRuleFilter& filter) { return FilterMatches(filter, anomaly); });
}

bool Alertable(const CostAnomaly& anomaly) {
  return anomaly.status != AnomalyStatus::kSuppressed && anomaly.feedback != AnomalyFeedback::kNo &&
         anomaly.feedback != AnomalyFeedback::kPlanned;
}

Result<int> OnAnomaliesDetected(store::Repository& repository, std::int64_t tenant_id,
                                std::span<const CostAnomaly> anomalies, std::int64_t now) {
  auto rules = repository.ListAlertRules(tenant_id);
  if (!rules) return unexpected(std::move(rules.error()));
  std::vector<store::AlertDeliveryRecord> deliveries;
  for (const store::AlertRuleRecord& rule : *rules) {
    if (!rule.enabled || rule.frequency != store::AlertFrequency::kImmediate) continue;
    for (const CostAnomaly& anomaly : anomalies) {
      if (anomaly.id == 0 || !Alertable(anomaly) || !RuleMatches(rule, anomaly)) continue;
      if (anomaly.status != AnomalyStatus::kOpen && anomaly.detected_at < rule.created_at) {
        continue;
      }
      store::AlertDeliveryRecord delivery = ImmediateDelivery(tenant_id, rule, now);
      delivery.anomaly_ids = {anomaly.id};
      delivery.dedupe_key = fmt::format("anomaly:{}", anomaly.id);
      AddPerChannel(rule, std::move(delivery), deliveries);
    }
  }
  if (deliveries.empty()) return 0;
  auto ids = repository.QueueAlertDeliveries(tenant_id, deliveries);
  if (!ids) return unexpected(std::move(ids.error()));
  return static_cast<int>(ids->size());
}

namespace {

constexpr std::string_view kEc2ServiceName = "Amazon EC2";

double MetricChangePercent(const MetricAnomaly& anomaly) {
  const double base = std::max(std::abs(anomaly.expected_value), 1e-9);
  return std::abs(anomaly.peak_value - anomaly.expected_value) / base * 100;
}

AnomalySeverity MetricSeverity(const MetricAnomaly& anomaly) {
  const double change = MetricChangePercent(anomaly);
  if (change >= 500) return AnomalySeverity::kHigh;
  if (change >= 100) return AnomalySeverity::kMedium;
  return AnomalySeverity::kLow;
}

// "2026-11-25 10:05"
std::string TimestampText(std::int64_t seconds) {
  const std::int64_t of_day = ((seconds % 86'400) + 86'400) % 86'400;
  return fmt::format("{} {:02}:{:02}", DateOfTimestamp(seconds).ToString(), of_day / 3600,
                     of_day % 3600 / 60);
}

std::string MetricValue(double value) {
  return std::abs(value) >= 1000 || value == std::floor(value) ? fmt::format("{:.0f}", value)
                                                               : fmt::format("{:.2f}", value);
}

AlertItem ItemOfMetric(const MetricAnomaly& anomaly, const AlertOptions& options) {
  AlertItem item;
  item.anomaly_id = anomaly.id;
  item.monitor = fmt::format("{} {}", anomaly.instance_id, anomaly.metric);
  item.start_date = DateOfTimestamp(anomaly.started_at);
  item.end_date = DateOfTimestamp(anomaly.ended_at);
  item.impact_percent = MetricChangePercent(anomaly);
  item.severity = MetricSeverity(anomaly);
  item.status = anomaly.open ? AnomalyStatus::kOpen : AnomalyStatus::kClosed;
  item.root_causes.push_back(RootCause{"resource", anomaly.instance_id, Money()});
  std::string base = options.public_url;
  while (base.ends_with('/')) base.pop_back();
  item.url = fmt::format("{}/anomalies", base);  // the list of metric anomalies
  item.summary = fmt::format(
      "{} {} reached {} where {} was expected, from {} to {} UTC ({} region); severity {}, {}",
      anomaly.instance_id, anomaly.metric, MetricValue(anomaly.peak_value),
      MetricValue(anomaly.expected_value), TimestampText(anomaly.started_at),
      TimestampText(anomaly.ended_at), anomaly.region, SeverityName(item.severity),
      anomaly.open ? "ongoing" : "over");
  return item;
}

}  // namespace

bool RuleMatchesMetric(const store::AlertRuleRecord& rule, const MetricAnomaly& anomaly) {
  if (rule.min_impact > Money()) return false;
  if (rule.min_percent && MetricChangePercent(anomaly) < *rule.min_percent) return false;
  if (MetricSeverity(anomaly) < rule.min_severity) return false;
  return std::all_of(rule.filters.begin(), rule.filters.end(),
                     [&](const store::AlertRuleFilter& filter) {
                       const auto listed = [&](std::string_view value) {
                         return std::find(filter.values.begin(), filter.values.end(), value) !=
                                filter.values.end();
                       };
                       if (filter.dimension == kMonitorFilter) return listed("metric");
                       if (filter.dimension == "resource") return listed(anomaly.instance_id);
                       if (filter.dimension == "region") return listed(anomaly.region);
                       if (filter.dimension == "service") return listed(kEc2ServiceName);
                       return false;
                     });
}

Result<int> OnMetricAnomaliesDetected(store::Repository& repository, std::int64_t tenant_id,
                                      std::span<const MetricAnomaly> anomalies, std::int64_t now) {
  if (anomalies.empty()) return 0;
  auto rules = repository.ListAlertRules(tenant_id);
  if (!rules) return unexpected(std::move(rules.error()));
  std::vector<store::AlertDeliveryRecord> deliveries;
  for (const store::AlertRuleRecord& rule : *rules) {
    if (!rule.enabled || rule.frequency != store::AlertFrequency::kImmediate) continue;
    for (const MetricAnomaly& anomaly : anomalies) {
      if (anomaly.id == 0 || !RuleMatchesMetric(rule, anomaly)) continue;
      store::AlertDeliveryRecord delivery = ImmediateDelivery(tenant_id, rule, now);
      delivery.metric_anomaly_ids = {anomaly.id};
      delivery.dedupe_key = fmt::format("metric:{}", anomaly.id);
      AddPerChannel(rule, std::move(delivery), deliveries);
    }
  }
  if (deliveries.empty()) return 0;
  auto ids = repository.QueueAlertDeliveries(tenant_id, deliveries);
  if (!ids) return unexpected(std::move(ids.error()));
  return static_cast<int>(ids->size());
}

Result<int> RunDigests(store::Repository& repository, std::int64_t now) {
  const Date today = DateOfTimestamp(now);
  std::map<std::int64_t, std::vector<CostAnomaly>> anomalies_of;  // by tenant, read once
  int queued = 0;
  for (const store::AlertFrequency frequency :
       {store::AlertFrequency::kDaily, store::AlertFrequency::kWeekly}) {
    auto rules = repository.ListEnabledAlertRules(frequency);
    if (!rules) return unexpected(std::move(rules.error()));
    const bool daily = frequency == store::AlertFrequency::kDaily;
    // The period ends the day before the latest midnight (daily) or Monday midnight (weekly).
    const Date period_end = daily ? today.AddDays(-1) : today.AddDays(-WeekdayOf(today) - 1);
    const Date period_start = daily ? period_end : period_end.AddDays(-(kDaysPerWeek - 1));
    const std::int64_t from = StartOf(period_start);
    const std::int64_t to = StartOf(period_end.AddDays(1));
    for (const store::AlertRuleRecord& rule : *rules) {
      if (rule.channel_ids.empty() || rule.created_at >= to) continue;
      auto cached = anomalies_of.find(rule.tenant_id);
      if (cached == anomalies_of.end()) {
        auto listed = repository.ListAnomalies(rule.tenant_id, std::nullopt);
        if (!listed) return unexpected(std::move(listed.error()));
        cached = anomalies_of.emplace(rule.tenant_id, std::move(*listed)).first;
      }
      std::vector<std::int64_t> matched;
      for (const CostAnomaly& anomaly : cached->second) {
        if (anomaly.detected_at >= from && anomaly.detected_at < to && Alertable(anomaly) &&
            RuleMatches(rule, anomaly)) {
          matched.push_back(anomaly.id);
        }
      }
      if (matched.empty()) continue;
      std::sort(matched.begin(), matched.end());
      store::AlertDeliveryRecord digest;
      digest.tenant_id = rule.tenant_id;
      digest.rule_id = rule.id;
      digest.kind = daily ? store::DeliveryKind::kDaily : store::DeliveryKind::kWeekly;
      digest.anomaly_ids = matched;
      digest.period_start = period_start;
      digest.period_end = period_end;
      digest.dedupe_key =
          fmt::format("{}:{}", store::FrequencyName(frequency), period_start.ToString());
      digest.next_attempt_at = now;
      digest.created_at = now;
      std::vector<store::AlertDeliveryRecord> deliveries;
      AddPerChannel(rule, std::move(digest), deliveries);
      auto ids = repository.QueueAlertDeliveries(rule.tenant_id, deliveries);
      if (!ids) return unexpected(std::move(ids.error()));
      queued += static_cast<int>(ids->size());
    }
  }
  return queued;
}

std::int64_t RetryDelaySeconds(int failed_attempts, const AlertOptions& options) {
  std::int64_t delay = options.retry_base_seconds;
  for (int i = 1; i < failed_attempts && delay < options.retry_max_seconds; ++i) delay *= 2;
  return std::min(delay, options.retry_max_seconds);
}

Result<AlertMessage> BuildAlertMessage(store::Repository& repository,
                                       const store::AlertDeliveryRecord& delivery,
                                       const AlertOptions& options) {
  AlertMessage message;
  message.kind = delivery.kind;
  message.organisation = delivery.tenant_name;
  message.rule = delivery.rule_name;
  message.period_start = delivery.period_start;
  message.period_end = delivery.period_end;
  for (const std::int64_t id : delivery.anomaly_ids) {
    auto anomaly = repository.GetAnomaly(delivery.tenant_id, id);
    if (!anomaly) return unexpected(std::move(anomaly.error()));
    message.items.push_back(ItemOf(*anomaly, options));
  }
  std::optional<MetricAnomaly> first_metric;
  for (const std::int64_t id : delivery.metric_anomaly_ids) {
    auto anomaly = repository.GetMetricAnomaly(delivery.tenant_id, id);
    if (!anomaly) return unexpected(std::move(anomaly.error()));
    if (!first_metric) first_metric = *anomaly;
    message.items.push_back(ItemOfMetric(*anomaly, options));
  }
  switch (delivery.kind) {
    case store::DeliveryKind::kTest:
      message.title = fmt::format("costwise test message for {}", message.organisation);
      break;
    case store::DeliveryKind::kImmediate:
      if (delivery.anomaly_ids.empty() && first_metric) {
        message.title =
            fmt::format("Metric anomaly: {} {} at {} (expected {})", first_metric->instance_id,
                        first_metric->metric, MetricValue(first_metric->peak_value),
                        MetricValue(first_metric->expected_value));
        break;
      }
      message.title =
          message.items.empty()
              ? "Cost anomaly"
              : fmt::format("Cost anomaly: {} +{} ({})", message.items.front().monitor,
                            Amount(message.items.front().impact, message.items.front().currency),
                            SeverityName(message.items.front().severity));
      break;
    case store::DeliveryKind::kDaily:
    case store::DeliveryKind::kWeekly:
      message.title = fmt::format("{} cost anomaly digest {}: {} anomal{}",
                                  delivery.kind == store::DeliveryKind::kDaily ? "Daily" : "Weekly",
                                  delivery.period_start && delivery.period_end
                                      ? Period(*delivery.period_start, *delivery.period_end)
                                      : std::string(),
                                  message.items.size(), message.items.size() == 1 ? "y" : "ies");
      break;
  }
  message.text = TextOf(message);
  return message;
}

Result<DeliveryRunSummary> DeliverDue(store::Repository& repository, AlertSender& sender,
                                      const AlertOptions& options, std::int64_t now) {
  auto due = repository.DueAlertDeliveries(now, options.batch);
  if (!due) return unexpected(std::move(due.error()));
  DeliveryRunSummary summary;
  for (const store::AlertDeliveryRecord& delivery : *due) {
    auto claimed = repository.ClaimAlertDelivery(delivery.id, delivery.attempts, now,
                                                 now + options.claim_seconds);
    if (!claimed) return unexpected(std::move(claimed.error()));
    if (!*claimed) continue;
    SendOutcome outcome;
    Result<store::AlertChannelRecord> channel =
        delivery.channel_id ? repository.GetAlertChannel(delivery.tenant_id, *delivery.channel_id)
                            : MakeError(ErrorCode::kNotFound, "the channel was deleted");
    if (!delivery.rule_id && delivery.kind != store::DeliveryKind::kTest) {
      outcome = SendOutcome{false, std::nullopt, "the rule was deleted", false};
    } else if (!channel) {
      outcome = SendOutcome{false, std::nullopt, channel.error().message, false};
    } else if (auto message = BuildAlertMessage(repository, delivery, options); !message) {
      outcome = SendOutcome{false, std::nullopt, message.error().message, false};
    } else {
      outcome = sender.Send(*channel, *message, now);
    }
    store::AlertAttempt attempt;
    attempt.at = now;
    attempt.sent = outcome.sent;
    attempt.response_status = outcome.response_status;
    attempt.error = outcome.error;
    const int attempts = delivery.attempts + 1;
    if (outcome.sent) {
      ++summary.sent;
    } else if (outcome.retryable && attempts < options.max_attempts) {
      attempt.retry_at = now + RetryDelaySeconds(attempts, options);
      ++summary.retrying;
    } else {
      ++summary.failed;
    }
    if (Status recorded = repository.RecordAlertAttempt(delivery.id, attempt); !recorded) {
      return unexpected(recorded.error());
    }
  }
  return summary;
}

Result<DetectionWithAlerts> DetectAnomaliesAndAlert(store::Repository& repository,
                                                    std::string_view tenant,
                                                    const AnomalyDetectionOptions& options) {
  AnomalyDetectionOptions timed = options;
  if (timed.now == 0) timed.now = ClockSeconds();
  auto detection = DetectCostAnomalies(repository, tenant, timed);
  if (!detection) return unexpected(std::move(detection.error()));
  auto found = repository.FindTenant(tenant);
  if (!found) return unexpected(std::move(found.error()));
  auto queued = OnAnomaliesDetected(repository, found->id, detection->anomalies, timed.now);
  if (!queued) return unexpected(std::move(queued.error()));
  return DetectionWithAlerts{std::move(*detection), *queued};
}

}  // namespace costwise::service
