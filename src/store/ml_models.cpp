#include "store/ml_models.h"

#include <optional>
#include <string>

#include <fmt/format.h>

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

namespace costwise::store {
namespace {

// The columns of a TenantModel as SOCI binds them; a NULL column has indicator i_null.
struct ModelRow {
  long long id = 0;
  std::string model_type;
  int version = 0;
  long long trained_at = 0;
  double accuracy = 0;
  soci::indicator accuracy_indicator = soci::i_null;
  std::string metrics;
  std::string params;
  int data_from = 0;
  soci::indicator from_indicator = soci::i_null;
  int data_to = 0;
  soci::indicator to_indicator = soci::i_null;
  std::string artifact_path;
  std::string status;
  long long retrain_requested_at = 0;
  soci::indicator retrain_indicator = soci::i_null;
};

TenantModel ModelOf(const ModelRow& row) {
  TenantModel model;
  model.id = row.id;
  model.model_type = row.model_type;
  model.version = row.version;
  model.trained_at = row.trained_at;
  if (row.accuracy_indicator == soci::i_ok) model.accuracy = row.accuracy;
  model.metrics = row.metrics;
  model.params = row.params;
  if (row.from_indicator == soci::i_ok) model.data_from = Date::FromDays(row.data_from);
  if (row.to_indicator == soci::i_ok) model.data_to = Date::FromDays(row.data_to);
  model.artifact_path = row.artifact_path;
  model.status = row.status;
  if (row.retrain_indicator == soci::i_ok) model.retrain_requested_at = row.retrain_requested_at;
  return model;
}

// What a training run writes, bound: trained_at, accuracy, metrics, window and path.
struct TrainingValues {
  long long trained_at = 0;
  double accuracy = 0;
  soci::indicator accuracy_indicator = soci::i_null;
  int data_from = 0;
  soci::indicator from_indicator = soci::i_null;
  int data_to = 0;
  soci::indicator to_indicator = soci::i_null;

  explicit TrainingValues(const TenantModel& trained) : trained_at(trained.trained_at) {
    if (trained.accuracy) {
      accuracy = *trained.accuracy;
      accuracy_indicator = soci::i_ok;
    }
    if (trained.data_from) {
      data_from = trained.data_from->days();
      from_indicator = soci::i_ok;
    }
    if (trained.data_to) {
      data_to = trained.data_to->days();
      to_indicator = soci::i_ok;
    }
  }
};

}  // namespace

TenantModel WriteModelTraining(soci::session& session, std::int64_t tenant_id,
                               const TenantModel& trained) {
  const long long tenant = tenant_id;
  TrainingValues values(trained);
  long long active_id = 0;
  long long requested = 0;
  soci::indicator requested_indicator = soci::i_null;
  session << "SELECT id, retrain_requested_at FROM ml_models WHERE tenant_id = :tenant "
             "AND model_type = :type AND params = :params AND status = 'active' "
             "ORDER BY version DESC LIMIT 1",
      soci::use(tenant, "tenant"), soci::use(trained.model_type, "type"),
      soci::use(trained.params, "params"), soci::into(active_id),
      soci::into(requested, requested_indicator);
  const bool found = session.got_data();
  long long id = 0;
  if (found && requested_indicator != soci::i_ok) {
    id = active_id;
    session << "UPDATE ml_models SET trained_at = :trained_at, accuracy = :accuracy, "
               "metrics = :metrics, data_from = :data_from, data_to = :data_to, "
               "model_path = COALESCE(NULLIF(:path, ''), model_path) WHERE id = :id",
        soci::use(values.trained_at, "trained_at"),
        soci::use(values.accuracy, values.accuracy_indicator, "accuracy"),
        soci::use(trained.metrics, "metrics"),
        soci::use(values.data_from, values.from_indicator, "data_from"),
        soci::use(values.data_to, values.to_indicator, "data_to"),
        soci::use(trained.artifact_path, "path"), soci::use(id, "id");
  } else {
    if (found) {
      session << "UPDATE ml_models SET status = 'retired' WHERE id = :id",
          soci::use(active_id, "id");
    }
    int version = 0;
    session << "SELECT COALESCE(MAX(version), 0) + 1 FROM ml_models WHERE tenant_id = :tenant "
               "AND model_type = :type",
        soci::use(tenant, "tenant"), soci::use(trained.model_type, "type"), soci::into(version);
    session << "INSERT INTO ml_models (tenant_id, model_type, version, trained_at, accuracy, "
               "metrics, params, data_from, data_to, model_path, status) VALUES (:tenant, :type, "
               ":version, :trained_at, :accuracy, :metrics, :params, :data_from, :data_to, "
               ":path, 'active') RETURNING id",
        soci::use(tenant, "tenant"), soci::use(trained.model_type, "type"),
        soci::use(version, "version"), soci::use(values.trained_at, "trained_at"),
        soci::use(values.accuracy, values.accuracy_indicator, "accuracy"),
        soci::use(trained.metrics, "metrics"), soci::use(trained.params, "params"),
        soci::use(values.data_from, values.from_indicator, "data_from"),
        soci::use(values.data_to, values.to_indicator, "data_to"),
        soci::use(trained.artifact_path, "path"), soci::into(id);
  }
  return ReadTenantModels(session, tenant_id, id).at(0);
}

std::vector<TenantModel> ReadTenantModels(soci::session& session, std::int64_t tenant_id,
                                          std::optional<std::int64_t> model_id) {
  const long long tenant = tenant_id;
  const long long id = model_id.value_or(0);
  const std::string sql = fmt::format(
      "SELECT id, model_type, version, trained_at, accuracy, metrics, params, data_from, "
      "data_to, model_path, status, retrain_requested_at FROM ml_models WHERE tenant_id = "
      ":tenant AND id {} :id ORDER BY model_type, version DESC, id DESC",
      model_id ? "=" : "<>");
  ModelRow row;
  soci::statement select =
      (session.prepare << sql, soci::use(tenant, "tenant"), soci::use(id, "id"), soci::into(row.id),
       soci::into(row.model_type), soci::into(row.version), soci::into(row.trained_at),
       soci::into(row.accuracy, row.accuracy_indicator), soci::into(row.metrics),
       soci::into(row.params), soci::into(row.data_from, row.from_indicator),
       soci::into(row.data_to, row.to_indicator), soci::into(row.artifact_path),
       soci::into(row.status), soci::into(row.retrain_requested_at, row.retrain_indicator));
  select.execute();
  std::vector<TenantModel> models;
  while (select.fetch()) models.push_back(ModelOf(row));
  return models;
}

int MarkForRetraining(soci::session& session, std::int64_t tenant_id, std::string_view model_type,
                      std::int64_t at) {
  const long long tenant = tenant_id;
  const long long requested_at = at;
  const std::string type(model_type);
  soci::statement update =
      (session.prepare << "UPDATE ml_models SET retrain_requested_at = :at WHERE tenant_id = "
                          ":tenant AND model_type = :type AND status = 'active' AND "
                          "retrain_requested_at IS NULL",
       soci::use(requested_at, "at"), soci::use(tenant, "tenant"), soci::use(type, "type"));
  update.execute(true);
  return static_cast<int>(update.get_affected_rows());
}

}  // namespace costwise::store
