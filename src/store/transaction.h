#pragma once
// A database transaction that rolls back unless committed. Throws SOCI errors like SOCI itself;
// the repository turns them into Error values at its boundary.
#include <cstdint>

#include "store/backend.h"

namespace soci {
class session;
}  // namespace soci

namespace costwise::store {

class Transaction final {
 public:
  // SQLite: BEGIN IMMEDIATE, so the write lock is taken up front (waiting up to the busy
  // timeout) instead of failing when a reader upgrades. PostgreSQL: BEGIN.
  Transaction(soci::session& session, Backend backend);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  void Commit();

 private:
  soci::session& session_;
  bool open_ = true;
};

// Takes a PostgreSQL transaction-scoped advisory lock (pg_advisory_xact_lock) on (kind, id);
// released at commit or rollback. Does nothing on SQLite, whose transactions are serialized by
// BEGIN IMMEDIATE already.
enum class LockKind : int {
  kMigrations = 1,
  kTenantCube = 2,
  kModels = 3,
  kTenantAnomalies = 4,
  kTenantForecasts = 5,
  kTenantInventory = 6,
  kTenantMetrics = 7,
  kTenantRecommendations = 8,
  kUsers = 9,
  kTenantAlerts = 70,  // alert channels, rules and deliveries
  kTenantJobs = 20,    // enqueueing a tenant's jobs (a queued one of the kind is reused)
  kTenantCloudAccounts = 10,
};
void LockForTransaction(soci::session& session, Backend backend, LockKind kind, std::int64_t id);

}  // namespace costwise::store
