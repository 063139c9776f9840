#pragma once
// The JSON shapes of organisations, members and invitations. An invitation's token appears only
// in the answer that creates it.
#include <vector>

#include <nlohmann/json.hpp>

#include "service/auth.h"
#include "store/auth_types.h"

namespace costwise::api {

// {"organisations": [{"id", "name", "role", "current"}]}; `current` marks the caller's.
[[nodiscard]] nlohmann::json OrganisationsToJson(const std::vector<store::Membership>& memberships,
                                                 std::int64_t current_tenant_id);
// {"members": [{"user": {"id", "email"}, "role", "joined_at"}]}
[[nodiscard]] nlohmann::json MembersToJson(const std::vector<store::MemberRecord>& members);
// {"id", "email", "role", "token", "expires_at"}
[[nodiscard]] nlohmann::json NewInvitationToJson(const service::NewInvitation& invitation);
// {"invitations": [{"id", "email", "role", "invited_by", "created_at", "expires_at",
// "expired"}]}
[[nodiscard]] nlohmann::json InvitationsToJson(const std::vector<store::InvitationRecord>& list,
                                               std::int64_t now);

}  // namespace costwise::api
