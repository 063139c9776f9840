#pragma once
// Users, organisations and tenancy (docs/service.md, "Auth and tenancy"): sign-up, log-in with a
// rate limit, sessions with CSRF tokens, API tokens, roles and invitations. Passwords are hashed
// with Argon2id (libsodium); session, CSRF, API and invitation tokens are 32 random bytes, given
// to the caller once and stored as their SHA-256. Every request acts as a Principal: a user in one
// organisation (tenant) with a role, taken from its session or token, never from the request.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "store/auth_types.h"
#include "store/repository.h"

namespace costwise::service {

struct AuthOptions {
  std::int64_t session_lifetime_seconds = std::int64_t{14} * 86'400;
  std::int64_t invitation_lifetime_seconds = std::int64_t{7} * 86'400;
  // Log-in is refused for an email after this many failures within the window (since its last
  // successful log-in).
  std::int64_t max_failed_logins = 5;
  std::int64_t failed_login_window_seconds = std::int64_t{15} * 60;
};

// Who a request acts as.
struct Principal {
  std::int64_t user_id = 0;
  std::string email;
  std::int64_t tenant_id = 0;
  std::string tenant_name;
  store::Role role = store::Role::kViewer;
};

// A new session. The two tokens are given here once and never stored in clear.
struct NewSession {
  std::string token;       // the session cookie's value
  std::string csrf_token;  // what mutating requests authenticated by the cookie must send back
  std::int64_t expires_at = 0;
  Principal principal;
};

// What a use case needs of the caller's role: a viewer reads, an admin also writes, an owner also
// manages members and invitations.
enum class Permission { kRead, kWrite, kManageMembers };

// The hex SHA-256 of a token: all the store keeps of it.
[[nodiscard]] std::string TokenHash(std::string_view token);

// A new session of the member in their organisation: what sign-up, log-in, accepting an
// invitation and switching organisation hand out.
[[nodiscard]] Result<NewSession> StartSession(store::Repository& repository,
                                              const store::Membership& member, std::string email,
                                              std::int64_t now, const AuthOptions& options);

// "ada@example.com" from " Ada@Example.COM "; InvalidInput for text that is not an email.
[[nodiscard]] Result<std::string> NormaliseEmail(std::string_view email);
// InvalidInput for a password shorter than 10 characters (or longer than 1,024 bytes).
[[nodiscard]] Status CheckPasswordRules(std::string_view password);
// An Argon2id hash string (crypto_pwhash_str format) of the password.
[[nodiscard]] Result<std::string> HashPassword(std::string_view password);
[[nodiscard]] bool VerifyPassword(std::string_view hash, std::string_view password);

// Creates the user, the organisation with the user as its owner, and a session in it. Conflict
// when the email or the organisation name is taken.
[[nodiscard]] Result<NewSession> SignUp(store::Repository& repository, std::string_view email,
                                        std::string_view password, std::string_view organisation,
                                        std::int64_t now, const AuthOptions& options = {});

// A session in the user's organisation named `organisation`, or when empty in the oldest one
// they belong to (the lowest tenant id).
// Unauthenticated "email or password is wrong" for an unknown email or a wrong password alike;
// RateLimited "too many failed log-ins ...: try again in N minutes" after too many failures.
[[nodiscard]] Result<NewSession> LogIn(store::Repository& repository, std::string_view email,
                                       std::string_view password, std::int64_t now,
                                       const AuthOptions& options = {},
                                       std::string_view organisation = "");

// Revokes the session. Unauthenticated when there is no such session.
[[nodiscard]] Status LogOut(store::Repository& repository, std::string_view session_token,
                            std::int64_t now);

// The principal of a live session (not expired, not revoked, the user still a member).
// Unauthenticated otherwise.
[[nodiscard]] Result<Principal> Authenticate(store::Repository& repository,
                                             std::string_view session_token, std::int64_t now);

// The session's CSRF token (derived from the session token, so a page reload can be given it
// again); PermissionDenied unless `csrf_token` is the one of this live session.
[[nodiscard]] std::string CsrfTokenFor(std::string_view session_token);
[[nodiscard]] Status CheckCsrf(store::Repository& repository, std::string_view session_token,
                               std::string_view csrf_token);

// PermissionDenied, naming the role needed, unless the principal's role allows it.
[[nodiscard]] Status Require(const Principal& principal, Permission permission);

// A new API token of the principal's user in the principal's organisation, acting with that
// user's role there. The token text is given here once.
struct NewApiToken {
  std::int64_t id = 0;
  std::string name;
  std::string token;
  std::int64_t created_at = 0;
};
[[nodiscard]] Result<NewApiToken> CreateApiToken(store::Repository& repository,
                                                 const Principal& principal, std::string_view name,
                                                 std::int64_t now);
// The tokens the principal may see: an admin or owner all of the organisation's, a viewer their
// own. No token text or hash.
[[nodiscard]] Result<std::vector<store::ApiTokenRecord>> ListApiTokens(
    store::Repository& repository, const Principal& principal);
// Revokes one of the organisation's tokens: the principal's own, or any as an admin or owner.
// NotFound for another organisation's token or another user's token a viewer may not see.
[[nodiscard]] Status RevokeApiToken(store::Repository& repository, const Principal& principal,
                                    std::int64_t token_id, std::int64_t now);
// The principal of a live API token; Unauthenticated otherwise.
[[nodiscard]] Result<Principal> AuthenticateApiToken(store::Repository& repository,
                                                     std::string_view token, std::int64_t now);

// An invitation to the principal's organisation (owners only) for one email with a role. The
// token is given here once.
struct NewInvitation {
  std::int64_t id = 0;
  std::string email;
  store::Role role = store::Role::kViewer;
  std::string token;
  std::int64_t expires_at = 0;
};
[[nodiscard]] Result<NewInvitation> Invite(store::Repository& repository,
                                           const Principal& principal, std::string_view email,
                                           store::Role role, std::int64_t now,
                                           const AuthOptions& options = {});
// Accepts an invitation for its email: an existing user proves it with their password, a new
// one is created with it. Returns a session in the invitation's organisation. NotFound for an
// unknown, expired or used invitation; PermissionDenied when the email is not the invited one;
// Unauthenticated for a wrong password.
[[nodiscard]] Result<NewSession> AcceptInvitation(store::Repository& repository,
                                                  std::string_view invitation_token,
                                                  std::string_view email, std::string_view password,
                                                  std::int64_t now,
                                                  const AuthOptions& options = {});

}  // namespace costwise::service
