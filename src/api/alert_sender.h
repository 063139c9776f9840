#pragma once
// The alert senders (docs/service.md, "Alerts"), through libcurl:
//  - generic webhook: POST of the message as JSON (WebhookBody) with the headers
//    `X-Costwise-Signature: sha256=<hex HMAC-SHA256 of the body with the channel's secret>` and
//    `X-Costwise-Timestamp: <Unix seconds>`;
//  - Slack incoming webhook: POST {"text", "blocks"} (SlackBody);
//  - email: SMTP (smtp:// with optional STARTTLS, or smtps://, optional log-in) of a
//    multipart/alternative message with a plain-text and an HTML part (EmailMessage);
//  - SNS: Publish to the channel's topic (its region from the ARN) as costwise's own AWS identity
//    (the credentials chain; the topic's access policy must allow it sns:Publish): the title as
//    the subject, the plain text as the message.
// 2xx (HTTP) and 2xx/3xx (SMTP) answers are sent; 4xx answers but 408 and 429 fail for good;
// everything else (5xx, no answer, timeouts) is retried by the caller. Nothing here logs.
#include <cstdint>
#include <string>
#include <string_view>

#include "service/alerts.h"
#include "service/aws_sync.h"
#include "store/alert_types.h"

namespace costwise::api {

class CurlAlertSender final : public service::AlertSender {
 public:
  // initialises libcurl once per process; `aws` (costwise's AWS access, may be null: SNS then
  // fails) must outlive the sender.
  explicit CurlAlertSender(const service::AwsSyncOptions* aws = nullptr);
  [[nodiscard]] service::SendOutcome Send(const store::AlertChannelRecord& channel,
                                          const service::AlertMessage& message,
                                          std::int64_t now) override;

 private:
  [[nodiscard]] service::SendOutcome PublishToSns(const store::AlertChannelRecord& channel,
                                                  const service::AlertMessage& message) const;
  const service::AwsSyncOptions* aws_;
};

// {"event": "anomaly" | "daily_digest" | "weekly_digest" | "test", "organisation", "rule",
//  "period": {"start", "end"} | null, "title", "text", "sent_at", "anomalies": [{"id", "monitor",
//  "start_date", "end_date", "currency", "impact", "impact_percent", "severity", "status",
//  "root_causes": [{"dimension", "value", "impact"}], "url", "summary"}]}
[[nodiscard]] std::string WebhookBody(const service::AlertMessage& message, std::int64_t now);
// "sha256=" and the hex HMAC-SHA256 of the body keyed with the secret.
[[nodiscard]] std::string WebhookSignature(std::string_view secret, std::string_view body);
// {"text": <title>, "blocks": [header, a section per anomaly (at most 45), context]}.
[[nodiscard]] std::string SlackBody(const service::AlertMessage& message);
// The RFC 5322 message with From, To, Subject, Date, Message-ID and MIME headers and base64
// text/plain and text/html parts; CRLF line ends.
[[nodiscard]] std::string EmailMessage(const store::AlertChannelConfig& config,
                                       const service::AlertMessage& message, std::int64_t now,
                                       std::string_view message_id);

}  // namespace costwise::api
