#include "store/inventory_store.h"

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "store/soci_includes.h"

namespace costwise::store {
namespace {

// The columns every inventory table ends with, bound by reference.
struct SourceColumns {
  std::string path;
  long long line = 0;

  void Fill(const ResourceSource& source) {
    path = source.path;
    line = source.line;
  }
  [[nodiscard]] ResourceSource Get() const { return ResourceSource{path, line}; }
};

const std::string& KeyOf(const CloudInstance& row) { return row.instance_id; }
const std::string& KeyOf(const CloudVolume& row) { return row.volume_id; }
const std::string& KeyOf(const CloudAddress& row) { return AddressKey(row); }

// By id, byte-wise: the backends' collations differ.
template <typename Row>
void SortByKey(std::vector<Row>& rows) {
  std::sort(rows.begin(), rows.end(),
            [](const Row& a, const Row& b) { return KeyOf(a) < KeyOf(b); });
}

std::vector<CloudInstance> ReadInstances(soci::session& session, long long tenant) {
  CloudInstance row;
  SourceColumns source;
  soci::statement select =
      (session.prepare << "SELECT instance_id, instance_type, region, platform, state, tags, "
                          "source_path, source_line FROM cloud_instances WHERE tenant_id = "
                          ":tenant",
       soci::use(tenant, "tenant"), soci::into(row.instance_id), soci::into(row.instance_type),
       soci::into(row.region), soci::into(row.platform), soci::into(row.state),
       soci::into(row.tags), soci::into(source.path), soci::into(source.line));
  select.execute();
  std::vector<CloudInstance> rows;
  while (select.fetch()) {
    row.source = source.Get();
    rows.push_back(row);
  }
  SortByKey(rows);
  return rows;
}

std::vector<CloudVolume> ReadVolumes(soci::session& session, long long tenant) {
  CloudVolume row;
  SourceColumns source;
  soci::statement select =
      (session.prepare << "SELECT volume_id, volume_type, size_gib, iops, throughput_mibps, "
                          "region, state, attached_instance_id, tags, source_path, source_line "
                          "FROM cloud_volumes WHERE tenant_id = :tenant",
       soci::use(tenant, "tenant"), soci::into(row.volume_id), soci::into(row.volume_type),
       soci::into(row.size_gib), soci::into(row.iops), soci::into(row.throughput_mibps),
       soci::into(row.region), soci::into(row.state), soci::into(row.attached_instance_id),
       soci::into(row.tags), soci::into(source.path), soci::into(source.line));
  select.execute();
  std::vector<CloudVolume> rows;
  while (select.fetch()) {
    row.source = source.Get();
    rows.push_back(row);
  }
  SortByKey(rows);
  return rows;
}

std::vector<CloudAddress> ReadAddresses(soci::session& session, long long tenant) {
  CloudAddress row;
  SourceColumns source;
  soci::statement select =
      (session.prepare << "SELECT allocation_id, public_ip, region, association_id, instance_id, "
                          "tags, source_path, source_line FROM cloud_addresses WHERE tenant_id = "
                          ":tenant",
       soci::use(tenant, "tenant"), soci::into(row.allocation_id), soci::into(row.public_ip),
       soci::into(row.region), soci::into(row.association_id), soci::into(row.instance_id),
       soci::into(row.tags), soci::into(source.path), soci::into(source.line));
  select.execute();
  std::vector<CloudAddress> rows;
  while (select.fetch()) {
    row.source = source.Get();
    rows.push_back(row);
  }
  SortByKey(rows);
  return rows;
}

// Deletes the stored rows that are missing from `rows` or differ, and inserts the new and
// changed ones through `insert`.
template <typename Row, typename Insert>
InventoryChanges ApplyChanges(soci::session& session, long long tenant, std::string_view table,
                              std::string_view key_column, std::vector<Row> stored,
                              std::span<const Row> rows, Insert insert) {
  std::map<std::string, Row> old;
  for (Row& row : stored) {
    std::string key = KeyOf(row);
    old.emplace(std::move(key), std::move(row));
  }
  InventoryChanges changes;
  std::vector<const Row*> to_insert;
  std::vector<std::string> to_delete;
  for (const Row& row : rows) {
    const auto found = old.find(KeyOf(row));
    if (found == old.end()) {
      ++changes.added;
      to_insert.push_back(&row);
      continue;
    }
    if (found->second == row) {
      ++changes.unchanged;
    } else {
      ++changes.changed;
      to_delete.push_back(found->first);
      to_insert.push_back(&row);
    }
    old.erase(found);
  }
  for (const auto& [key, row] : old) {
    ++changes.removed;
    to_delete.push_back(key);
  }
  if (!to_delete.empty()) {
    std::string key;
    soci::statement remove = (session.prepare << "DELETE FROM " + std::string(table) +
                                                     " WHERE tenant_id = :tenant AND " +
                                                     std::string(key_column) + " = :key",
                              soci::use(tenant, "tenant"), soci::use(key, "key"));
    for (std::string& deleted : to_delete) {
      key = std::move(deleted);
      remove.execute(true);
    }
  }
  for (const Row* row : to_insert) insert(*row);
  return changes;
}

}  // namespace

InventoryChanges ReplaceInstances(soci::session& session, std::int64_t tenant_id,
                                  std::span<const CloudInstance> rows, std::int64_t now) {
  const long long tenant = tenant_id;
  const long long imported_at = now;
  CloudInstance row;
  SourceColumns source;
  soci::statement insert =
      (session.prepare << "INSERT INTO cloud_instances (tenant_id, instance_id, instance_type, "
                          "region, platform, state, tags, source_path, source_line, imported_at) "
                          "VALUES (:tenant, :id, :type, :region, :platform, :state, :tags, "
                          ":path, :line, :imported_at)",
       soci::use(tenant, "tenant"), soci::use(row.instance_id, "id"),
       soci::use(row.instance_type, "type"), soci::use(row.region, "region"),
       soci::use(row.platform, "platform"), soci::use(row.state, "state"),
       soci::use(row.tags, "tags"), soci::use(source.path, "path"), soci::use(source.line, "line"),
       soci::use(imported_at, "imported_at"));
  return ApplyChanges(session, tenant, "cloud_instances", "instance_id",
                      ReadInstances(session, tenant), rows, [&](const CloudInstance& added) {
                        row = added;
                        source.Fill(added.source);
                        insert.execute(true);
                      });
}

InventoryChanges ReplaceVolumes(soci::session& session, std::int64_t tenant_id,
                                std::span<const CloudVolume> rows, std::int64_t now) {
  const long long tenant = tenant_id;
  const long long imported_at = now;
  CloudVolume row;
  SourceColumns source;
  soci::statement insert =
      (session.prepare << "INSERT INTO cloud_volumes (tenant_id, volume_id, volume_type, "
                          "size_gib, iops, throughput_mibps, region, state, "
                          "attached_instance_id, tags, source_path, source_line, imported_at) "
                          "VALUES (:tenant, :id, :type, :size, :iops, :throughput, :region, "
                          ":state, :attached, :tags, :path, :line, :imported_at)",
       soci::use(tenant, "tenant"), soci::use(row.volume_id, "id"),
       soci::use(row.volume_type, "type"), soci::use(row.size_gib, "size"),
       soci::use(row.iops, "iops"), soci::use(row.throughput_mibps, "throughput"),
       soci::use(row.region, "region"), soci::use(row.state, "state"),
       soci::use(row.attached_instance_id, "attached"), soci::use(row.tags, "tags"),
       soci::use(source.path, "path"), soci::use(source.line, "line"),
       soci::use(imported_at, "imported_at"));
  return ApplyChanges(session, tenant, "cloud_volumes", "volume_id", ReadVolumes(session, tenant),
                      rows, [&](const CloudVolume& added) {
                        row = added;
                        source.Fill(added.source);
                        insert.execute(true);
                      });
}

InventoryChanges ReplaceAddresses(soci::session& session, std::int64_t tenant_id,
                                  std::span<const CloudAddress> rows, std::int64_t now) {
  const long long tenant = tenant_id;
  const long long imported_at = now;
  CloudAddress row;
  std::string key;
  SourceColumns source;
  soci::statement insert =
      (session.prepare << "INSERT INTO cloud_addresses (tenant_id, address_key, allocation_id, "
                          "public_ip, region, association_id, instance_id, tags, source_path, "
                          "source_line, imported_at) VALUES (:tenant, :key, :allocation, :ip, "
                          ":region, :association, :instance, :tags, :path, :line, :imported_at)",
       soci::use(tenant, "tenant"), soci::use(key, "key"),
       soci::use(row.allocation_id, "allocation"), soci::use(row.public_ip, "ip"),
       soci::use(row.region, "region"), soci::use(row.association_id, "association"),
       soci::use(row.instance_id, "instance"), soci::use(row.tags, "tags"),
       soci::use(source.path, "path"), soci::use(source.line, "line"),
       soci::use(imported_at, "imported_at"));
  return ApplyChanges(session, tenant, "cloud_addresses", "address_key",
                      ReadAddresses(session, tenant), rows, [&](const CloudAddress& added) {
                        row = added;
                        key = AddressKey(added);
                        source.Fill(added.source);
                        insert.execute(true);
                      });
}

CloudInventory ReadInventory(soci::session& session, std::int64_t tenant_id) {
  const long long tenant = tenant_id;
  return CloudInventory{ReadInstances(session, tenant), ReadVolumes(session, tenant),
                        ReadAddresses(session, tenant)};
}

}  // namespace costwise::store
