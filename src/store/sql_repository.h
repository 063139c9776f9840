#pragma once
// The Repository over one SOCI session: SQLite or PostgreSQL. The SQL is shared (the dialects
// differ only in the migrations' id columns, bulk loading and locking), so both backends give the
// same answers. Calls are serialized by a mutex: one repository may be shared by threads.
#include <memory>
#include <mutex>

#include "store/backend.h"
#include "store/repository.h"
#include "store/store_url.h"

namespace soci {
class session;
}  // namespace soci

namespace costwise::store {

class SqlRepository final : public Repository {
 public:
  // Connects and applies pending migrations.
  [[nodiscard]] static Result<std::unique_ptr<Repository>> Open(const StoreLocation& location);

  SqlRepository(std::unique_ptr<soci::session> session, Backend backend);
  ~SqlRepository() override;

  [[nodiscard]] std::string_view BackendName() const override;
  [[nodiscard]] Result<int> SchemaVersion() override;
  [[nodiscard]] Result<Tenant> EnsureTenant(std::string_view name) override;
  [[nodiscard]] Result<Tenant> FindTenant(std::string_view name) override;
  [[nodiscard]] Result<ReplaceSummary> ReplaceBillingScopes(std::int64_t tenant_id,
                                                            const IngestBatch& batch) override;
  [[nodiscard]] Result<std::vector<CostGroupRow>> QueryCosts(std::int64_t tenant_id,
                                                             const CostQuery& query) override;
  [[nodiscard]] Result<std::vector<IngestRunRecord>> ListIngestRuns(
      std::int64_t tenant_id) override;

 private:
  // PostgreSQL: opens a new connection when the server dropped the old one (a restart, a
  // failover), so that one failed call does not break the repository for good. Throws.
  void ReconnectIfBroken();

  std::mutex mutex_;
  std::unique_ptr<soci::session> session_;
  Backend backend_;
};

}  // namespace costwise::store
