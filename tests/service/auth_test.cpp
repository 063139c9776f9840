// Users, organisations and tenancy through the store (SQLite): sign-up, log-in and log-out,
// the log-in rate limit, session expiry, CSRF tokens, API tokens, roles, invitations, and that
// one organisation's user never authenticates into another's tenant.
#include "service/auth.h"

#include <memory>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "test_files.h"

namespace costwise::service {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

constexpr std::int64_t kNow = 1'790'000'000;
constexpr std::int64_t kDay = 86'400;
constexpr char kPassword[] = "correct horse battery";

class AuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = store::OpenRepository("sqlite:" + (dir_.path() / "db.sqlite").string());
    ASSERT_TRUE(opened) << opened.error().message;
    repository_ = std::move(*opened);
  }

  NewSession MustSignUp(const std::string& email, const std::string& organisation) {
    auto session = SignUp(*repository_, email, kPassword, organisation, kNow);
    EXPECT_TRUE(session) << session.error().message;
    return session.value_or(NewSession{});
  }

  costwise::testing::TempDir dir_;
  std::unique_ptr<store::Repository> repository_;
};

TEST_F(AuthTest, SignUpCreatesTheOwnerAndASession) {
  const NewSession session = MustSignUp("  Ada@Example.COM ", "Analytical Engines");
  EXPECT_EQ(session.token.size(), 64U);
  EXPECT_EQ(session.csrf_token, CsrfTokenFor(session.token));
  EXPECT_NE(session.csrf_token, session.token);
  EXPECT_EQ(session.expires_at, kNow + 14 * kDay);
  EXPECT_EQ(session.principal.email, "ada@example.com");
  EXPECT_EQ(session.principal.tenant_name, "Analytical Engines");
  EXPECT_EQ(session.principal.role, store::Role::kOwner);

  const auto principal = Authenticate(*repository_, session.token, kNow + 1);
  ASSERT_TRUE(principal) << principal.error().message;
  EXPECT_EQ(principal->user_id, session.principal.user_id);
  EXPECT_EQ(principal->tenant_id, session.principal.tenant_id);
  EXPECT_EQ(principal->tenant_name, "Analytical Engines");
  EXPECT_EQ(principal->role, store::Role::kOwner);

  // Only hashes are stored: an Argon2id password hash, SHA-256 token hashes.
  const auto user = repository_->FindUserByEmail("ada@example.com");
  ASSERT_TRUE(user);
  EXPECT_THAT(user->password_hash, StartsWith("$argon2id$"));
  EXPECT_THAT(user->password_hash, Not(HasSubstr(kPassword)));
  EXPECT_FALSE(repository_->FindSession(session.token));
}

TEST_F(AuthTest, SignUpChecksItsInput) {
  EXPECT_EQ(SignUp(*repository_, "not-an-email", kPassword, "Org", kNow).error().code,
            ErrorCode::kInvalidInput);
  const auto short_password = SignUp(*repository_, "ada@example.com", "123456789", "Org", kNow);
  ASSERT_FALSE(short_password);
  EXPECT_EQ(short_password.error().code, ErrorCode::kInvalidInput);
  EXPECT_THAT(short_password.error().message, HasSubstr("at least 10 characters"));
  EXPECT_EQ(SignUp(*repository_, "ada@example.com", kPassword, "  ", kNow).error().code,
            ErrorCode::kInvalidInput);
  MustSignUp("ada@example.com", "Org");
  EXPECT_EQ(SignUp(*repository_, "ADA@example.com", kPassword, "Other", kNow).error().code,
            ErrorCode::kConflict);
  EXPECT_EQ(SignUp(*repository_, "bob@example.com", kPassword, "Org", kNow).error().code,
            ErrorCode::kConflict);
}

TEST_F(AuthTest, NormalisesAndValidatesEmailsLoosely) {
  EXPECT_EQ(*NormaliseEmail(" Ada.Lovelace+costs@Example.co.UK\n"),
            "ada.lovelace+costs@example.co.uk");
  for (const char* bad : {"", "ada", "@example.com", "ada@", "ada@example", "a b@example.com",
                          "ada@@example.com", "ada@example.com."}) {
    EXPECT_FALSE(NormaliseEmail(bad)) << bad;
  }
}

TEST_F(AuthTest, LogInAndLogOut) {
  const NewSession signed_up = MustSignUp("ada@example.com", "Engines");
  const auto session = LogIn(*repository_, "ADA@example.com ", kPassword, kNow + 10);
  ASSERT_TRUE(session) << session.error().message;
  EXPECT_NE(session->token, signed_up.token);
  EXPECT_EQ(session->principal.tenant_id, signed_up.principal.tenant_id);
  ASSERT_TRUE(Authenticate(*repository_, session->token, kNow + 11));

  ASSERT_TRUE(LogOut(*repository_, session->token, kNow + 20));
  const auto after = Authenticate(*repository_, session->token, kNow + 21);
  ASSERT_FALSE(after);
  EXPECT_EQ(after.error().code, ErrorCode::kUnauthenticated);
  // The other session is untouched.
  EXPECT_TRUE(Authenticate(*repository_, signed_up.token, kNow + 21));
  EXPECT_EQ(LogOut(*repository_, "no-such-token", kNow).error().code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(Authenticate(*repository_, "", kNow).error().code, ErrorCode::kUnauthenticated);
}

TEST_F(AuthTest, WrongPasswordAndUnknownEmailGiveTheSameError) {
  MustSignUp("ada@example.com", "Engines");
  const auto wrong = LogIn(*repository_, "ada@example.com", "wrong password!", kNow);
  const auto unknown = LogIn(*repository_, "nobody@example.com", kPassword, kNow);
  ASSERT_FALSE(wrong);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(wrong.error().code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(unknown.error().code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(wrong.error().message, "email or password is wrong");
  EXPECT_EQ(unknown.error().message, wrong.error().message);
}

TEST_F(AuthTest, RefusesLogInAfterFiveFailuresInFifteenMinutes) {
  MustSignUp("ada@example.com", "Engines");
  for (int i = 0; i < 5; ++i) {
    const auto wrong = LogIn(*repository_, "ada@example.com", "wrong password!", kNow + i * 60);
    ASSERT_FALSE(wrong);
    EXPECT_EQ(wrong.error().code, ErrorCode::kUnauthenticated) << i;
  }
  // Even the right password is refused now, with when to try again.
  const auto refused = LogIn(*repository_, "ada@example.com", kPassword, kNow + 5 * 60);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kRateLimited);
  EXPECT_THAT(refused.error().message, HasSubstr("too many"));
  EXPECT_THAT(refused.error().message, HasSubstr("try again in 10 minutes"));
  // Another email is not affected.
  MustSignUp("bob@example.com", "Looms");
  EXPECT_TRUE(LogIn(*repository_, "bob@example.com", kPassword, kNow + 5 * 60));
  // Once the first failure is older than the window, one more attempt is allowed.
  const auto later = LogIn(*repository_, "ada@example.com", kPassword, kNow + 15 * 60 + 1);
  ASSERT_TRUE(later) << later.error().message;
  // A success starts the count again.
  EXPECT_EQ(LogIn(*repository_, "ada@example.com", "wrong password!", kNow + 16 * 60).error().code,
            ErrorCode::kUnauthenticated);
  EXPECT_TRUE(LogIn(*repository_, "ada@example.com", kPassword, kNow + 16 * 60 + 1));
}

TEST_F(AuthTest, SessionsExpire) {
  AuthOptions options;
  options.session_lifetime_seconds = 3600;
  const auto session = SignUp(*repository_, "ada@example.com", kPassword, "Engines", kNow, options);
  ASSERT_TRUE(session);
  EXPECT_TRUE(Authenticate(*repository_, session->token, kNow + 3599));
  const auto expired = Authenticate(*repository_, session->token, kNow + 3600);
  ASSERT_FALSE(expired);
  EXPECT_EQ(expired.error().code, ErrorCode::kUnauthenticated);
  EXPECT_THAT(expired.error().message, HasSubstr("expired"));
  // The default lifetime is 14 days.
  const NewSession other = MustSignUp("bob@example.com", "Looms");
  EXPECT_TRUE(Authenticate(*repository_, other.token, kNow + 14 * kDay - 1));
  EXPECT_FALSE(Authenticate(*repository_, other.token, kNow + 14 * kDay));
}

TEST_F(AuthTest, CsrfTokenMustMatchTheSession) {
  const NewSession ada = MustSignUp("ada@example.com", "Engines");
  const NewSession bob = MustSignUp("bob@example.com", "Looms");
  EXPECT_TRUE(CheckCsrf(*repository_, ada.token, ada.csrf_token));
  EXPECT_EQ(CheckCsrf(*repository_, ada.token, bob.csrf_token).error().code,
            ErrorCode::kPermissionDenied);
  EXPECT_EQ(CheckCsrf(*repository_, ada.token, "").error().code, ErrorCode::kPermissionDenied);
}

TEST_F(AuthTest, ASecondOrganisationsUserNeverAuthenticatesIntoTheFirst) {
  const NewSession ada = MustSignUp("ada@example.com", "Engines");
  const NewSession bob = MustSignUp("bob@example.com", "Looms");
  EXPECT_NE(ada.principal.tenant_id, bob.principal.tenant_id);
  const auto principal = Authenticate(*repository_, bob.token, kNow);
  ASSERT_TRUE(principal);
  EXPECT_EQ(principal->tenant_id, bob.principal.tenant_id);
  // Bob cannot log in into Ada's organisation by naming it.
  const auto into_engines = LogIn(*repository_, "bob@example.com", kPassword, kNow, {}, "Engines");
  ASSERT_FALSE(into_engines);
  EXPECT_EQ(into_engines.error().code, ErrorCode::kPermissionDenied);
  // Nor with an API token of his, nor revoke Ada's tokens.
  const auto bob_token = CreateApiToken(*repository_, bob.principal, "ci", kNow);
  ASSERT_TRUE(bob_token);
  EXPECT_EQ(AuthenticateApiToken(*repository_, bob_token->token, kNow)->tenant_id,
            bob.principal.tenant_id);
  const auto ada_token = CreateApiToken(*repository_, ada.principal, "ci", kNow);
  ASSERT_TRUE(ada_token);
  EXPECT_EQ(RevokeApiToken(*repository_, bob.principal, ada_token->id, kNow).error().code,
            ErrorCode::kNotFound);
  EXPECT_TRUE(AuthenticateApiToken(*repository_, ada_token->token, kNow));
  EXPECT_EQ(ListApiTokens(*repository_, bob.principal)->size(), 1U);
}

TEST_F(AuthTest, ApiTokensAuthenticateUntilRevoked) {
  const NewSession ada = MustSignUp("ada@example.com", "Engines");
  const auto token = CreateApiToken(*repository_, ada.principal, " nightly export ", kNow);
  ASSERT_TRUE(token) << token.error().message;
  EXPECT_THAT(token->token, StartsWith("cwt_"));
  EXPECT_EQ(token->name, "nightly export");
  const auto principal = AuthenticateApiToken(*repository_, token->token, kNow + 5);
  ASSERT_TRUE(principal) << principal.error().message;
  EXPECT_EQ(principal->user_id, ada.principal.user_id);
  EXPECT_EQ(principal->tenant_id, ada.principal.tenant_id);
  EXPECT_EQ(principal->role, store::Role::kOwner);
  // A session token is not an API token, nor the other way round.
  EXPECT_FALSE(AuthenticateApiToken(*repository_, ada.token, kNow));
  EXPECT_FALSE(Authenticate(*repository_, token->token, kNow));

  const auto listed = ListApiTokens(*repository_, ada.principal);
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->size(), 1U);
  EXPECT_EQ(listed->front().last_used_at, kNow + 5);

  ASSERT_TRUE(RevokeApiToken(*repository_, ada.principal, token->id, kNow + 10));
  const auto revoked = AuthenticateApiToken(*repository_, token->token, kNow + 11);
  ASSERT_FALSE(revoked);
  EXPECT_EQ(revoked.error().code, ErrorCode::kUnauthenticated);
  EXPECT_THAT(revoked.error().message, HasSubstr("revoked"));
  EXPECT_EQ(CreateApiToken(*repository_, ada.principal, "  ", kNow).error().code,
            ErrorCode::kInvalidInput);
}

TEST_F(AuthTest, RolesAllowWhatTheyShould) {
  Principal principal;
  principal.tenant_name = "Engines";
  principal.role = store::Role::kViewer;
  EXPECT_TRUE(Require(principal, Permission::kRead));
  const auto write = Require(principal, Permission::kWrite);
  ASSERT_FALSE(write);
  EXPECT_EQ(write.error().code, ErrorCode::kPermissionDenied);
  EXPECT_THAT(write.error().message, HasSubstr("needs the admin role"));
  principal.role = store::Role::kAdmin;
  EXPECT_TRUE(Require(principal, Permission::kWrite));
  EXPECT_FALSE(Require(principal, Permission::kManageMembers));
  principal.role = store::Role::kOwner;
  EXPECT_TRUE(Require(principal, Permission::kManageMembers));
}

TEST_F(AuthTest, InvitationsAddMembersWithTheirRole) {
  const NewSession ada = MustSignUp("ada@example.com", "Engines");
  const auto invitation =
      Invite(*repository_, ada.principal, "Carol@Example.com", store::Role::kViewer, kNow);
  ASSERT_TRUE(invitation) << invitation.error().message;
  EXPECT_EQ(invitation->email, "carol@example.com");
  EXPECT_EQ(invitation->expires_at, kNow + 7 * kDay);

  // Only for the invited email, and a new user's password follows the rules.
  EXPECT_EQ(
      AcceptInvitation(*repository_, invitation->token, "mallory@example.com", kPassword, kNow)
          .error()
          .code,
      ErrorCode::kPermissionDenied);
  EXPECT_EQ(AcceptInvitation(*repository_, invitation->token, "carol@example.com", "short", kNow)
                .error()
                .code,
            ErrorCode::kInvalidInput);
  const auto carol =
      AcceptInvitation(*repository_, invitation->token, "carol@example.com", kPassword, kNow + 1);
  ASSERT_TRUE(carol) << carol.error().message;
  EXPECT_EQ(carol->principal.tenant_id, ada.principal.tenant_id);
  EXPECT_EQ(carol->principal.role, store::Role::kViewer);
  EXPECT_TRUE(Authenticate(*repository_, carol->token, kNow + 2));
  // Used once.
  EXPECT_EQ(
      AcceptInvitation(*repository_, invitation->token, "carol@example.com", kPassword, kNow + 3)
          .error()
          .code,
      ErrorCode::kNotFound);
  // A viewer cannot invite.
  EXPECT_EQ(Invite(*repository_, carol->principal, "dan@example.com", store::Role::kAdmin, kNow)
                .error()
                .code,
            ErrorCode::kPermissionDenied);

  // An existing user (of another organisation) accepts with their password and then belongs to
  // both; they log in to the one they name, or to the oldest organisation when they name none.
  const NewSession bob = MustSignUp("bob@example.com", "Looms");
  const auto to_bob =
      Invite(*repository_, ada.principal, "bob@example.com", store::Role::kAdmin, kNow);
  ASSERT_TRUE(to_bob);
  EXPECT_EQ(
      AcceptInvitation(*repository_, to_bob->token, "bob@example.com", "wrong password!", kNow)
          .error()
          .code,
      ErrorCode::kUnauthenticated);
  const auto joined =
      AcceptInvitation(*repository_, to_bob->token, "bob@example.com", kPassword, kNow);
  ASSERT_TRUE(joined) << joined.error().message;
  EXPECT_EQ(joined->principal.tenant_id, ada.principal.tenant_id);
  EXPECT_EQ(joined->principal.role, store::Role::kAdmin);
  const auto into_engines = LogIn(*repository_, "bob@example.com", kPassword, kNow, {}, "Engines");
  ASSERT_TRUE(into_engines) << into_engines.error().message;
  EXPECT_EQ(into_engines->principal.tenant_id, ada.principal.tenant_id);
  EXPECT_EQ(
      LogIn(*repository_, "bob@example.com", kPassword, kNow, {}, "Looms")->principal.tenant_id,
      bob.principal.tenant_id);
  EXPECT_EQ(LogIn(*repository_, "bob@example.com", kPassword, kNow)->principal.tenant_id,
            ada.principal.tenant_id);

  // Expired invitations cannot be used.
  const auto stale =
      Invite(*repository_, ada.principal, "erin@example.com", store::Role::kViewer, kNow);
  ASSERT_TRUE(stale);
  EXPECT_EQ(
      AcceptInvitation(*repository_, stale->token, "erin@example.com", kPassword, kNow + 7 * kDay)
          .error()
          .code,
      ErrorCode::kNotFound);
}

}  // namespace
}  // namespace costwise::service
