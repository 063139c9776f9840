// Organisations and members through the store (SQLite): roles by name, switching organisation,
// who may remove whom, accepting an invitation by its token alone, and pruning.
#include "service/members.h"

#include <memory>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "test_files.h"

namespace costwise::service {
namespace {

using ::testing::HasSubstr;

constexpr std::int64_t kNow = 1'790'000'000;
constexpr std::int64_t kDay = 86'400;
constexpr char kPassword[] = "correct horse battery";

class MembersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = store::OpenRepository("sqlite:" + (dir_.path() / "db.sqlite").string());
    ASSERT_TRUE(opened) << opened.error().message;
    repository_ = std::move(*opened);
    owner_ = MustSignUp("owner@example.com", "Engines");
  }

  NewSession MustSignUp(const std::string& email, const std::string& organisation) {
    auto session = SignUp(*repository_, email, kPassword, organisation, kNow);
    EXPECT_TRUE(session) << session.error().message;
    return session.value_or(NewSession{});
  }

  // A new user joining the owner's organisation with the role.
  NewSession MustJoin(const std::string& email, store::Role role) {
    auto invitation = Invite(*repository_, owner_.principal, email, role, kNow);
    EXPECT_TRUE(invitation) << invitation.error().message;
    auto session = AcceptInvitationToken(*repository_, invitation.value_or(NewInvitation{}).token,
                                         kPassword, kNow + 1);
    EXPECT_TRUE(session) << session.error().message;
    return session.value_or(NewSession{});
  }

  costwise::testing::TempDir dir_;
  std::unique_ptr<store::Repository> repository_;
  NewSession owner_;
};

TEST_F(MembersTest, RolesAreNamed) {
  EXPECT_EQ(RoleFromName("admin").value_or(store::Role::kViewer), store::Role::kAdmin);
  const auto bad = RoleFromName("root");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidInput);
  EXPECT_THAT(bad.error().message, HasSubstr("viewer, admin or owner"));
}

TEST_F(MembersTest, AcceptingByTokenUsesTheInvitedEmail) {
  const NewSession vera = MustJoin("vera@example.com", store::Role::kViewer);
  EXPECT_EQ(vera.principal.email, "vera@example.com");
  EXPECT_EQ(vera.principal.tenant_id, owner_.principal.tenant_id);
  EXPECT_EQ(vera.principal.role, store::Role::kViewer);
  EXPECT_EQ(AcceptInvitationToken(*repository_, "no-such-token", kPassword, kNow).error().code,
            ErrorCode::kNotFound);
  EXPECT_EQ(AcceptInvitationToken(*repository_, "", kPassword, kNow).error().code,
            ErrorCode::kInvalidInput);
  const auto members = ListMembers(*repository_, vera.principal);
  ASSERT_TRUE(members) << members.error().message;
  EXPECT_EQ(members->size(), 2U);
}

TEST_F(MembersTest, OnlyOwnersManageButAnyoneMayLeave) {
  const NewSession vera = MustJoin("vera@example.com", store::Role::kAdmin);
  const NewSession walt = MustJoin("walt@example.com", store::Role::kViewer);
  EXPECT_EQ(
      ChangeMemberRole(*repository_, vera.principal, walt.principal.user_id, store::Role::kAdmin)
          .error()
          .code,
      ErrorCode::kPermissionDenied);
  EXPECT_EQ(RemoveMember(*repository_, vera.principal, walt.principal.user_id, kNow).error().code,
            ErrorCode::kPermissionDenied);
  EXPECT_EQ(ListInvitations(*repository_, vera.principal).error().code,
            ErrorCode::kPermissionDenied);
  ASSERT_TRUE(RemoveMember(*repository_, walt.principal, walt.principal.user_id, kNow + 2));
  EXPECT_EQ(Authenticate(*repository_, walt.token, kNow + 3).error().code,
            ErrorCode::kUnauthenticated);
  ASSERT_TRUE(ChangeMemberRole(*repository_, owner_.principal, vera.principal.user_id,
                               store::Role::kOwner));
  EXPECT_EQ(Authenticate(*repository_, vera.token, kNow + 3)->role, store::Role::kOwner);
}

TEST_F(MembersTest, SwitchingStartsASessionInTheOtherOrganisationAndEndsThisOne) {
  const NewSession carl = MustSignUp("carl@example.com", "Carl's");
  auto invitation =
      Invite(*repository_, owner_.principal, "carl@example.com", store::Role::kAdmin, kNow);
  ASSERT_TRUE(invitation);
  ASSERT_TRUE(AcceptInvitationToken(*repository_, invitation->token, kPassword, kNow + 1));

  const auto organisations = ListOrganisations(*repository_, carl.principal);
  ASSERT_TRUE(organisations) << organisations.error().message;
  ASSERT_EQ(organisations->size(), 2U);

  const auto switched =
      SwitchOrganisation(*repository_, carl.principal, carl.token, "Engines", kNow + 2);
  ASSERT_TRUE(switched) << switched.error().message;
  EXPECT_EQ(switched->principal.tenant_id, owner_.principal.tenant_id);
  EXPECT_EQ(switched->principal.role, store::Role::kAdmin);
  EXPECT_EQ(Authenticate(*repository_, carl.token, kNow + 3).error().code,
            ErrorCode::kUnauthenticated);
  EXPECT_TRUE(Authenticate(*repository_, switched->token, kNow + 3));

  EXPECT_EQ(
      SwitchOrganisation(*repository_, switched->principal, switched->token, "Nowhere", kNow + 4)
          .error()
          .code,
      ErrorCode::kPermissionDenied);
  EXPECT_EQ(
      SwitchOrganisation(*repository_, switched->principal, "", "Carl's", kNow + 4).error().code,
      ErrorCode::kInvalidInput);
}

TEST_F(MembersTest, PruningKeepsThirtyDaysOfLogInAttempts) {
  ASSERT_TRUE(repository_->RecordLoginAttempt("owner@example.com", kNow - 31 * kDay, false));
  ASSERT_TRUE(repository_->RecordLoginAttempt("owner@example.com", kNow - 29 * kDay, false));
  const auto pruned = PruneAuthRecords(*repository_, kNow);
  ASSERT_TRUE(pruned) << pruned.error().message;
  EXPECT_EQ(pruned->login_attempts, 1);
  EXPECT_EQ(pruned->sessions, 0);
  // The owner's session expires after 14 days and is pruned then.
  EXPECT_EQ(PruneAuthRecords(*repository_, kNow + 15 * kDay)->sessions, 1);
  EXPECT_EQ(Authenticate(*repository_, owner_.token, kNow).error().code,
            ErrorCode::kUnauthenticated);
}

}  // namespace
}  // namespace costwise::service
