#pragma once
// The model registry table, ml_models.
#include <cstdint>

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

}  // namespace costwise::store
