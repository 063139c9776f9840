#include "service/model_store.h"

#include <unistd.h>

#include <atomic>
#include <fstream>
#include <system_error>

#include <fmt/format.h>

namespace costwise::service {
namespace {

std::string CacheKey(std::int64_t tenant_id, std::int64_t model_id) {
  return fmt::format("{}/{}", tenant_id, model_id);
}

// A name no other writer (thread or process) uses at the same time.
std::filesystem::path TemporaryBeside(const std::filesystem::path& path) {
  static std::atomic<std::uint64_t> counter{0};
  return path.string() + fmt::format(".tmp-{}-{}", ::getpid(), counter.fetch_add(1));
}

}  // namespace

ModelStore::ModelStore(std::filesystem::path directory, std::size_t capacity)
    : directory_(std::move(directory)), loaded_(capacity) {}

std::filesystem::path ModelStore::ArtifactPath(std::int64_t tenant_id,
                                               const store::TenantModel& model) const {
  return directory_ / std::to_string(tenant_id) /
         fmt::format("{}-v{}.bin", model.model_type, model.version);
}

Result<std::shared_ptr<const DetectorArtifact>> ModelStore::LoadDetector(
    std::int64_t tenant_id, const store::TenantModel& model) {
  const std::string key = CacheKey(tenant_id, model.id);
  if (auto loaded = loaded_.Find(key, model.trained_at)) return *loaded;
  if (model.artifact_path.empty()) return std::shared_ptr<const DetectorArtifact>();
  const std::filesystem::path path(model.artifact_path);
  std::error_code error;
  if (!std::filesystem::exists(path, error)) return std::shared_ptr<const DetectorArtifact>();
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return MakeError(
        ErrorCode::kInvalidInput,
        fmt::format("cannot open the artifact {} of model {}", path.string(), model.id));
  }
  auto artifact = LoadDetectorArtifact(in);
  if (!artifact) {
    return MakeError(ErrorCode::kInvalidInput,
                     fmt::format("{}: {}", path.string(), artifact.error().message));
  }
  if (artifact->tenant_id != tenant_id || artifact->model_id != model.id ||
      artifact->params != model.params) {
    return MakeError(
        ErrorCode::kInvalidInput,
        fmt::format("{} holds model {} of tenant {}, not model {} of tenant {}", path.string(),
                    artifact->model_id, artifact->tenant_id, model.id, tenant_id));
  }
  auto shared = std::make_shared<const DetectorArtifact>(std::move(*artifact));
  loaded_.Store(key, shared->trained_at, shared);
  return shared;
}

Result<std::filesystem::path> ModelStore::SaveDetector(
    std::int64_t tenant_id, const store::TenantModel& model,
    std::shared_ptr<const DetectorArtifact> artifact) {
  const std::filesystem::path path = ArtifactPath(tenant_id, model);
  const auto failed = [&](std::string_view what) {
    return MakeError(ErrorCode::kUnavailable,
                     fmt::format("cannot save the artifact of model {} to {}: {}", model.id,
                                 path.string(), what));
  };
  std::error_code error;
  std::filesystem::create_directories(path.parent_path(), error);
  if (error) return failed(error.message());
  const std::filesystem::path temporary = TemporaryBeside(path);
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (!out) return failed("the file cannot be created");
    SaveDetectorArtifact(*artifact, out);
    out.flush();
    if (!out) {
      out.close();
      std::filesystem::remove(temporary, error);
      return failed("writing failed (disk full?)");
    }
  }
  std::filesystem::rename(temporary, path, error);
  if (error) {
    const std::string message = error.message();
    std::filesystem::remove(temporary, error);
    return failed(message);
  }
  const std::int64_t trained_at = artifact->trained_at;
  loaded_.Store(CacheKey(tenant_id, model.id), trained_at, std::move(artifact));
  return path;
}

ModelCacheStats ModelStore::stats() const {
  return ModelCacheStats{loaded_.hits(), loaded_.misses(), loaded_.evictions(), loaded_.size()};
}

}  // namespace costwise::service
