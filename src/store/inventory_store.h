#pragma once
// The SQL of a tenant's cloud inventory (cloud_instances, cloud_volumes, cloud_addresses, schema
// version 4). Every function runs in the caller's session, inside its transaction when one is
// open, and throws SOCI errors.
#include <concepts>
#include <cstdint>
#include <span>
#include <string>
#include <type_traits>

#include "core/cloud_inventory.h"
#include "store/repository.h"

namespace soci {
class session;
}  // namespace soci

namespace costwise::store {

// The columns a row of each kind is stored in, besides tenant_id, its key column when that is not
// one of them (address_key), its source and imported_at: visit(column, member) for each, in table
// order. The SQL is built from them and ReplaceInventory validates a row by them.
template <typename Row, typename Visit>
requires std::same_as<std::remove_const_t<Row>, CloudInstance>
void VisitColumns(Row& row, Visit&& visit) {
  visit("instance_id", row.instance_id);
  visit("instance_type", row.instance_type);
  visit("region", row.region);
  visit("platform", row.platform);
  visit("state", row.state);
  visit("tags", row.tags);
}

template <typename Row, typename Visit>
requires std::same_as<std::remove_const_t<Row>, CloudVolume>
void VisitColumns(Row& row, Visit&& visit) {
  visit("volume_id", row.volume_id);
  visit("volume_type", row.volume_type);
  visit("size_gib", row.size_gib);
  visit("iops", row.iops);
  visit("throughput_mibps", row.throughput_mibps);
  visit("region", row.region);
  visit("state", row.state);
  visit("attached_instance_id", row.attached_instance_id);
  visit("tags", row.tags);
}

template <typename Row, typename Visit>
requires std::same_as<std::remove_const_t<Row>, CloudAddress>
void VisitColumns(Row& row, Visit&& visit) {
  visit("allocation_id", row.allocation_id);
  visit("public_ip", row.public_ip);
  visit("region", row.region);
  visit("association_id", row.association_id);
  visit("instance_id", row.instance_id);
  visit("tags", row.tags);
}

// What identifies a row among the tenant's rows of its kind.
[[nodiscard]] const std::string& InventoryKey(const CloudInstance& row);
[[nodiscard]] const std::string& InventoryKey(const CloudVolume& row);
[[nodiscard]] const std::string& InventoryKey(const CloudAddress& row);

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
