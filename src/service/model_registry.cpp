#include "service/model_registry.h"

#include <fmt/format.h>

namespace costwise::service {

std::string RegistryParams(std::string_view engine, std::string_view params) {
  const std::string head = fmt::format(R"({{"engine":"{}")", engine);
  const std::size_t open = params.find('{');
  if (open == std::string_view::npos) return head + '}';
  std::string_view rest = params.substr(open + 1);
  const std::size_t first = rest.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos || rest[first] == '}') return head + '}';
  return head + ',' + std::string(rest);
}

Result<store::TenantModel> RecordTraining(store::Repository& repository, std::int64_t tenant_id,
                                          const ModelTraining& training) {
  store::TenantModel trained;
  trained.model_type = std::string(training.model_type);
  trained.params = RegistryParams(training.engine, training.params);
  trained.trained_at = training.now;
  trained.accuracy = training.accuracy;
  trained.metrics = training.metrics;
  trained.data_from = training.data_from;
  trained.data_to = training.data_to;
  return repository.RecordModelTraining(tenant_id, trained);
}

Result<std::vector<store::TenantModel>> ListModels(store::Repository& repository,
                                                   std::string_view tenant) {
  auto tenant_row = repository.FindTenant(tenant);
  if (!tenant_row) return unexpected(tenant_row.error());
  return repository.ListTenantModels(tenant_row->id);
}

Result<store::TenantModel> GetModel(store::Repository& repository, std::string_view tenant,
                                    std::int64_t id) {
  auto tenant_row = repository.FindTenant(tenant);
  if (!tenant_row) return unexpected(tenant_row.error());
  auto model = repository.GetTenantModel(tenant_row->id, id);
  if (!model && model.error().code == ErrorCode::kNotFound) {
    return MakeError(ErrorCode::kNotFound,
                     fmt::format("organisation '{}' has no model {}", tenant, id));
  }
  return model;
}

std::string ModelVersionLabel(const store::TenantModel& model) {
  return fmt::format("{}/{}", model.model_type, model.version);
}

}  // namespace costwise::service
