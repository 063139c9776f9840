#pragma once
// The JSON shapes of cloud accounts and their IAM policies (valid IAM policy documents).
#include <vector>

#include <nlohmann/json.hpp>

#include "service/aws_sync.h"
#include "service/cloud_accounts.h"

namespace costwise::api {

// {"id", "provider", "account_id", "name", "external_id", "role_arn", "cur_source", "status",
// "created_at", "last_sync_at", "last_error"}; role_arn, cur_source, last_sync_at and last_error
// null when unset. cur_source is {"athena": {...}} or {"s3": {...}}.
[[nodiscard]] nlohmann::json CloudAccountToJson(const service::CloudAccount& account);
// {"account": {...}, "ok", "steps": [{"step", "status", "detail"}], "sync_job": job or null}
[[nodiscard]] nlohmann::json ConnectionTestToJson(const service::ConnectionTestAnswer& answer);
// {"cloud_accounts": [...]}
[[nodiscard]] nlohmann::json CloudAccountsToJson(
    const std::vector<service::CloudAccount>& accounts);
// {"trust_policy", "permissions_policy" (null until the CUR source is entered), "apply_policy",
// "principal_configured"}
[[nodiscard]] nlohmann::json AccountPoliciesToJson(const service::AccountPolicies& policies);
// {"Version": "2012-10-17", "Statement": [...]}
[[nodiscard]] nlohmann::json IamPolicyToJson(const service::IamPolicy& policy);

// The CUR source of a request's "cur_source": {"athena": {...}} or {"s3": {...}} with string
// members; InvalidInput for another shape (the values are checked by the service).
[[nodiscard]] Result<service::CurSource> CurSourceFromJson(const nlohmann::json& value);

}  // namespace costwise::api
