// Alerts through the store (SQLite) with an injected clock and a fake sender: which anomalies a
// rule matches, immediate alerts queued once per anomaly and rule, daily and weekly digests,
// retries with capped exponential backoff, the message's content, test messages and channel
// validation.
#include "service/alerts.h"

#include <deque>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "test_files.h"

namespace costwise::service {
namespace {

using ::testing::HasSubstr;
using ::testing::SizeIs;

constexpr std::int64_t kUnit = Money::kNanosPerUnit;
constexpr std::int64_t kDay = 86'400;

std::int64_t Midnight(std::string_view day) {
  return std::int64_t{Date::Parse(day)->days()} * kDay;
}

// Records what it is asked to send and answers with the outcomes queued, then success.
class FakeSender final : public AlertSender {
 public:
  SendOutcome Send(const store::AlertChannelRecord& channel, const AlertMessage& message,
                   std::int64_t now) override {
    sent.push_back({channel.id, message, now});
    if (outcomes.empty()) return SendOutcome{true, 200, "", true};
    SendOutcome outcome = outcomes.front();
    outcomes.pop_front();
    return outcome;
  }

  struct Call {
    std::int64_t channel_id;
    AlertMessage message;
    std::int64_t now;
  };
  std::vector<Call> sent;
  std::deque<SendOutcome> outcomes;
};

SendOutcome Failure(int status, bool retryable = true) {
  return SendOutcome{false, status, fmt::format("the webhook answered {}", status), retryable};
}

CostAnomaly MakeAnomaly(std::string_view start, Money impact, AnomalySeverity severity) {
  CostAnomaly anomaly;
  anomaly.monitor.currency = "USD";
  anomaly.start_date = *Date::Parse(start);
  anomaly.end_date = anomaly.start_date.AddDays(1);
  anomaly.expected_spend = Money::FromNanos(200 * kUnit);
  anomaly.impact = impact;
  anomaly.actual_spend = anomaly.expected_spend + impact;
  anomaly.impact_percent = static_cast<double>(impact.nanos()) / (200.0 * kUnit) * 100;
  anomaly.max_score = 0.99;
  anomaly.latest_score = 0.9;
  anomaly.severity = severity;
  anomaly.root_causes = {{"resource", "i-0spike", impact},
                         {"service", "Amazon EC2", impact},
                         {"account", "222233334444", impact},
                         {"region", "eu-west-1", impact},
                         {"service", "Amazon S3", Money::FromNanos(-5 * kUnit)}};
  anomaly.status = AnomalyStatus::kClosed;
  return anomaly;
}

class AlertsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = store::OpenRepository("sqlite:" + (dir_.path() / "db.sqlite").string());
    ASSERT_TRUE(opened) << opened.error().message;
    repository_ = std::move(*opened);
    auto tenant = repository_->EnsureTenant("acme");
    ASSERT_TRUE(tenant);
    admin_ = Principal{1, "ops@acme.example", tenant->id, "acme", store::Role::kAdmin};
    options_.public_url = "https://costwise.example/";
  }

  // Stores the anomalies, detected at `detected_at`; returns them with their ids.
  std::vector<CostAnomaly> Store(std::vector<CostAnomaly> anomalies, std::int64_t detected_at) {
    for (CostAnomaly& anomaly : anomalies) {
      anomaly.detected_at = detected_at;
      anomaly.updated_at = detected_at;
    }
    auto ids = repository_->UpsertAnomalies(admin_.tenant_id, anomalies);
    EXPECT_TRUE(ids) << ids.error().message;
    for (std::size_t i = 0; ids && i < ids->size(); ++i) anomalies[i].id = (*ids)[i];
    return anomalies;
  }

  std::int64_t Webhook(const std::string& name, std::int64_t now) {
    AlertChannelInput input{name, "webhook", {}};
    input.config.url = "https://hooks.example.com/" + name;
    auto channel = CreateAlertChannel(*repository_, admin_, input, now);
    EXPECT_TRUE(channel) << channel.error().message;
    return channel ? channel->id : 0;
  }

  store::AlertRuleRecord MakeRule(AlertRuleInput input, std::int64_t now) {
    auto rule = CreateAlertRule(*repository_, admin_, input, now);
    EXPECT_TRUE(rule) << rule.error().message;
    return rule.value_or(store::AlertRuleRecord{});
  }

  std::vector<store::AlertDeliveryRecord> Log() {
    auto log = repository_->ListAlertDeliveries(admin_.tenant_id, {});
    EXPECT_TRUE(log) << log.error().message;
    return log.value_or(std::vector<store::AlertDeliveryRecord>{});
  }

  costwise::testing::TempDir dir_;
  std::unique_ptr<store::Repository> repository_;
  Principal admin_;
  AlertOptions options_;
  FakeSender sender_;
};

TEST_F(AlertsTest, RulesMatchOnThresholdsAndFilters) {
  const CostAnomaly anomaly =
      MakeAnomaly("2024-08-20", Money::FromNanos(500 * kUnit), AnomalySeverity::kHigh);
  store::AlertRuleRecord rule;
  EXPECT_TRUE(RuleMatches(rule, anomaly));
  rule.min_impact = Money::FromNanos(500 * kUnit);
  EXPECT_TRUE(RuleMatches(rule, anomaly));
  rule.min_impact = Money::FromNanos(500 * kUnit + 1);
  EXPECT_FALSE(RuleMatches(rule, anomaly));
  rule.min_impact = Money();
  rule.min_percent = 250;  // the anomaly is +250%
  EXPECT_TRUE(RuleMatches(rule, anomaly));
  rule.min_percent = 251;
  EXPECT_FALSE(RuleMatches(rule, anomaly));
  CostAnomaly from_zero = anomaly;
  from_zero.impact_percent.reset();
  EXPECT_TRUE(RuleMatches(rule, from_zero));
  rule.min_percent.reset();
  rule.min_severity = AnomalySeverity::kCritical;
  EXPECT_FALSE(RuleMatches(rule, anomaly));
  rule.min_severity = AnomalySeverity::kHigh;
  EXPECT_TRUE(RuleMatches(rule, anomaly));

  // Filters: a root cause's value, the monitor's own value, or the monitor's label.
  rule.filters = {{"service", {"Amazon RDS", "Amazon EC2"}}};
  EXPECT_TRUE(RuleMatches(rule, anomaly));
  rule.filters = {{"service", {"Amazon S3"}}};  // a negative contributor does not count
  EXPECT_FALSE(RuleMatches(rule, anomaly));
  rule.filters = {{"service", {"Amazon EC2"}}, {"account", {"111122223333"}}};
  EXPECT_FALSE(RuleMatches(rule, anomaly));
  rule.filters = {{"monitor", {"total"}}};
  EXPECT_TRUE(RuleMatches(rule, anomaly));
  CostAnomaly of_account = anomaly;
  of_account.monitor.dimension = ParseDimension("account");
  of_account.monitor.value = "999";
  of_account.root_causes.clear();
  rule.filters = {{"account", {"999"}}};
  EXPECT_TRUE(RuleMatches(rule, of_account));
  rule.filters = {{"monitor", {"account=999"}}};
  EXPECT_TRUE(RuleMatches(rule, of_account));
  EXPECT_FALSE(RuleMatches(rule, anomaly));

  CostAnomaly judged = anomaly;
  judged.feedback = AnomalyFeedback::kPlanned;
  EXPECT_FALSE(Alertable(judged));
  judged.feedback = AnomalyFeedback::kNone;
  judged.status = AnomalyStatus::kSuppressed;
  EXPECT_FALSE(Alertable(judged));
  EXPECT_TRUE(Alertable(anomaly));
}

TEST_F(AlertsTest, ImmediateAlertsAreQueuedOnceForAnAnomalyAndRule) {
  const std::int64_t t0 = Midnight("2024-09-02");
  const std::int64_t first = Webhook("first", t0);
  const std::int64_t second = Webhook("second", t0);
  AlertRuleInput big{.name = "big", .min_impact = "100", .channel_ids = {first, second}};
  const store::AlertRuleRecord rule = MakeRule(big, t0);
  AlertRuleInput off{.name = "off", .channel_ids = {first}, .enabled = false};
  MakeRule(off, t0);
  AlertRuleInput digest{.name = "digest", .frequency = "daily", .channel_ids = {first}};
  MakeRule(digest, t0);

  std::vector<CostAnomaly> anomalies =
      Store({MakeAnomaly("2024-08-20", Money::FromNanos(500 * kUnit), AnomalySeverity::kHigh),
             MakeAnomaly("2024-08-24", Money::FromNanos(50 * kUnit), AnomalySeverity::kMedium),
             MakeAnomaly("2024-08-27", Money::FromNanos(900 * kUnit), AnomalySeverity::kHigh)},
            t0 + 10);
  anomalies[2].status = AnomalyStatus::kSuppressed;
  auto queued = OnAnomaliesDetected(*repository_, admin_.tenant_id, anomalies, t0 + 10);
  ASSERT_TRUE(queued) << queued.error().message;
  EXPECT_EQ(*queued, 2);  // the big one, to both channels
  // Found again by the next detection: nothing new.
  EXPECT_EQ(*OnAnomaliesDetected(*repository_, admin_.tenant_id, anomalies, t0 + 20), 0);

  const auto log = Log();
  ASSERT_THAT(log, SizeIs(2));
  for (const store::AlertDeliveryRecord& delivery : log) {
    EXPECT_EQ(delivery.rule_id, rule.id);
    EXPECT_EQ(delivery.kind, store::DeliveryKind::kImmediate);
    EXPECT_EQ(delivery.anomaly_ids, std::vector<std::int64_t>{anomalies[0].id});
    EXPECT_EQ(delivery.status, store::DeliveryStatus::kPending);
  }

  // A rule created later is not told about closed anomalies detected before it, only open ones.
  AlertRuleInput late{.name = "late", .channel_ids = {first}};
  MakeRule(late, t0 + 100);
  anomalies[1].status = AnomalyStatus::kOpen;
  EXPECT_EQ(*OnAnomaliesDetected(*repository_, admin_.tenant_id, anomalies, t0 + 200), 1);
  EXPECT_EQ(Log().front().anomaly_ids, std::vector<std::int64_t>{anomalies[1].id});
}

TEST_F(AlertsTest, DigestsGoOnceADayAndOnMondays) {
  const std::int64_t created = Midnight("2024-09-30");
  const std::int64_t channel = Webhook("digests", created);
  AlertRuleInput daily{
      .name = "daily", .min_impact = "10", .frequency = "daily", .channel_ids = {channel}};
  const store::AlertRuleRecord daily_rule = MakeRule(daily, created);
  AlertRuleInput weekly{.name = "weekly", .frequency = "weekly", .channel_ids = {channel}};
  const store::AlertRuleRecord weekly_rule = MakeRule(weekly, created);

  // Detected on Tuesday 1 October (two) and Wednesday 2 October (one, too small for daily).
  const auto tuesday =
      Store({MakeAnomaly("2024-09-20", Money::FromNanos(500 * kUnit), AnomalySeverity::kHigh),
             MakeAnomaly("2024-09-23", Money::FromNanos(80 * kUnit), AnomalySeverity::kLow)},
            Midnight("2024-10-01") + 3600);
  const auto wednesday =
      Store({MakeAnomaly("2024-09-26", Money::FromNanos(5 * kUnit), AnomalySeverity::kLow)},
            Midnight("2024-10-02") + 3600);

  // Wednesday: the daily digest of Tuesday. Not the weekly one: no Monday since the rule began.
  auto queued = RunDigests(*repository_, Midnight("2024-10-02") + 5);
  ASSERT_TRUE(queued) << queued.error().message;
  EXPECT_EQ(*queued, 1);
  EXPECT_EQ(*RunDigests(*repository_, Midnight("2024-10-02") + 600), 0);  // once a day
  auto log = Log();
  ASSERT_THAT(log, SizeIs(1));
  EXPECT_EQ(log[0].kind, store::DeliveryKind::kDaily);
  EXPECT_EQ(log[0].rule_id, daily_rule.id);
  EXPECT_EQ(log[0].period_start, Date::Parse("2024-10-01"));
  EXPECT_EQ(log[0].period_end, Date::Parse("2024-10-01"));
  EXPECT_EQ(log[0].anomaly_ids, (std::vector<std::int64_t>{tuesday[0].id, tuesday[1].id}));
  // Thursday: Wednesday's only anomaly is below the daily rule's minimum: no digest.
  EXPECT_EQ(*RunDigests(*repository_, Midnight("2024-10-03") + 5), 0);

  // Monday 7 October (and again Tuesday): the weekly digest of 30 September to 6 October.
  EXPECT_EQ(*RunDigests(*repository_, Midnight("2024-10-07") + 5), 1);
  EXPECT_EQ(*RunDigests(*repository_, Midnight("2024-10-08") + 5), 0);
  log = Log();
  const store::AlertDeliveryRecord& week = log.front();
  EXPECT_EQ(week.kind, store::DeliveryKind::kWeekly);
  EXPECT_EQ(week.rule_id, weekly_rule.id);
  EXPECT_EQ(week.period_start, Date::Parse("2024-09-30"));
  EXPECT_EQ(week.period_end, Date::Parse("2024-10-06"));
  EXPECT_EQ(week.dedupe_key, "weekly:2024-09-30");
  EXPECT_EQ(week.anomaly_ids,
            (std::vector<std::int64_t>{tuesday[0].id, tuesday[1].id, wednesday[0].id}));

  auto message = BuildAlertMessage(*repository_, week, options_);
  ASSERT_TRUE(message) << message.error().message;
  EXPECT_EQ(message->title,
            "Weekly cost anomaly digest from 2024-09-30 to 2024-10-06: 3 anomalies");
}

TEST_F(AlertsTest, FailedDeliveriesAreRetriedWithCappedExponentialBackoff) {
  EXPECT_EQ(RetryDelaySeconds(1, options_), 60);
  EXPECT_EQ(RetryDelaySeconds(2, options_), 120);
  EXPECT_EQ(RetryDelaySeconds(4, options_), 480);
  EXPECT_EQ(RetryDelaySeconds(30, options_), 3600);

  const std::int64_t t0 = Midnight("2024-09-02");
  const std::int64_t channel = Webhook("flaky", t0);
  AlertRuleInput all{.name = "all", .channel_ids = {channel}};
  MakeRule(all, t0);
  const auto anomalies =
      Store({MakeAnomaly("2024-08-20", Money::FromNanos(500 * kUnit), AnomalySeverity::kHigh)}, t0);
  ASSERT_EQ(*OnAnomaliesDetected(*repository_, admin_.tenant_id, anomalies, t0), 1);

  for (int i = 0; i < 5; ++i) sender_.outcomes.push_back(Failure(503));
  std::int64_t now = t0;
  const std::vector<std::int64_t> waits = {60, 120, 240, 480};
  for (std::size_t attempt = 0; attempt < 5; ++attempt) {
    auto run = DeliverDue(*repository_, sender_, options_, now);
    ASSERT_TRUE(run) << run.error().message;
    ASSERT_THAT(sender_.sent, SizeIs(attempt + 1));
    const store::AlertDeliveryRecord delivery = Log().front();
    EXPECT_EQ(delivery.attempts, static_cast<int>(attempt + 1));
    EXPECT_EQ(delivery.response_status, 503);
    EXPECT_EQ(delivery.last_error, "the webhook answered 503");
    if (attempt == 4) {
      EXPECT_EQ(run->failed, 1);
      EXPECT_EQ(delivery.status, store::DeliveryStatus::kFailed);
      break;
    }
    EXPECT_EQ(run->retrying, 1);
    EXPECT_EQ(delivery.status, store::DeliveryStatus::kPending);
    EXPECT_EQ(delivery.next_attempt_at, now + waits[attempt]);
    // Not before its time.
    ASSERT_TRUE(DeliverDue(*repository_, sender_, options_, now + waits[attempt] - 1));
    EXPECT_THAT(sender_.sent, SizeIs(attempt + 1));
    now += waits[attempt];
  }
  ASSERT_TRUE(DeliverDue(*repository_, sender_, options_, now + 100'000));
  EXPECT_THAT(sender_.sent, SizeIs(5));  // failed for good: never sent again
}

TEST_F(AlertsTest, ARetryThatSucceedsIsSentAndA4xxIsNotRetried) {
  const std::int64_t t0 = Midnight("2024-09-02");
  const std::int64_t first = Webhook("first", t0);
  const std::int64_t second = Webhook("second", t0);
  AlertRuleInput all{.name = "all", .channel_ids = {first, second}};
  MakeRule(all, t0);
  const auto anomalies =
      Store({MakeAnomaly("2024-08-20", Money::FromNanos(500 * kUnit), AnomalySeverity::kHigh)}, t0);
  ASSERT_EQ(*OnAnomaliesDetected(*repository_, admin_.tenant_id, anomalies, t0), 2);
  sender_.outcomes = {Failure(500), Failure(404, false)};
  auto run = DeliverDue(*repository_, sender_, options_, t0);
  ASSERT_TRUE(run);
  EXPECT_EQ(run->retrying, 1);
  EXPECT_EQ(run->failed, 1);
  run = DeliverDue(*repository_, sender_, options_, t0 + 60);
  ASSERT_TRUE(run);
  EXPECT_EQ(run->sent, 1);
  const auto log = Log();
  ASSERT_THAT(log, SizeIs(2));
  const auto& to_first = log[0].channel_id == first ? log[0] : log[1];
  const auto& to_second = log[0].channel_id == first ? log[1] : log[0];
  EXPECT_EQ(to_first.status, store::DeliveryStatus::kSent);
  EXPECT_EQ(to_first.attempts, 2);
  EXPECT_EQ(to_first.sent_at, t0 + 60);
  EXPECT_EQ(to_first.response_status, 200);
  EXPECT_EQ(to_second.status, store::DeliveryStatus::kFailed);
  EXPECT_EQ(to_second.attempts, 1);

  // What was sent: the anomaly's impact, root causes and link.
  const AlertMessage& message = sender_.sent.back().message;
  EXPECT_EQ(message.organisation, "acme");
  EXPECT_EQ(message.rule, "all");
  EXPECT_EQ(message.title, "Cost anomaly: total +$500.00 (high)");
  ASSERT_THAT(message.items, SizeIs(1));
  EXPECT_EQ(message.items[0].url,
            fmt::format("https://costwise.example/anomalies/{}", anomalies[0].id));
  EXPECT_THAT(message.text, HasSubstr("total cost $500.00 more than expected (+250%) from "
                                      "2024-08-20 to 2024-08-21; severity high, closed"));
  EXPECT_THAT(message.text, HasSubstr("resource i-0spike (+$500.00), service Amazon EC2 "
                                      "(+$500.00), account 222233334444 (+$500.00), region "
                                      "eu-west-1 (+$500.00)"));

  // A deleted channel's pending delivery fails without being sent.
  AlertRuleInput other{.name = "other", .channel_ids = {second}};
  MakeRule(other, t0);
  ASSERT_EQ(*OnAnomaliesDetected(*repository_, admin_.tenant_id, anomalies, t0 + 100), 1);
  ASSERT_TRUE(DeleteAlertChannel(*repository_, admin_, second));
  const std::size_t calls = sender_.sent.size();
  run = DeliverDue(*repository_, sender_, options_, t0 + 100);
  ASSERT_TRUE(run);
  EXPECT_EQ(run->failed, 1);
  EXPECT_EQ(sender_.sent.size(), calls);
  EXPECT_THAT(Log().front().last_error, HasSubstr("channel was deleted"));

  // So does a deleted rule's.
  AlertRuleInput third{.name = "third", .channel_ids = {first}};
  const store::AlertRuleRecord doomed = MakeRule(third, t0);
  ASSERT_EQ(*OnAnomaliesDetected(*repository_, admin_.tenant_id, anomalies, t0 + 200), 1);
  ASSERT_TRUE(DeleteAlertRule(*repository_, admin_, doomed.id));
  run = DeliverDue(*repository_, sender_, options_, t0 + 200);
  ASSERT_TRUE(run);
  EXPECT_EQ(run->failed, 1);
  EXPECT_EQ(sender_.sent.size(), calls);
  EXPECT_EQ(Log().front().last_error, "the rule was deleted");
}

TEST_F(AlertsTest, ChannelsAreCheckedAndTestedAndOnlyAdminsWrite) {
  const std::int64_t now = Midnight("2024-09-02");
  AlertChannelInput webhook{"hook", "webhook", {}};
  webhook.config.url = "https://hooks.example.com/x";
  auto created = CreateAlertChannel(*repository_, admin_, webhook, now);
  ASSERT_TRUE(created) << created.error().message;
  EXPECT_THAT(created->secret, SizeIs(64));

  AlertChannelInput email{"mail", "email", {}};
  email.config.url = "smtp://mail.example.com:25";
  email.config.email_from = "costwise@example.com";
  EXPECT_THAT(CreateAlertChannel(*repository_, admin_, email, now).error().message,
              HasSubstr("config.to"));
  email.config.email_to = {"ops@example.com"};
  email.config.smtp_password = "secret-password";
  auto mail = CreateAlertChannel(*repository_, admin_, email, now);
  ASSERT_TRUE(mail) << mail.error().message;
  EXPECT_EQ(mail->secret, "");
  // An update without the password keeps it; the type cannot change.
  email.config.smtp_password.clear();
  email.name = "mail-2";
  auto updated = UpdateAlertChannel(*repository_, admin_, mail->id, email, now + 1);
  ASSERT_TRUE(updated) << updated.error().message;
  EXPECT_EQ(repository_->GetAlertChannel(admin_.tenant_id, mail->id)->config.smtp_password,
            "secret-password");
  email.type = "slack";
  EXPECT_EQ(UpdateAlertChannel(*repository_, admin_, mail->id, email, now).error().code,
            ErrorCode::kInvalidInput);

  AlertChannelInput bad{"bad", "pager", {}};
  EXPECT_EQ(CreateAlertChannel(*repository_, admin_, bad, now).error().code,
            ErrorCode::kInvalidInput);
  AlertChannelInput sns{"topic", "sns", {}};
  sns.config.topic_arn = "arn:aws:sns:us-east-1:111122223333:costs";
  EXPECT_TRUE(CreateAlertChannel(*repository_, admin_, sns, now));

  Principal viewer = admin_;
  viewer.role = store::Role::kViewer;
  EXPECT_EQ(CreateAlertChannel(*repository_, viewer, webhook, now).error().code,
            ErrorCode::kPermissionDenied);
  EXPECT_EQ(DeleteAlertChannel(*repository_, viewer, created->id).error().code,
            ErrorCode::kPermissionDenied);
  EXPECT_THAT(*ListAlertChannels(*repository_, viewer), SizeIs(3));
  AlertRuleInput rule{.name = "r", .min_severity = "urgent"};
  EXPECT_THAT(CreateAlertRule(*repository_, admin_, rule, now).error().message,
              HasSubstr("min_severity"));
  rule = AlertRuleInput{.name = "r", .filters = {{"colour", {"red"}}}};
  EXPECT_THAT(CreateAlertRule(*repository_, admin_, rule, now).error().message,
              HasSubstr("unknown dimension"));

  // A test message is sent now and logged with its outcome.
  sender_.outcomes = {Failure(500)};
  auto tested = TestAlertChannel(*repository_, sender_, admin_, created->id, options_, now);
  ASSERT_TRUE(tested) << tested.error().message;
  EXPECT_EQ(tested->kind, store::DeliveryKind::kTest);
  EXPECT_EQ(tested->status, store::DeliveryStatus::kFailed);
  EXPECT_EQ(tested->response_status, 500);
  EXPECT_EQ(tested->attempts, 1);
  tested = TestAlertChannel(*repository_, sender_, admin_, created->id, options_, now + 1);
  ASSERT_TRUE(tested);
  EXPECT_EQ(tested->status, store::DeliveryStatus::kSent);
  EXPECT_EQ(sender_.sent.back().message.title, "costwise test message for acme");
  // The background sender does not send test messages again.
  ASSERT_TRUE(DeliverDue(*repository_, sender_, options_, now + 10'000));
  EXPECT_THAT(sender_.sent, SizeIs(2));
  EXPECT_EQ(TestAlertChannel(*repository_, sender_, admin_, 9999, options_, now).error().code,
            ErrorCode::kNotFound);
}

// Metric anomalies have no dollar impact: only rules without a minimum impact take them, on the
// filters that mean something for an instance's metric.
TEST(MetricAlertRulesTest, RulesMatchMetricAnomaliesOnTheirOwnTerms) {
  MetricAnomaly spike;
  spike.id = 1;
  spike.instance_id = "i-big";
  spike.region = "us-east-1";
  spike.metric = "CPUUtilization";
  spike.peak_value = 80;
  spike.expected_value = 2.5;  // +3,100%: high
  store::AlertRuleRecord rule;
  rule.min_impact = Money();
  rule.min_severity = AnomalySeverity::kLow;
  EXPECT_TRUE(RuleMatchesMetric(rule, spike));
  rule.filters = {{"monitor", {"metric"}}, {"resource", {"i-big", "i-other"}},
                  {"service", {"Amazon EC2"}}, {"region", {"us-east-1"}}};
  EXPECT_TRUE(RuleMatchesMetric(rule, spike));
  rule.min_severity = AnomalySeverity::kHigh;
  EXPECT_TRUE(RuleMatchesMetric(rule, spike));
  MetricAnomaly mild = spike;
  mild.peak_value = 3.5;  // +40%: low
  EXPECT_FALSE(RuleMatchesMetric(rule, mild));
  rule.min_severity = AnomalySeverity::kLow;
  rule.min_percent = 50;
  EXPECT_FALSE(RuleMatchesMetric(rule, mild));
  EXPECT_TRUE(RuleMatchesMetric(rule, spike));

  store::AlertRuleRecord costs = rule;
  costs.min_impact = *Money::Parse("100");
  EXPECT_FALSE(RuleMatchesMetric(costs, spike));
  store::AlertRuleRecord totals = rule;
  totals.filters = {{"monitor", {"total"}}};
  EXPECT_FALSE(RuleMatchesMetric(totals, spike));
  store::AlertRuleRecord by_account = rule;
  by_account.filters = {{"account", {"111122223333"}}};
  EXPECT_FALSE(RuleMatchesMetric(by_account, spike));
}

}  // namespace
}  // namespace costwise::service
