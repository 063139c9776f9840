#pragma once
// Alerts (docs/service.md, "Alerts"): a tenant's channels (generic webhook, Slack incoming
// webhook, email over SMTP, AWS SNS) and rules (minimum impact, percent and severity, dimension
// filters, immediate or daily or weekly); which anomalies a rule matches; queueing deliveries
// (immediate ones after a detection, never twice for one anomaly and rule; digests once a day and
// on Mondays); and sending due deliveries through an AlertSender with retries and capped
// exponential backoff, every outcome recorded in the delivery log. The wire formats (JSON,
// HMAC signature, MIME) belong to the sender (api/alert_sender.h).
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/cost_anomaly.h"
#include "core/date.h"
#include "core/error.h"
#include "core/metric_anomaly.h"
#include "service/anomaly_service.h"
#include "service/auth.h"
#include "store/alert_types.h"
#include "store/repository.h"

namespace costwise::service {

struct AlertOptions {
  std::string public_url = "http://localhost:8080";  // links: <public_url>/anomalies/<id>
  int max_attempts = 5;
  // The wait after the n-th failed attempt: retry_base_seconds * 2^(n-1), at most
  // retry_max_seconds (1, 2, 4, 8 minutes by default).
  std::int64_t retry_base_seconds = 60;
  std::int64_t retry_max_seconds = 3600;
  // A delivery being sent is claimed for this long, so that another server does not send it too.
  std::int64_t claim_seconds = 300;
  int batch = 50;  // deliveries sent per DeliverDue call
};

// One anomaly in a message, with what a reader needs.
struct AlertItem {
  std::int64_t anomaly_id = 0;
  std::string monitor;  // "total", "service=Amazon EC2"
  Date start_date;
  Date end_date;
  std::string currency;
  Money impact;
  std::optional<double> impact_percent;
  AnomalySeverity severity = AnomalySeverity::kLow;
  AnomalyStatus status = AnomalyStatus::kOpen;
  // The top root cause, then the largest service, account and region contributors.
  std::vector<RootCause> root_causes;
  std::string url;      // the anomaly in the UI
  std::string summary;  // one line: "service=Amazon EC2 cost $1,200.00 more than expected ..."
};

// What one delivery says, before a channel's wire format.
struct AlertMessage {
  store::DeliveryKind kind = store::DeliveryKind::kImmediate;
  std::string organisation;
  std::string rule;  // "" for a test message
  std::optional<Date> period_start;
  std::optional<Date> period_end;
  std::string title;  // a subject line
  std::string text;   // the plain-text body
  std::vector<AlertItem> items;
};

// The outcome of sending one message to one channel.
struct SendOutcome {
  bool sent = false;
  std::optional<int> response_status;  // HTTP status or SMTP reply code, when one came back
  std::string error;                   // why it failed
  bool retryable = true;               // false: retrying cannot help (a 4xx, access denied)
};

// Sends a message to a channel. Implementations must not log secrets or URLs with tokens.
class AlertSender {
 public:
  virtual ~AlertSender() = default;
  AlertSender() = default;
  AlertSender(const AlertSender&) = delete;
  AlertSender& operator=(const AlertSender&) = delete;
  [[nodiscard]] virtual SendOutcome Send(const store::AlertChannelRecord& channel,
                                         const AlertMessage& message, std::int64_t now) = 0;
};

// --- channels and rules of the principal's organisation (admins write, viewers read) ---------

// A channel as given: for PUT, an empty url or SMTP password keeps the stored one.
struct AlertChannelInput {
  std::string name;
  std::string type;  // webhook | slack | email | sns
  store::AlertChannelConfig config;
};

// A new channel; `channel.secret` is the webhook's HMAC key, shown only in this answer.
[[nodiscard]] Result<store::AlertChannelRecord> CreateAlertChannel(store::Repository& repository,
                                                                   const Principal& principal,
                                                                   const AlertChannelInput& input,
                                                                   std::int64_t now);
[[nodiscard]] Result<std::vector<store::AlertChannelRecord>> ListAlertChannels(
    store::Repository& repository, const Principal& principal);
[[nodiscard]] Result<store::AlertChannelRecord> GetAlertChannel(store::Repository& repository,
                                                                const Principal& principal,
                                                                std::int64_t channel_id);
// The type cannot change (InvalidInput); the webhook secret stays.
[[nodiscard]] Result<store::AlertChannelRecord> UpdateAlertChannel(store::Repository& repository,
                                                                   const Principal& principal,
                                                                   std::int64_t channel_id,
                                                                   const AlertChannelInput& input,
                                                                   std::int64_t now);
[[nodiscard]] Status DeleteAlertChannel(store::Repository& repository, const Principal& principal,
                                        std::int64_t channel_id);
// Sends a test message now, records it in the log (kind "test", one attempt) and returns it.
[[nodiscard]] Result<store::AlertDeliveryRecord> TestAlertChannel(
    store::Repository& repository, AlertSender& sender, const Principal& principal,
    std::int64_t channel_id, const AlertOptions& options, std::int64_t now);

struct AlertRuleInput {
  std::string name{};
  std::string min_impact = "0";  // a decimal amount
  std::optional<double> min_percent{};
  std::string min_severity = "low";
  std::vector<store::AlertRuleFilter> filters{};
  std::string frequency = "immediate";
  std::vector<std::int64_t> channel_ids{};
  bool enabled = true;
};

[[nodiscard]] Result<store::AlertRuleRecord> CreateAlertRule(store::Repository& repository,
                                                             const Principal& principal,
                                                             const AlertRuleInput& input,
                                                             std::int64_t now);
[[nodiscard]] Result<std::vector<store::AlertRuleRecord>> ListAlertRules(
    store::Repository& repository, const Principal& principal);
[[nodiscard]] Result<store::AlertRuleRecord> GetAlertRule(store::Repository& repository,
                                                          const Principal& principal,
                                                          std::int64_t rule_id);
[[nodiscard]] Result<store::AlertRuleRecord> UpdateAlertRule(store::Repository& repository,
                                                             const Principal& principal,
                                                             std::int64_t rule_id,
                                                             const AlertRuleInput& input,
                                                             std::int64_t now);
[[nodiscard]] Status DeleteAlertRule(store::Repository& repository, const Principal& principal,
                                     std::int64_t rule_id);

// The delivery log, newest first; InvalidInput for a limit outside 1..1000.
[[nodiscard]] Result<std::vector<store::AlertDeliveryRecord>> ListAlertDeliveries(
    store::Repository& repository, const Principal& principal,
    const store::AlertDeliveryFilter& filter);

// --- matching, queueing, sending ---------------------------------------------------------------

// Whether the rule's thresholds and filters match the anomaly (its enabled flag, frequency and
// the anomaly's status are not looked at): impact >= min_impact; impact percent >= min_percent
// (an anomaly without one, from zero expected spend, passes); severity >= min_severity; and for
// every filter, the monitor's dimension value, or a contributing root cause of that dimension,
// or (dimension "monitor") the monitor's label, is one of the filter's values.
[[nodiscard]] bool RuleMatches(const store::AlertRuleRecord& rule, const CostAnomaly& anomaly);

// Whether an anomaly alerts at all: not suppressed, no "no" or "planned" feedback.
[[nodiscard]] bool Alertable(const CostAnomaly& anomaly);

// Queues the immediate deliveries of the tenant's enabled immediate rules for the anomalies
// (those a detection found): one per matching anomaly, rule and channel, never twice for the
// same anomaly and rule. A closed anomaly found again is queued only when it was detected after
// the rule was created (a new rule does not page about old history). Returns how many were
// queued.
[[nodiscard]] Result<int> OnAnomaliesDetected(store::Repository& repository, std::int64_t tenant_id,
                                              std::span<const CostAnomaly> anomalies,
                                              std::int64_t now);

// Metric anomalies (docs/aws.md, "Metric anomalies") and the rules: they have no dollar impact,
// so only rules with a minimum impact of 0 match them; the change is the peak's distance from the
// expectation in percent of it; the severity follows from that (low under 100%, medium, high
// from 500%). Filters: "monitor" matches the value "metric", "resource" the instance, "region"
// its region, "service" "Amazon EC2"; a rule filtering on any other dimension does not match.
[[nodiscard]] bool RuleMatchesMetric(const store::AlertRuleRecord& rule,
                                     const MetricAnomaly& anomaly);

// Queues the immediate deliveries of the tenant's enabled immediate rules for new metric
// anomalies, never twice for the same anomaly and rule. Returns how many were queued.
[[nodiscard]] Result<int> OnMetricAnomaliesDetected(store::Repository& repository,
                                                    std::int64_t tenant_id,
                                                    std::span<const MetricAnomaly> anomalies,
                                                    std::int64_t now);

// Queues the digests due at `now` (UTC): a daily rule's of the previous day, from midnight on;
// a weekly rule's of the previous Monday-to-Sunday week, from Monday midnight on. A digest lists
// the matching anomalies detected in its period, is queued once per rule and period, and not at
// all when none match or the rule was created after the period. Returns how many were queued.
[[nodiscard]] Result<int> RunDigests(store::Repository& repository, std::int64_t now);

struct DeliveryRunSummary {
  int sent = 0;
  int retrying = 0;  // failed, to be retried
  int failed = 0;    // failed for good
};

// The wait before the attempt after `failed_attempts` failures (see AlertOptions).
[[nodiscard]] std::int64_t RetryDelaySeconds(int failed_attempts, const AlertOptions& options);

// Sends the pending deliveries due at `now` (claiming each first) and records each outcome: sent;
// or pending until now + RetryDelaySeconds; or failed after max_attempts, on an error retrying
// cannot fix, or when the rule or the channel was deleted.
[[nodiscard]] Result<DeliveryRunSummary> DeliverDue(store::Repository& repository,
                                                    AlertSender& sender,
                                                    const AlertOptions& options, std::int64_t now);

// The message of a delivery of the tenant (its anomalies read from the store).
[[nodiscard]] Result<AlertMessage> BuildAlertMessage(store::Repository& repository,
                                                     const store::AlertDeliveryRecord& delivery,
                                                     const AlertOptions& options);

struct DetectionWithAlerts {
  AnomalyDetectionSummary detection;
  int alerts_queued = 0;
};

// Detects the tenant's anomalies (DetectCostAnomalies) and queues the immediate alerts of what
// it found (OnAnomaliesDetected): what `costwise anomalies detect` and the detection job run.
[[nodiscard]] Result<DetectionWithAlerts> DetectAnomaliesAndAlert(
    store::Repository& repository, std::string_view tenant, const AnomalyDetectionOptions& options);

}  // namespace costwise::service
