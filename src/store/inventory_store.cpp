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

// Where one kind is stored: its table and the column of its key (InventoryKey).
struct InventoryTable {
  std::string_view name;
  std::string_view key_column;
};

constexpr InventoryTable kInstances{"cloud_instances", "instance_id"};
constexpr InventoryTable kVolumes{"cloud_volumes", "volume_id"};
constexpr InventoryTable kAddresses{"cloud_addresses", "address_key"};

// By id, byte-wise: the backends' collations differ.
template <typename Row>
void SortByKey(std::vector<Row>& rows) {
  std::sort(rows.begin(), rows.end(),
            [](const Row& a, const Row& b) { return InventoryKey(a) < InventoryKey(b); });
}

// The tenant's rows of one kind, ordered by key.
template <typename Row>
std::vector<Row> ReadRows(soci::session& session, long long tenant, const InventoryTable& table) {
  Row row;
  SourceColumns source;
  std::string sql = "SELECT ";
  VisitColumns(row, [&](std::string_view column, auto&) { sql.append(column).append(", "); });
  sql.append("source_path, source_line FROM ")
      .append(table.name)
      .append(" WHERE tenant_id = :tenant");
  soci::details::prepare_temp_type prepared = session.prepare << sql;
  prepared, soci::use(tenant, "tenant");
  VisitColumns(row, [&](std::string_view, auto& member) { prepared, soci::into(member); });
  prepared, soci::into(source.path), soci::into(source.line);
  soci::statement select(prepared);
  select.execute();
  std::vector<Row> rows;
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
InventoryChanges ApplyChanges(soci::session& session, long long tenant, const InventoryTable& table,
                              std::vector<Row> stored, std::span<const Row> rows, Insert insert) {
  std::map<std::string, Row> old;
  for (Row& row : stored) {
    std::string key = InventoryKey(row);
    old.emplace(std::move(key), std::move(row));
  }
  InventoryChanges changes;
  std::vector<const Row*> to_insert;
  std::vector<std::string> to_delete;
  for (const Row& row : rows) {
    const auto found = old.find(InventoryKey(row));
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
    std::string sql = "DELETE FROM ";
    sql.append(table.name)
        .append(" WHERE tenant_id = :tenant AND ")
        .append(table.key_column)
        .append(" = :key");
    std::string key;
    soci::statement remove =
        (session.prepare << sql, soci::use(tenant, "tenant"), soci::use(key, "key"));
    for (std::string& deleted : to_delete) {
      key = std::move(deleted);
      remove.execute(true);
    }
  }
  for (const Row* row : to_insert) insert(*row);
  return changes;
}

// ReplaceInstances, ReplaceVolumes and ReplaceAddresses: the columns are VisitColumns', each
// bound by its name, and the key column when it is not one of them.
template <typename Row>
InventoryChanges ReplaceRows(soci::session& session, std::int64_t tenant_id,
                             std::span<const Row> rows, std::int64_t now,
                             const InventoryTable& table) {
  const long long tenant = tenant_id;
  const long long imported_at = now;
  Row row;
  std::string key;
  SourceColumns source;
  bool key_is_column = false;
  std::string columns = "tenant_id";
  std::string values = ":tenant";
  const auto add_column = [&](std::string_view column) {
    columns.append(", ").append(column);
    values.append(", :").append(column);
  };
  VisitColumns(row, [&](std::string_view column, auto&) {
    if (column == table.key_column) key_is_column = true;
  });
  if (!key_is_column) add_column(table.key_column);
  VisitColumns(row, [&](std::string_view column, auto&) { add_column(column); });
  for (const std::string_view column : {"source_path", "source_line", "imported_at"}) {
    add_column(column);
  }
  std::string sql = "INSERT INTO ";
  sql.append(table.name)
      .append(" (")
      .append(columns)
      .append(") VALUES (")
      .append(values)
      .append(")");
  soci::details::prepare_temp_type prepared = session.prepare << sql;
  prepared, soci::use(tenant, "tenant");
  if (!key_is_column) prepared, soci::use(key, std::string(table.key_column));
  VisitColumns(row, [&](std::string_view column, auto& member) {
    prepared, soci::use(member, std::string(column));
  });
  prepared, soci::use(source.path, "source_path"), soci::use(source.line, "source_line"),
      soci::use(imported_at, "imported_at");
  soci::statement insert(prepared);
  return ApplyChanges(session, tenant, table, ReadRows<Row>(session, tenant, table), rows,
                      [&](const Row& added) {
                        row = added;
                        if (!key_is_column) key = InventoryKey(added);
                        source.Fill(added.source);
                        insert.execute(true);
                      });
}

}  // namespace

const std::string& InventoryKey(const CloudInstance& row) { return row.instance_id; }
const std::string& InventoryKey(const CloudVolume& row) { return row.volume_id; }
const std::string& InventoryKey(const CloudAddress& row) { return AddressKey(row); }

InventoryChanges ReplaceInstances(soci::session& session, std::int64_t tenant_id,
                                  std::span<const CloudInstance> rows, std::int64_t now) {
  return ReplaceRows(session, tenant_id, rows, now, kInstances);
}

InventoryChanges ReplaceVolumes(soci::session& session, std::int64_t tenant_id,
                                std::span<const CloudVolume> rows, std::int64_t now) {
  return ReplaceRows(session, tenant_id, rows, now, kVolumes);
}

InventoryChanges ReplaceAddresses(soci::session& session, std::int64_t tenant_id,
                                  std::span<const CloudAddress> rows, std::int64_t now) {
  return ReplaceRows(session, tenant_id, rows, now, kAddresses);
}

CloudInventory ReadInventory(soci::session& session, std::int64_t tenant_id) {
  const long long tenant = tenant_id;
  return CloudInventory{ReadRows<CloudInstance>(session, tenant, kInstances),
                        ReadRows<CloudVolume>(session, tenant, kVolumes),
                        ReadRows<CloudAddress>(session, tenant, kAddresses)};
}

}  // namespace costwise::store
