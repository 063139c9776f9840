#include "store/repository.h"

#include "store/sql_repository.h"
#include "store/store_url.h"

namespace costwise::store {

Result<std::unique_ptr<Repository>> OpenRepository(std::string_view url) {
  Result<StoreLocation> location = ParseStoreUrl(url);
  if (!location) return unexpected(std::move(location.error()));
  return SqlRepository::Open(*location);
}

}  // namespace costwise::store
