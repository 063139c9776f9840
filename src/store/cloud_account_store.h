#pragma once
// The SQL of cloud accounts (schema version 8). Every function runs in the caller's session (in
// the caller's transaction when it writes) and throws SOCI errors.
#include <cstdint>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "store/cloud_account_types.h"

namespace soci {
class session;
}  // namespace soci

namespace costwise::store {

// Conflict when the tenant has this provider's account already; returns the stored account.
[[nodiscard]] Result<CloudAccountRecord> InsertCloudAccount(soci::session& session,
                                                            const CloudAccountRecord& account);
// The tenant's accounts by id.
[[nodiscard]] std::vector<CloudAccountRecord> SelectCloudAccounts(soci::session& session,
                                                                  std::int64_t tenant_id);
// NotFound unless the account belongs to the tenant.
[[nodiscard]] Result<CloudAccountRecord> SelectCloudAccount(soci::session& session,
                                                            std::int64_t tenant_id,
                                                            std::int64_t account_id);
// Sets the role ARN and CUR source, and the status back to pending with no error. NotFound
// unless the account belongs to the tenant.
[[nodiscard]] Result<CloudAccountRecord> UpdateCloudAccountConnection(soci::session& session,
                                                                      std::int64_t tenant_id,
                                                                      std::int64_t account_id,
                                                                      std::string_view role_arn,
                                                                      std::string_view cur_source);
// NotFound unless the account belongs to the tenant.
[[nodiscard]] Result<CloudAccountRecord> UpdateCloudAccountStatus(
    soci::session& session, std::int64_t tenant_id, std::int64_t account_id,
    std::string_view status, std::string_view last_error, std::optional<std::int64_t> synced_at);
// NotFound unless the account belongs to the tenant.
[[nodiscard]] Status DeleteCloudAccountRow(soci::session& session, std::int64_t tenant_id,
                                           std::int64_t account_id);

}  // namespace costwise::store
