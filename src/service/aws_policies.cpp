// The IAM policies of an AWS account's onboarding (service/cloud_accounts.h): least privilege,
// with resources as specific ARNs built from what the organisation entered, and "*" only for
// actions without resource-level permissions (CloudWatch GetMetricData, the EC2 Describe
// actions, Pricing GetProducts).
#include <string>
#include <utility>

#include <fmt/format.h>

#include "service/cloud_accounts.h"

namespace costwise::service {
namespace {

constexpr std::string_view kS3Scheme = "s3://";

// The bucket and key prefix of s3://bucket/prefix (the prefix without a leading slash).
std::pair<std::string, std::string> SplitS3Uri(std::string_view uri) {
  std::string_view rest = uri.substr(kS3Scheme.size());
  const std::size_t slash = rest.find('/');
  if (slash == std::string_view::npos) return {std::string(rest), ""};
  std::string_view prefix = rest.substr(slash + 1);
  while (prefix.starts_with('/')) prefix.remove_prefix(1);
  return {std::string(rest.substr(0, slash)), std::string(prefix)};
}

std::string BucketArn(std::string_view bucket) { return fmt::format("arn:aws:s3:::{}", bucket); }

std::string ObjectsArn(std::string_view bucket, std::string_view prefix) {
  return fmt::format("arn:aws:s3:::{}/{}*", bucket, prefix);
}

// Read access to the objects under the prefix, and listing them.
void AddS3Read(IamPolicy& policy, std::string_view sid, std::string_view bucket,
               std::string_view prefix) {
  policy.statements.push_back(IamStatement{
      fmt::format("{}Objects", sid), "", {"s3:GetObject"}, {ObjectsArn(bucket, prefix)}, {}});
  IamStatement list{fmt::format("{}List", sid), "", {"s3:ListBucket"}, {BucketArn(bucket)}, {}};
  if (!prefix.empty()) {
    list.conditions.push_back(IamCondition{"StringLike", "s3:prefix", {std::string(prefix) + "*"}});
  }
  policy.statements.push_back(std::move(list));
}

IamPolicy TrustPolicy(const CloudAccount& account, std::string_view principal_arn) {
  IamStatement statement;
  statement.sid = "CostwiseAssumeRole";
  statement.principal_aws =
      principal_arn.empty() ? std::string(kPlaceholderPrincipal) : std::string(principal_arn);
  statement.actions = {"sts:AssumeRole"};
  statement.conditions = {
      IamCondition{"StringEquals", "sts:ExternalId", {account.record.external_id}}};
  return IamPolicy{{std::move(statement)}};
}

IamPolicy PermissionsPolicy(const CloudAccount& account, const CurSource& source) {
  const std::string& aws_account = account.record.account_id;
  IamPolicy policy;
  if (source.kind == CurSource::Kind::kAthena) {
    policy.statements.push_back(
        IamStatement{"CostwiseAthenaQueries",
                     "",
                     {"athena:StartQueryExecution", "athena:GetQueryExecution",
                      "athena:GetQueryResults", "athena:GetWorkGroup"},
                     {fmt::format("arn:aws:athena:{}:{}:workgroup/{}", source.region, aws_account,
                                  source.workgroup)},
                     {}});
    policy.statements.push_back(IamStatement{
        "CostwiseGlueCatalog",
        "",
        {"glue:GetDatabase", "glue:GetTable", "glue:GetPartitions"},
        {fmt::format("arn:aws:glue:{}:{}:catalog", source.region, aws_account),
         fmt::format("arn:aws:glue:{}:{}:database/{}", source.region, aws_account, source.database),
         fmt::format("arn:aws:glue:{}:{}:table/{}/{}", source.region, aws_account, source.database,
                     source.table)},
        {}});
    const auto [data_bucket, data_prefix] = SplitS3Uri(source.data_location);
    AddS3Read(policy, "CostwiseCurData", data_bucket, data_prefix);
    const auto [output_bucket, output_prefix] = SplitS3Uri(source.output_location);
    policy.statements.push_back(IamStatement{"CostwiseAthenaResults",
                                             "",
                                             {"s3:GetObject", "s3:PutObject"},
                                             {ObjectsArn(output_bucket, output_prefix)},
                                             {}});
    policy.statements.push_back(IamStatement{"CostwiseAthenaResultsBucket",
                                             "",
                                             {"s3:ListBucket", "s3:GetBucketLocation"},
                                             {BucketArn(output_bucket)},
                                             {}});
  } else {
    AddS3Read(policy, "CostwiseCurFiles", source.bucket, source.prefix);
  }
  // These actions have no resource-level permissions: IAM accepts only "*" for them.
  policy.statements.push_back(
      IamStatement{"CostwiseMetrics", "", {"cloudwatch:GetMetricData"}, {"*"}, {}});
  policy.statements.push_back(IamStatement{"CostwiseInventory",
                                           "",
                                           {"ec2:DescribeInstances", "ec2:DescribeVolumes",
                                            "ec2:DescribeAddresses", "ec2:DescribeRegions"},
                                           {"*"},
                                           {}});
  policy.statements.push_back(
      IamStatement{"CostwisePrices", "", {"pricing:GetProducts"}, {"*"}, {}});
  return policy;
}

// Applying right-sizing: stop, resize, start. A dry run (the EC2 DryRun parameter) is checked
// against these same permissions.
IamPolicy ApplyPolicy(const CloudAccount& account) {
  return IamPolicy{
      {IamStatement{"CostwiseApplyRightsizing",
                    "",
                    {"ec2:StopInstances", "ec2:StartInstances", "ec2:ModifyInstanceAttribute"},
                    {fmt::format("arn:aws:ec2:*:{}:instance/*", account.record.account_id)},
                    {}}}};
}

}  // namespace

AccountPolicies PoliciesFor(const CloudAccount& account, std::string_view principal_arn) {
  AccountPolicies policies;
  policies.trust = TrustPolicy(account, principal_arn);
  if (account.cur_source) policies.permissions = PermissionsPolicy(account, *account.cur_source);
  policies.apply = ApplyPolicy(account);
  policies.principal_configured = !principal_arn.empty();
  return policies;
}

}  // namespace costwise::service
