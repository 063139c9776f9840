#include "ingest/aws/sns.h"

#include "ingest/aws/xml.h"

namespace costwise::aws {

namespace {
constexpr std::size_t kMaxSubject = 100;
constexpr std::size_t kMaxMessage = 256 * 1024;
}  // namespace

std::optional<TopicArn> ParseTopicArn(std::string_view arn) {
  constexpr std::string_view kPrefix = "arn:aws:sns:";
  if (!arn.starts_with(kPrefix)) return std::nullopt;
  arn.remove_prefix(kPrefix.size());
  const std::size_t first = arn.find(':');
  if (first == std::string_view::npos) return std::nullopt;
  const std::size_t second = arn.find(':', first + 1);
  if (second == std::string_view::npos) return std::nullopt;
  TopicArn topic{std::string(arn.substr(0, first)),
                 std::string(arn.substr(first + 1, second - first - 1)),
                 std::string(arn.substr(second + 1))};
  if (topic.region.empty() || topic.account.size() != 12 || topic.name.empty()) return std::nullopt;
  return topic;
}

std::string SnsSubject(std::string_view title) {
  std::string subject;
  for (char c : title) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x20 && byte < 0x7f) {
      subject.push_back(c);
    } else if (c == '\n' || c == '\r' || c == '\t') {
      subject.push_back(' ');
    }  // other bytes (UTF-8 sequences) are left out: SNS subjects are ASCII
  }
  if (subject.size() > kMaxSubject) subject = subject.substr(0, kMaxSubject - 3) + "...";
  if (subject.empty()) subject = "costwise";
  return subject;
}

AwsResult<std::string> Publish(AwsClient& client, const std::string& topic_arn,
                               std::string_view subject, std::string_view message) {
  std::string body(message.substr(0, kMaxMessage));
  // Never cut a UTF-8 sequence in two.
  while (body.size() == kMaxMessage && !body.empty() &&
         (static_cast<unsigned char>(body.back()) & 0xC0) == 0x80) {
    body.pop_back();
  }
  if (!body.empty() && (static_cast<unsigned char>(body.back()) & 0xC0) == 0xC0) body.pop_back();
  auto response = client.CallQuery(
      kSns, "Publish",
      {{"TopicArn", topic_arn}, {"Subject", SnsSubject(subject)}, {"Message", body}});
  if (!response) return unexpected<AwsError>(std::move(response.error()));
  auto document = ParseXml(kSns, "Publish", *response);
  if (!document) return unexpected<AwsError>(std::move(document.error()));
  std::string id = document->child("PublishResponse")
                       .child("PublishResult")
                       .child("MessageId")
                       .text()
                       .as_string();
  if (id.empty()) return unexpected<AwsError>(MalformedAnswer(kSns, "Publish", "no MessageId"));
  return id;
}

}  // namespace costwise::aws
