#include "service/auth.h"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>
#include <utility>

#include <fmt/format.h>

namespace costwise::service {
namespace {

constexpr std::size_t kTokenBytes = 32;
constexpr std::size_t kMinPasswordCharacters = 10;
constexpr std::size_t kMaxPasswordBytes = 1024;
constexpr std::size_t kMaxEmailBytes = 254;
constexpr std::size_t kMaxOrganisationBytes = 100;
constexpr std::size_t kMaxTokenNameBytes = 100;
constexpr std::int64_t kSecondsPerMinute = 60;
// API tokens carry a prefix so that they are recognisable (in a secret scanner, say).
constexpr std::string_view kApiTokenPrefix = "cwt_";
constexpr std::string_view kCsrfContext = "costwise-csrf:";
constexpr std::string_view kWrongCredentials = "email or password is wrong";

// libsodium must be initialised once before use; sodium_init is thread-safe and idempotent.
Status InitSodium() {
  if (sodium_init() < 0) {
    return MakeError(ErrorCode::kInternal, "cannot initialise libsodium (no entropy source?)");
  }
  return {};
}

std::string Hex(const unsigned char* bytes, std::size_t size) {
  std::string hex(size * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), bytes, size);
  hex.pop_back();
  return hex;
}

// 32 random bytes in hex.
std::string RandomToken() {
  std::array<unsigned char, kTokenBytes> bytes{};
  randombytes_buf(bytes.data(), bytes.size());
  std::string token = Hex(bytes.data(), bytes.size());
  sodium_memzero(bytes.data(), bytes.size());
  return token;
}

bool SameHash(std::string_view a, std::string_view b) {
  return a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string_view Trim(std::string_view text) {
  const auto blank = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  while (!text.empty() && blank(text.front())) text.remove_prefix(1);
  while (!text.empty() && blank(text.back())) text.remove_suffix(1);
  return text;
}

// A hash that no password has, so that a log-in for an unknown email costs the same Argon2id
// verification as one for a known email.
const std::string& DummyHash() {
  static const std::string kHash = [] {
    Result<std::string> hash = HashPassword(RandomToken());
    return hash ? *hash : std::string();
  }();
  return kHash;
}

unexpected<Error> WrongCredentials() {
  return MakeError(ErrorCode::kUnauthenticated, std::string(kWrongCredentials));
}

unexpected<Error> NotAuthenticated(std::string_view what) {
  return MakeError(ErrorCode::kUnauthenticated,
                   fmt::format("not authenticated: {}; log in again", what));
}

// The tenant's name for a principal read back from a session or token.
Result<std::string> TenantNameOf(store::Repository& repository, std::int64_t user_id,
                                 std::int64_t tenant_id) {
  Result<std::vector<store::Membership>> memberships = repository.ListMemberships(user_id);
  if (!memberships) return unexpected(std::move(memberships.error()));
  for (const store::Membership& membership : *memberships) {
    if (membership.tenant_id == tenant_id) return membership.tenant_name;
  }
  return NotAuthenticated("you are no longer a member of this organisation");
}

// Refuses a log-in when the email failed too often lately.
Status CheckLoginRate(store::Repository& repository, std::string_view email, std::int64_t now,
                      const AuthOptions& options) {
  Result<store::LoginFailures> failures =
      repository.RecentLoginFailures(email, now - options.failed_login_window_seconds);
  if (!failures) return unexpected(std::move(failures.error()));
  if (failures->count < options.max_failed_logins) return {};
  const std::int64_t wait = failures->first_at + options.failed_login_window_seconds - now;
  const std::int64_t minutes =
      std::max<std::int64_t>(1, (wait + kSecondsPerMinute - 1) / kSecondsPerMinute);
  return MakeError(ErrorCode::kRateLimited,
                   fmt::format("too many failed log-ins for this email: try again in {} minute{}",
                               minutes, minutes == 1 ? "" : "s"));
}

Result<std::string> NormaliseOrganisation(std::string_view name) {
  const std::string_view trimmed = Trim(name);
  if (trimmed.empty()) {
    return MakeError(ErrorCode::kInvalidInput, "the organisation name must not be empty");
  }
  if (trimmed.size() > kMaxOrganisationBytes) {
    return MakeError(
        ErrorCode::kInvalidInput,
        fmt::format("the organisation name is longer than {} bytes", kMaxOrganisationBytes));
  }
  return std::string(trimmed);
}

std::string_view RoleNeeded(Permission permission) {
  switch (permission) {
    case Permission::kRead:
      return "viewer";
    case Permission::kWrite:
      return "admin";
    case Permission::kManageMembers:
      return "owner";
  }
  return "owner";
}

store::Role MinimumRole(Permission permission) {
  switch (permission) {
    case Permission::kRead:
      return store::Role::kViewer;
    case Permission::kWrite:
      return store::Role::kAdmin;
    case Permission::kManageMembers:
      return store::Role::kOwner;
  }
  return store::Role::kOwner;
}

}  // namespace

std::string TokenHash(std::string_view token) {
  std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
  crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(token.data()),
                     token.size());
  return Hex(digest.data(), digest.size());
}

Result<NewSession> StartSession(store::Repository& repository, const store::Membership& member,
                                std::string email, std::int64_t now, const AuthOptions& options) {
  NewSession session;
  session.token = RandomToken();
  session.csrf_token = CsrfTokenFor(session.token);
  session.expires_at = now + options.session_lifetime_seconds;
  store::SessionRecord record;
  record.user_id = member.user_id;
  record.tenant_id = member.tenant_id;
  record.token_hash = TokenHash(session.token);
  record.csrf_hash = TokenHash(session.csrf_token);
  record.created_at = now;
  record.expires_at = session.expires_at;
  if (Result<std::int64_t> id = repository.CreateSession(record); !id) {
    return unexpected(std::move(id.error()));
  }
  session.principal = Principal{member.user_id, std::move(email), member.tenant_id,
                                member.tenant_name, member.role};
  return session;
}

Result<std::string> NormaliseEmail(std::string_view email) {
  const std::string_view trimmed = Trim(email);
  std::string normalised;
  normalised.reserve(trimmed.size());
  for (const char c : trimmed) {
    normalised.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  const std::size_t at = normalised.find('@');
  const bool valid =
      !normalised.empty() && normalised.size() <= kMaxEmailBytes && at != std::string::npos &&
      at > 0 && normalised.find('@', at + 1) == std::string::npos &&
      normalised.find('.', at + 2) != std::string::npos && normalised.back() != '.' &&
      std::none_of(normalised.begin(), normalised.end(), [](char c) {
        return std::isspace(static_cast<unsigned char>(c)) != 0 ||
               std::iscntrl(static_cast<unsigned char>(c)) != 0;
      });
  if (!valid) {
    return MakeError(ErrorCode::kInvalidInput,
                     fmt::format("\"{}\" is not an email address (like ada@example.com)",
                                 trimmed.substr(0, kMaxEmailBytes)));
  }
  return normalised;
}

Status CheckPasswordRules(std::string_view password) {
  if (password.size() > kMaxPasswordBytes) {
    return MakeError(ErrorCode::kInvalidInput,
                     fmt::format("the password is longer than {} bytes", kMaxPasswordBytes));
  }
  // Characters, not bytes: UTF-8 continuation bytes do not count.
  const auto characters = std::count_if(password.begin(), password.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xc0U) != 0x80U;
  });
  if (static_cast<std::size_t>(characters) < kMinPasswordCharacters) {
    return MakeError(
        ErrorCode::kInvalidInput,
        fmt::format("the password must have at least {} characters", kMinPasswordCharacters));
  }
  return {};
}

Result<std::string> HashPassword(std::string_view password) {
  if (Status ready = InitSodium(); !ready) return unexpected(std::move(ready.error()));
  std::array<char, crypto_pwhash_STRBYTES> hash{};
  if (crypto_pwhash_str_alg(hash.data(), password.data(), password.size(),
                            crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return MakeError(ErrorCode::kUnavailable,
                     "hashing the password failed: not enough memory for Argon2id");
  }
  return std::string(hash.data());
}

bool VerifyPassword(std::string_view hash, std::string_view password) {
  if (!InitSodium() || hash.empty() || hash.size() >= crypto_pwhash_STRBYTES) return false;
  const std::string text(hash);  // NUL-terminated
  return crypto_pwhash_str_verify(text.c_str(), password.data(), password.size()) == 0;
}

Result<NewSession> SignUp(store::Repository& repository, std::string_view email,
                          std::string_view password, std::string_view organisation,
                          std::int64_t now, const AuthOptions& options) {
  Result<std::string> address = NormaliseEmail(email);
  if (!address) return unexpected(std::move(address.error()));
  if (Status rules = CheckPasswordRules(password); !rules) {
    return unexpected(std::move(rules.error()));
  }
  Result<std::string> name = NormaliseOrganisation(organisation);
  if (!name) return unexpected(std::move(name.error()));
  Result<std::string> hash = HashPassword(password);
  if (!hash) return unexpected(std::move(hash.error()));
  Result<store::Membership> member =
      repository.CreateUserWithOrganisation(*address, *hash, *name, now);
  if (!member) return unexpected(std::move(member.error()));
  return StartSession(repository, *member, std::move(*address), now, options);
}

Result<NewSession> LogIn(store::Repository& repository, std::string_view email,
                         std::string_view password, std::int64_t now, const AuthOptions& options,
                         std::string_view organisation) {
  Result<std::string> address = NormaliseEmail(email);
  if (!address) return WrongCredentials();
  if (Status rate = CheckLoginRate(repository, *address, now, options); !rate) {
    return unexpected(std::move(rate.error()));
  }
  Result<store::UserRecord> user = repository.FindUserByEmail(*address);
  if (!user && user.error().code != ErrorCode::kNotFound) {
    return unexpected(std::move(user.error()));
  }
  const bool verified = VerifyPassword(user ? user->password_hash : DummyHash(), password);
  if (Status recorded = repository.RecordLoginAttempt(*address, now, verified && user); !recorded) {
    return unexpected(std::move(recorded.error()));
  }
  if (!user || !verified) return WrongCredentials();
  Result<std::vector<store::Membership>> memberships = repository.ListMemberships(user->id);
  if (!memberships) return unexpected(std::move(memberships.error()));
  const auto member = std::find_if(
      memberships->begin(), memberships->end(), [&](const store::Membership& membership) {
        return organisation.empty() || membership.tenant_name == organisation;
      });
  if (member == memberships->end()) {
    return MakeError(
        ErrorCode::kPermissionDenied,
        organisation.empty()
            ? std::string("you are not a member of any organisation: ask an owner "
                          "for an invitation")
            : fmt::format("you are not a member of the organisation \"{}\"", organisation));
  }
  return StartSession(repository, *member, std::move(user->email), now, options);
}

Status LogOut(store::Repository& repository, std::string_view session_token, std::int64_t now) {
  Status revoked = repository.RevokeSession(TokenHash(session_token), now);
  if (!revoked && revoked.error().code == ErrorCode::kNotFound) {
    return NotAuthenticated("no such session");
  }
  return revoked;
}

Result<Principal> Authenticate(store::Repository& repository, std::string_view session_token,
                               std::int64_t now) {
  if (session_token.empty()) return NotAuthenticated("no session");
  Result<store::SessionRecord> session = repository.FindSession(TokenHash(session_token));
  if (!session) {
    if (session.error().code == ErrorCode::kNotFound) return NotAuthenticated("no such session");
    return unexpected(std::move(session.error()));
  }
  if (session->revoked_at) return NotAuthenticated("the session was logged out");
  if (session->expires_at <= now) return NotAuthenticated("the session expired");
  if (!session->role) return NotAuthenticated("you are no longer a member of this organisation");
  Result<std::string> tenant_name = TenantNameOf(repository, session->user_id, session->tenant_id);
  if (!tenant_name) return unexpected(std::move(tenant_name.error()));
  return Principal{session->user_id, std::move(session->email), session->tenant_id,
                   std::move(*tenant_name), *session->role};
}

std::string CsrfTokenFor(std::string_view session_token) {
  std::string text(kCsrfContext);
  text.append(session_token);
  return TokenHash(text);
}

Status CheckCsrf(store::Repository& repository, std::string_view session_token,
                 std::string_view csrf_token) {
  const auto denied = [] {
    return MakeError(ErrorCode::kPermissionDenied,
                     "missing or wrong CSRF token: send the X-CSRF-Token header with the token "
                     "from log-in");
  };
  if (csrf_token.empty()) return denied();
  Result<store::SessionRecord> session = repository.FindSession(TokenHash(session_token));
  if (!session) {
    if (session.error().code == ErrorCode::kNotFound) return NotAuthenticated("no such session");
    return unexpected(std::move(session.error()));
  }
  if (!SameHash(session->csrf_hash, TokenHash(csrf_token))) return denied();
  return {};
}

Status Require(const Principal& principal, Permission permission) {
  if (principal.role >= MinimumRole(permission)) return {};
  return MakeError(ErrorCode::kPermissionDenied,
                   fmt::format("this needs the {} role in the organisation \"{}\"; you are {} {}",
                               RoleNeeded(permission), principal.tenant_name,
                               principal.role == store::Role::kAdmin ? "an" : "a",
                               store::RoleName(principal.role)));
}

Result<NewApiToken> CreateApiToken(store::Repository& repository, const Principal& principal,
                                   std::string_view name, std::int64_t now) {
  const std::string_view trimmed = Trim(name);
  if (trimmed.empty() || trimmed.size() > kMaxTokenNameBytes) {
    return MakeError(ErrorCode::kInvalidInput,
                     fmt::format("an API token needs a name of 1 to {} bytes", kMaxTokenNameBytes));
  }
  if (Status ready = InitSodium(); !ready) return unexpected(std::move(ready.error()));
  NewApiToken created;
  created.name = std::string(trimmed);
  created.token = std::string(kApiTokenPrefix);
  created.token.append(RandomToken());
  created.created_at = now;
  store::ApiTokenRecord record;
  record.user_id = principal.user_id;
  record.tenant_id = principal.tenant_id;
  record.name = created.name;
  record.token_hash = TokenHash(created.token);
  record.created_at = now;
  Result<std::int64_t> id = repository.CreateApiToken(record);
  if (!id) return unexpected(std::move(id.error()));
  created.id = *id;
  return created;
}

Result<std::vector<store::ApiTokenRecord>> ListApiTokens(store::Repository& repository,
                                                         const Principal& principal) {
  Result<std::vector<store::ApiTokenRecord>> tokens = repository.ListApiTokens(principal.tenant_id);
  if (!tokens) return tokens;
  if (!Require(principal, Permission::kWrite)) {
    std::erase_if(*tokens, [&](const store::ApiTokenRecord& token) {
      return token.user_id != principal.user_id;
    });
  }
  return tokens;
}

Status RevokeApiToken(store::Repository& repository, const Principal& principal,
                      std::int64_t token_id, std::int64_t now) {
  Result<std::vector<store::ApiTokenRecord>> visible = ListApiTokens(repository, principal);
  if (!visible) return unexpected(std::move(visible.error()));
  const bool found =
      std::any_of(visible->begin(), visible->end(),
                  [&](const store::ApiTokenRecord& token) { return token.id == token_id; });
  if (!found) {
    return MakeError(ErrorCode::kNotFound,
                     fmt::format("the organisation has no API token {} of yours", token_id));
  }
  return repository.RevokeApiToken(principal.tenant_id, token_id, now);
}

Result<Principal> AuthenticateApiToken(store::Repository& repository, std::string_view token,
                                       std::int64_t now) {
  if (!token.starts_with(kApiTokenPrefix)) return NotAuthenticated("not an API token");
  Result<store::ApiTokenRecord> record = repository.UseApiToken(TokenHash(token), now);
  if (!record) {
    if (record.error().code == ErrorCode::kNotFound) return NotAuthenticated("no such API token");
    return unexpected(std::move(record.error()));
  }
  if (record->revoked_at) return NotAuthenticated("the API token was revoked");
  if (!record->role) return NotAuthenticated("the token's user is no longer a member");
  Result<std::string> tenant_name = TenantNameOf(repository, record->user_id, record->tenant_id);
  if (!tenant_name) return unexpected(std::move(tenant_name.error()));
  return Principal{record->user_id, std::move(record->email), record->tenant_id,
                   std::move(*tenant_name), *record->role};
}

Result<NewInvitation> Invite(store::Repository& repository, const Principal& principal,
                             std::string_view email, store::Role role, std::int64_t now,
                             const AuthOptions& options) {
  if (Status allowed = Require(principal, Permission::kManageMembers); !allowed) {
    return unexpected(std::move(allowed.error()));
  }
  Result<std::string> address = NormaliseEmail(email);
  if (!address) return unexpected(std::move(address.error()));
  if (Status ready = InitSodium(); !ready) return unexpected(std::move(ready.error()));
  NewInvitation invitation;
  invitation.email = *address;
  invitation.role = role;
  invitation.token = RandomToken();
  invitation.expires_at = now + options.invitation_lifetime_seconds;
  store::InvitationRecord record;
  record.tenant_id = principal.tenant_id;
  record.email = *address;
  record.role = role;
  record.token_hash = TokenHash(invitation.token);
  record.invited_by = principal.user_id;
  record.created_at = now;
  record.expires_at = invitation.expires_at;
  Result<std::int64_t> id = repository.CreateInvitation(record);
  if (!id) return unexpected(std::move(id.error()));
  invitation.id = *id;
  return invitation;
}

Result<NewSession> AcceptInvitation(store::Repository& repository,
                                    std::string_view invitation_token, std::string_view email,
                                    std::string_view password, std::int64_t now,
                                    const AuthOptions& options) {
  const auto unusable = [] {
    return MakeError(ErrorCode::kNotFound,
                     "this invitation does not exist, expired or was used: ask for a new one");
  };
  Result<store::InvitationRecord> invitation =
      repository.FindInvitation(TokenHash(invitation_token));
  if (!invitation) {
    if (invitation.error().code == ErrorCode::kNotFound) return unusable();
    return unexpected(std::move(invitation.error()));
  }
  if (invitation->accepted_at || invitation->expires_at <= now) return unusable();
  Result<std::string> address = NormaliseEmail(email);
  if (!address) return unexpected(std::move(address.error()));
  if (*address != invitation->email) {
    return MakeError(ErrorCode::kPermissionDenied, "this invitation is for another email address");
  }
  if (Status rate = CheckLoginRate(repository, *address, now, options); !rate) {
    return unexpected(std::move(rate.error()));
  }
  Result<store::UserRecord> user = repository.FindUserByEmail(*address);
  std::int64_t user_id = 0;
  std::string hash;
  if (user) {
    const bool verified = VerifyPassword(user->password_hash, password);
    if (Status recorded = repository.RecordLoginAttempt(*address, now, verified); !recorded) {
      return unexpected(std::move(recorded.error()));
    }
    if (!verified) return WrongCredentials();
    user_id = user->id;
  } else if (user.error().code == ErrorCode::kNotFound) {
    if (Status rules = CheckPasswordRules(password); !rules) {
      return unexpected(std::move(rules.error()));
    }
    Result<std::string> new_hash = HashPassword(password);
    if (!new_hash) return unexpected(std::move(new_hash.error()));
    hash = std::move(*new_hash);
  } else {
    return unexpected(std::move(user.error()));
  }
  Result<store::Membership> member =
      repository.AcceptInvitation(invitation->id, user_id, *address, hash, now);
  if (!member) return unexpected(std::move(member.error()));
  return StartSession(repository, *member, std::move(*address), now, options);
}

}  // namespace costwise::service
