#include "store/member_store.h"

#include <string>

#include <fmt/format.h>

#include "store/soci_includes.h"
#include "store/transaction.h"

namespace costwise::store {
namespace {

// The member's role name, or nothing when the user is not a member of the tenant.
std::optional<std::string> MemberRole(soci::session& session, long long tenant, long long user) {
  std::string role;
  session << "SELECT role FROM memberships WHERE tenant_id = :tenant AND user_id = :user",
      soci::use(tenant, "tenant"), soci::use(user, "user"), soci::into(role);
  if (!session.got_data()) return std::nullopt;
  return role;
}

long long OwnerCount(soci::session& session, long long tenant) {
  long long owners = 0;
  session << "SELECT COUNT(*) FROM memberships WHERE tenant_id = :tenant AND role = 'owner'",
      soci::use(tenant, "tenant"), soci::into(owners);
  return owners;
}

unexpected<Error> NotAMember(std::int64_t tenant_id, std::int64_t user_id) {
  return MakeError(ErrorCode::kNotFound,
                   fmt::format("the organisation {} has no member {}", tenant_id, user_id));
}

unexpected<Error> LastOwner(std::string_view change) {
  return MakeError(ErrorCode::kConflict,
                   fmt::format("the last owner of an organisation cannot be {}: make another "
                               "member an owner first",
                               change));
}

}  // namespace

std::vector<MemberRecord> SelectMembers(soci::session& session, std::int64_t tenant_id) {
  const long long tenant = tenant_id;
  long long user = 0;
  std::string email;
  std::string role;
  long long joined_at = 0;
  soci::statement select =
      (session.prepare << "SELECT m.user_id, u.email, m.role, m.created_at FROM memberships m "
                          "JOIN users u ON u.id = m.user_id WHERE m.tenant_id = :tenant "
                          "ORDER BY m.created_at, m.user_id",
       soci::use(tenant, "tenant"), soci::into(user), soci::into(email), soci::into(role),
       soci::into(joined_at));
  select.execute();
  std::vector<MemberRecord> members;
  while (select.fetch()) {
    members.push_back(
        MemberRecord{user, email, ParseRole(role).value_or(Role::kViewer), joined_at});
  }
  return members;
}

Status UpdateMemberRole(soci::session& session, Backend backend, std::int64_t tenant_id,
                        std::int64_t user_id, Role role) {
  const long long tenant = tenant_id;
  const long long user = user_id;
  Transaction transaction(session, backend);
  LockForTransaction(session, backend, LockKind::kUsers, 0);
  const std::optional<std::string> current = MemberRole(session, tenant, user);
  if (!current) return NotAMember(tenant_id, user_id);
  if (*current == RoleName(Role::kOwner) && role != Role::kOwner &&
      OwnerCount(session, tenant) <= 1) {
    return LastOwner("demoted");
  }
  const std::string role_name(RoleName(role));
  session << "UPDATE memberships SET role = :role WHERE tenant_id = :tenant AND user_id = :user",
      soci::use(role_name, "role"), soci::use(tenant, "tenant"), soci::use(user, "user");
  transaction.Commit();
  return {};
}

Status DeleteMember(soci::session& session, Backend backend, std::int64_t tenant_id,
                    std::int64_t user_id, std::int64_t now) {
  const long long tenant = tenant_id;
  const long long user = user_id;
  const long long at = now;
  Transaction transaction(session, backend);
  LockForTransaction(session, backend, LockKind::kUsers, 0);
  const std::optional<std::string> current = MemberRole(session, tenant, user);
  if (!current) return NotAMember(tenant_id, user_id);
  if (*current == RoleName(Role::kOwner) && OwnerCount(session, tenant) <= 1) {
    return LastOwner("removed");
  }
  session << "DELETE FROM memberships WHERE tenant_id = :tenant AND user_id = :user",
      soci::use(tenant, "tenant"), soci::use(user, "user");
  session << "UPDATE sessions SET revoked_at = :at WHERE tenant_id = :tenant AND user_id = :user "
             "AND revoked_at IS NULL",
      soci::use(at, "at"), soci::use(tenant, "tenant"), soci::use(user, "user");
  session << "UPDATE api_tokens SET revoked_at = :at WHERE tenant_id = :tenant "
             "AND user_id = :user AND revoked_at IS NULL",
      soci::use(at, "at"), soci::use(tenant, "tenant"), soci::use(user, "user");
  transaction.Commit();
  return {};
}

std::vector<InvitationRecord> SelectPendingInvitations(soci::session& session,
                                                       std::int64_t tenant_id) {
  const long long tenant = tenant_id;
  long long id = 0;
  std::string email;
  std::string role;
  long long invited_by = 0;
  soci::indicator invited_indicator = soci::i_ok;
  long long created_at = 0;
  long long expires_at = 0;
  soci::statement select =
      (session.prepare << "SELECT id, email, role, invited_by, created_at, expires_at "
                          "FROM invitations WHERE tenant_id = :tenant AND accepted_at IS NULL "
                          "ORDER BY created_at DESC, id DESC",
       soci::use(tenant, "tenant"), soci::into(id), soci::into(email), soci::into(role),
       soci::into(invited_by, invited_indicator), soci::into(created_at), soci::into(expires_at));
  select.execute();
  std::vector<InvitationRecord> invitations;
  while (select.fetch()) {
    InvitationRecord record;
    record.id = id;
    record.tenant_id = tenant_id;
    record.email = email;
    record.role = ParseRole(role).value_or(Role::kViewer);
    record.invited_by = invited_indicator == soci::i_ok ? invited_by : 0;
    record.created_at = created_at;
    record.expires_at = expires_at;
    invitations.push_back(std::move(record));
  }
  return invitations;
}

Status DeletePendingInvitation(soci::session& session, std::int64_t tenant_id,
                               std::int64_t invitation_id) {
  const long long tenant = tenant_id;
  const long long id = invitation_id;
  soci::statement remove =
      (session.prepare << "DELETE FROM invitations WHERE id = :id AND tenant_id = :tenant "
                          "AND accepted_at IS NULL",
       soci::use(id, "id"), soci::use(tenant, "tenant"));
  remove.execute(true);
  if (remove.get_affected_rows() == 0) {
    return MakeError(ErrorCode::kNotFound,
                     fmt::format("the organisation has no pending invitation {}", invitation_id));
  }
  return {};
}

AuthPruneSummary DeleteStaleAuthRows(soci::session& session, Backend backend, std::int64_t now,
                                     std::int64_t attempts_before) {
  const long long at = now;
  const long long before = attempts_before;
  Transaction transaction(session, backend);
  soci::statement sessions =
      (session.prepare << "DELETE FROM sessions WHERE expires_at <= :now OR revoked_at <= :now",
       soci::use(at, "now"));
  sessions.execute(true);
  soci::statement attempts =
      (session.prepare << "DELETE FROM login_attempts WHERE attempted_at < :before",
       soci::use(before, "before"));
  attempts.execute(true);
  AuthPruneSummary summary{sessions.get_affected_rows(), attempts.get_affected_rows()};
  transaction.Commit();
  return summary;
}

}  // namespace costwise::store
