#pragma once
// Per-tenant revisions of data that answers are computed from: a revision changes in the
// transaction of every write to that data, so an answer computed at one revision stays exact
// while the revision stays the same (the server's answer caches, docs/service.md).
#include <cstdint>

namespace soci {
class session;
}  // namespace soci

namespace costwise::store {

enum class Revision {
  kAnomalies,  // tenants.anomalies_revision: detection, feedback
  kForecasts,  // tenants.forecasts_revision: a stored forecast run
};

// Raises the tenant's revision by one. Throws SOCI errors.
void RaiseRevision(soci::session& session, std::int64_t tenant_id, Revision revision);
// The tenant's revision (0 before the first write). Throws SOCI errors.
[[nodiscard]] std::int64_t ReadRevision(soci::session& session, std::int64_t tenant_id,
                                        Revision revision);

}  // namespace costwise::store
