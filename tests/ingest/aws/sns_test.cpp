// SNS: topic ARNs, subjects SNS accepts, and Publish's request and answer.
#include "ingest/aws/sns.h"

#include <gtest/gtest.h>

#include "scripted_transport.h"

namespace costwise::aws {
namespace {

TEST(SnsTest, TopicArnsGiveRegionAccountAndName) {
  auto topic = ParseTopicArn("arn:aws:sns:eu-west-1:111122223333:costwise-alerts");
  ASSERT_TRUE(topic);
  EXPECT_EQ(topic->region, "eu-west-1");
  EXPECT_EQ(topic->account, "111122223333");
  EXPECT_EQ(topic->name, "costwise-alerts");
  EXPECT_FALSE(ParseTopicArn("arn:aws:sqs:eu-west-1:111122223333:q"));
  EXPECT_FALSE(ParseTopicArn("arn:aws:sns:eu-west-1:1111:x"));
  EXPECT_FALSE(ParseTopicArn("arn:aws:sns:eu-west-1"));
}

TEST(SnsTest, SubjectsAreOneLineOfAsciiUpToOneHundredCharacters) {
  EXPECT_EQ(SnsSubject("costwise: EC2 \xe2\x86\x91 $1,200\n(2 anomalies)"),
            "costwise: EC2  $1,200 (2 anomalies)");
  const std::string long_title(150, 'x');
  EXPECT_EQ(SnsSubject(long_title).size(), 100u);
  EXPECT_TRUE(SnsSubject(long_title).ends_with("..."));
  EXPECT_EQ(SnsSubject("\xe2\x86\x91"), "costwise");
}

TEST(SnsTest, PublishSendsTheTopicSubjectAndMessage) {
  auto transport = std::make_shared<testing::ScriptedTransport>();
  transport->Answer(200,
                    "<PublishResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\">"
                    "<PublishResult><MessageId>m-1</MessageId></PublishResult>"
                    "</PublishResponse>");
  ClientConfig config;
  config.region = "eu-west-1";
  config.credentials =
      std::make_shared<StaticCredentials>(Credentials{"AKID", "secret", "", std::nullopt, "t"});
  config.transport = transport;
  AwsClient client(std::move(config));
  auto id = Publish(client, "arn:aws:sns:eu-west-1:111122223333:a", "Subject", "hello & bye");
  ASSERT_TRUE(id) << id.error().Describe();
  EXPECT_EQ(*id, "m-1");
  EXPECT_EQ(transport->sent[0].base_url, "https://sns.eu-west-1.amazonaws.com");
  EXPECT_EQ(transport->sent[0].request.body,
            "Action=Publish&Version=2010-03-31&TopicArn=arn%3Aaws%3Asns%3Aeu-west-1%3A"
            "111122223333%3Aa&Subject=Subject&Message=hello%20%26%20bye");
}

}  // namespace
}  // namespace costwise::aws
