#pragma once
// The model registry table, ml_models: tenant-less configuration rows (schema version 1) and
// each tenant's model versions (schema version 9).
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "store/backend.h"
#include "store/repository.h"

namespace soci {
class session;
}  // namespace soci

namespace costwise::store {

// The id of the tenant-less row with the model's type, version and params, inserted (with
// trained_at = now) when missing, in its own transaction. Throws SOCI errors.
[[nodiscard]] std::int64_t EnsureModelRow(soci::session& session, Backend backend,
                                          const ModelRecord& model, std::int64_t now);

// The tenant's active version of the model (type and params), updated with the run, or a new
// version (retiring one marked for retraining); Repository::RecordModelTraining. Runs in the
// caller's transaction, which holds the tenant's models lock. Throws SOCI errors.
[[nodiscard]] TenantModel WriteModelTraining(soci::session& session, std::int64_t tenant_id,
                                             const TenantModel& trained);

// The tenant's models by type, newest version first; only `model_id` when set.
[[nodiscard]] std::vector<TenantModel> ReadTenantModels(soci::session& session,
                                                        std::int64_t tenant_id,
                                                        std::optional<std::int64_t> model_id);

// Sets retrain_requested_at on the tenant's active versions of the type that have none; returns
// how many.
[[nodiscard]] int MarkForRetraining(soci::session& session, std::int64_t tenant_id,
                                    std::string_view model_type, std::int64_t at);

}  // namespace costwise::store
