#pragma once
// SNS Publish (query protocol): how alert channels of type "sns" reach a topic. The topic's
// region and account come from its ARN.
#include <string>
#include <string_view>

#include "ingest/aws/client.h"

namespace costwise::aws {

struct TopicArn {
  std::string region;
  std::string account;
  std::string name;
};

// "arn:aws:sns:REGION:ACCOUNT:NAME"; empty when not a topic ARN.
[[nodiscard]] std::optional<TopicArn> ParseTopicArn(std::string_view arn);

// An SNS subject: printable ASCII on one line, at most 100 characters (longer ones are cut with
// "..."). SNS refuses anything else.
[[nodiscard]] std::string SnsSubject(std::string_view title);

// Publishes `message` (at most 256 KB: longer ones are cut) with `subject`; the MessageId.
// The client must be in the topic's region.
[[nodiscard]] AwsResult<std::string> Publish(AwsClient& client, const std::string& topic_arn,
                                             std::string_view subject, std::string_view message);

}  // namespace costwise::aws
