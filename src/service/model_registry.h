#pragma once
// The model registry (docs/service.md, "Model registry"): each tenant's versions of the models
// that made its anomalies, forecasts and recommendations, with the data they trained on, their
// accuracy and status; and retraining after feedback.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/date.h"
#include "core/error.h"
#include "store/repository.h"

namespace costwise::service {

// One run of a model for a tenant, as the registry records it.
struct ModelTraining {
  std::string_view model_type;  // "series-detector", "forecaster", "rightsizing"
  std::string_view engine;      // the code's version: "series-detector/1", "forecaster/1"
  std::string params = "{}";    // the configuration, a JSON object
  std::optional<double> accuracy;
  std::string metrics = "{}";  // a JSON object
  std::optional<Date> data_from;
  std::optional<Date> data_to;
  std::int64_t now = 0;  // Unix seconds
};

// The registry's params: the configuration with "engine" first, so that a new engine version is
// a new model.
[[nodiscard]] std::string RegistryParams(std::string_view engine, std::string_view params);

// Records the run in the tenant's registry (store::Repository::RecordModelTraining): the active
// version with the same configuration, updated, or a new version when there is none or feedback
// asked for retraining. Returns the row the run's results must record.
[[nodiscard]] Result<store::TenantModel> RecordTraining(store::Repository& repository,
                                                        std::int64_t tenant_id,
                                                        const ModelTraining& training);

// The tenant's models, by type, newest version first. NotFound for an unknown tenant.
[[nodiscard]] Result<std::vector<store::TenantModel>> ListModels(store::Repository& repository,
                                                                 std::string_view tenant);

// NotFound when the tenant has no model with that id (another tenant's included).
[[nodiscard]] Result<store::TenantModel> GetModel(store::Repository& repository,
                                                  std::string_view tenant, std::int64_t id);

// "series-detector/2": how results name the model version that made them.
[[nodiscard]] std::string ModelVersionLabel(const store::TenantModel& model);

}  // namespace costwise::service
