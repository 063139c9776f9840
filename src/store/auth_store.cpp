#include "store/auth_store.h"

#include <optional>
#include <string>

#include <fmt/format.h>

#include "store/soci_includes.h"
#include "store/transaction.h"

namespace costwise::store {
namespace {

std::optional<std::int64_t> Nullable(long long value, soci::indicator indicator) {
  if (indicator != soci::i_ok) return std::nullopt;
  return value;
}

// A user's role text as read back; empty for NULL (no membership) or an unknown name.
std::optional<Role> RoleOf(const std::string& name, soci::indicator indicator) {
  if (indicator != soci::i_ok) return std::nullopt;
  return ParseRole(name);
}

bool EmailTaken(soci::session& session, const std::string& email) {
  long long id = 0;
  session << "SELECT id FROM users WHERE email = :email", soci::use(email, "email"), soci::into(id);
  return session.got_data();
}

long long InsertUser(soci::session& session, const std::string& email,
                     const std::string& password_hash, long long now) {
  long long id = 0;
  session << "INSERT INTO users (email, password_hash, created_at) VALUES (:email, :hash, :now) "
             "RETURNING id",
      soci::use(email, "email"), soci::use(password_hash, "hash"), soci::use(now, "now"),
      soci::into(id);
  return id;
}

void InsertMembership(soci::session& session, long long tenant_id, long long user_id, Role role,
                      long long now) {
  const std::string role_name(RoleName(role));
  session << "INSERT INTO memberships (tenant_id, user_id, role, created_at) "
             "VALUES (:tenant, :user, :role, :now)",
      soci::use(tenant_id, "tenant"), soci::use(user_id, "user"), soci::use(role_name, "role"),
      soci::use(now, "now");
}

std::string TenantName(soci::session& session, long long tenant_id) {
  std::string name;
  session << "SELECT name FROM tenants WHERE id = :tenant", soci::use(tenant_id, "tenant"),
      soci::into(name);
  return name;
}

}  // namespace

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kViewer:
      return "viewer";
    case Role::kAdmin:
      return "admin";
    case Role::kOwner:
      return "owner";
  }
  return "viewer";
}

std::optional<Role> ParseRole(std::string_view name) {
  for (const Role role : {Role::kViewer, Role::kAdmin, Role::kOwner}) {
    if (RoleName(role) == name) return role;
  }
  return std::nullopt;
}

Result<Membership> InsertUserWithOrganisation(soci::session& session, Backend backend,
                                              std::string_view email,
                                              std::string_view password_hash,
                                              std::string_view organisation, std::int64_t now) {
  const std::string email_text(email);
  const std::string hash_text(password_hash);
  const std::string name(organisation);
  const long long created_at = now;
  Transaction transaction(session, backend);
  LockForTransaction(session, backend, LockKind::kUsers, 0);
  if (EmailTaken(session, email_text)) {
    return MakeError(
        ErrorCode::kConflict,
        fmt::format("an account with the email {} exists already: log in instead", email));
  }
  long long tenant_id = 0;
  session << "SELECT id FROM tenants WHERE name = :name", soci::use(name, "name"),
      soci::into(tenant_id);
  if (session.got_data()) {
    return MakeError(ErrorCode::kConflict,
                     fmt::format("an organisation named \"{}\" exists already: choose another "
                                 "name, or ask its owner for an invitation",
                                 organisation));
  }
  session << "INSERT INTO tenants (name, created_at) VALUES (:name, :now) RETURNING id",
      soci::use(name, "name"), soci::use(created_at, "now"), soci::into(tenant_id);
  const long long user_id = InsertUser(session, email_text, hash_text, created_at);
  InsertMembership(session, tenant_id, user_id, Role::kOwner, created_at);
  transaction.Commit();
  return Membership{user_id, tenant_id, name, Role::kOwner};
}

Result<UserRecord> SelectUserByEmail(soci::session& session, std::string_view email) {
  const std::string email_text(email);
  UserRecord user;
  long long id = 0;
  long long created_at = 0;
  session << "SELECT id, email, password_hash, created_at FROM users WHERE email = :email",
      soci::use(email_text, "email"), soci::into(id), soci::into(user.email),
      soci::into(user.password_hash), soci::into(created_at);
  if (!session.got_data()) {
    return MakeError(ErrorCode::kNotFound, fmt::format("no user with the email {}", email));
  }
  user.id = id;
  user.created_at = created_at;
  return user;
}

std::vector<Membership> SelectMemberships(soci::session& session, std::int64_t user_id) {
  const long long user = user_id;
  long long tenant_id = 0;
  std::string tenant_name;
  std::string role;
  int sample = 0;
  soci::statement select =
      (session.prepare << "SELECT m.tenant_id, t.name, m.role, "
                          "CASE WHEN t.sample_for IS NULL THEN 0 ELSE 1 END FROM memberships m "
                          "JOIN tenants t ON t.id = m.tenant_id WHERE m.user_id = :user "
                          "ORDER BY m.tenant_id",
       soci::use(user, "user"), soci::into(tenant_id), soci::into(tenant_name), soci::into(role),
       soci::into(sample));
  select.execute();
  std::vector<Membership> memberships;
  while (select.fetch()) {
    memberships.push_back(Membership{user_id, tenant_id, tenant_name,
                                     ParseRole(role).value_or(Role::kViewer), sample != 0});
  }
  return memberships;
}

Result<Membership> InsertSampleOrganisation(soci::session& session, Backend backend,
                                            std::int64_t user_id, std::string_view name,
                                            std::int64_t now) {
  const long long user = user_id;
  const std::string name_text(name);
  const long long created_at = now;
  Transaction transaction(session, backend);
  LockForTransaction(session, backend, LockKind::kUsers, 0);
  long long tenant_id = 0;
  std::string existing;
  session << "SELECT id, name FROM tenants WHERE sample_for = :user ORDER BY id LIMIT 1",
      soci::use(user, "user"), soci::into(tenant_id), soci::into(existing);
  if (session.got_data()) {
    long long member = 0;
    session << "SELECT COUNT(*) FROM memberships WHERE tenant_id = :tenant AND user_id = :user",
        soci::use(tenant_id, "tenant"), soci::use(user, "user"), soci::into(member);
    if (member == 0) InsertMembership(session, tenant_id, user, Role::kOwner, created_at);
    transaction.Commit();
    return Membership{user_id, tenant_id, existing, Role::kOwner, true};
  }
  session << "SELECT id FROM tenants WHERE name = :name", soci::use(name_text, "name"),
      soci::into(tenant_id);
  if (session.got_data()) {
    return MakeError(ErrorCode::kConflict,
                     fmt::format("an organisation named \"{}\" exists already", name));
  }
  session << "INSERT INTO tenants (name, created_at, sample_for) VALUES (:name, :now, :user) "
             "RETURNING id",
      soci::use(name_text, "name"), soci::use(created_at, "now"), soci::use(user, "user"),
      soci::into(tenant_id);
  InsertMembership(session, tenant_id, user, Role::kOwner, created_at);
  transaction.Commit();
  return Membership{user_id, tenant_id, name_text, Role::kOwner, true};
}

void InsertLoginAttempt(soci::session& session, std::string_view email, std::int64_t at,
                        bool succeeded) {
  const std::string email_text(email);
  const long long attempted_at = at;
  const int success = succeeded ? 1 : 0;
  session << "INSERT INTO login_attempts (email, attempted_at, succeeded) "
             "VALUES (:email, :at, :succeeded)",
      soci::use(email_text, "email"), soci::use(attempted_at, "at"),
      soci::use(success, "succeeded");
}

LoginFailures CountLoginFailures(soci::session& session, std::string_view email,
                                 std::int64_t since) {
  const std::string email_text(email);
  const long long from = since;
  // Attempts are ordered by id: several may share a second.
  long long count = 0;
  long long first_at = 0;
  soci::indicator first_indicator = soci::i_ok;
  session << "SELECT COUNT(*), MIN(attempted_at) FROM login_attempts WHERE email = :email "
             "AND succeeded = 0 AND attempted_at >= :since AND id > COALESCE((SELECT MAX(id) "
             "FROM login_attempts WHERE email = :email AND succeeded = 1), 0)",
      soci::use(email_text, "email"), soci::use(from, "since"), soci::into(count),
      soci::into(first_at, first_indicator);
  return LoginFailures{count, first_indicator == soci::i_ok ? first_at : 0};
}

std::int64_t InsertSession(soci::session& session, const SessionRecord& record) {
  const long long user = record.user_id;
  const long long tenant = record.tenant_id;
  const long long created_at = record.created_at;
  const long long expires_at = record.expires_at;
  long long id = 0;
  session << "INSERT INTO sessions (user_id, tenant_id, token_hash, csrf_hash, created_at, "
             "expires_at) VALUES (:user, :tenant, :token, :csrf, :created, :expires) RETURNING id",
      soci::use(user, "user"), soci::use(tenant, "tenant"), soci::use(record.token_hash, "token"),
      soci::use(record.csrf_hash, "csrf"), soci::use(created_at, "created"),
      soci::use(expires_at, "expires"), soci::into(id);
  return id;
}

Result<SessionRecord> SelectSession(soci::session& session, std::string_view token_hash) {
  const std::string hash(token_hash);
  SessionRecord record;
  long long id = 0;
  long long user = 0;
  long long tenant = 0;
  long long created_at = 0;
  long long expires_at = 0;
  long long revoked_at = 0;
  soci::indicator revoked_indicator = soci::i_ok;
  std::string role;
  soci::indicator role_indicator = soci::i_ok;
  session << "SELECT s.id, s.user_id, s.tenant_id, s.token_hash, s.csrf_hash, s.created_at, "
             "s.expires_at, s.revoked_at, u.email, m.role FROM sessions s "
             "JOIN users u ON u.id = s.user_id LEFT JOIN memberships m "
             "ON m.tenant_id = s.tenant_id AND m.user_id = s.user_id WHERE s.token_hash = :hash",
      soci::use(hash, "hash"), soci::into(id), soci::into(user), soci::into(tenant),
      soci::into(record.token_hash), soci::into(record.csrf_hash), soci::into(created_at),
      soci::into(expires_at), soci::into(revoked_at, revoked_indicator), soci::into(record.email),
      soci::into(role, role_indicator);
  if (!session.got_data()) return MakeError(ErrorCode::kNotFound, "no such session");
  record.id = id;
  record.user_id = user;
  record.tenant_id = tenant;
  record.created_at = created_at;
  record.expires_at = expires_at;
  record.revoked_at = Nullable(revoked_at, revoked_indicator);
  record.role = RoleOf(role, role_indicator);
  return record;
}

Status MarkSessionRevoked(soci::session& session, std::string_view token_hash, std::int64_t at) {
  const std::string hash(token_hash);
  const long long revoked_at = at;
  soci::statement update =
      (session.prepare << "UPDATE sessions SET revoked_at = COALESCE(revoked_at, :at) "
                          "WHERE token_hash = :hash",
       soci::use(revoked_at, "at"), soci::use(hash, "hash"));
  update.execute(true);
  if (update.get_affected_rows() == 0) return MakeError(ErrorCode::kNotFound, "no such session");
  return {};
}

std::int64_t InsertApiToken(soci::session& session, const ApiTokenRecord& record) {
  const long long user = record.user_id;
  const long long tenant = record.tenant_id;
  const long long created_at = record.created_at;
  long long id = 0;
  session << "INSERT INTO api_tokens (user_id, tenant_id, name, token_hash, created_at) "
             "VALUES (:user, :tenant, :name, :token, :created) RETURNING id",
      soci::use(user, "user"), soci::use(tenant, "tenant"), soci::use(record.name, "name"),
      soci::use(record.token_hash, "token"), soci::use(created_at, "created"), soci::into(id);
  return id;
}

namespace {

// The columns every API token read selects, in ApiTokenRecord order.
constexpr std::string_view kApiTokenColumns =
    "SELECT a.id, a.user_id, a.tenant_id, a.name, a.created_at, a.last_used_at, a.revoked_at, "
    "u.email, m.role FROM api_tokens a JOIN users u ON u.id = a.user_id LEFT JOIN memberships m "
    "ON m.tenant_id = a.tenant_id AND m.user_id = a.user_id ";

// Bound output columns of one API token row.
struct ApiTokenRow {
  long long id = 0;
  long long user = 0;
  long long tenant = 0;
  std::string name;
  long long created_at = 0;
  long long last_used_at = 0;
  soci::indicator last_used_indicator = soci::i_ok;
  long long revoked_at = 0;
  soci::indicator revoked_indicator = soci::i_ok;
  std::string email;
  std::string role;
  soci::indicator role_indicator = soci::i_ok;

  [[nodiscard]] ApiTokenRecord Record() const {
    ApiTokenRecord record;
    record.id = id;
    record.user_id = user;
    record.tenant_id = tenant;
    record.name = name;
    record.created_at = created_at;
    record.last_used_at = Nullable(last_used_at, last_used_indicator);
    record.revoked_at = Nullable(revoked_at, revoked_indicator);
    record.email = email;
    record.role = RoleOf(role, role_indicator);
    return record;
  }
};

}  // namespace

Result<ApiTokenRecord> SelectApiTokenForUse(soci::session& session, std::string_view token_hash,
                                            std::int64_t now) {
  const std::string hash(token_hash);
  ApiTokenRow row;
  session << std::string(kApiTokenColumns) + "WHERE a.token_hash = :hash", soci::use(hash, "hash"),
      soci::into(row.id), soci::into(row.user), soci::into(row.tenant), soci::into(row.name),
      soci::into(row.created_at), soci::into(row.last_used_at, row.last_used_indicator),
      soci::into(row.revoked_at, row.revoked_indicator), soci::into(row.email),
      soci::into(row.role, row.role_indicator);
  if (!session.got_data()) return MakeError(ErrorCode::kNotFound, "no such API token");
  ApiTokenRecord record = row.Record();
  record.token_hash = hash;
  // Recorded to the minute: a token used many times a second (a dashboard, a benchmark) costs
  // one write a minute, not one per request.
  constexpr std::int64_t kLastUseResolutionSeconds = 60;
  if (!record.revoked_at &&
      (!record.last_used_at || now - *record.last_used_at >= kLastUseResolutionSeconds)) {
    const long long used_at = now;
    session << "UPDATE api_tokens SET last_used_at = :now WHERE id = :id",
        soci::use(used_at, "now"), soci::use(row.id, "id");
    record.last_used_at = now;
  }
  return record;
}

std::vector<ApiTokenRecord> SelectApiTokens(soci::session& session, std::int64_t tenant_id) {
  const long long tenant = tenant_id;
  ApiTokenRow row;
  soci::statement select =
      (session.prepare << std::string(kApiTokenColumns) +
                              "WHERE a.tenant_id = :tenant ORDER BY a.created_at, a.id",
       soci::use(tenant, "tenant"), soci::into(row.id), soci::into(row.user),
       soci::into(row.tenant), soci::into(row.name), soci::into(row.created_at),
       soci::into(row.last_used_at, row.last_used_indicator),
       soci::into(row.revoked_at, row.revoked_indicator), soci::into(row.email),
       soci::into(row.role, row.role_indicator));
  select.execute();
  std::vector<ApiTokenRecord> tokens;
  while (select.fetch()) tokens.push_back(row.Record());
  return tokens;
}

Status MarkApiTokenRevoked(soci::session& session, std::int64_t tenant_id, std::int64_t token_id,
                           std::int64_t at) {
  const long long tenant = tenant_id;
  const long long id = token_id;
  const long long revoked_at = at;
  soci::statement update =
      (session.prepare << "UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, :at) "
                          "WHERE id = :id AND tenant_id = :tenant",
       soci::use(revoked_at, "at"), soci::use(id, "id"), soci::use(tenant, "tenant"));
  update.execute(true);
  if (update.get_affected_rows() == 0) {
    return MakeError(ErrorCode::kNotFound,
                     fmt::format("tenant {} has no API token {}", tenant_id, token_id));
  }
  return {};
}

std::int64_t InsertInvitation(soci::session& session, const InvitationRecord& record) {
  const long long tenant = record.tenant_id;
  const long long invited_by = record.invited_by;
  const long long created_at = record.created_at;
  const long long expires_at = record.expires_at;
  const std::string role(RoleName(record.role));
  long long id = 0;
  session << "INSERT INTO invitations (tenant_id, email, role, token_hash, invited_by, "
             "created_at, expires_at) VALUES (:tenant, :email, :role, :token, :by, :created, "
             ":expires) RETURNING id",
      soci::use(tenant, "tenant"), soci::use(record.email, "email"), soci::use(role, "role"),
      soci::use(record.token_hash, "token"), soci::use(invited_by, "by"),
      soci::use(created_at, "created"), soci::use(expires_at, "expires"), soci::into(id);
  return id;
}

Result<InvitationRecord> SelectInvitation(soci::session& session, std::string_view token_hash) {
  const std::string hash(token_hash);
  InvitationRecord record;
  long long id = 0;
  long long tenant = 0;
  std::string role;
  long long invited_by = 0;
  soci::indicator invited_indicator = soci::i_ok;
  long long created_at = 0;
  long long expires_at = 0;
  long long accepted_at = 0;
  soci::indicator accepted_indicator = soci::i_ok;
  session << "SELECT id, tenant_id, email, role, token_hash, invited_by, created_at, expires_at, "
             "accepted_at FROM invitations WHERE token_hash = :hash",
      soci::use(hash, "hash"), soci::into(id), soci::into(tenant), soci::into(record.email),
      soci::into(role), soci::into(record.token_hash), soci::into(invited_by, invited_indicator),
      soci::into(created_at), soci::into(expires_at), soci::into(accepted_at, accepted_indicator);
  if (!session.got_data()) return MakeError(ErrorCode::kNotFound, "no such invitation");
  record.id = id;
  record.tenant_id = tenant;
  record.role = ParseRole(role).value_or(Role::kViewer);
  record.invited_by = invited_indicator == soci::i_ok ? invited_by : 0;
  record.created_at = created_at;
  record.expires_at = expires_at;
  record.accepted_at = Nullable(accepted_at, accepted_indicator);
  return record;
}

Result<Membership> AcceptInvitationRows(soci::session& session, Backend backend,
                                        std::int64_t invitation_id, std::int64_t user_id,
                                        std::string_view email, std::string_view password_hash,
                                        std::int64_t now) {
  const long long id = invitation_id;
  const long long at = now;
  Transaction transaction(session, backend);
  LockForTransaction(session, backend, LockKind::kUsers, 0);
  long long tenant = 0;
  std::string role_name;
  long long accepted_at = 0;
  soci::indicator accepted_indicator = soci::i_ok;
  session << "SELECT tenant_id, role, accepted_at FROM invitations WHERE id = :id",
      soci::use(id, "id"), soci::into(tenant), soci::into(role_name),
      soci::into(accepted_at, accepted_indicator);
  if (!session.got_data()) {
    return MakeError(ErrorCode::kNotFound, fmt::format("no invitation {}", invitation_id));
  }
  if (accepted_indicator == soci::i_ok) {
    return MakeError(ErrorCode::kConflict, "this invitation was accepted already");
  }
  long long user = user_id;
  if (user == 0) {
    const std::string email_text(email);
    if (EmailTaken(session, email_text)) {
      return MakeError(ErrorCode::kConflict,
                       fmt::format("an account with the email {} exists already: log in to "
                                   "accept the invitation",
                                   email));
    }
    user = InsertUser(session, email_text, std::string(password_hash), at);
  } else {
    int members = 0;
    session << "SELECT COUNT(*) FROM memberships WHERE tenant_id = :tenant AND user_id = :user",
        soci::use(tenant, "tenant"), soci::use(user, "user"), soci::into(members);
    if (members > 0) {
      return MakeError(ErrorCode::kConflict, "you are a member of this organisation already");
    }
  }
  const Role role = ParseRole(role_name).value_or(Role::kViewer);
  InsertMembership(session, tenant, user, role, at);
  session << "UPDATE invitations SET accepted_at = :at, accepted_by = :user WHERE id = :id",
      soci::use(at, "at"), soci::use(user, "user"), soci::use(id, "id");
  Membership membership{user, tenant, TenantName(session, tenant), role};
  transaction.Commit();
  return membership;
}

}  // namespace costwise::store
