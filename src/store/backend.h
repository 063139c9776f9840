#pragma once
// The two database engines behind store::Repository.
#include <string_view>

namespace costwise::store {

enum class Backend { kSqlite, kPostgresql };

// "sqlite" | "postgresql", as Repository::BackendName() reports it.
[[nodiscard]] constexpr std::string_view BackendName(Backend backend) {
  return backend == Backend::kSqlite ? "sqlite" : "postgresql";
}

}  // namespace costwise::store
