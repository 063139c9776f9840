#pragma once
// The SQL of an organisation's members and pending invitations, and the pruning of expired
// sessions and old log-in attempts (schema version 5's tables). Every function runs in the
// caller's session and throws SOCI errors; those that write several rows open their own
// transaction.
#include <cstdint>
#include <vector>

#include "core/error.h"
#include "store/auth_types.h"
#include "store/backend.h"

namespace soci {
class session;
}  // namespace soci

namespace costwise::store {

// The tenant's members, oldest membership first.
[[nodiscard]] std::vector<MemberRecord> SelectMembers(soci::session& session,
                                                      std::int64_t tenant_id);
// NotFound for a user who is not a member; Conflict when the last owner would be demoted.
[[nodiscard]] Status UpdateMemberRole(soci::session& session, Backend backend,
                                      std::int64_t tenant_id, std::int64_t user_id, Role role);
// Deletes the membership and revokes the user's sessions and API tokens in the tenant. NotFound
// for a user who is not a member; Conflict for the last owner.
[[nodiscard]] Status DeleteMember(soci::session& session, Backend backend, std::int64_t tenant_id,
                                  std::int64_t user_id, std::int64_t now);

// The tenant's invitations not accepted yet (expired ones included), newest first.
[[nodiscard]] std::vector<InvitationRecord> SelectPendingInvitations(soci::session& session,
                                                                     std::int64_t tenant_id);
// NotFound unless the invitation belongs to the tenant and was not accepted.
[[nodiscard]] Status DeletePendingInvitation(soci::session& session, std::int64_t tenant_id,
                                             std::int64_t invitation_id);

// Deletes sessions that expired or were revoked at or before `now`, and log-in attempts made
// before `attempts_before`.
[[nodiscard]] AuthPruneSummary DeleteStaleAuthRows(soci::session& session, Backend backend,
                                                   std::int64_t now, std::int64_t attempts_before);

}  // namespace costwise::store
