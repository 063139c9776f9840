#pragma once
// The SQL of users, memberships, sessions, API tokens, invitations and login attempts (schema
// version 5). Every function runs in the caller's session and throws SOCI errors; those that
// write several rows open their own transaction.
#include <cstdint>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "store/auth_types.h"
#include "store/backend.h"

namespace soci {
class session;
}  // namespace soci

namespace costwise::store {

[[nodiscard]] Result<Membership> InsertUserWithOrganisation(soci::session& session, Backend backend,
                                                            std::string_view email,
                                                            std::string_view password_hash,
                                                            std::string_view organisation,
                                                            std::int64_t now);
[[nodiscard]] Result<UserRecord> SelectUserByEmail(soci::session& session, std::string_view email);
[[nodiscard]] std::vector<Membership> SelectMemberships(soci::session& session,
                                                        std::int64_t user_id);

// The user's sample workspace (Repository::EnsureSampleOrganisation), in its own transaction
// holding the users lock.
[[nodiscard]] Result<Membership> InsertSampleOrganisation(soci::session& session, Backend backend,
                                                          std::int64_t user_id,
                                                          std::string_view name, std::int64_t now);

void InsertLoginAttempt(soci::session& session, std::string_view email, std::int64_t at,
                        bool succeeded);
[[nodiscard]] LoginFailures CountLoginFailures(soci::session& session, std::string_view email,
                                               std::int64_t since);

[[nodiscard]] std::int64_t InsertSession(soci::session& session, const SessionRecord& record);
[[nodiscard]] Result<SessionRecord> SelectSession(soci::session& session,
                                                  std::string_view token_hash);
[[nodiscard]] Status MarkSessionRevoked(soci::session& session, std::string_view token_hash,
                                        std::int64_t at);

[[nodiscard]] std::int64_t InsertApiToken(soci::session& session, const ApiTokenRecord& record);
[[nodiscard]] Result<ApiTokenRecord> SelectApiTokenForUse(soci::session& session,
                                                          std::string_view token_hash,
                                                          std::int64_t now);
[[nodiscard]] std::vector<ApiTokenRecord> SelectApiTokens(soci::session& session,
                                                          std::int64_t tenant_id);
[[nodiscard]] Status MarkApiTokenRevoked(soci::session& session, std::int64_t tenant_id,
                                         std::int64_t token_id, std::int64_t at);

[[nodiscard]] std::int64_t InsertInvitation(soci::session& session, const InvitationRecord& record);
[[nodiscard]] Result<InvitationRecord> SelectInvitation(soci::session& session,
                                                        std::string_view token_hash);
[[nodiscard]] Result<Membership> AcceptInvitationRows(soci::session& session, Backend backend,
                                                      std::int64_t invitation_id,
                                                      std::int64_t user_id, std::string_view email,
                                                      std::string_view password_hash,
                                                      std::int64_t now);

}  // namespace costwise::store
