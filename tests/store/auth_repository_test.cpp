// The users-and-tenancy part of store::Repository (schema version 5: global users, memberships,
// sessions, API tokens, invitations, login attempts) against both real backends; run through
// scripts/with-postgres.sh, or the PostgreSQL cases fail.
#include <cstdint>
#include <fstream>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "repository_fixture.h"
#include "store/migrations.h"
#include "store/repository.h"
#include "test_databases.h"

namespace costwise::store {

// Names the backend in gtest's messages (defined in repository_test.cpp).
void PrintTo(Backend backend, std::ostream* out);

namespace {

using testing::BackendParamName;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::TestDatabase;

constexpr std::int64_t kNow = 1'790'000'000;

class AuthRepositoryTest : public testing::BackendRepositoryTest {
 protected:
  void SetUp() override {
    BackendRepositoryTest::SetUp();
    if (HasFatalFailure()) return;
  }

  Membership SignUp(const std::string& email, const std::string& organisation) {
    auto member =
        repository_->CreateUserWithOrganisation(email, "hash-of-" + email, organisation, kNow);
    EXPECT_TRUE(member) << member.error().message;
    return member.value_or(Membership{});
  }
};

INSTANTIATE_TEST_SUITE_P(Backends, AuthRepositoryTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgresql),
                         BackendParamName);

TEST_P(AuthRepositoryTest, CreatesAUserWithTheirOrganisationAsOwner) {
  const Membership member = SignUp("ada@example.com", "Analytical Engines");
  EXPECT_GT(member.user_id, 0);
  EXPECT_EQ(member.tenant_name, "Analytical Engines");
  EXPECT_EQ(member.role, Role::kOwner);
  const auto tenant = repository_->FindTenant("Analytical Engines");
  ASSERT_TRUE(tenant) << tenant.error().message;
  EXPECT_EQ(tenant->id, member.tenant_id);

  const auto user = repository_->FindUserByEmail("ada@example.com");
  ASSERT_TRUE(user) << user.error().message;
  EXPECT_EQ(user->id, member.user_id);
  EXPECT_EQ(user->password_hash, "hash-of-ada@example.com");
  EXPECT_EQ(user->created_at, kNow);
  const auto memberships = repository_->ListMemberships(member.user_id);
  ASSERT_TRUE(memberships) << memberships.error().message;
  ASSERT_EQ(memberships->size(), 1U);
  EXPECT_EQ(memberships->front().tenant_id, member.tenant_id);
  EXPECT_EQ(memberships->front().role, Role::kOwner);

  EXPECT_EQ(repository_->FindUserByEmail("nobody@example.com").error().code, ErrorCode::kNotFound);
}

TEST_P(AuthRepositoryTest, ATakenEmailOrOrganisationIsAConflictAndChangesNothing) {
  SignUp("ada@example.com", "Engines");
  auto email = repository_->CreateUserWithOrganisation("ada@example.com", "h", "Other", kNow);
  ASSERT_FALSE(email);
  EXPECT_EQ(email.error().code, ErrorCode::kConflict);
  EXPECT_THAT(email.error().message, HasSubstr("ada@example.com"));
  auto organisation =
      repository_->CreateUserWithOrganisation("bob@example.com", "h", "Engines", kNow);
  ASSERT_FALSE(organisation);
  EXPECT_EQ(organisation.error().code, ErrorCode::kConflict);
  EXPECT_THAT(organisation.error().message, HasSubstr("Engines"));
  EXPECT_EQ(database_->QueryInt("SELECT COUNT(*) FROM users"), 1);
  EXPECT_EQ(database_->QueryInt("SELECT COUNT(*) FROM tenants"), 1);
  EXPECT_EQ(repository_->FindTenant("Other").error().code, ErrorCode::kNotFound);
}

TEST_P(AuthRepositoryTest, SessionsAreFoundByTokenHashWithTheCurrentRole) {
  const Membership member = SignUp("ada@example.com", "Engines");
  SessionRecord record;
  record.user_id = member.user_id;
  record.tenant_id = member.tenant_id;
  record.token_hash = "token-hash";
  record.csrf_hash = "csrf-hash";
  record.created_at = kNow;
  record.expires_at = kNow + 100;
  const auto id = repository_->CreateSession(record);
  ASSERT_TRUE(id) << id.error().message;

  auto found = repository_->FindSession("token-hash");
  ASSERT_TRUE(found) << found.error().message;
  EXPECT_EQ(found->id, *id);
  EXPECT_EQ(found->user_id, member.user_id);
  EXPECT_EQ(found->tenant_id, member.tenant_id);
  EXPECT_EQ(found->csrf_hash, "csrf-hash");
  EXPECT_EQ(found->expires_at, kNow + 100);
  EXPECT_FALSE(found->revoked_at.has_value());
  EXPECT_EQ(found->email, "ada@example.com");
  EXPECT_EQ(found->role, Role::kOwner);
  EXPECT_EQ(repository_->FindSession("other").error().code, ErrorCode::kNotFound);

  ASSERT_TRUE(repository_->RevokeSession("token-hash", kNow + 5));
  ASSERT_TRUE(repository_->RevokeSession("token-hash", kNow + 9));  // keeps the first time
  found = repository_->FindSession("token-hash");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->revoked_at, kNow + 5);
  EXPECT_EQ(repository_->RevokeSession("other", kNow).error().code, ErrorCode::kNotFound);
}

TEST_P(AuthRepositoryTest, LoginFailuresCountSinceTheWindowAndTheLastSuccess) {
  const std::string email = "ada@example.com";
  for (const std::int64_t at : {kNow - 2000, kNow - 500, kNow - 400}) {
    ASSERT_TRUE(repository_->RecordLoginAttempt(email, at, false));
  }
  ASSERT_TRUE(repository_->RecordLoginAttempt("bob@example.com", kNow - 300, false));
  auto failures = repository_->RecentLoginFailures(email, kNow - 900);
  ASSERT_TRUE(failures) << failures.error().message;
  EXPECT_EQ(failures->count, 2);
  EXPECT_EQ(failures->first_at, kNow - 500);

  // A success resets the count, whatever the clock says (attempts may share a second).
  ASSERT_TRUE(repository_->RecordLoginAttempt(email, kNow - 400, true));
  failures = repository_->RecentLoginFailures(email, kNow - 900);
  ASSERT_TRUE(failures);
  EXPECT_EQ(failures->count, 0);
  ASSERT_TRUE(repository_->RecordLoginAttempt(email, kNow - 400, false));
  ASSERT_TRUE(repository_->RecordLoginAttempt(email, kNow - 100, false));
  failures = repository_->RecentLoginFailures(email, kNow - 900);
  ASSERT_TRUE(failures);
  EXPECT_EQ(failures->count, 2);
  EXPECT_EQ(failures->first_at, kNow - 400);
  failures = repository_->RecentLoginFailures("carol@example.com", kNow - 900);
  ASSERT_TRUE(failures);
  EXPECT_EQ(failures->count, 0);
}

TEST_P(AuthRepositoryTest, ApiTokensAreUsedListedAndRevokedWithinTheirTenant) {
  const Membership ada = SignUp("ada@example.com", "Engines");
  const Membership bob = SignUp("bob@example.com", "Looms");
  ApiTokenRecord record;
  record.user_id = ada.user_id;
  record.tenant_id = ada.tenant_id;
  record.name = "ci";
  record.token_hash = "api-hash";
  record.created_at = kNow;
  const auto id = repository_->CreateApiToken(record);
  ASSERT_TRUE(id) << id.error().message;

  auto used = repository_->UseApiToken("api-hash", kNow + 60);
  ASSERT_TRUE(used) << used.error().message;
  EXPECT_EQ(used->id, *id);
  EXPECT_EQ(used->tenant_id, ada.tenant_id);
  EXPECT_EQ(used->role, Role::kOwner);
  EXPECT_EQ(used->last_used_at, kNow + 60);

  auto listed = repository_->ListApiTokens(ada.tenant_id);
  ASSERT_TRUE(listed) << listed.error().message;
  ASSERT_EQ(listed->size(), 1U);
  EXPECT_EQ(listed->front().name, "ci");
  EXPECT_EQ(listed->front().last_used_at, kNow + 60);
  EXPECT_TRUE(listed->front().token_hash.empty());
  EXPECT_TRUE(repository_->ListApiTokens(bob.tenant_id)->empty());
  // The last use is recorded to the minute: one write a minute, not one per request.
  EXPECT_EQ(repository_->UseApiToken("api-hash", kNow + 119)->last_used_at, kNow + 60);
  EXPECT_EQ(repository_->UseApiToken("api-hash", kNow + 120)->last_used_at, kNow + 120);
  EXPECT_EQ(repository_->ListApiTokens(ada.tenant_id)->front().last_used_at, kNow + 120);

  // Another tenant cannot revoke it.
  EXPECT_EQ(repository_->RevokeApiToken(bob.tenant_id, *id, kNow).error().code,
            ErrorCode::kNotFound);
  ASSERT_TRUE(repository_->RevokeApiToken(ada.tenant_id, *id, kNow + 100));
  used = repository_->UseApiToken("api-hash", kNow + 200);
  ASSERT_TRUE(used);
  EXPECT_EQ(used->revoked_at, kNow + 100);
  EXPECT_EQ(used->last_used_at, kNow + 120);  // a revoked token's use is not recorded
  EXPECT_EQ(repository_->UseApiToken("nope", kNow).error().code, ErrorCode::kNotFound);
}

TEST_P(AuthRepositoryTest, InvitationsAddMembersOnce) {
  const Membership ada = SignUp("ada@example.com", "Engines");
  const Membership bob = SignUp("bob@example.com", "Looms");
  InvitationRecord record;
  record.tenant_id = ada.tenant_id;
  record.email = "bob@example.com";
  record.role = Role::kAdmin;
  record.token_hash = "invite-bob";
  record.invited_by = ada.user_id;
  record.created_at = kNow;
  record.expires_at = kNow + 1000;
  const auto id = repository_->CreateInvitation(record);
  ASSERT_TRUE(id) << id.error().message;
  const auto found = repository_->FindInvitation("invite-bob");
  ASSERT_TRUE(found) << found.error().message;
  EXPECT_EQ(found->id, *id);
  EXPECT_EQ(found->email, "bob@example.com");
  EXPECT_EQ(found->role, Role::kAdmin);
  EXPECT_EQ(found->invited_by, ada.user_id);
  EXPECT_FALSE(found->accepted_at.has_value());

  const auto member = repository_->AcceptInvitation(*id, bob.user_id, "", "", kNow + 5);
  ASSERT_TRUE(member) << member.error().message;
  EXPECT_EQ(member->tenant_id, ada.tenant_id);
  EXPECT_EQ(member->tenant_name, "Engines");
  EXPECT_EQ(member->role, Role::kAdmin);
  const auto memberships = repository_->ListMemberships(bob.user_id);
  ASSERT_TRUE(memberships);
  ASSERT_EQ(memberships->size(), 2U);
  EXPECT_EQ(repository_->FindInvitation("invite-bob")->accepted_at, kNow + 5);
  EXPECT_EQ(repository_->AcceptInvitation(*id, bob.user_id, "", "", kNow + 6).error().code,
            ErrorCode::kConflict);

  // A new user accepting: created in the same transaction.
  record.email = "carol@example.com";
  record.role = Role::kViewer;
  record.token_hash = "invite-carol";
  const auto carol_invite = repository_->CreateInvitation(record);
  ASSERT_TRUE(carol_invite);
  const auto carol =
      repository_->AcceptInvitation(*carol_invite, 0, "carol@example.com", "carol-hash", kNow);
  ASSERT_TRUE(carol) << carol.error().message;
  EXPECT_EQ(carol->role, Role::kViewer);
  EXPECT_EQ(repository_->FindUserByEmail("carol@example.com")->password_hash, "carol-hash");
}

// A database at schema version 4 with users rows as version 1 defined them (one per tenant and
// email), opened by this build: migration 5 keeps one user per email, with the first row's id
// and hash, and makes every row a membership; new ids continue after the old ones.
TEST_P(AuthRepositoryTest, MigrationFiveKeepsVersionOneUsersAsMembers) {
  std::unique_ptr<TestDatabase> old;
  {
    std::string error;
    old = TestDatabase::Create(GetParam(), &error);
    ASSERT_NE(old, nullptr) << error;
  }
  if (GetParam() == Backend::kSqlite) std::ofstream(old->folder() / "store.db");  // empty
  const bool sqlite = GetParam() == Backend::kSqlite;
  const std::pair<std::string, std::string> placeholders[] = {
      {"{{ID}}",
       sqlite ? "INTEGER PRIMARY KEY" : "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"},
      {"{{WITHOUT_ROWID}}", sqlite ? " WITHOUT ROWID" : ""}};
  old->Query(
      "CREATE TABLE schema_migrations (version INTEGER NOT NULL PRIMARY KEY, applied_at BIGINT "
      "NOT NULL)");
  for (const Migration& migration : Migrations()) {
    if (migration.version > 4) break;
    for (const std::string_view sql :
         {migration.common_sql, sqlite ? migration.sqlite_sql : migration.postgres_sql}) {
      std::string_view rest = sql;
      while (!rest.empty()) {
        const std::size_t end = rest.find(';');
        std::string statement(rest.substr(0, end));
        rest.remove_prefix(end == std::string_view::npos ? rest.size() : end + 1);
        if (statement.find_first_not_of(" \t\r\n") == std::string::npos) continue;
        for (const auto& [text, replacement] : placeholders) {
          for (std::size_t at = statement.find(text); at != std::string::npos;
               at = statement.find(text)) {
            statement.replace(at, text.size(), replacement);
          }
        }
        old->Query(statement);
      }
    }
    old->Query(fmt::format("INSERT INTO schema_migrations VALUES ({}, 1)", migration.version));
  }
  old->Query("INSERT INTO tenants (id, name, created_at) VALUES (7, 'old', 1), (8, 'older', 1)");
  old->Query(
      "INSERT INTO users (id, tenant_id, email, password_hash, role, created_at) VALUES "
      "(30, 7, 'Ada@Example.com', 'h1', 'owner', 10), (31, 8, 'ada@example.com ', 'h2', 'member', "
      "11), (32, 8, 'bob@example.com', 'h3', 'admin', 12)");

  auto opened = OpenRepository(old->url());
  ASSERT_TRUE(opened) << opened.error().message;
  Repository& repository = **opened;
  EXPECT_EQ(*repository.SchemaVersion(), LatestSchemaVersion());
  const auto ada = repository.FindUserByEmail("ada@example.com");
  ASSERT_TRUE(ada) << ada.error().message;
  EXPECT_EQ(ada->id, 30);
  EXPECT_EQ(ada->password_hash, "h1");
  const auto memberships = repository.ListMemberships(30);
  ASSERT_TRUE(memberships);
  ASSERT_EQ(memberships->size(), 2U);
  EXPECT_EQ(memberships->at(0).role, Role::kOwner);
  EXPECT_EQ(memberships->at(1).tenant_name, "older");
  EXPECT_EQ(memberships->at(1).role, Role::kViewer);  // "member" is no role
  EXPECT_EQ(repository.ListMemberships(32)->at(0).role, Role::kAdmin);
  const auto next = repository.CreateUserWithOrganisation("carol@example.com", "h", "new", kNow);
  ASSERT_TRUE(next) << next.error().message;
  EXPECT_GT(next->user_id, 32);
}

}  // namespace
}  // namespace costwise::store
