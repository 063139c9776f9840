#pragma once
// The records of users, organisations (tenants), sessions, API tokens, invitations and login
// attempts (schema version 5). Secrets are never stored: a token is kept as the hex SHA-256 of its
// text, a password as its Argon2id hash string.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace costwise::store {

// What a member may do in an organisation: a viewer reads, an admin also writes, an owner also
// manages members. Ordered: a higher role may do everything a lower one may.
enum class Role { kViewer = 0, kAdmin = 1, kOwner = 2 };

[[nodiscard]] std::string_view RoleName(Role role);  // "viewer" | "admin" | "owner"
[[nodiscard]] std::optional<Role> ParseRole(std::string_view name);

struct UserRecord {
  std::int64_t id = 0;
  std::string email;  // normalised: trimmed, lower-case
  std::string password_hash;
  std::int64_t created_at = 0;
};

// A user's role in one organisation.
struct Membership {
  std::int64_t user_id = 0;
  std::int64_t tenant_id = 0;
  std::string tenant_name;
  Role role = Role::kViewer;
  bool sample = false;  // a sample workspace (schema version 11), not a real organisation
};

// A browser session of a user in one of their organisations.
struct SessionRecord {
  std::int64_t id = 0;
  std::int64_t user_id = 0;
  std::int64_t tenant_id = 0;
  std::string token_hash;
  std::string csrf_hash;
  std::int64_t created_at = 0;
  std::int64_t expires_at = 0;
  std::optional<std::int64_t> revoked_at;
  // Read back only: the user's email and current role in the tenant (empty when the user is no
  // longer a member).
  std::string email;
  std::optional<Role> role;
};

// A token for automation, acting as its user in one organisation.
struct ApiTokenRecord {
  std::int64_t id = 0;
  std::int64_t user_id = 0;
  std::int64_t tenant_id = 0;
  std::string name;
  std::string token_hash;
  std::int64_t created_at = 0;
  std::optional<std::int64_t> last_used_at;
  std::optional<std::int64_t> revoked_at;
  std::string email;  // read back only, like SessionRecord's
  std::optional<Role> role;
};

// An invitation to join an organisation with a role, for one email address.
struct InvitationRecord {
  std::int64_t id = 0;
  std::int64_t tenant_id = 0;
  std::string email;
  Role role = Role::kViewer;
  std::string token_hash;
  std::int64_t invited_by = 0;  // a user id
  std::int64_t created_at = 0;
  std::int64_t expires_at = 0;
  std::optional<std::int64_t> accepted_at;
};

// The failed log-ins of an email since a time and recorded after its last successful log-in.
struct LoginFailures {
  std::int64_t count = 0;
  std::int64_t first_at = 0;  // the oldest counted failure; 0 when count is 0
};

// A member of an organisation, as its member list shows them.
struct MemberRecord {
  std::int64_t user_id = 0;
  std::string email;
  Role role = Role::kViewer;
  std::int64_t joined_at = 0;  // Unix seconds
};

// What pruning deleted.
struct AuthPruneSummary {
  std::int64_t sessions = 0;        // expired or logged out
  std::int64_t login_attempts = 0;  // older than the cut-off
};

}  // namespace costwise::store
