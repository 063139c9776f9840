// The alerts part of store::Repository (schema version 7: channels, rules with their channels and
// filters, the delivery log) against both real backends; run through scripts/with-postgres.sh, or
// the PostgreSQL cases fail.
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "repository_fixture.h"
#include "store/repository.h"

namespace costwise::store {

void PrintTo(Backend backend, std::ostream* out);

namespace {

using testing::BackendParamName;
using ::testing::ElementsAre;

constexpr std::int64_t kNow = 1'790'000'000;
constexpr std::int64_t kUnit = Money::kNanosPerUnit;

class AlertRepositoryTest : public testing::BackendRepositoryTest {
 protected:
  void SetUp() override {
    BackendRepositoryTest::SetUp();
    if (HasFatalFailure()) return;
    tenant_ = Tenant("acme");
    other_ = Tenant("globex");
  }

  AlertChannelRecord Webhook(std::int64_t tenant, const std::string& name) {
    AlertChannelRecord channel;
    channel.tenant_id = tenant;
    channel.name = name;
    channel.type = AlertChannelType::kWebhook;
    channel.config.url = "https://hooks.example.com/costwise";
    channel.secret = "00ff";
    channel.created_at = kNow;
    channel.updated_at = kNow;
    return channel;
  }

  std::int64_t MustCreate(const AlertChannelRecord& channel) {
    auto id = repository_->CreateAlertChannel(channel);
    EXPECT_TRUE(id) << id.error().message;
    return id.value_or(0);
  }

  AlertRuleRecord Rule(std::int64_t tenant, const std::string& name,
                       std::vector<std::int64_t> channels) {
    AlertRuleRecord rule;
    rule.tenant_id = tenant;
    rule.name = name;
    rule.min_impact = Money::FromNanos(100 * kUnit);
    rule.min_percent = 20.5;
    rule.min_severity = AnomalySeverity::kMedium;
    rule.filters = {{"account", {"1111", "2222"}}, {"service", {"Amazon EC2"}}};
    rule.frequency = AlertFrequency::kDaily;
    rule.channel_ids = std::move(channels);
    rule.created_at = kNow;
    rule.updated_at = kNow;
    return rule;
  }

  AlertDeliveryRecord Delivery(std::int64_t rule, std::int64_t channel, const std::string& key) {
    AlertDeliveryRecord delivery;
    delivery.tenant_id = tenant_;
    delivery.rule_id = rule;
    delivery.channel_id = channel;
    delivery.kind = DeliveryKind::kWeekly;
    delivery.anomaly_ids = {7, 9};
    delivery.period_start = Date::FromDays(20'000);
    delivery.period_end = Date::FromDays(20'006);
    delivery.dedupe_key = key;
    delivery.next_attempt_at = kNow;
    delivery.created_at = kNow;
    return delivery;
  }

  std::int64_t tenant_ = 0;
  std::int64_t other_ = 0;
};

INSTANTIATE_TEST_SUITE_P(Backends, AlertRepositoryTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgresql),
                         BackendParamName);

TEST_P(AlertRepositoryTest, ChannelsRoundTripAndStayInTheirTenant) {
  AlertChannelRecord email;
  email.tenant_id = tenant_;
  email.name = "finance";
  email.type = AlertChannelType::kEmail;
  email.config.url = "smtp://mail.example.com:587";
  email.config.email_from = "costwise@example.com";
  email.config.email_to = {"a@example.com", "b@example.com"};
  email.config.smtp_username = "bot";
  email.config.smtp_password = "hunter2";
  email.config.starttls = true;
  email.created_at = kNow;
  email.updated_at = kNow;
  const std::int64_t webhook_id = MustCreate(Webhook(tenant_, "ops"));
  const std::int64_t email_id = MustCreate(email);

  const auto stored = repository_->GetAlertChannel(tenant_, email_id);
  ASSERT_TRUE(stored) << stored.error().message;
  EXPECT_EQ(stored->name, "finance");
  EXPECT_EQ(stored->type, AlertChannelType::kEmail);
  EXPECT_EQ(stored->config, email.config);
  EXPECT_EQ(stored->created_at, kNow);
  const auto listed = repository_->ListAlertChannels(tenant_);
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->size(), 2U);
  EXPECT_EQ(listed->front().id, webhook_id);
  EXPECT_EQ(listed->front().secret, "00ff");

  // Another tenant sees nothing and changes nothing.
  EXPECT_TRUE(repository_->ListAlertChannels(other_)->empty());
  EXPECT_EQ(repository_->GetAlertChannel(other_, email_id).error().code, ErrorCode::kNotFound);
  AlertChannelRecord stolen = *stored;
  stolen.tenant_id = other_;
  EXPECT_EQ(repository_->UpdateAlertChannel(stolen).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(repository_->DeleteAlertChannel(other_, email_id).error().code, ErrorCode::kNotFound);
  // The other tenant may use the same name.
  EXPECT_GT(MustCreate(Webhook(other_, "ops")), 0);

  EXPECT_EQ(repository_->CreateAlertChannel(Webhook(tenant_, "ops")).error().code,
            ErrorCode::kConflict);
  AlertChannelRecord renamed = *stored;
  renamed.name = "ops";
  EXPECT_EQ(repository_->UpdateAlertChannel(renamed).error().code, ErrorCode::kConflict);
  renamed.name = "finance-team";
  renamed.config.email_to = {"c@example.com"};
  renamed.updated_at = kNow + 5;
  ASSERT_TRUE(repository_->UpdateAlertChannel(renamed));
  EXPECT_EQ(repository_->GetAlertChannel(tenant_, email_id)->config.email_to,
            std::vector<std::string>{"c@example.com"});
  EXPECT_EQ(repository_->GetAlertChannel(tenant_, email_id)->updated_at, kNow + 5);

  ASSERT_TRUE(repository_->DeleteAlertChannel(tenant_, email_id));
  EXPECT_EQ(repository_->GetAlertChannel(tenant_, email_id).error().code, ErrorCode::kNotFound);
}

TEST_P(AlertRepositoryTest, RulesKeepTheirChannelsAndFilters) {
  const std::int64_t first = MustCreate(Webhook(tenant_, "first"));
  const std::int64_t second = MustCreate(Webhook(tenant_, "second"));
  const std::int64_t foreign = MustCreate(Webhook(other_, "foreign"));

  EXPECT_EQ(repository_->CreateAlertRule(Rule(tenant_, "bad", {first, foreign})).error().code,
            ErrorCode::kInvalidInput);
  auto id = repository_->CreateAlertRule(Rule(tenant_, "big spikes", {first, second}));
  ASSERT_TRUE(id) << id.error().message;
  auto rule = repository_->GetAlertRule(tenant_, *id);
  ASSERT_TRUE(rule) << rule.error().message;
  EXPECT_EQ(rule->name, "big spikes");
  EXPECT_EQ(rule->min_impact, Money::FromNanos(100 * kUnit));
  EXPECT_EQ(rule->min_percent, 20.5);
  EXPECT_EQ(rule->min_severity, AnomalySeverity::kMedium);
  EXPECT_EQ(rule->frequency, AlertFrequency::kDaily);
  EXPECT_THAT(rule->channel_ids, ElementsAre(first, second));
  EXPECT_EQ(rule->filters, (Rule(tenant_, "", {}).filters));
  EXPECT_TRUE(rule->enabled);
  EXPECT_EQ(repository_->GetAlertRule(other_, *id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(repository_->CreateAlertRule(Rule(tenant_, "big spikes", {})).error().code,
            ErrorCode::kConflict);

  ASSERT_EQ(repository_->ListEnabledAlertRules(AlertFrequency::kDaily)->size(), 1U);
  EXPECT_TRUE(repository_->ListEnabledAlertRules(AlertFrequency::kWeekly)->empty());

  rule->min_percent.reset();
  rule->filters = {{"monitor", {"total"}}};
  rule->channel_ids = {second};
  rule->enabled = false;
  ASSERT_TRUE(repository_->UpdateAlertRule(*rule));
  auto updated = repository_->GetAlertRule(tenant_, *id);
  ASSERT_TRUE(updated);
  EXPECT_FALSE(updated->min_percent);
  EXPECT_EQ(updated->filters, rule->filters);
  EXPECT_THAT(updated->channel_ids, ElementsAre(second));
  EXPECT_FALSE(updated->enabled);
  EXPECT_TRUE(repository_->ListEnabledAlertRules(AlertFrequency::kDaily)->empty());

  // Deleting a channel takes it off the rule.
  ASSERT_TRUE(repository_->DeleteAlertChannel(tenant_, second));
  EXPECT_TRUE(repository_->GetAlertRule(tenant_, *id)->channel_ids.empty());
  EXPECT_EQ(repository_->DeleteAlertRule(other_, *id).error().code, ErrorCode::kNotFound);
  ASSERT_TRUE(repository_->DeleteAlertRule(tenant_, *id));
  EXPECT_TRUE(repository_->ListAlertRules(tenant_)->empty());
}

TEST_P(AlertRepositoryTest, DeliveriesAreQueuedOnceAndRecordEveryAttempt) {
  const std::int64_t first = MustCreate(Webhook(tenant_, "first"));
  const std::int64_t second = MustCreate(Webhook(tenant_, "second"));
  const std::int64_t rule = *repository_->CreateAlertRule(Rule(tenant_, "r", {first, second}));

  const std::vector<AlertDeliveryRecord> batch = {Delivery(rule, first, "weekly:2024-10-07"),
                                                  Delivery(rule, second, "weekly:2024-10-07")};
  auto ids = repository_->QueueAlertDeliveries(tenant_, batch);
  ASSERT_TRUE(ids) << ids.error().message;
  ASSERT_EQ(ids->size(), 2U);
  // The same rule and key again, on any channel: nothing new.
  EXPECT_TRUE(repository_->QueueAlertDeliveries(tenant_, batch)->empty());
  EXPECT_TRUE(repository_->QueueAlertDeliveries(tenant_, {&batch[1], 1})->empty());
  const AlertDeliveryRecord next_week = Delivery(rule, first, "weekly:2024-10-14");
  EXPECT_EQ(repository_->QueueAlertDeliveries(tenant_, {&next_week, 1})->size(), 1U);

  auto due = repository_->DueAlertDeliveries(kNow, 10);
  ASSERT_TRUE(due) << due.error().message;
  ASSERT_EQ(due->size(), 3U);
  const AlertDeliveryRecord& head = due->front();
  EXPECT_EQ(head.id, (*ids)[0]);
  EXPECT_EQ(head.tenant_name, "acme");
  EXPECT_EQ(head.rule_name, "r");
  EXPECT_EQ(head.channel_name, "first");
  EXPECT_EQ(head.kind, DeliveryKind::kWeekly);
  EXPECT_THAT(head.anomaly_ids, ElementsAre(7, 9));
  EXPECT_EQ(head.period_start, Date::FromDays(20'000));
  EXPECT_EQ(head.period_end, Date::FromDays(20'006));
  EXPECT_EQ(head.status, DeliveryStatus::kPending);
  EXPECT_EQ(head.attempts, 0);
  EXPECT_TRUE(repository_->DueAlertDeliveries(kNow - 1, 10)->empty());

  // One claim wins.
  EXPECT_TRUE(*repository_->ClaimAlertDelivery(head.id, 0, kNow, kNow + 300));
  EXPECT_FALSE(*repository_->ClaimAlertDelivery(head.id, 0, kNow, kNow + 300));
  ASSERT_TRUE(repository_->RecordAlertAttempt(
      head.id, AlertAttempt{kNow, false, 500, "the webhook answered 500", kNow + 60}));
  auto retrying = repository_->GetAlertDelivery(tenant_, head.id);
  ASSERT_TRUE(retrying);
  EXPECT_EQ(retrying->status, DeliveryStatus::kPending);
  EXPECT_EQ(retrying->attempts, 1);
  EXPECT_EQ(retrying->next_attempt_at, kNow + 60);
  EXPECT_EQ(retrying->response_status, 500);
  EXPECT_EQ(retrying->last_error, "the webhook answered 500");
  EXPECT_FALSE(retrying->sent_at);

  ASSERT_TRUE(*repository_->ClaimAlertDelivery(head.id, 1, kNow + 60, kNow + 360));
  ASSERT_TRUE(repository_->RecordAlertAttempt(
      head.id, AlertAttempt{kNow + 61, true, 200, "", std::nullopt}));
  ASSERT_TRUE(repository_->RecordAlertAttempt(
      (*ids)[1], AlertAttempt{kNow, false, std::nullopt, "refused", std::nullopt}));
  auto sent = repository_->GetAlertDelivery(tenant_, head.id);
  EXPECT_EQ(sent->status, DeliveryStatus::kSent);
  EXPECT_EQ(sent->attempts, 2);
  EXPECT_EQ(sent->sent_at, kNow + 61);
  EXPECT_EQ(repository_->GetAlertDelivery(tenant_, (*ids)[1])->status, DeliveryStatus::kFailed);
  EXPECT_EQ(repository_->DueAlertDeliveries(kNow + 1000, 10)->size(), 1U);

  // The log: newest first, filtered, the tenant's own only.
  auto log = repository_->ListAlertDeliveries(tenant_, {});
  ASSERT_TRUE(log) << log.error().message;
  ASSERT_EQ(log->size(), 3U);
  EXPECT_GT(log->front().id, log->back().id);
  AlertDeliveryFilter failed;
  failed.status = DeliveryStatus::kFailed;
  EXPECT_EQ(repository_->ListAlertDeliveries(tenant_, failed)->size(), 1U);
  AlertDeliveryFilter by_channel;
  by_channel.channel_id = first;
  EXPECT_EQ(repository_->ListAlertDeliveries(tenant_, by_channel)->size(), 2U);
  AlertDeliveryFilter limited;
  limited.limit = 1;
  EXPECT_EQ(repository_->ListAlertDeliveries(tenant_, limited)->size(), 1U);
  EXPECT_TRUE(repository_->ListAlertDeliveries(other_, {})->empty());
  EXPECT_EQ(repository_->GetAlertDelivery(other_, head.id).error().code, ErrorCode::kNotFound);

  // Deleting the rule and channel keeps the log, without their names.
  ASSERT_TRUE(repository_->DeleteAlertRule(tenant_, rule));
  ASSERT_TRUE(repository_->DeleteAlertChannel(tenant_, first));
  auto kept = repository_->GetAlertDelivery(tenant_, head.id);
  ASSERT_TRUE(kept) << kept.error().message;
  EXPECT_FALSE(kept->rule_id);
  EXPECT_FALSE(kept->channel_id);
  EXPECT_EQ(kept->rule_name, "");
}

}  // namespace
}  // namespace costwise::store
