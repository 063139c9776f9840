#pragma once
// Tag sets: each distinct set of tags of a tenant is stored once in tag_sets, identified by its
// canonical JSON text (CanonicalTagsJson), with one tag_values row per tag for filtering and
// grouping. Cube rows refer to their set by id; 0 means untagged (no tag_sets row).
#include <cstdint>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/cost_cube.h"
#include "store/backend.h"

namespace soci {
class session;
}  // namespace soci

namespace costwise::store {

inline constexpr std::int64_t kUntaggedTagSetId = 0;

// True when the tags are sorted by key, keys are unique and no key or value is empty.
[[nodiscard]] bool IsCanonical(const Tags& tags);

// Resolves the tag sets of cube rows, chunk after chunk, inside one ingest transaction (which
// must serialize the tenant's ingests). Loads the tenant's existing sets on first use; inserts the
// sets it has not seen, with their tag_values. Throws SOCI errors.
class TagSetResolver final {
 public:
  TagSetResolver(soci::session& session, Backend backend, std::int64_t tenant_id);

  // The tag set id of every row, in order (kUntaggedTagSetId for rows without tags).
  [[nodiscard]] std::vector<std::int64_t> Resolve(std::span<const CubeRow> rows);

 private:
  soci::session& session_;
  Backend backend_;
  std::int64_t tenant_id_;
  bool loaded_ = false;
  std::unordered_map<std::string, std::int64_t> ids_;  // canonical JSON to id
};

}  // namespace costwise::store
