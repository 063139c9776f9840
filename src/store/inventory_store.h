#pragma once
// The SQL of a tenant's cloud inventory (cloud_instances, cloud_volumes, cloud_addresses, schema
// version 4). Every function runs in the caller's session, inside its transaction when one is
// open, and throws SOCI errors.
#include <cstdint>
#include <span>

#include "core/cloud_inventory.h"
#include "store/repository.h"

namespace soci {
class session;
}  // namespace soci

namespace costwise::store {

// Makes the tenant's rows of one kind exactly `rows` (ids unique, checked by the caller):
// deletes the ones missing from `rows`, rewrites the changed ones and inserts the new ones with
// imported_at = `now`; equal rows are left alone.
InventoryChanges ReplaceInstances(soci::session& session, std::int64_t tenant_id,
                                  std::span<const CloudInstance> rows, std::int64_t now);
InventoryChanges ReplaceVolumes(soci::session& session, std::int64_t tenant_id,
                                std::span<const CloudVolume> rows, std::int64_t now);
InventoryChanges ReplaceAddresses(soci::session& session, std::int64_t tenant_id,
                                  std::span<const CloudAddress> rows, std::int64_t now);

// Every kind of the tenant's inventory, each ordered by id.
[[nodiscard]] CloudInventory ReadInventory(soci::session& session, std::int64_t tenant_id);

}  // namespace costwise::store
