// Members, pending invitations, pruning and cloud accounts (schema version 8) of
// store::Repository against both real backends; run through scripts/with-postgres.sh, or the
// PostgreSQL cases fail.
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "repository_fixture.h"
#include "store/repository.h"
#include "test_databases.h"

namespace costwise::store {

// Names the backend in gtest's messages (defined in repository_test.cpp).
void PrintTo(Backend backend, std::ostream* out);

namespace {

using testing::BackendParamName;
using ::testing::HasSubstr;

constexpr std::int64_t kNow = 1'790'000'000;
constexpr std::int64_t kDay = 86'400;

class OrganisationRepositoryTest : public testing::BackendRepositoryTest {
 protected:
  Membership SignUp(const std::string& email, const std::string& organisation) {
    auto member = repository_->CreateUserWithOrganisation(email, "hash", organisation, kNow);
    EXPECT_TRUE(member) << member.error().message;
    return member.value_or(Membership{});
  }

  // Invites and accepts a new user into the owner's organisation with the role.
  Membership Join(const Membership& owner, const std::string& email, Role role) {
    InvitationRecord invitation;
    invitation.tenant_id = owner.tenant_id;
    invitation.email = email;
    invitation.role = role;
    invitation.token_hash = "invitation-of-" + email;
    invitation.invited_by = owner.user_id;
    invitation.created_at = kNow;
    invitation.expires_at = kNow + kDay;
    const auto id = repository_->CreateInvitation(invitation);
    EXPECT_TRUE(id) << id.error().message;
    auto member = repository_->AcceptInvitation(id.value_or(0), 0, email, "hash", kNow + 1);
    EXPECT_TRUE(member) << member.error().message;
    return member.value_or(Membership{});
  }

  std::int64_t Session(const Membership& member, const std::string& token_hash,
                       std::int64_t expires_at) {
    SessionRecord record;
    record.user_id = member.user_id;
    record.tenant_id = member.tenant_id;
    record.token_hash = token_hash;
    record.csrf_hash = "csrf-" + token_hash;
    record.created_at = kNow;
    record.expires_at = expires_at;
    return repository_->CreateSession(record).value_or(0);
  }

  CloudAccountRecord Account(std::int64_t tenant_id, const std::string& account_id,
                             const std::string& external_id) {
    CloudAccountRecord record;
    record.tenant_id = tenant_id;
    record.account_id = account_id;
    record.name = "production";
    record.external_id = external_id;
    record.created_at = kNow;
    return record;
  }
};

INSTANTIATE_TEST_SUITE_P(Backends, OrganisationRepositoryTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgresql),
                         BackendParamName);

TEST_P(OrganisationRepositoryTest, ListsMembersAndChangesRolesButKeepsTheLastOwner) {
  const Membership owner = SignUp("owner@example.com", "Engines");
  const Membership viewer = Join(owner, "vera@example.com", Role::kViewer);
  const auto members = repository_->ListMembers(owner.tenant_id);
  ASSERT_TRUE(members) << members.error().message;
  ASSERT_EQ(members->size(), 2U);
  EXPECT_EQ(members->at(0).email, "owner@example.com");
  EXPECT_EQ(members->at(0).role, Role::kOwner);
  EXPECT_EQ(members->at(0).joined_at, kNow);
  EXPECT_EQ(members->at(1).user_id, viewer.user_id);
  EXPECT_EQ(members->at(1).role, Role::kViewer);

  const Status demoted = repository_->SetMemberRole(owner.tenant_id, owner.user_id, Role::kAdmin);
  ASSERT_FALSE(demoted);
  EXPECT_EQ(demoted.error().code, ErrorCode::kConflict);
  EXPECT_THAT(demoted.error().message, HasSubstr("last owner"));
  const Status removed = repository_->RemoveMember(owner.tenant_id, owner.user_id, kNow);
  ASSERT_FALSE(removed);
  EXPECT_EQ(removed.error().code, ErrorCode::kConflict);

  ASSERT_TRUE(repository_->SetMemberRole(owner.tenant_id, viewer.user_id, Role::kOwner));
  ASSERT_TRUE(repository_->SetMemberRole(owner.tenant_id, owner.user_id, Role::kViewer));
  EXPECT_EQ(repository_->ListMembers(owner.tenant_id)->at(0).role, Role::kViewer);
  EXPECT_EQ(repository_->SetMemberRole(owner.tenant_id, viewer.user_id, Role::kAdmin).error().code,
            ErrorCode::kConflict);

  // Another organisation's member is not found here.
  const Membership stranger = SignUp("eve@example.com", "Other");
  EXPECT_EQ(
      repository_->SetMemberRole(owner.tenant_id, stranger.user_id, Role::kAdmin).error().code,
      ErrorCode::kNotFound);
  EXPECT_EQ(repository_->RemoveMember(owner.tenant_id, stranger.user_id, kNow).error().code,
            ErrorCode::kNotFound);
}

TEST_P(OrganisationRepositoryTest, RemovingAMemberRevokesTheirSessionsAndTokensThere) {
  const Membership owner = SignUp("owner@example.com", "Engines");
  const Membership member = Join(owner, "vera@example.com", Role::kAdmin);
  Session(member, "vera-session", kNow + kDay);
  ApiTokenRecord token;
  token.user_id = member.user_id;
  token.tenant_id = member.tenant_id;
  token.name = "ci";
  token.token_hash = "vera-token";
  token.created_at = kNow;
  ASSERT_TRUE(repository_->CreateApiToken(token));

  ASSERT_TRUE(repository_->RemoveMember(owner.tenant_id, member.user_id, kNow + 5));
  EXPECT_EQ(repository_->FindSession("vera-session")->revoked_at, kNow + 5);
  EXPECT_EQ(repository_->UseApiToken("vera-token", kNow + 6)->revoked_at, kNow + 5);
  EXPECT_EQ(repository_->ListMembers(owner.tenant_id)->size(), 1U);
  EXPECT_TRUE(repository_->ListMemberships(member.user_id)->empty());
}

TEST_P(OrganisationRepositoryTest, ListsAndDeletesPendingInvitationsOfTheTenantOnly) {
  const Membership owner = SignUp("owner@example.com", "Engines");
  const Membership other = SignUp("eve@example.com", "Other");
  Join(owner, "accepted@example.com", Role::kViewer);
  InvitationRecord invitation;
  invitation.tenant_id = owner.tenant_id;
  invitation.email = "pending@example.com";
  invitation.role = Role::kAdmin;
  invitation.token_hash = "pending";
  invitation.invited_by = owner.user_id;
  invitation.created_at = kNow + 10;
  invitation.expires_at = kNow + kDay;
  const std::int64_t id = repository_->CreateInvitation(invitation).value_or(0);

  const auto pending = repository_->ListPendingInvitations(owner.tenant_id);
  ASSERT_TRUE(pending) << pending.error().message;
  ASSERT_EQ(pending->size(), 1U);
  EXPECT_EQ(pending->front().id, id);
  EXPECT_EQ(pending->front().email, "pending@example.com");
  EXPECT_EQ(pending->front().role, Role::kAdmin);
  EXPECT_EQ(pending->front().invited_by, owner.user_id);
  EXPECT_TRUE(pending->front().token_hash.empty());
  EXPECT_TRUE(repository_->ListPendingInvitations(other.tenant_id)->empty());

  EXPECT_EQ(repository_->DeleteInvitation(other.tenant_id, id).error().code, ErrorCode::kNotFound);
  ASSERT_TRUE(repository_->DeleteInvitation(owner.tenant_id, id));
  EXPECT_EQ(repository_->DeleteInvitation(owner.tenant_id, id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(repository_->FindInvitation("pending").error().code, ErrorCode::kNotFound);
}

TEST_P(OrganisationRepositoryTest, PrunesEndedSessionsAndOldLogInAttempts) {
  const Membership owner = SignUp("owner@example.com", "Engines");
  Session(owner, "expired", kNow - 1);
  Session(owner, "live", kNow + kDay);
  Session(owner, "logged-out", kNow + kDay);
  ASSERT_TRUE(repository_->RevokeSession("logged-out", kNow - 10));
  ASSERT_TRUE(repository_->RecordLoginAttempt("owner@example.com", kNow - 40 * kDay, false));
  ASSERT_TRUE(repository_->RecordLoginAttempt("owner@example.com", kNow - 10 * kDay, true));

  const auto pruned = repository_->PruneAuthRecords(kNow, kNow - 30 * kDay);
  ASSERT_TRUE(pruned) << pruned.error().message;
  EXPECT_EQ(pruned->sessions, 2);
  EXPECT_EQ(pruned->login_attempts, 1);
  EXPECT_TRUE(repository_->FindSession("live"));
  EXPECT_EQ(repository_->FindSession("expired").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(database_->QueryInt("SELECT COUNT(*) FROM login_attempts"), 1);
  EXPECT_EQ(repository_->PruneAuthRecords(kNow, kNow - 30 * kDay)->sessions, 0);
}

TEST_P(OrganisationRepositoryTest, StoresCloudAccountsPerTenant) {
  const std::int64_t acme = Tenant("acme");
  const std::int64_t other = Tenant("other");
  const auto created = repository_->CreateCloudAccount(Account(acme, "123456789012", "cw-1"));
  ASSERT_TRUE(created) << created.error().message;
  EXPECT_GT(created->id, 0);
  EXPECT_EQ(created->provider, "aws");
  EXPECT_EQ(created->external_id, "cw-1");
  EXPECT_EQ(created->status, "pending");
  EXPECT_EQ(created->cur_source, "");
  EXPECT_EQ(created->role_arn, "");
  EXPECT_FALSE(created->last_sync_at);
  EXPECT_EQ(created->last_error, "");

  const auto again = repository_->CreateCloudAccount(Account(acme, "123456789012", "cw-2"));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::kConflict);
  ASSERT_TRUE(repository_->CreateCloudAccount(Account(other, "123456789012", "cw-3")));
  EXPECT_FALSE(repository_->CreateCloudAccount(Account(acme, "210987654321", "cw-3")));
  EXPECT_EQ(repository_->CreateCloudAccount(Account(987654, "123456789012", "cw-4")).error().code,
            ErrorCode::kNotFound);

  const auto updated = repository_->SetCloudAccountConnection(
      acme, created->id, "arn:aws:iam::123456789012:role/r", R"({"s3":{"bucket":"b"}})");
  ASSERT_TRUE(updated) << updated.error().message;
  EXPECT_EQ(updated->role_arn, "arn:aws:iam::123456789012:role/r");
  EXPECT_EQ(updated->cur_source, R"({"s3":{"bucket":"b"}})");
  const auto read = repository_->GetCloudAccount(acme, created->id);
  ASSERT_TRUE(read) << read.error().message;
  EXPECT_EQ(read->cur_source, updated->cur_source);
  EXPECT_EQ(repository_->ListCloudAccounts(acme)->size(), 1U);

  // A connection test or sync records its outcome; a failure keeps the last sync's time.
  const auto synced = repository_->SetCloudAccountStatus(acme, created->id, "connected", "", kNow);
  ASSERT_TRUE(synced) << synced.error().message;
  EXPECT_EQ(synced->status, "connected");
  EXPECT_EQ(synced->last_sync_at, kNow);
  const std::string long_error = "AccessDenied: " + std::string(3000, 'x') + "\xc3\xa9";
  const auto failed =
      repository_->SetCloudAccountStatus(acme, created->id, "error", long_error, std::nullopt);
  ASSERT_TRUE(failed) << failed.error().message;
  EXPECT_EQ(failed->status, "error");
  EXPECT_EQ(failed->last_sync_at, kNow);
  EXPECT_EQ(failed->last_error.size(), 2000U);
  EXPECT_TRUE(failed->last_error.starts_with("AccessDenied: xxx"));
  const auto passed =
      repository_->SetCloudAccountStatus(acme, created->id, "connected", "", std::nullopt);
  ASSERT_TRUE(passed);
  EXPECT_EQ(passed->last_error, "");
  EXPECT_EQ(passed->last_sync_at, kNow);
  EXPECT_EQ(
      repository_->SetCloudAccountStatus(acme, created->id, "done", "", std::nullopt).error().code,
      ErrorCode::kInvalidInput);
  EXPECT_EQ(repository_->SetCloudAccountStatus(other, created->id, "error", "x", std::nullopt)
                .error()
                .code,
            ErrorCode::kNotFound);

  // Another tenant's account is not found by any call.
  EXPECT_EQ(repository_->GetCloudAccount(other, created->id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(repository_->SetCloudAccountConnection(other, created->id, "", "").error().code,
            ErrorCode::kNotFound);
  EXPECT_EQ(repository_->DeleteCloudAccount(other, created->id).error().code, ErrorCode::kNotFound);
  ASSERT_TRUE(repository_->DeleteCloudAccount(acme, created->id));
  EXPECT_TRUE(repository_->ListCloudAccounts(acme)->empty());
  EXPECT_EQ(repository_->ListCloudAccounts(other)->size(), 1U);
}

}  // namespace
}  // namespace costwise::store
