#pragma once
// Onboarding an AWS account (docs/service.md, "Onboarding an AWS account"), the way SaaS cost
// tools do it: costwise generates an External ID; the organisation creates an IAM role in its
// account that trusts costwise's principal on that External ID, with the least-privilege
// permissions policy costwise shows (built from the CUR source the organisation entered), and
// enters the role's ARN. The connection test and syncs come with the AWS connectors.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "service/auth.h"
#include "store/cloud_account_types.h"
#include "store/repository.h"

namespace costwise::service {

// Where the account's Cost and Usage Report is read: an Athena table over the CUR files, or the
// CUR files in S3 directly.
struct CurSource {
  enum class Kind { kAthena, kS3 };
  Kind kind = Kind::kAthena;
  std::string region;  // like us-east-1
  // Athena: the Glue database and table, the workgroup, where Athena writes results
  // (s3://bucket/prefix/) and where the CUR files the table reads are (s3://bucket/prefix/).
  std::string database;
  std::string table;
  std::string workgroup;
  std::string output_location;
  std::string data_location;
  // S3: the bucket and key prefix of the CUR files.
  std::string bucket;
  std::string prefix;
};

// InvalidInput naming the field and what it should look like.
[[nodiscard]] Status ValidateCurSource(const CurSource& source);
// As stored: {"athena": {...}} or {"s3": {...}}, with fixed keys in a fixed order.
[[nodiscard]] std::string CurSourceText(const CurSource& source);
// InvalidInput for text CurSourceText did not write.
[[nodiscard]] Result<CurSource> ParseCurSourceText(std::string_view text);

// InvalidInput unless the ARN is arn:aws:iam::<12 digits>:role/<name> (a path allowed).
[[nodiscard]] Status ValidateRoleArn(std::string_view arn);
// InvalidInput unless the ARN names an IAM principal: arn:aws:iam::<12 digits>:root, :role/...,
// or :user/....
[[nodiscard]] Status ValidatePrincipalArn(std::string_view arn);

// A cloud account with its CUR source read back.
struct CloudAccount {
  store::CloudAccountRecord record;
  std::optional<CurSource> cur_source;
};

// Admins and owners. InvalidInput for a name that is empty or longer than 100 bytes, or an
// account id that is not 12 digits; Conflict when the organisation has the account already.
[[nodiscard]] Result<CloudAccount> CreateCloudAccount(store::Repository& repository,
                                                      const Principal& principal,
                                                      std::string_view name,
                                                      std::string_view account_id,
                                                      std::int64_t now);
[[nodiscard]] Result<std::vector<CloudAccount>> ListCloudAccounts(store::Repository& repository,
                                                                  const Principal& principal);
// NotFound unless the account is the principal's organisation's.
[[nodiscard]] Result<CloudAccount> GetCloudAccount(store::Repository& repository,
                                                   const Principal& principal,
                                                   std::int64_t account_id);
// Admins and owners: sets what is given (an empty role ARN clears it) and keeps the rest; the
// status goes back to pending until a connection test. InvalidInput when nothing is given, for a
// malformed role ARN or CUR source, or a role in another AWS account.
[[nodiscard]] Result<CloudAccount> ConfigureCloudAccount(
    store::Repository& repository, const Principal& principal, std::int64_t account_id,
    const std::optional<std::string>& role_arn, const std::optional<CurSource>& cur_source);
// Admins and owners. NotFound unless the account is the principal's organisation's.
[[nodiscard]] Status DeleteCloudAccount(store::Repository& repository, const Principal& principal,
                                        std::int64_t account_id);

// An IAM policy document (Version 2012-10-17), rendered to JSON by the API.
struct IamCondition {
  std::string test;  // StringEquals, StringLike, ...
  std::string key;   // sts:ExternalId, s3:prefix, ...
  std::vector<std::string> values;
};
struct IamStatement {
  std::string sid;
  std::string principal_aws;  // trust policies only
  std::vector<std::string> actions;
  std::vector<std::string> resources;  // empty in trust policies
  std::vector<IamCondition> conditions;
};
struct IamPolicy {
  std::vector<IamStatement> statements;
};

// What the organisation pastes into IAM.
struct AccountPolicies {
  IamPolicy trust;                       // who may assume the role: costwise, with the External ID
  std::optional<IamPolicy> permissions;  // read access; empty until the CUR source is entered
  IamPolicy apply;                       // optional: stop, start and resize instances
  bool principal_configured = false;     // false: the trust names kPlaceholderPrincipal
};

// The trust policy's principal when `serve --aws-principal-arn` is not given: IAM refuses it, so
// a role cannot be created with it by mistake.
inline constexpr std::string_view kPlaceholderPrincipal =
    "arn:aws:iam::COSTWISE_AWS_ACCOUNT_ID:role/REPLACE-WITH-serve---aws-principal-arn";

// The account's policies; `principal_arn` is costwise's own AWS principal ("" = the placeholder).
[[nodiscard]] Result<AccountPolicies> CloudAccountPolicies(store::Repository& repository,
                                                           const Principal& principal,
                                                           std::int64_t account_id,
                                                           std::string_view principal_arn);
// The same from an account directly (no store).
[[nodiscard]] AccountPolicies PoliciesFor(const CloudAccount& account,
                                          std::string_view principal_arn);

}  // namespace costwise::service
