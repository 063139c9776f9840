#include "ingest/aws/sts.h"

#include "core/date.h"
#include "ingest/aws/xml.h"

namespace costwise::aws {

std::optional<std::int64_t> ParseAwsTime(std::string_view text) { return ParseTimestamp(text); }

AwsResult<Credentials> AssumeRole(AwsClient& client, const AssumeRoleRequest& request) {
  std::vector<QueryParam> params = {{"RoleArn", request.role_arn},
                                    {"RoleSessionName", request.session_name},
                                    {"DurationSeconds", std::to_string(request.duration_seconds)}};
  if (!request.external_id.empty()) params.emplace_back("ExternalId", request.external_id);
  auto response = client.CallQuery(kSts, "AssumeRole", params);
  if (!response) return unexpected<AwsError>(std::move(response.error()));
  auto document = ParseXml(kSts, "AssumeRole", *response);
  if (!document) return unexpected<AwsError>(std::move(document.error()));
  const pugi::xml_node node =
      document->child("AssumeRoleResponse").child("AssumeRoleResult").child("Credentials");
  Credentials credentials;
  credentials.access_key_id = node.child("AccessKeyId").text().as_string();
  credentials.secret_access_key = node.child("SecretAccessKey").text().as_string();
  credentials.session_token = node.child("SessionToken").text().as_string();
  credentials.expires = ParseAwsTime(node.child("Expiration").text().as_string());
  credentials.source = "role " + request.role_arn;
  if (credentials.access_key_id.empty() || credentials.secret_access_key.empty() ||
      !credentials.expires) {
    return unexpected<AwsError>(
        MalformedAnswer(kSts, "AssumeRole", "no Credentials with keys and an Expiration"));
  }
  return credentials;
}

AwsResult<CallerIdentity> GetCallerIdentity(AwsClient& client) {
  auto response = client.CallQuery(kSts, "GetCallerIdentity", {});
  if (!response) return unexpected<AwsError>(std::move(response.error()));
  auto document = ParseXml(kSts, "GetCallerIdentity", *response);
  if (!document) return unexpected<AwsError>(std::move(document.error()));
  const pugi::xml_node node =
      document->child("GetCallerIdentityResponse").child("GetCallerIdentityResult");
  CallerIdentity identity{node.child("Account").text().as_string(),
                          node.child("Arn").text().as_string(),
                          node.child("UserId").text().as_string()};
  if (identity.account.empty()) {
    return unexpected<AwsError>(MalformedAnswer(kSts, "GetCallerIdentity", "no Account"));
  }
  return identity;
}

}  // namespace costwise::aws
