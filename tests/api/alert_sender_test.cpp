// The alert senders' wire formats: the webhook's HMAC-SHA256 signature (RFC 4231 test vector),
// the webhook JSON, Slack's {"text", "blocks"} shape and the email's headers and parts.
#include "api/alert_sender.h"

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace costwise::api {
namespace {

using ::testing::HasSubstr;

constexpr std::int64_t kNow = 1'727'740'800;  // 2024-10-01T00:00:00Z, a Tuesday

service::AlertMessage Message() {
  service::AlertMessage message;
  message.kind = store::DeliveryKind::kImmediate;
  message.organisation = "acme";
  message.rule = "big <spikes>";
  message.title = "Cost anomaly: total +$500.00 (high)";
  message.text = "Cost anomaly: total +$500.00 (high)\n\n- total cost ...\n";
  service::AlertItem item;
  item.anomaly_id = 42;
  item.monitor = "total";
  item.start_date = *Date::Parse("2024-08-20");
  item.end_date = *Date::Parse("2024-08-21");
  item.currency = "USD";
  item.impact = Money::FromNanos(500 * Money::kNanosPerUnit);
  item.impact_percent = 250;
  item.severity = AnomalySeverity::kHigh;
  item.root_causes = {{"service", "Amazon EC2", item.impact}};
  item.url = "http://localhost:8080/anomalies/42";
  item.summary = "total cost $500.00 more than expected";
  message.items = {item};
  return message;
}

TEST(AlertSenderTest, SignsWithHmacSha256) {
  // RFC 4231, test case 2.
  EXPECT_EQ(WebhookSignature("Jefe", "what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(AlertSenderTest, WebhookBodyCarriesTheAnomalies) {
  const nlohmann::json body = nlohmann::json::parse(WebhookBody(Message(), kNow));
  EXPECT_EQ(body["event"], "anomaly");
  EXPECT_EQ(body["organisation"], "acme");
  EXPECT_EQ(body["sent_at"], "2024-10-01T00:00:00Z");
  ASSERT_EQ(body["anomalies"].size(), 1U);
  EXPECT_EQ(body["anomalies"][0]["id"], 42);
  EXPECT_EQ(body["anomalies"][0]["impact"], "500.000000000");
  EXPECT_EQ(body["anomalies"][0]["url"], "http://localhost:8080/anomalies/42");
  EXPECT_EQ(body["anomalies"][0]["root_causes"][0]["value"], "Amazon EC2");
}

TEST(AlertSenderTest, SlackBodyHasTextAndBlocks) {
  const nlohmann::json body = nlohmann::json::parse(SlackBody(Message()));
  EXPECT_EQ(body["text"], "Cost anomaly: total +$500.00 (high)");
  const nlohmann::json& blocks = body["blocks"];
  ASSERT_EQ(blocks.size(), 3U);
  EXPECT_EQ(blocks[0]["type"], "header");
  EXPECT_EQ(blocks[0]["text"]["type"], "plain_text");
  EXPECT_EQ(blocks[1]["type"], "section");
  EXPECT_EQ(blocks[1]["text"]["type"], "mrkdwn");
  EXPECT_THAT(blocks[1]["text"]["text"].get<std::string>(),
              HasSubstr("<http://localhost:8080/anomalies/42|View the anomaly>"));
  EXPECT_EQ(blocks[2]["type"], "context");
  EXPECT_THAT(blocks[2]["elements"][0]["text"].get<std::string>(), HasSubstr("big &lt;spikes&gt;"));
}

TEST(AlertSenderTest, EmailHasHeadersAndTwoParts) {
  store::AlertChannelConfig config;
  config.email_from = "costwise@example.com";
  config.email_to = {"a@example.com", "b@example.com"};
  service::AlertMessage message = Message();
  message.title = "Coût: total";  // not ASCII: RFC 2047
  const std::string mail = EmailMessage(config, message, kNow, "<1@example.com>");
  EXPECT_THAT(mail, HasSubstr("From: costwise@example.com\r\n"));
  EXPECT_THAT(mail, HasSubstr("To: a@example.com, b@example.com\r\n"));
  EXPECT_THAT(mail, HasSubstr("Subject: =?UTF-8?B?"));
  EXPECT_THAT(mail, HasSubstr("Date: Tue, 01 Oct 2024 00:00:00 +0000\r\n"));
  EXPECT_THAT(mail, HasSubstr("Message-ID: <1@example.com>\r\n"));
  EXPECT_THAT(mail, HasSubstr("Content-Type: multipart/alternative; boundary="));
  EXPECT_THAT(mail, HasSubstr("Content-Type: text/plain; charset=utf-8"));
  EXPECT_THAT(mail, HasSubstr("Content-Type: text/html; charset=utf-8"));
}

}  // namespace
}  // namespace costwise::api
