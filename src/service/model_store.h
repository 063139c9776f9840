#pragma once
// Where fitted models live (docs/service.md, "Model artifacts"): a file per tenant model version
// under a directory (<directory>/<tenant id>/<model type>-v<version>.bin, recorded as the
// version's ml_models.artifact_path), and the recently used ones kept loaded in memory, least
// recently used dropped first. Thread-safe; several processes may share the directory (files are
// replaced by renaming a complete temporary file over them).
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>

#include "core/error.h"
#include "service/detector_artifact.h"
#include "service/versioned_cache.h"
#include "store/repository.h"

namespace costwise::service {

struct ModelCacheStats {
  std::size_t hits = 0;  // loads answered from memory
  std::size_t misses = 0;
  std::size_t evictions = 0;  // loaded models dropped to make room
  std::size_t entries = 0;    // loaded now
};

class ModelStore {
 public:
  // `capacity`: how many models stay loaded (at least 1).
  ModelStore(std::filesystem::path directory, std::size_t capacity);

  [[nodiscard]] std::filesystem::path ArtifactPath(std::int64_t tenant_id,
                                                   const store::TenantModel& model) const;

  // The detector state the model's last run saved: from memory when it is loaded at the row's
  // trained_at, else read from the row's artifact_path and kept loaded. Null when the model has
  // no artifact or its file is gone (the caller rescans); InvalidInput when the file is
  // unreadable, damaged or another model's.
  [[nodiscard]] Result<std::shared_ptr<const DetectorArtifact>> LoadDetector(
      std::int64_t tenant_id, const store::TenantModel& model);

  // Writes the state as the model's artifact and keeps it loaded; returns the file's path.
  // Unavailable when the file cannot be written.
  [[nodiscard]] Result<std::filesystem::path> SaveDetector(
      std::int64_t tenant_id, const store::TenantModel& model,
      std::shared_ptr<const DetectorArtifact> artifact);

  [[nodiscard]] ModelCacheStats stats() const;
  [[nodiscard]] const std::filesystem::path& directory() const { return directory_; }

 private:
  std::filesystem::path directory_;
  VersionedCache<std::shared_ptr<const DetectorArtifact>> loaded_;
};

}  // namespace costwise::service
