#include "service/members.h"

#include <algorithm>
#include <string>
#include <utility>

#include <fmt/format.h>

namespace costwise::service {

Result<store::Role> RoleFromName(std::string_view name) {
  if (const std::optional<store::Role> role = store::ParseRole(name)) return *role;
  return MakeError(
      ErrorCode::kInvalidInput,
      fmt::format("\"{}\" is not a role: use viewer, admin or owner", name.substr(0, 40)));
}

Result<std::vector<store::Membership>> ListOrganisations(store::Repository& repository,
                                                         const Principal& principal) {
  return repository.ListMemberships(principal.user_id);
}

Result<NewSession> SwitchOrganisation(store::Repository& repository, const Principal& principal,
                                      std::string_view session_token, std::string_view organisation,
                                      std::int64_t now, const AuthOptions& options) {
  if (session_token.empty()) {
    return MakeError(ErrorCode::kInvalidInput,
                     "an API token belongs to one organisation: create a token in the other "
                     "organisation instead of switching");
  }
  if (organisation.empty()) {
    return MakeError(ErrorCode::kInvalidInput, "name the organisation to switch to");
  }
  Result<std::vector<store::Membership>> memberships =
      repository.ListMemberships(principal.user_id);
  if (!memberships) return unexpected(std::move(memberships.error()));
  const auto member = std::find_if(
      memberships->begin(), memberships->end(),
      [&](const store::Membership& membership) { return membership.tenant_name == organisation; });
  if (member == memberships->end()) {
    return MakeError(ErrorCode::kPermissionDenied,
                     fmt::format("you are not a member of the organisation \"{}\"", organisation));
  }
  Result<NewSession> session = StartSession(repository, *member, principal.email, now, options);
  if (!session) return session;
  if (Status revoked = LogOut(repository, session_token, now); !revoked) {
    return unexpected(std::move(revoked.error()));
  }
  return session;
}

Result<std::vector<store::MemberRecord>> ListMembers(store::Repository& repository,
                                                     const Principal& principal) {
  return repository.ListMembers(principal.tenant_id);
}

Status ChangeMemberRole(store::Repository& repository, const Principal& principal,
                        std::int64_t user_id, store::Role role) {
  if (Status allowed = Require(principal, Permission::kManageMembers); !allowed) return allowed;
  return repository.SetMemberRole(principal.tenant_id, user_id, role);
}

Status RemoveMember(store::Repository& repository, const Principal& principal, std::int64_t user_id,
                    std::int64_t now) {
  if (user_id != principal.user_id && !Require(principal, Permission::kManageMembers)) {
    // A non-owner may only leave; other members are not theirs to see removed.
    return MakeError(ErrorCode::kPermissionDenied,
                     fmt::format("only an owner removes other members of \"{}\"; you may leave "
                                 "(remove yourself)",
                                 principal.tenant_name));
  }
  return repository.RemoveMember(principal.tenant_id, user_id, now);
}

Result<std::vector<store::InvitationRecord>> ListInvitations(store::Repository& repository,
                                                             const Principal& principal) {
  if (Status allowed = Require(principal, Permission::kManageMembers); !allowed) {
    return unexpected(std::move(allowed.error()));
  }
  return repository.ListPendingInvitations(principal.tenant_id);
}

Status RevokeInvitation(store::Repository& repository, const Principal& principal,
                        std::int64_t invitation_id) {
  if (Status allowed = Require(principal, Permission::kManageMembers); !allowed) return allowed;
  return repository.DeleteInvitation(principal.tenant_id, invitation_id);
}

Result<NewSession> AcceptInvitationToken(store::Repository& repository,
                                         std::string_view invitation_token,
                                         std::string_view password, std::int64_t now,
                                         const AuthOptions& options) {
  if (invitation_token.empty()) {
    return MakeError(ErrorCode::kInvalidInput, "give the invitation's token");
  }
  Result<store::InvitationRecord> invitation =
      repository.FindInvitation(TokenHash(invitation_token));
  if (!invitation) {
    if (invitation.error().code != ErrorCode::kNotFound) {
      return unexpected(std::move(invitation.error()));
    }
    return MakeError(ErrorCode::kNotFound,
                     "this invitation does not exist, expired or was used: ask for a new one");
  }
  return AcceptInvitation(repository, invitation_token, invitation->email, password, now, options);
}

Result<store::AuthPruneSummary> PruneAuthRecords(store::Repository& repository, std::int64_t now) {
  return repository.PruneAuthRecords(now, now - kLoginAttemptRetentionSeconds);
}

}  // namespace costwise::service
