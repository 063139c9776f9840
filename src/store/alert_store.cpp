#include "store/alert_store.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "store/soci_includes.h"

namespace costwise::store {
namespace {

template <typename Enum, std::size_t N>
std::optional<Enum> ParseName(std::string_view name,
                              const std::array<std::pair<Enum, std::string_view>, N>& names) {
  for (const auto& [value, text] : names) {
    if (text == name) return value;
  }
  return std::nullopt;
}

template <typename Enum, std::size_t N>
std::string_view NameOf(Enum value, const std::array<std::pair<Enum, std::string_view>, N>& names) {
  for (const auto& [candidate, text] : names) {
    if (candidate == value) return text;
  }
  return names.front().second;
}

constexpr std::array<std::pair<AlertChannelType, std::string_view>, 4> kChannelTypes = {{
    {AlertChannelType::kWebhook, "webhook"},
    {AlertChannelType::kSlack, "slack"},
    {AlertChannelType::kEmail, "email"},
    {AlertChannelType::kSns, "sns"},
}};
constexpr std::array<std::pair<AlertFrequency, std::string_view>, 3> kFrequencies = {{
    {AlertFrequency::kImmediate, "immediate"},
    {AlertFrequency::kDaily, "daily"},
    {AlertFrequency::kWeekly, "weekly"},
}};
constexpr std::array<std::pair<DeliveryKind, std::string_view>, 4> kKinds = {{
    {DeliveryKind::kImmediate, "immediate"},
    {DeliveryKind::kDaily, "daily"},
    {DeliveryKind::kWeekly, "weekly"},
    {DeliveryKind::kTest, "test"},
}};
constexpr std::array<std::pair<DeliveryStatus, std::string_view>, 3> kStatuses = {{
    {DeliveryStatus::kPending, "pending"},
    {DeliveryStatus::kSent, "sent"},
    {DeliveryStatus::kFailed, "failed"},
}};

// "3,17,20" from the ids and back.
std::string JoinIds(std::span<const std::int64_t> ids) {
  return fmt::format("{}", fmt::join(ids, ","));
}

std::vector<std::int64_t> SplitIds(std::string_view text) {
  std::vector<std::int64_t> ids;
  while (!text.empty()) {
    const std::size_t comma = text.find(',');
    const std::string_view part = text.substr(0, comma);
    std::int64_t id = 0;
    if (std::from_chars(part.data(), part.data() + part.size(), id).ec == std::errc()) {
      ids.push_back(id);
    }
    text.remove_prefix(comma == std::string_view::npos ? text.size() : comma + 1);
  }
  return ids;
}

bool NameTaken(soci::session& session, std::string_view table, long long tenant,
               const std::string& name, long long except_id) {
  long long found = 0;
  session << fmt::format(
      "SELECT id FROM {} WHERE tenant_id = :tenant AND name = :name "
      "AND id <> :except",
      table),
      soci::use(tenant, "tenant"), soci::use(name, "name"), soci::use(except_id, "except"),
      soci::into(found);
  return session.got_data();
}

Error NameConflict(std::string_view what, std::string_view name) {
  return Error{
      ErrorCode::kConflict,
      fmt::format("an alert {} named \"{}\" exists already: choose another name", what, name)};
}

// The columns of an alert_channels row.
constexpr std::string_view kChannelColumns =
    "SELECT id, tenant_id, name, type, url, email_from, email_to, smtp_username, smtp_password, "
    "starttls, topic_arn, secret, created_at, updated_at FROM alert_channels ";

// Addresses one a line, and back.
std::string JoinLines(const std::vector<std::string>& lines) {
  return fmt::format("{}", fmt::join(lines, "\n"));
}

std::vector<std::string> SplitLines(std::string_view text) {
  std::vector<std::string> lines;
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    if (end != 0) lines.emplace_back(text.substr(0, end));
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
  }
  return lines;
}

// The bound columns of one alert_channels row, read or written.
struct ChannelRow {
  long long id = 0;
  long long tenant = 0;
  std::string name;
  std::string type;
  std::string url;
  std::string email_from;
  std::string email_to;
  std::string smtp_username;
  std::string smtp_password;
  int starttls = 0;
  std::string topic_arn;
  std::string secret;
  long long created_at = 0;
  long long updated_at = 0;

  explicit ChannelRow(const AlertChannelRecord& channel = {})
      : id(channel.id),
        tenant(channel.tenant_id),
        name(channel.name),
        type(ChannelTypeName(channel.type)),
        url(channel.config.url),
        email_from(channel.config.email_from),
        email_to(JoinLines(channel.config.email_to)),
        smtp_username(channel.config.smtp_username),
        smtp_password(channel.config.smtp_password),
        starttls(channel.config.starttls ? 1 : 0),
        topic_arn(channel.config.topic_arn),
        secret(channel.secret),
        created_at(channel.created_at),
        updated_at(channel.updated_at) {}

  void BindOut(soci::statement& statement) {
    statement.exchange(soci::into(id));
    statement.exchange(soci::into(tenant));
    statement.exchange(soci::into(name));
    statement.exchange(soci::into(type));
    statement.exchange(soci::into(url));
    statement.exchange(soci::into(email_from));
    statement.exchange(soci::into(email_to));
    statement.exchange(soci::into(smtp_username));
    statement.exchange(soci::into(smtp_password));
    statement.exchange(soci::into(starttls));
    statement.exchange(soci::into(topic_arn));
    statement.exchange(soci::into(secret));
    statement.exchange(soci::into(created_at));
    statement.exchange(soci::into(updated_at));
  }

  // The named values of every column but the id and created_at.
  void BindIn(soci::statement& statement) {
    statement.exchange(soci::use(tenant, "tenant"));
    statement.exchange(soci::use(name, "name"));
    statement.exchange(soci::use(type, "type"));
    statement.exchange(soci::use(url, "url"));
    statement.exchange(soci::use(email_from, "email_from"));
    statement.exchange(soci::use(email_to, "email_to"));
    statement.exchange(soci::use(smtp_username, "smtp_username"));
    statement.exchange(soci::use(smtp_password, "smtp_password"));
    statement.exchange(soci::use(starttls, "starttls"));
    statement.exchange(soci::use(topic_arn, "topic_arn"));
    statement.exchange(soci::use(secret, "secret"));
    statement.exchange(soci::use(updated_at, "updated"));
  }

  [[nodiscard]] AlertChannelRecord Record() const {
    AlertChannelRecord channel;
    channel.id = id;
    channel.tenant_id = tenant;
    channel.name = name;
    channel.type = ParseChannelType(type).value_or(AlertChannelType::kWebhook);
    channel.config.url = url;
    channel.config.email_from = email_from;
    channel.config.email_to = SplitLines(email_to);
    channel.config.smtp_username = smtp_username;
    channel.config.smtp_password = smtp_password;
    channel.config.starttls = starttls != 0;
    channel.config.topic_arn = topic_arn;
    channel.secret = secret;
    channel.created_at = created_at;
    channel.updated_at = updated_at;
    return channel;
  }
};

// Runs `sql` with the statement's values bound by `bind` and returns how many rows it changed.
template <typename Bind>
long long Execute(soci::session& session, const std::string& sql, Bind&& bind) {
  soci::statement statement(session);
  bind(statement);
  statement.alloc();
  statement.prepare(sql);
  statement.define_and_bind();
  statement.execute(true);
  return statement.get_affected_rows();
}

template <typename Bind>
std::vector<AlertChannelRecord> SelectChannels(soci::session& session, std::string_view where,
                                               Bind&& bind) {
  ChannelRow row;
  soci::statement select(session);
  row.BindOut(select);
  bind(select);
  select.alloc();
  select.prepare(std::string(kChannelColumns) + std::string(where));
  select.define_and_bind();
  select.execute();
  std::vector<AlertChannelRecord> channels;
  while (select.fetch()) channels.push_back(row.Record());
  return channels;
}

constexpr std::string_view kRuleColumns =
    "SELECT id, tenant_id, name, min_impact_nanos, min_percent, min_severity, frequency, "
    " enabled, created_at, updated_at FROM alert_rules ";

struct RuleRow {
  long long id = 0;
  long long tenant = 0;
  std::string name;
  long long min_impact = 0;
  double min_percent = 0;
  soci::indicator min_percent_indicator = soci::i_ok;
  std::string severity;
  std::string frequency;
  int enabled = 0;
  long long created_at = 0;
  long long updated_at = 0;

  [[nodiscard]] AlertRuleRecord Record() const {
    AlertRuleRecord rule;
    rule.id = id;
    rule.tenant_id = tenant;
    rule.name = name;
    rule.min_impact = Money::FromNanos(min_impact);
    if (min_percent_indicator == soci::i_ok) rule.min_percent = min_percent;
    rule.min_severity = ParseSeverity(severity).value_or(AnomalySeverity::kLow);
    rule.frequency = ParseFrequency(frequency).value_or(AlertFrequency::kImmediate);
    rule.enabled = enabled != 0;
    rule.created_at = created_at;
    rule.updated_at = updated_at;
    return rule;
  }
};

template <typename Bind>
std::vector<AlertRuleRecord> SelectRules(soci::session& session, std::string_view where,
                                         Bind&& bind) {
  RuleRow row;
  soci::statement select(session);
  select.exchange(soci::into(row.id));
  select.exchange(soci::into(row.tenant));
  select.exchange(soci::into(row.name));
  select.exchange(soci::into(row.min_impact));
  select.exchange(soci::into(row.min_percent, row.min_percent_indicator));
  select.exchange(soci::into(row.severity));
  select.exchange(soci::into(row.frequency));
  select.exchange(soci::into(row.enabled));
  select.exchange(soci::into(row.created_at));
  select.exchange(soci::into(row.updated_at));
  bind(select);
  select.alloc();
  select.prepare(std::string(kRuleColumns) + std::string(where));
  select.define_and_bind();
  select.execute();
  std::vector<AlertRuleRecord> rules;
  while (select.fetch()) rules.push_back(row.Record());
  for (AlertRuleRecord& rule : rules) {
    const long long rule_id = rule.id;
    long long channel = 0;
    soci::statement channels =
        (session.prepare << "SELECT channel_id FROM alert_rule_channels WHERE rule_id = :rule "
                            "ORDER BY channel_id",
         soci::use(rule_id, "rule"), soci::into(channel));
    channels.execute();
    while (channels.fetch()) rule.channel_ids.push_back(channel);
    std::string dimension;
    std::string value;
    soci::statement filters =
        (session.prepare << "SELECT dimension, value FROM alert_rule_filters WHERE rule_id = "
                            ":rule ORDER BY dimension, value",
         soci::use(rule_id, "rule"), soci::into(dimension), soci::into(value));
    filters.execute();
    while (filters.fetch()) {
      if (rule.filters.empty() || rule.filters.back().dimension != dimension) {
        rule.filters.push_back(AlertRuleFilter{dimension, {}});
      }
      rule.filters.back().values.push_back(value);
    }
  }
  return rules;
}

// InvalidInput unless every channel is one of the tenant's.
Status CheckChannels(soci::session& session, long long tenant,
                     std::span<const std::int64_t> channel_ids) {
  for (const std::int64_t channel_id : channel_ids) {
    const long long id = channel_id;
    long long found = 0;
    session << "SELECT id FROM alert_channels WHERE id = :id AND tenant_id = :tenant",
        soci::use(id, "id"), soci::use(tenant, "tenant"), soci::into(found);
    if (!session.got_data()) {
      return MakeError(ErrorCode::kInvalidInput,
                       fmt::format("channel_ids: there is no alert channel {}", channel_id));
    }
  }
  return {};
}

// The rule's channels and filters, replacing any it had.
void WriteRuleLinks(soci::session& session, long long rule_id, const AlertRuleRecord& rule) {
  session << "DELETE FROM alert_rule_channels WHERE rule_id = :rule", soci::use(rule_id, "rule");
  session << "DELETE FROM alert_rule_filters WHERE rule_id = :rule", soci::use(rule_id, "rule");
  for (const AlertRuleFilter& filter : rule.filters) {
    for (const std::string& value : filter.values) {
      session << "INSERT INTO alert_rule_filters (rule_id, dimension, value) VALUES (:rule, "
                 ":dimension, :value) ON CONFLICT DO NOTHING",
          soci::use(rule_id, "rule"), soci::use(filter.dimension, "dimension"),
          soci::use(value, "value");
    }
  }
  for (const std::int64_t channel_id : rule.channel_ids) {
    const long long channel = channel_id;
    session << "INSERT INTO alert_rule_channels (rule_id, channel_id) VALUES (:rule, :channel) "
               "ON CONFLICT DO NOTHING",
        soci::use(rule_id, "rule"), soci::use(channel, "channel");
  }
}

constexpr std::string_view kDeliveryColumns =
    "SELECT d.id, d.tenant_id, d.rule_id, d.channel_id, d.kind, d.anomaly_ids, "
    "d.metric_anomaly_ids, d.period_start, "
    "d.period_end, d.dedupe_key, d.status, d.attempts, d.next_attempt_at, d.last_error, "
    "d.response_status, d.created_at, d.updated_at, d.sent_at, t.name, r.name, c.name "
    "FROM alert_deliveries d JOIN tenants t ON t.id = d.tenant_id "
    "LEFT JOIN alert_rules r ON r.id = d.rule_id "
    "LEFT JOIN alert_channels c ON c.id = d.channel_id ";

struct DeliveryRow {
  long long id = 0;
  long long tenant = 0;
  long long rule = 0;
  soci::indicator rule_indicator = soci::i_ok;
  long long channel = 0;
  soci::indicator channel_indicator = soci::i_ok;
  std::string kind;
  std::string anomaly_ids;
  std::string metric_anomaly_ids;
  int period_start = 0;
  soci::indicator period_start_indicator = soci::i_ok;
  int period_end = 0;
  soci::indicator period_end_indicator = soci::i_ok;
  std::string dedupe_key;
  std::string status;
  int attempts = 0;
  long long next_attempt_at = 0;
  std::string last_error;
  int response_status = 0;
  soci::indicator response_indicator = soci::i_ok;
  long long created_at = 0;
  long long updated_at = 0;
  long long sent_at = 0;
  soci::indicator sent_indicator = soci::i_ok;
  std::string tenant_name;
  std::string rule_name;
  soci::indicator rule_name_indicator = soci::i_ok;
  std::string channel_name;
  soci::indicator channel_name_indicator = soci::i_ok;

  void Bind(soci::statement& statement) {
    statement.exchange(soci::into(id));
    statement.exchange(soci::into(tenant));
    statement.exchange(soci::into(rule, rule_indicator));
    statement.exchange(soci::into(channel, channel_indicator));
    statement.exchange(soci::into(kind));
    statement.exchange(soci::into(anomaly_ids));
    statement.exchange(soci::into(metric_anomaly_ids));
    statement.exchange(soci::into(period_start, period_start_indicator));
    statement.exchange(soci::into(period_end, period_end_indicator));
    statement.exchange(soci::into(dedupe_key));
    statement.exchange(soci::into(status));
    statement.exchange(soci::into(attempts));
    statement.exchange(soci::into(next_attempt_at));
    statement.exchange(soci::into(last_error));
    statement.exchange(soci::into(response_status, response_indicator));
    statement.exchange(soci::into(created_at));
    statement.exchange(soci::into(updated_at));
    statement.exchange(soci::into(sent_at, sent_indicator));
    statement.exchange(soci::into(tenant_name));
    statement.exchange(soci::into(rule_name, rule_name_indicator));
    statement.exchange(soci::into(channel_name, channel_name_indicator));
  }

  [[nodiscard]] AlertDeliveryRecord Record() const {
    AlertDeliveryRecord record;
    record.id = id;
    record.tenant_id = tenant;
    if (rule_indicator == soci::i_ok) record.rule_id = rule;
    if (channel_indicator == soci::i_ok) record.channel_id = channel;
    record.kind = ParseDeliveryKind(kind).value_or(DeliveryKind::kImmediate);
    record.anomaly_ids = SplitIds(anomaly_ids);
    record.metric_anomaly_ids = SplitIds(metric_anomaly_ids);
    if (period_start_indicator == soci::i_ok) record.period_start = Date::FromDays(period_start);
    if (period_end_indicator == soci::i_ok) record.period_end = Date::FromDays(period_end);
    record.dedupe_key = dedupe_key;
    record.status = ParseDeliveryStatus(status).value_or(DeliveryStatus::kFailed);
    record.attempts = attempts;
    record.next_attempt_at = next_attempt_at;
    record.last_error = last_error;
    if (response_indicator == soci::i_ok) record.response_status = response_status;
    record.created_at = created_at;
    record.updated_at = updated_at;
    if (sent_indicator == soci::i_ok) record.sent_at = sent_at;
    record.tenant_name = tenant_name;
    if (rule_name_indicator == soci::i_ok) record.rule_name = rule_name;
    if (channel_name_indicator == soci::i_ok) record.channel_name = channel_name;
    return record;
  }
};

// Runs the delivery SELECT with `where` and the values `bind` adds.
template <typename Bind>
std::vector<AlertDeliveryRecord> SelectDeliveries(soci::session& session, std::string_view where,
                                                  Bind&& bind) {
  DeliveryRow row;
  soci::statement select(session);
  row.Bind(select);
  bind(select);
  select.alloc();
  select.prepare(std::string(kDeliveryColumns) + std::string(where));
  select.define_and_bind();
  select.execute();
  std::vector<AlertDeliveryRecord> deliveries;
  while (select.fetch()) deliveries.push_back(row.Record());
  return deliveries;
}

}  // namespace

std::string_view ChannelTypeName(AlertChannelType type) { return NameOf(type, kChannelTypes); }
std::optional<AlertChannelType> ParseChannelType(std::string_view name) {
  return ParseName(name, kChannelTypes);
}
std::string_view FrequencyName(AlertFrequency frequency) { return NameOf(frequency, kFrequencies); }
std::optional<AlertFrequency> ParseFrequency(std::string_view name) {
  return ParseName(name, kFrequencies);
}
std::string_view DeliveryKindName(DeliveryKind kind) { return NameOf(kind, kKinds); }
std::optional<DeliveryKind> ParseDeliveryKind(std::string_view name) {
  return ParseName(name, kKinds);
}
std::string_view DeliveryStatusName(DeliveryStatus status) { return NameOf(status, kStatuses); }
std::optional<DeliveryStatus> ParseDeliveryStatus(std::string_view name) {
  return ParseName(name, kStatuses);
}

Result<std::int64_t> InsertAlertChannel(soci::session& session, const AlertChannelRecord& channel) {
  ChannelRow row(channel);
  if (NameTaken(session, "alert_channels", row.tenant, row.name, 0)) {
    return unexpected(NameConflict("channel", channel.name));
  }
  long long id = 0;
  Execute(session,
          "INSERT INTO alert_channels (tenant_id, name, type, url, email_from, email_to, "
          "smtp_username, smtp_password, starttls, topic_arn, secret, created_at, updated_at) "
          "VALUES (:tenant, :name, :type, :url, :email_from, :email_to, :smtp_username, "
          ":smtp_password, :starttls, :topic_arn, :secret, :created, :updated) RETURNING id",
          [&](soci::statement& statement) {
            row.BindIn(statement);
            statement.exchange(soci::use(row.created_at, "created"));
            statement.exchange(soci::into(id));
          });
  return id;
}

std::vector<AlertChannelRecord> SelectAlertChannels(soci::session& session,
                                                    std::int64_t tenant_id) {
  const long long tenant = tenant_id;
  return SelectChannels(
      session, "WHERE tenant_id = :tenant ORDER BY id",
      [&](soci::statement& statement) { statement.exchange(soci::use(tenant, "tenant")); });
}

Result<AlertChannelRecord> SelectAlertChannel(soci::session& session, std::int64_t tenant_id,
                                              std::int64_t channel_id) {
  const long long tenant = tenant_id;
  const long long id = channel_id;
  std::vector<AlertChannelRecord> found = SelectChannels(
      session, "WHERE id = :id AND tenant_id = :tenant", [&](soci::statement& statement) {
        statement.exchange(soci::use(id, "id"));
        statement.exchange(soci::use(tenant, "tenant"));
      });
  if (found.empty()) {
    return MakeError(ErrorCode::kNotFound, fmt::format("no alert channel {}", channel_id));
  }
  return std::move(found.front());
}

Status UpdateAlertChannelRow(soci::session& session, const AlertChannelRecord& channel) {
  ChannelRow row(channel);
  if (NameTaken(session, "alert_channels", row.tenant, row.name, row.id)) {
    return unexpected(NameConflict("channel", channel.name));
  }
  const long long changed =
      Execute(session,
              "UPDATE alert_channels SET name = :name, type = :type, url = :url, email_from = "
              ":email_from, email_to = :email_to, smtp_username = :smtp_username, smtp_password "
              "= :smtp_password, starttls = :starttls, topic_arn = :topic_arn, secret = :secret, "
              "updated_at = :updated WHERE id = :id AND tenant_id = :tenant",
              [&](soci::statement& statement) {
                row.BindIn(statement);
                statement.exchange(soci::use(row.id, "id"));
              });
  if (changed == 0) {
    return MakeError(ErrorCode::kNotFound, fmt::format("no alert channel {}", channel.id));
  }
  return {};
}

Status DeleteAlertChannelRow(soci::session& session, std::int64_t tenant_id,
                             std::int64_t channel_id) {
  const long long tenant = tenant_id;
  const long long id = channel_id;
  soci::statement remove =
      (session.prepare << "DELETE FROM alert_channels WHERE id = :id AND tenant_id = :tenant",
       soci::use(id, "id"), soci::use(tenant, "tenant"));
  remove.execute(true);
  if (remove.get_affected_rows() == 0) {
    return MakeError(ErrorCode::kNotFound, fmt::format("no alert channel {}", channel_id));
  }
  return {};
}

Result<std::int64_t> InsertAlertRule(soci::session& session, const AlertRuleRecord& rule) {
  const long long tenant = rule.tenant_id;
  if (Status channels = CheckChannels(session, tenant, rule.channel_ids); !channels) {
    return unexpected(std::move(channels.error()));
  }
  if (NameTaken(session, "alert_rules", tenant, rule.name, 0)) {
    return unexpected(NameConflict("rule", rule.name));
  }
  const long long min_impact = rule.min_impact.nanos();
  const double min_percent = rule.min_percent.value_or(0);
  soci::indicator percent_indicator = rule.min_percent ? soci::i_ok : soci::i_null;
  const std::string severity(SeverityName(rule.min_severity));
  const std::string frequency(FrequencyName(rule.frequency));
  const int enabled = rule.enabled ? 1 : 0;
  const long long created_at = rule.created_at;
  const long long updated_at = rule.updated_at;
  long long id = 0;
  session << "INSERT INTO alert_rules (tenant_id, name, min_impact_nanos, min_percent, "
             "min_severity, frequency, enabled, created_at, updated_at) VALUES "
             "(:tenant, :name, :impact, :percent, :severity, :frequency, :enabled, "
             ":created, :updated) RETURNING id",
      soci::use(tenant, "tenant"), soci::use(rule.name, "name"), soci::use(min_impact, "impact"),
      soci::use(min_percent, percent_indicator, "percent"), soci::use(severity, "severity"),
      soci::use(frequency, "frequency"), soci::use(enabled, "enabled"),
      soci::use(created_at, "created"), soci::use(updated_at, "updated"), soci::into(id);
  WriteRuleLinks(session, id, rule);
  return id;
}

std::vector<AlertRuleRecord> SelectAlertRules(soci::session& session, std::int64_t tenant_id) {
  const long long tenant = tenant_id;
  return SelectRules(
      session, "WHERE tenant_id = :tenant ORDER BY id",
      [&](soci::statement& statement) { statement.exchange(soci::use(tenant, "tenant")); });
}

std::vector<AlertRuleRecord> SelectEnabledAlertRules(soci::session& session,
                                                     AlertFrequency frequency) {
  const std::string name(FrequencyName(frequency));
  return SelectRules(
      session, "WHERE enabled = 1 AND frequency = :frequency ORDER BY id",
      [&](soci::statement& statement) { statement.exchange(soci::use(name, "frequency")); });
}

Result<AlertRuleRecord> SelectAlertRule(soci::session& session, std::int64_t tenant_id,
                                        std::int64_t rule_id) {
  const long long tenant = tenant_id;
  const long long id = rule_id;
  std::vector<AlertRuleRecord> rules = SelectRules(
      session, "WHERE id = :id AND tenant_id = :tenant", [&](soci::statement& statement) {
        statement.exchange(soci::use(id, "id"));
        statement.exchange(soci::use(tenant, "tenant"));
      });
  if (rules.empty()) {
    return MakeError(ErrorCode::kNotFound, fmt::format("no alert rule {}", rule_id));
  }
  return std::move(rules.front());
}

Status UpdateAlertRuleRow(soci::session& session, const AlertRuleRecord& rule) {
  const long long tenant = rule.tenant_id;
  const long long id = rule.id;
  if (Status channels = CheckChannels(session, tenant, rule.channel_ids); !channels) {
    return channels;
  }
  if (NameTaken(session, "alert_rules", tenant, rule.name, id)) {
    return unexpected(NameConflict("rule", rule.name));
  }
  const long long min_impact = rule.min_impact.nanos();
  const double min_percent = rule.min_percent.value_or(0);
  soci::indicator percent_indicator = rule.min_percent ? soci::i_ok : soci::i_null;
  const std::string severity(SeverityName(rule.min_severity));
  const std::string frequency(FrequencyName(rule.frequency));
  const int enabled = rule.enabled ? 1 : 0;
  const long long updated_at = rule.updated_at;
  soci::statement update =
      (session.prepare << "UPDATE alert_rules SET name = :name, min_impact_nanos = :impact, "
                          "min_percent = :percent, min_severity = :severity, "
                          "frequency = :frequency, enabled = :enabled, updated_at = "
                          ":updated WHERE id = :id AND tenant_id = :tenant",
       soci::use(rule.name, "name"), soci::use(min_impact, "impact"),
       soci::use(min_percent, percent_indicator, "percent"), soci::use(severity, "severity"),
       soci::use(frequency, "frequency"), soci::use(enabled, "enabled"),
       soci::use(updated_at, "updated"), soci::use(id, "id"), soci::use(tenant, "tenant"));
  update.execute(true);
  if (update.get_affected_rows() == 0) {
    return MakeError(ErrorCode::kNotFound, fmt::format("no alert rule {}", rule.id));
  }
  WriteRuleLinks(session, id, rule);
  return {};
}

Status DeleteAlertRuleRow(soci::session& session, std::int64_t tenant_id, std::int64_t rule_id) {
  const long long tenant = tenant_id;
  const long long id = rule_id;
  soci::statement remove =
      (session.prepare << "DELETE FROM alert_rules WHERE id = :id AND tenant_id = :tenant",
       soci::use(id, "id"), soci::use(tenant, "tenant"));
  remove.execute(true);
  if (remove.get_affected_rows() == 0) {
    return MakeError(ErrorCode::kNotFound, fmt::format("no alert rule {}", rule_id));
  }
  return {};
}

std::vector<std::int64_t> InsertAlertDeliveries(soci::session& session, std::int64_t tenant_id,
                                                std::span<const AlertDeliveryRecord> deliveries) {
  const long long tenant = tenant_id;
  std::vector<std::int64_t> ids;
  // (rule, key) pairs queued by this call: several channels of one rule share a key.
  std::vector<std::pair<long long, std::string>> queued;
  for (const AlertDeliveryRecord& delivery : deliveries) {
    const long long rule = delivery.rule_id.value_or(0);
    soci::indicator rule_indicator = delivery.rule_id ? soci::i_ok : soci::i_null;
    if (delivery.rule_id) {
      const std::pair<long long, std::string> key{rule, delivery.dedupe_key};
      if (std::find(queued.begin(), queued.end(), key) == queued.end()) {
        long long existing = 0;
        session << "SELECT COUNT(*) FROM alert_deliveries WHERE rule_id = :rule AND "
                   "dedupe_key = :key",
            soci::use(rule, "rule"), soci::use(delivery.dedupe_key, "key"), soci::into(existing);
        if (existing > 0) continue;
        queued.push_back(key);
      }
    }
    const long long channel = delivery.channel_id.value_or(0);
    soci::indicator channel_indicator = delivery.channel_id ? soci::i_ok : soci::i_null;
    const std::string kind(DeliveryKindName(delivery.kind));
    const std::string anomaly_ids = JoinIds(delivery.anomaly_ids);
    const std::string metric_anomaly_ids = JoinIds(delivery.metric_anomaly_ids);
    const int period_start = delivery.period_start ? delivery.period_start->days() : 0;
    soci::indicator start_indicator = delivery.period_start ? soci::i_ok : soci::i_null;
    const int period_end = delivery.period_end ? delivery.period_end->days() : 0;
    soci::indicator end_indicator = delivery.period_end ? soci::i_ok : soci::i_null;
    const std::string status(DeliveryStatusName(DeliveryStatus::kPending));
    const long long next_attempt_at = delivery.next_attempt_at;
    const long long created_at = delivery.created_at;
    long long id = 0;
    session << "INSERT INTO alert_deliveries (tenant_id, rule_id, channel_id, kind, anomaly_ids, "
               "metric_anomaly_ids, period_start, period_end, dedupe_key, status, attempts, "
               "next_attempt_at, last_error, created_at, updated_at) VALUES (:tenant, :rule, "
               ":channel, :kind, :anomalies, :metric_anomalies, :start, :end, :key, :status, 0, "
               ":next, '', :created, :created) RETURNING id",
        soci::use(tenant, "tenant"), soci::use(rule, rule_indicator, "rule"),
        soci::use(channel, channel_indicator, "channel"), soci::use(kind, "kind"),
        soci::use(anomaly_ids, "anomalies"),
        soci::use(metric_anomaly_ids, "metric_anomalies"),
        soci::use(period_start, start_indicator, "start"),
        soci::use(period_end, end_indicator, "end"), soci::use(delivery.dedupe_key, "key"),
        soci::use(status, "status"), soci::use(next_attempt_at, "next"),
        soci::use(created_at, "created"), soci::into(id);
    ids.push_back(id);
  }
  return ids;
}

std::vector<AlertDeliveryRecord> SelectAlertDeliveries(soci::session& session,
                                                       std::int64_t tenant_id,
                                                       const AlertDeliveryFilter& filter) {
  const long long tenant = tenant_id;
  const std::string status(filter.status ? DeliveryStatusName(*filter.status) : "");
  const long long rule = filter.rule_id.value_or(0);
  const long long channel = filter.channel_id.value_or(0);
  const int limit = filter.limit;
  return SelectDeliveries(
      session,
      "WHERE d.tenant_id = :tenant AND (d.status = :status OR :status = '') AND "
      "(d.rule_id = :rule OR :rule = 0) AND (d.channel_id = :channel OR :channel = 0) "
      "ORDER BY d.id DESC LIMIT :limit",
      [&](soci::statement& statement) {
        statement.exchange(soci::use(tenant, "tenant"));
        statement.exchange(soci::use(status, "status"));
        statement.exchange(soci::use(rule, "rule"));
        statement.exchange(soci::use(channel, "channel"));
        statement.exchange(soci::use(limit, "limit"));
      });
}

Result<AlertDeliveryRecord> SelectAlertDelivery(soci::session& session, std::int64_t tenant_id,
                                                std::int64_t delivery_id) {
  const long long tenant = tenant_id;
  const long long id = delivery_id;
  std::vector<AlertDeliveryRecord> found = SelectDeliveries(
      session, "WHERE d.id = :id AND d.tenant_id = :tenant", [&](soci::statement& statement) {
        statement.exchange(soci::use(id, "id"));
        statement.exchange(soci::use(tenant, "tenant"));
      });
  if (found.empty()) {
    return MakeError(ErrorCode::kNotFound, fmt::format("no alert delivery {}", delivery_id));
  }
  return std::move(found.front());
}

std::vector<AlertDeliveryRecord> SelectDueAlertDeliveries(soci::session& session, std::int64_t now,
                                                          int limit) {
  const long long at = now;
  const std::string status(DeliveryStatusName(DeliveryStatus::kPending));
  return SelectDeliveries(session,
                          "WHERE d.status = :status AND d.next_attempt_at <= :now "
                          "ORDER BY d.next_attempt_at, d.id LIMIT :limit",
                          [&](soci::statement& statement) {
                            statement.exchange(soci::use(status, "status"));
                            statement.exchange(soci::use(at, "now"));
                            statement.exchange(soci::use(limit, "limit"));
                          });
}

bool ClaimAlertDeliveryRow(soci::session& session, std::int64_t delivery_id, int attempts,
                           std::int64_t now, std::int64_t lease_until) {
  const long long id = delivery_id;
  const long long at = now;
  const long long lease = lease_until;
  soci::statement claim =
      (session.prepare << "UPDATE alert_deliveries SET next_attempt_at = :lease WHERE id = :id "
                          "AND status = 'pending' AND attempts = :attempts AND "
                          "next_attempt_at <= :now",
       soci::use(lease, "lease"), soci::use(id, "id"), soci::use(attempts, "attempts"),
       soci::use(at, "now"));
  claim.execute(true);
  return claim.get_affected_rows() > 0;
}

Status RecordAlertAttemptRow(soci::session& session, std::int64_t delivery_id,
                             const AlertAttempt& attempt) {
  const long long id = delivery_id;
  const long long at = attempt.at;
  const DeliveryStatus outcome = attempt.sent       ? DeliveryStatus::kSent
                                 : attempt.retry_at ? DeliveryStatus::kPending
                                                    : DeliveryStatus::kFailed;
  const std::string status(DeliveryStatusName(outcome));
  const long long next = attempt.retry_at.value_or(at);
  const int response = attempt.response_status.value_or(0);
  soci::indicator response_indicator = attempt.response_status ? soci::i_ok : soci::i_null;
  const long long sent_at = at;
  soci::indicator sent_indicator = attempt.sent ? soci::i_ok : soci::i_null;
  soci::statement update =
      (session.prepare << "UPDATE alert_deliveries SET attempts = attempts + 1, status = :status, "
                          "next_attempt_at = :next, last_error = :error, response_status = "
                          ":response, updated_at = :at, sent_at = :sent WHERE id = :id",
       soci::use(status, "status"), soci::use(next, "next"), soci::use(attempt.error, "error"),
       soci::use(response, response_indicator, "response"), soci::use(at, "at"),
       soci::use(sent_at, sent_indicator, "sent"), soci::use(id, "id"));
  update.execute(true);
  if (update.get_affected_rows() == 0) {
    return MakeError(ErrorCode::kNotFound, fmt::format("no alert delivery {}", delivery_id));
  }
  return {};
}

}  // namespace costwise::store
