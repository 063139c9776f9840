#include "store/cloud_account_store.h"

#include <string>

#include <fmt/format.h>

#include "store/soci_includes.h"

namespace costwise::store {
namespace {

constexpr std::string_view kColumns =
    "SELECT id, tenant_id, provider, account_id, name, external_id, role_arn, cur_source, "
    "status, created_at, last_sync_at, last_error FROM cloud_accounts ";

// Bound output columns of one cloud_accounts row, in kColumns order.
struct CloudAccountRow {
  long long id = 0;
  long long tenant = 0;
  std::string provider;
  std::string account_id;
  std::string name;
  std::string external_id;
  std::string role_arn;
  std::string cur_source;
  soci::indicator cur_source_indicator = soci::i_ok;
  std::string status;
  long long created_at = 0;
  long long last_sync_at = 0;
  soci::indicator last_sync_indicator = soci::i_ok;
  std::string last_error;
  soci::indicator last_error_indicator = soci::i_ok;

  [[nodiscard]] CloudAccountRecord Record() const {
    CloudAccountRecord record;
    record.id = id;
    record.tenant_id = tenant;
    record.provider = provider;
    record.account_id = account_id;
    record.name = name;
    record.external_id = external_id;
    record.role_arn = role_arn;
    record.cur_source = cur_source_indicator == soci::i_ok ? cur_source : "";
    record.status = status;
    record.created_at = created_at;
    if (last_sync_indicator == soci::i_ok) record.last_sync_at = last_sync_at;
    record.last_error = last_error_indicator == soci::i_ok ? last_error : "";
    return record;
  }
};

unexpected<Error> NoSuchAccount(std::int64_t account_id) {
  return MakeError(ErrorCode::kNotFound,
                   fmt::format("the organisation has no cloud account {}", account_id));
}

}  // namespace

Result<CloudAccountRecord> InsertCloudAccount(soci::session& session,
                                              const CloudAccountRecord& account) {
  const long long tenant = account.tenant_id;
  long long existing = 0;
  session << "SELECT id FROM cloud_accounts WHERE tenant_id = :tenant AND provider = :provider "
             "AND account_id = :account",
      soci::use(tenant, "tenant"), soci::use(account.provider, "provider"),
      soci::use(account.account_id, "account"), soci::into(existing);
  if (session.got_data()) {
    return MakeError(ErrorCode::kConflict,
                     fmt::format("the organisation has connected the {} account {} already (as "
                                 "cloud account {})",
                                 account.provider, account.account_id, existing));
  }
  const long long created_at = account.created_at;
  long long id = 0;
  session << "INSERT INTO cloud_accounts (tenant_id, provider, account_id, name, external_id, "
             "role_arn, status, created_at) VALUES (:tenant, :provider, :account, :name, "
             ":external, :role, :status, :created) RETURNING id",
      soci::use(tenant, "tenant"), soci::use(account.provider, "provider"),
      soci::use(account.account_id, "account"), soci::use(account.name, "name"),
      soci::use(account.external_id, "external"), soci::use(account.role_arn, "role"),
      soci::use(account.status, "status"), soci::use(created_at, "created"), soci::into(id);
  return SelectCloudAccount(session, account.tenant_id, id);
}

std::vector<CloudAccountRecord> SelectCloudAccounts(soci::session& session,
                                                    std::int64_t tenant_id) {
  const long long tenant = tenant_id;
  CloudAccountRow row;
  soci::statement select =
      (session.prepare << std::string(kColumns) + "WHERE tenant_id = :tenant ORDER BY id",
       soci::use(tenant, "tenant"), soci::into(row.id), soci::into(row.tenant),
       soci::into(row.provider), soci::into(row.account_id), soci::into(row.name),
       soci::into(row.external_id), soci::into(row.role_arn),
       soci::into(row.cur_source, row.cur_source_indicator), soci::into(row.status),
       soci::into(row.created_at), soci::into(row.last_sync_at, row.last_sync_indicator),
       soci::into(row.last_error, row.last_error_indicator));
  select.execute();
  std::vector<CloudAccountRecord> accounts;
  while (select.fetch()) accounts.push_back(row.Record());
  return accounts;
}

Result<CloudAccountRecord> SelectCloudAccount(soci::session& session, std::int64_t tenant_id,
                                              std::int64_t account_id) {
  const long long tenant = tenant_id;
  const long long id = account_id;
  CloudAccountRow row;
  session << std::string(kColumns) + "WHERE id = :id AND tenant_id = :tenant", soci::use(id, "id"),
      soci::use(tenant, "tenant"), soci::into(row.id), soci::into(row.tenant),
      soci::into(row.provider), soci::into(row.account_id), soci::into(row.name),
      soci::into(row.external_id), soci::into(row.role_arn),
      soci::into(row.cur_source, row.cur_source_indicator), soci::into(row.status),
      soci::into(row.created_at), soci::into(row.last_sync_at, row.last_sync_indicator),
      soci::into(row.last_error, row.last_error_indicator);
  if (!session.got_data()) return NoSuchAccount(account_id);
  return row.Record();
}

Result<CloudAccountRecord> UpdateCloudAccountConnection(soci::session& session,
                                                        std::int64_t tenant_id,
                                                        std::int64_t account_id,
                                                        std::string_view role_arn,
                                                        std::string_view cur_source) {
  const long long tenant = tenant_id;
  const long long id = account_id;
  const std::string role(role_arn);
  const std::string source(cur_source);
  soci::statement update =
      (session.prepare << "UPDATE cloud_accounts SET role_arn = :role, cur_source = :source, "
                          "status = 'pending', last_error = NULL WHERE id = :id "
                          "AND tenant_id = :tenant",
       soci::use(role, "role"), soci::use(source, "source"), soci::use(id, "id"),
       soci::use(tenant, "tenant"));
  update.execute(true);
  if (update.get_affected_rows() == 0) return NoSuchAccount(account_id);
  return SelectCloudAccount(session, tenant_id, account_id);
}

Result<CloudAccountRecord> UpdateCloudAccountStatus(soci::session& session, std::int64_t tenant_id,
                                                    std::int64_t account_id,
                                                    std::string_view status,
                                                    std::string_view last_error,
                                                    std::optional<std::int64_t> synced_at) {
  const long long tenant = tenant_id;
  const long long id = account_id;
  const std::string state(status);
  const std::string error(last_error);
  soci::indicator error_indicator = error.empty() ? soci::i_null : soci::i_ok;
  const long long synced = synced_at.value_or(0);
  soci::indicator synced_indicator = synced_at ? soci::i_ok : soci::i_null;
  // A sync's time is kept when a later test or sync fails: it says when data last came in.
  soci::statement update =
      (session.prepare << "UPDATE cloud_accounts SET status = :status, last_error = :error, "
                          "last_sync_at = COALESCE(:synced, last_sync_at) WHERE id = :id AND "
                          "tenant_id = :tenant",
       soci::use(state, "status"), soci::use(error, error_indicator, "error"),
       soci::use(synced, synced_indicator, "synced"), soci::use(id, "id"),
       soci::use(tenant, "tenant"));
  update.execute(true);
  if (update.get_affected_rows() == 0) return NoSuchAccount(account_id);
  return SelectCloudAccount(session, tenant_id, account_id);
}

Status DeleteCloudAccountRow(soci::session& session, std::int64_t tenant_id,
                             std::int64_t account_id) {
  const long long tenant = tenant_id;
  const long long id = account_id;
  soci::statement remove =
      (session.prepare << "DELETE FROM cloud_accounts WHERE id = :id AND tenant_id = :tenant",
       soci::use(id, "id"), soci::use(tenant, "tenant"));
  remove.execute(true);
  if (remove.get_affected_rows() == 0) return NoSuchAccount(account_id);
  return {};
}

}  // namespace costwise::store
