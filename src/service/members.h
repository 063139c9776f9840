#pragma once
// Organisations and members (docs/service.md, "Organisations and members"): a user's
// organisations and switching between them, an organisation's members and their roles (an
// owner changes and removes them; the last owner stays), pending invitations, accepting an
// invitation by its token alone, and pruning expired sessions and old log-in attempts.
#include <cstdint>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "service/auth.h"
#include "store/auth_types.h"
#include "store/repository.h"

namespace costwise::service {

// Log-in attempts are kept this long (the rate limit needs 15 minutes of them).
inline constexpr std::int64_t kLoginAttemptRetentionSeconds = std::int64_t{30} * 86'400;

// "viewer" | "admin" | "owner"; InvalidInput naming the three otherwise.
[[nodiscard]] Result<store::Role> RoleFromName(std::string_view name);

// The organisations the principal's user belongs to, with their roles, by tenant id.
[[nodiscard]] Result<std::vector<store::Membership>> ListOrganisations(
    store::Repository& repository, const Principal& principal);

// A new session in the user's organisation named `organisation`; the current session
// (`session_token`) is revoked. InvalidInput without a session (API tokens belong to one
// organisation); PermissionDenied when the user is not a member of that organisation.
[[nodiscard]] Result<NewSession> SwitchOrganisation(store::Repository& repository,
                                                    const Principal& principal,
                                                    std::string_view session_token,
                                                    std::string_view organisation, std::int64_t now,
                                                    const AuthOptions& options = {});

// The principal's organisation's members (any member may see them).
[[nodiscard]] Result<std::vector<store::MemberRecord>> ListMembers(store::Repository& repository,
                                                                   const Principal& principal);
// Owners only. NotFound for a user who is not a member; Conflict when the last owner would be
// demoted.
[[nodiscard]] Status ChangeMemberRole(store::Repository& repository, const Principal& principal,
                                      std::int64_t user_id, store::Role role);
// An owner removes any member; any member may leave (remove themselves). Their sessions and API
// tokens in the organisation are revoked. NotFound for a user who is not a member (or another
// member, for a non-owner); Conflict for the last owner.
[[nodiscard]] Status RemoveMember(store::Repository& repository, const Principal& principal,
                                  std::int64_t user_id, std::int64_t now);

// Owners only: the organisation's invitations not accepted yet, newest first.
[[nodiscard]] Result<std::vector<store::InvitationRecord>> ListInvitations(
    store::Repository& repository, const Principal& principal);
// Owners only. NotFound unless the invitation is the organisation's and not accepted.
[[nodiscard]] Status RevokeInvitation(store::Repository& repository, const Principal& principal,
                                      std::int64_t invitation_id);

// AcceptInvitation for the invitation's own email: the token proves the address. An existing
// user gives their password; a new one chooses it.
[[nodiscard]] Result<NewSession> AcceptInvitationToken(store::Repository& repository,
                                                       std::string_view invitation_token,
                                                       std::string_view password, std::int64_t now,
                                                       const AuthOptions& options = {});

// Deletes sessions that expired or were logged out by `now`, and log-in attempts older than
// kLoginAttemptRetentionSeconds. The server calls it at start-up and daily.
[[nodiscard]] Result<store::AuthPruneSummary> PruneAuthRecords(store::Repository& repository,
                                                               std::int64_t now);

}  // namespace costwise::service
