#include "core/cost_anomaly.h"

#include <gtest/gtest.h>

namespace costwise {
namespace {

constexpr std::int64_t kUnit = Money::kNanosPerUnit;

Money Units(std::int64_t units) { return Money::FromNanos(units * kUnit); }

TEST(CostAnomalyTest, NamesRoundTrip) {
  for (const auto severity : {AnomalySeverity::kLow, AnomalySeverity::kMedium,
                              AnomalySeverity::kHigh, AnomalySeverity::kCritical}) {
    EXPECT_EQ(ParseSeverity(SeverityName(severity)), severity);
  }
  for (const auto status :
       {AnomalyStatus::kOpen, AnomalyStatus::kClosed, AnomalyStatus::kSuppressed}) {
    EXPECT_EQ(ParseStatus(StatusName(status)), status);
  }
  for (const auto feedback : {AnomalyFeedback::kNone, AnomalyFeedback::kYes, AnomalyFeedback::kNo,
                              AnomalyFeedback::kPlanned}) {
    EXPECT_EQ(ParseFeedback(FeedbackName(feedback)), feedback);
  }
  EXPECT_EQ(FeedbackName(AnomalyFeedback::kPlanned), "planned");
  EXPECT_FALSE(ParseFeedback("Yes").has_value());
  EXPECT_FALSE(ParseStatus("all").has_value());
}

TEST(CostAnomalyTest, LabelsAndComparesMonitors) {
  const AnomalyMonitor total{std::nullopt, "", "USD"};
  const AnomalyMonitor ec2{DimensionRef{CostDimension::kService, ""}, "Amazon EC2", "USD"};
  const AnomalyMonitor web{DimensionRef{CostDimension::kTag, "team"}, "web", "USD"};
  EXPECT_EQ(MonitorLabel(total), "total");
  EXPECT_EQ(MonitorLabel(ec2), "service=Amazon EC2");
  EXPECT_EQ(MonitorLabel(web), "tag:team=web");
  EXPECT_TRUE(SameMonitor(ec2, ec2));
  EXPECT_FALSE(SameMonitor(total, ec2));
  AnomalyMonitor euro = ec2;
  euro.currency = "EUR";
  EXPECT_FALSE(SameMonitor(ec2, euro));
  AnomalyMonitor other_key = web;
  other_key.dimension->tag_key = "owner";
  EXPECT_FALSE(SameMonitor(web, other_key));
}

TEST(CostAnomalyTest, TopRootCauseIsTheMostSpecificNamedContributorExplainingHalf) {
  CostAnomaly anomaly;
  anomaly.impact = Units(100);
  EXPECT_EQ(TopRootCause(anomaly), nullptr);
  anomaly.root_causes = {{"region", "us-east-1", Units(101)},
                         {"account", "a", Units(99)},
                         {"resource", "", Units(90)},  // costs without a resource id
                         {"usage-type", "BoxUsage", Units(60)},
                         {"resource", "i-1", Units(10)}};
  ASSERT_NE(TopRootCause(anomaly), nullptr);
  EXPECT_EQ(TopRootCause(anomaly)->value, "BoxUsage");
  anomaly.root_causes[3].impact = Units(40);  // explains less than half now
  EXPECT_EQ(TopRootCause(anomaly)->value, "a");
  // Spread thin: nothing explains half; the largest is shown.
  anomaly.root_causes = {{"resource", "i-1", Units(20)}, {"region", "r", Units(30)}};
  EXPECT_EQ(TopRootCause(anomaly)->value, "r");
}

TEST(CostAnomalyTest, RanksDimensionsFromTheMostSpecific) {
  EXPECT_LT(DimensionSpecificity("resource"), DimensionSpecificity("usage-type"));
  EXPECT_LT(DimensionSpecificity("usage-type"), DimensionSpecificity("account"));
  EXPECT_LT(DimensionSpecificity("account"), DimensionSpecificity("region"));
  EXPECT_LT(DimensionSpecificity("region"), DimensionSpecificity("service"));
  EXPECT_LT(DimensionSpecificity("service"), DimensionSpecificity("tag:team"));
  EXPECT_LT(DimensionSpecificity("tag:team"), DimensionSpecificity("provider"));
}

}  // namespace
}  // namespace costwise
