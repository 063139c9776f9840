#pragma once
// STS: AssumeRole (how costwise enters an onboarded account's role, with its External ID) and
// GetCallerIdentity (the connection test's first question: whose keys are these?).
#include <cstdint>
#include <string>

#include "ingest/aws/client.h"

namespace costwise::aws {

struct AssumeRoleRequest {
  std::string role_arn;
  std::string external_id;  // empty when the role's trust policy asks for none
  std::string session_name = "costwise";
  int duration_seconds = 3600;
};

struct CallerIdentity {
  std::string account;
  std::string arn;
  std::string user_id;
};

[[nodiscard]] AwsResult<Credentials> AssumeRole(AwsClient& client,
                                                const AssumeRoleRequest& request);
[[nodiscard]] AwsResult<CallerIdentity> GetCallerIdentity(AwsClient& client);

// AWS's timestamps: "2026-11-27T10:00:00Z", "2026-11-27T10:00:00.000Z". Empty when malformed.
[[nodiscard]] std::optional<std::int64_t> ParseAwsTime(std::string_view text);

}  // namespace costwise::aws
