#include "store/ml_models.h"

#include <optional>
#include <string>

#include "store/soci_includes.h"
#include "store/transaction.h"

namespace costwise::store {
namespace {

// The id of the registry row for `model`, or empty.
std::optional<std::int64_t> FindModel(soci::session& session, const ModelRecord& model) {
  long long id = 0;
  const int version = model.version;
  session << "SELECT id FROM ml_models WHERE model_type = :type AND version = :version "
             "AND params = :params AND tenant_id IS NULL ORDER BY id LIMIT 1",
      soci::use(model.model_type, "type"), soci::use(version, "version"),
      soci::use(model.params, "params"), soci::into(id);
  if (!session.got_data()) return std::nullopt;
  return id;
}

}  // namespace

std::int64_t EnsureModelRow(soci::session& session, Backend backend, const ModelRecord& model,
                            std::int64_t now) {
  if (const std::optional<std::int64_t> id = FindModel(session, model)) return *id;
  Transaction transaction(session, backend);
  // Serializes registrations, so two processes starting at once record one row.
  LockForTransaction(session, backend, LockKind::kModels, 0);
  if (const std::optional<std::int64_t> id = FindModel(session, model)) return *id;
  const int version = model.version;
  const long long trained_at = now;
  long long id = 0;
  session << "INSERT INTO ml_models (model_type, version, trained_at, model_path, params) "
             "VALUES (:type, :version, :trained_at, :path, :params) RETURNING id",
      soci::use(model.model_type, "type"), soci::use(version, "version"),
      soci::use(trained_at, "trained_at"), soci::use(model.model_path, "path"),
      soci::use(model.params, "params"), soci::into(id);
  transaction.Commit();
  return id;
}

}  // namespace costwise::store
