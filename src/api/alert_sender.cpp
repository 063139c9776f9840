#include "api/alert_sender.h"

#include <array>
#include <ctime>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include <curl/curl.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "api/html_text.h"
#include "api/json_values.h"
#include "ingest/aws/credentials.h"
#include "ingest/aws/sns.h"

namespace costwise::api {
namespace {

constexpr long kConnectTimeoutSeconds = 5;
constexpr long kTimeoutSeconds = 15;
constexpr std::size_t kMaxSlackItems = 45;  // Slack takes at most 50 blocks
constexpr std::size_t kSlackHeaderMax = 150;
constexpr std::size_t kSlackSectionMax = 3000;
constexpr std::size_t kBase64LineBytes = 57;  // 76 characters of base64 a line
constexpr int kHttpOk = 200;
constexpr int kHttpMultipleChoices = 300;
constexpr int kHttpBadRequest = 400;
constexpr int kHttpServerError = 500;
constexpr int kHttpRequestTimeout = 408;
constexpr int kHttpTooManyRequests = 429;
constexpr int kSmtpBadRequest = 400;
constexpr int kSmtpPermanent = 500;

struct CurlDeleter {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
};
struct ListDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using CurlHandle = std::unique_ptr<CURL, CurlDeleter>;
using HeaderList = std::unique_ptr<curl_slist, ListDeleter>;

void Append(HeaderList& list, const std::string& line) {
  curl_slist* grown = curl_slist_append(list.get(), line.c_str());
  if (grown != nullptr) {
    (void)list.release();
    list.reset(grown);
  }
}

std::size_t Discard(char* /*data*/, std::size_t size, std::size_t count, void* /*user*/) {
  return size * count;
}

// The upload of an SMTP message: hands out `text` from `offset` on.
struct Upload {
  std::string_view text;
  std::size_t offset = 0;
};

std::size_t ReadUpload(char* buffer, std::size_t size, std::size_t count, void* user) {
  auto* upload = static_cast<Upload*>(user);
  const std::size_t n = std::min(size * count, upload->text.size() - upload->offset);
  std::copy_n(upload->text.data() + upload->offset, n, buffer);
  upload->offset += n;
  return n;
}

void CommonOptions(CURL* curl, const std::string& url, const char* protocols) {
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, protocols);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, kConnectTimeoutSeconds);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, kTimeoutSeconds);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Discard);
}

// Runs the transfer; `what` names the receiver in errors (never its URL, which may hold a token).
service::SendOutcome Perform(CURL* curl, std::string_view what, bool smtp) {
  const CURLcode code = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  service::SendOutcome outcome;
  if (status != 0) outcome.response_status = static_cast<int>(status);
  if (code != CURLE_OK) {
    outcome.error = fmt::format("{}: {}", what, curl_easy_strerror(code));
    outcome.retryable = !smtp || status < kSmtpPermanent;
    return outcome;
  }
  if (smtp) {
    outcome.sent = status < kSmtpBadRequest;
  } else {
    outcome.sent = status >= kHttpOk && status < kHttpMultipleChoices;
    outcome.retryable = status >= kHttpServerError || status < kHttpBadRequest ||
                        status == kHttpRequestTimeout || status == kHttpTooManyRequests;
  }
  if (!outcome.sent) outcome.error = fmt::format("{} answered {}", what, status);
  return outcome;
}

std::string_view EventName(store::DeliveryKind kind) {
  switch (kind) {
    case store::DeliveryKind::kImmediate:
      return "anomaly";
    case store::DeliveryKind::kDaily:
      return "daily_digest";
    case store::DeliveryKind::kWeekly:
      return "weekly_digest";
    case store::DeliveryKind::kTest:
      return "test";
  }
  return "anomaly";
}

std::string AmountText(Money amount, std::string_view currency) {
  return currency == "USD" ? fmt::format("${}", amount.ToString(2))
                           : fmt::format("{} {}", amount.ToString(2), currency);
}

std::string CausesText(const service::AlertItem& item) {
  std::string text;
  for (const RootCause& cause : item.root_causes) {
    if (!text.empty()) text += ", ";
    text += fmt::format("{} {} (+{})", cause.dimension, cause.value,
                        AmountText(cause.impact, item.currency));
  }
  return text.empty() ? "none found" : text;
}

// Slack's mrkdwn escapes only &, < and >.
std::string SlackEscape(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (c == '&') {
      out += "&amp;";
    } else if (c == '<') {
      out += "&lt;";
    } else if (c == '>') {
      out += "&gt;";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string Truncated(std::string text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  std::size_t cut = max_bytes - 3;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0U) == 0x80U) --cut;
  text.resize(cut);
  return text + "...";
}

std::string Base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

// Base64 in lines of 76 characters, CRLF-ended.
std::string Base64Lines(std::string_view bytes) {
  std::string out;
  for (std::size_t at = 0; at < bytes.size(); at += kBase64LineBytes) {
    out += Base64(bytes.substr(at, kBase64LineBytes));
    out += "\r\n";
  }
  return out;
}

// A header value: one line; RFC 2047 encoded when not plain ASCII.
std::string HeaderText(std::string_view text) {
  std::string line;
  bool ascii = true;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte == '\r' || byte == '\n') {
      line.push_back(' ');
      continue;
    }
    if (byte >= 0x80U || byte < 0x20U) ascii = false;
    line.push_back(c);
  }
  if (ascii) return line;
  return fmt::format("=?UTF-8?B?{}?=", Base64(line));
}

// "Fri, 27 Nov 2026 03:13:25 +0000" (RFC 5322), independent of the locale.
std::string MailDate(std::int64_t now) {
  constexpr std::array<const char*, 7> kDays = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::time_t time = now;
  std::tm utc{};
  gmtime_r(&time, &utc);
  return fmt::format("{}, {:02d} {} {} {:02d}:{:02d}:{:02d} +0000",
                     kDays[static_cast<std::size_t>(utc.tm_wday)], utc.tm_mday,
                     kMonths[static_cast<std::size_t>(utc.tm_mon)], utc.tm_year + 1900, utc.tm_hour,
                     utc.tm_min, utc.tm_sec);
}

std::string HtmlOf(const service::AlertMessage& message) {
  std::string html = fmt::format("<html><body>\n<h2>{}</h2>\n", HtmlEscape(message.title));
  if (!message.items.empty()) {
    html += "<ul>\n";
    for (const service::AlertItem& item : message.items) {
      html += fmt::format(
          "<li><p>{}</p><p>Root causes: {}</p><p><a href=\"{}\">View the anomaly</a></p></li>\n",
          HtmlEscape(item.summary), HtmlEscape(CausesText(item)), HtmlEscape(item.url));
    }
    html += "</ul>\n";
  }
  if (message.kind == store::DeliveryKind::kTest) {
    html += "<p>This is a test message: the channel works.</p>\n";
  } else {
    html += fmt::format("<p>Organisation: {}; alert rule: {}</p>\n",
                        HtmlEscape(message.organisation), HtmlEscape(message.rule));
  }
  return html + "</body></html>\n";
}

// 16 random bytes in hex, for a Message-ID.
std::string RandomToken() {
  std::array<unsigned char, 16> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    return fmt::format("{:x}", static_cast<std::uint64_t>(std::time(nullptr)));
  }
  std::string hex;
  for (const unsigned char byte : bytes) hex += fmt::format("{:02x}", byte);
  return hex;
}

service::SendOutcome PostJson(const std::string& url, const std::string& body, HeaderList headers,
                              std::string_view what) {
  const CurlHandle curl(curl_easy_init());
  if (!curl) return {false, std::nullopt, "cannot start an HTTP request (libcurl)", true};
  CommonOptions(curl.get(), url, "http,https");
  Append(headers, "Content-Type: application/json");
  Append(headers, "User-Agent: costwise-alerts/1");
  curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  return Perform(curl.get(), what, false);
}

service::SendOutcome SendEmail(const store::AlertChannelConfig& config,
                               const service::AlertMessage& message, std::int64_t now) {
  const CurlHandle curl(curl_easy_init());
  if (!curl) return {false, std::nullopt, "cannot start an SMTP session (libcurl)", true};
  const std::size_t at = config.email_from.find('@');
  const std::string domain =
      at == std::string::npos ? "costwise.invalid" : config.email_from.substr(at + 1);
  const std::string text =
      EmailMessage(config, message, now, fmt::format("<{}@{}>", RandomToken(), domain));
  CommonOptions(curl.get(), config.url, "smtp,smtps");
  const std::string from = fmt::format("<{}>", config.email_from);
  curl_easy_setopt(curl.get(), CURLOPT_MAIL_FROM, from.c_str());
  HeaderList recipients;
  for (const std::string& address : config.email_to)
    Append(recipients, fmt::format("<{}>", address));
  curl_easy_setopt(curl.get(), CURLOPT_MAIL_RCPT, recipients.get());
  if (!config.smtp_username.empty()) {
    curl_easy_setopt(curl.get(), CURLOPT_USERNAME, config.smtp_username.c_str());
    curl_easy_setopt(curl.get(), CURLOPT_PASSWORD, config.smtp_password.c_str());
  }
  if (config.starttls)
    curl_easy_setopt(curl.get(), CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
  Upload upload{text, 0};
  curl_easy_setopt(curl.get(), CURLOPT_READFUNCTION, ReadUpload);
  curl_easy_setopt(curl.get(), CURLOPT_READDATA, &upload);
  curl_easy_setopt(curl.get(), CURLOPT_UPLOAD, 1L);
  return Perform(curl.get(), "the SMTP server", true);
}

}  // namespace

CurlAlertSender::CurlAlertSender(const service::AwsSyncOptions* aws) : aws_(aws) {
  static std::once_flag initialised;
  std::call_once(initialised, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

service::SendOutcome CurlAlertSender::Send(const store::AlertChannelRecord& channel,
                                           const service::AlertMessage& message, std::int64_t now) {
  switch (channel.type) {
    case store::AlertChannelType::kWebhook: {
      const std::string body = WebhookBody(message, now);
      HeaderList headers;
      Append(headers, "X-Costwise-Signature: " + WebhookSignature(channel.secret, body));
      Append(headers, fmt::format("X-Costwise-Timestamp: {}", now));
      return PostJson(channel.config.url, body, std::move(headers), "the webhook");
    }
    case store::AlertChannelType::kSlack:
      return PostJson(channel.config.url, SlackBody(message), HeaderList(), "Slack");
    case store::AlertChannelType::kEmail:
      return SendEmail(channel.config, message, now);
    case store::AlertChannelType::kSns:
      return PublishToSns(channel, message);
  }
  return {false, std::nullopt, "unknown channel type", false};
}

service::SendOutcome CurlAlertSender::PublishToSns(const store::AlertChannelRecord& channel,
                                                   const service::AlertMessage& message) const {
  const std::optional<aws::TopicArn> topic = aws::ParseTopicArn(channel.config.topic_arn);
  if (!topic) {
    return {false, std::nullopt,
            fmt::format("\"{}\" is not an SNS topic ARN", channel.config.topic_arn), false};
  }
  if (aws_ == nullptr) return {false, std::nullopt, "this server has no AWS access", false};
  aws::ClientConfig config;
  config.region = topic->region;
  config.transport = aws_->transport;
  config.endpoints = aws_->environment.Endpoints();
  config.retry = aws_->retry;
  config.retry.max_attempts = 3;  // the delivery log retries later as well
  config.credentials = aws::DefaultCredentialsChain(aws_->environment, config);
  aws::AwsClient client(std::move(config));
  auto published = aws::Publish(client, channel.config.topic_arn, message.title, message.text);
  if (published) return {true, 200, "", true};
  const aws::AwsError& error = published.error();
  const bool retryable =
      error.code == ErrorCode::kUnavailable || error.code == ErrorCode::kRateLimited;
  return {false, error.http_status != 0 ? std::optional<int>(error.http_status) : std::nullopt,
          error.Describe(), retryable};
}

std::string WebhookBody(const service::AlertMessage& message, std::int64_t now) {
  nlohmann::json anomalies = nlohmann::json::array();
  for (const service::AlertItem& item : message.items) {
    nlohmann::json causes = nlohmann::json::array();
    for (const RootCause& cause : item.root_causes) {
      causes.push_back({{"dimension", cause.dimension},
                        {"value", cause.value},
                        {"impact", MoneyText(cause.impact)}});
    }
    anomalies.push_back(
        {{"id", item.anomaly_id},
         {"monitor", item.monitor},
         {"start_date", item.start_date.ToString()},
         {"end_date", item.end_date.ToString()},
         {"currency", item.currency},
         {"impact", MoneyText(item.impact)},
         {"impact_percent",
          item.impact_percent ? nlohmann::json(*item.impact_percent) : nlohmann::json(nullptr)},
         {"severity", SeverityName(item.severity)},
         {"status", StatusName(item.status)},
         {"root_causes", causes},
         {"url", item.url},
         {"summary", item.summary}});
  }
  nlohmann::json period = nullptr;
  if (message.period_start && message.period_end) {
    period = {{"start", message.period_start->ToString()}, {"end", message.period_end->ToString()}};
  }
  const nlohmann::json body = {
      {"event", EventName(message.kind)},
      {"organisation", message.organisation},
      {"rule", message.rule.empty() ? nlohmann::json(nullptr) : nlohmann::json(message.rule)},
      {"period", period},
      {"title", message.title},
      {"text", message.text},
      {"sent_at", TimeJson(now)},
      {"anomalies", anomalies},
  };
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string WebhookSignature(std::string_view secret, std::string_view body) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(body.data()), body.size(), digest.data(), &length);
  std::string hex = "sha256=";
  for (unsigned int i = 0; i < length; ++i) hex += fmt::format("{:02x}", digest[i]);
  return hex;
}

std::string SlackBody(const service::AlertMessage& message) {
  nlohmann::json blocks = nlohmann::json::array();
  blocks.push_back(
      {{"type", "header"},
       {"text", {{"type", "plain_text"}, {"text", Truncated(message.title, kSlackHeaderMax)}}}});
  for (std::size_t i = 0; i < message.items.size() && i < kMaxSlackItems; ++i) {
    const service::AlertItem& item = message.items[i];
    const std::string text =
        fmt::format("*{}*\nRoot causes: {}\n<{}|View the anomaly>", SlackEscape(item.summary),
                    SlackEscape(CausesText(item)), item.url);
    blocks.push_back({{"type", "section"},
                      {"text", {{"type", "mrkdwn"}, {"text", Truncated(text, kSlackSectionMax)}}}});
  }
  const std::string context =
      message.kind == store::DeliveryKind::kTest
          ? fmt::format("costwise · {} · a test message: the channel works",
                        SlackEscape(message.organisation))
          : fmt::format("costwise · {} · rule {}", SlackEscape(message.organisation),
                        SlackEscape(message.rule));
  blocks.push_back(
      {{"type", "context"},
       {"elements", {{{"type", "mrkdwn"}, {"text", Truncated(context, kSlackSectionMax)}}}}});
  const nlohmann::json body = {{"text", message.title}, {"blocks", blocks}};
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string EmailMessage(const store::AlertChannelConfig& config,
                         const service::AlertMessage& message, std::int64_t now,
                         std::string_view message_id) {
  std::string to;
  for (const std::string& address : config.email_to) {
    if (!to.empty()) to += ", ";
    to += address;
  }
  const std::string boundary = fmt::format("costwise-{}", Base64(message_id).substr(0, 24));
  std::string text;
  text += fmt::format("From: {}\r\n", config.email_from);
  text += fmt::format("To: {}\r\n", to);
  text += fmt::format("Subject: {}\r\n", HeaderText(message.title));
  text += fmt::format("Date: {}\r\n", MailDate(now));
  text += fmt::format("Message-ID: {}\r\n", message_id);
  text += "MIME-Version: 1.0\r\n";
  text += fmt::format("Content-Type: multipart/alternative; boundary=\"{}\"\r\n\r\n", boundary);
  text += fmt::format(
      "--{}\r\nContent-Type: text/plain; charset=utf-8\r\n"
      "Content-Transfer-Encoding: base64\r\n\r\n{}",
      boundary, Base64Lines(message.text));
  text += fmt::format(
      "--{}\r\nContent-Type: text/html; charset=utf-8\r\n"
      "Content-Transfer-Encoding: base64\r\n\r\n{}",
      boundary, Base64Lines(HtmlOf(message)));
  text += fmt::format("--{}--\r\n", boundary);
  return text;
}

}  // namespace costwise::api
