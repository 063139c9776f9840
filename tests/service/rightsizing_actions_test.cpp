// The AWS CLI commands and Terraform changes that carry out right-sizing recommendations, checked
// word for word, with the quoting that keeps strange inventory values from becoming commands.
#include "service/rightsizing_actions.h"

#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace costwise::service {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

CloudInstance Instance(std::string tags = "") {
  CloudInstance row;
  row.instance_id = "i-0abc";
  row.instance_type = "m5.xlarge";
  row.region = "us-east-1";
  row.state = "running";
  row.tags = std::move(tags);
  return row;
}

rightsizing::Recommendation WithOption(rightsizing::Finding finding, std::string type,
                                       rightsizing::MigrationEffort effort, double savings) {
  rightsizing::Recommendation recommendation;
  recommendation.finding = finding;
  recommendation.current_type = "m5.xlarge";
  rightsizing::SizingOption option;
  option.type = std::move(type);
  option.effort = effort;
  option.monthly_savings = savings;
  recommendation.options.push_back(option);
  return recommendation;
}

TEST(RightsizingActionsTest, AResizeStopsChangesTheTypeAndStarts) {
  const ResourceActions actions =
      InstanceActions(Instance(R"({"Name": "web-1", "team": "data"})"),
                      WithOption(rightsizing::Finding::kOverProvisioned, "m5.large",
                                 rightsizing::MigrationEffort::kVeryLow, 70.08));
  EXPECT_THAT(
      actions.aws_cli,
      ElementsAre("aws ec2 stop-instances --region us-east-1 --instance-ids i-0abc",
                  "aws ec2 wait instance-stopped --region us-east-1 --instance-ids i-0abc",
                  "aws ec2 modify-instance-attribute --region us-east-1 --instance-id i-0abc "
                  "--instance-type Value=m5.large",
                  "aws ec2 start-instances --region us-east-1 --instance-ids i-0abc"));
  EXPECT_EQ(actions.terraform,
            "# costwise: i-0abc resize (over-provisioned), save $70.08/month\n"
            "# In the existing block; Terraform stops and starts the instance to apply it.\n"
            "resource \"aws_instance\" \"web-1\" {\n"
            "  instance_type = \"m5.large\" # was m5.xlarge (costwise)\n"
            "}\n");
}

TEST(RightsizingActionsTest, AnArmTargetIsFlagged) {
  const ResourceActions actions =
      InstanceActions(Instance(), WithOption(rightsizing::Finding::kUnderProvisioned, "c7g.large",
                                             rightsizing::MigrationEffort::kMedium, -12.5));
  ASSERT_EQ(actions.aws_cli.size(), 5U);
  EXPECT_THAT(actions.aws_cli[0], HasSubstr("# c7g.large is arm64 (Graviton)"));
  EXPECT_THAT(actions.terraform, HasSubstr("upsize (under-provisioned), costs $12.50/month"));
  EXPECT_THAT(actions.terraform, HasSubstr("set ami to an arm64 image"));
  // No Name tag: the resource is named after the instance id.
  EXPECT_THAT(actions.terraform, HasSubstr("resource \"aws_instance\" \"i-0abc\" {"));
}

TEST(RightsizingActionsTest, AnIdleInstanceIsStoppedWithTerminateAsTheAlternative) {
  const ResourceActions actions = InstanceActions(
      Instance("{Name=batch 7}"), WithOption(rightsizing::Finding::kIdle, "stop",
                                             rightsizing::MigrationEffort::kVeryLow, 140.16));
  EXPECT_THAT(actions.aws_cli,
              ElementsAre("aws ec2 stop-instances --region us-east-1 --instance-ids i-0abc",
                          "# or, when nothing needs it any more: aws ec2 terminate-instances "
                          "--region us-east-1 --instance-ids i-0abc"));
  EXPECT_EQ(actions.terraform,
            "# costwise: i-0abc is idle; keep it stopped (or remove its aws_instance block to "
            "terminate it).\n"
            "resource \"aws_ec2_instance_state\" \"batch_7\" {\n"
            "  instance_id = aws_instance.batch_7.id\n"
            "  state       = \"stopped\"\n"
            "}\n");
}

TEST(RightsizingActionsTest, NoOptionNoActions) {
  rightsizing::Recommendation optimized;
  optimized.finding = rightsizing::Finding::kOptimized;
  EXPECT_TRUE(InstanceActions(Instance(), optimized).empty());
}

TEST(RightsizingActionsTest, AnUnattachedVolumeIsSnapshottedThenDeleted) {
  rightsizing::IdleResource volume;
  volume.kind = rightsizing::IdleKind::kUnattachedVolume;
  volume.id = "vol-0abc";
  volume.region = "eu-west-1";
  volume.detail = "gp3, 500 GiB";
  volume.monthly_cost = 40;
  const ResourceActions actions = IdleResourceActions(volume);
  EXPECT_THAT(
      actions.aws_cli,
      ElementsAre("SNAPSHOT_ID=$(aws ec2 create-snapshot --region eu-west-1 --volume-id vol-0abc "
                  "--description 'costwise: before deleting unattached volume vol-0abc' --query "
                  "SnapshotId --output text)",
                  "aws ec2 wait snapshot-completed --region eu-west-1 --snapshot-ids "
                  "\"$SNAPSHOT_ID\"",
                  "aws ec2 delete-volume --region eu-west-1 --volume-id vol-0abc"));
  EXPECT_THAT(actions.terraform, HasSubstr("vol-0abc (gp3, 500 GiB) is attached to no instance"));
  EXPECT_THAT(actions.terraform, HasSubstr("remove the resource \"aws_ebs_volume\" block"));
}

TEST(RightsizingActionsTest, AnUnassociatedAddressIsReleased) {
  rightsizing::IdleResource address;
  address.kind = rightsizing::IdleKind::kUnassociatedAddress;
  address.id = "eipalloc-0abc";
  address.region = "us-east-1";
  address.detail = "203.0.113.7";
  address.monthly_cost = 3.65;
  EXPECT_THAT(IdleResourceActions(address).aws_cli,
              ElementsAre("aws ec2 release-address --region us-east-1 --allocation-id "
                          "eipalloc-0abc"));
  EXPECT_THAT(IdleResourceActions(address).terraform, HasSubstr("\"aws_eip\" block"));
  // EC2-Classic: no allocation id, released by its address.
  address.id = "203.0.113.7";
  EXPECT_THAT(IdleResourceActions(address).aws_cli,
              ElementsAre("aws ec2 release-address --region us-east-1 --public-ip 203.0.113.7"));
}

TEST(RightsizingActionsTest, InventoryValuesAreQuotedAndEscaped) {
  EXPECT_EQ(ShellWord("i-0abc"), "i-0abc");
  EXPECT_EQ(ShellWord("Value=m5.large"), "Value=m5.large");
  EXPECT_EQ(ShellWord("i-1; rm -rf /"), "'i-1; rm -rf /'");
  EXPECT_EQ(ShellWord("it's"), "'it'\\''s'");
  EXPECT_EQ(ShellWord("$(id)"), "'$(id)'");
  EXPECT_EQ(ShellWord("a\nb"), "'a?b'");
  EXPECT_EQ(ShellWord(""), "''");

  CloudInstance odd = Instance(R"({"Name": "9 lives \"prod\""})");
  odd.instance_id = "i-1; reboot";
  odd.region = "us-east-1\nrm";
  rightsizing::Recommendation r =
      WithOption(rightsizing::Finding::kOverProvisioned, "m5.${x}\"large",
                 rightsizing::MigrationEffort::kLow, 1);
  const ResourceActions actions = InstanceActions(odd, r);
  EXPECT_EQ(actions.aws_cli[0],
            "aws ec2 stop-instances --region 'us-east-1?rm' --instance-ids 'i-1; reboot'");
  EXPECT_THAT(actions.aws_cli[2], HasSubstr("--instance-type 'Value=m5.${x}\"large'"));
  EXPECT_THAT(actions.terraform, HasSubstr("resource \"aws_instance\" \"_9_lives__prod_\" {"));
  EXPECT_THAT(actions.terraform, HasSubstr("instance_type = \"m5.$${x}\\\"large\""));
  for (const std::string& command : actions.aws_cli) {
    EXPECT_EQ(command.find('\n'), std::string::npos) << command;
  }
}

TEST(RightsizingActionsTest, TerraformNamesAreIdentifiers) {
  EXPECT_EQ(TerraformName(R"({"Name": "web-1"})", "i-1"), "web-1");
  EXPECT_EQ(TerraformName(R"({"team": "x"})", "i-1"), "i-1");
  EXPECT_EQ(TerraformName("", "i-1"), "i-1");
  EXPECT_EQ(TerraformName("not tags", "i-1"), "i-1");
  EXPECT_EQ(TerraformName(R"({"Name": "db.primary/eu"})", "i-1"), "db_primary_eu");
  EXPECT_EQ(TerraformName(R"({"Name": "-x"})", "i-1"), "_-x");
  EXPECT_EQ(TerraformName("", "203.0.113.7"), "_203_0_113_7");
}

}  // namespace
}  // namespace costwise::service
