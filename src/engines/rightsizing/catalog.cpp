#include "engines/rightsizing/catalog.h"

#include <cctype>
#include <cmath>

namespace costwise::rightsizing {
namespace {

bool SameShape(const InstanceType& a, const InstanceType& b) {
  return a.vcpu == b.vcpu && a.memory_gib == b.memory_gib && a.architecture == b.architecture &&
         a.gpus == b.gpus && a.accelerators == b.accelerators;
}

}  // namespace

Result<std::pair<std::string, std::string>> SplitTypeName(std::string_view name) {
  const std::size_t dot = name.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 >= name.size() ||
      name.find('.', dot + 1) != std::string_view::npos) {
    // Appended piece by piece: GCC 12 at -O3 misreads "'" + std::string(...) (-Wrestrict).
    std::string message = "'";
    message.append(name);
    message.append("' is not an EC2 instance type (expected FAMILY.SIZE, e.g. m5.xlarge)");
    return MakeError(ErrorCode::kInvalidInput, std::move(message));
  }
  return std::pair<std::string, std::string>{std::string(name.substr(0, dot)),
                                             std::string(name.substr(dot + 1))};
}

Result<InstanceCatalog> InstanceCatalog::Create(std::span<const CatalogRow> rows) {
  InstanceCatalog catalog;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const CatalogRow& row = rows[i];
    const auto fail = [&](const std::string& reason) {
      return MakeError(ErrorCode::kInvalidInput, "catalog row " + std::to_string(i + 1) + " (" +
                                                     row.type.name + "): " + reason);
    };
    auto split = SplitTypeName(row.type.name);
    if (!split) return fail(split.error().message);
    if (!row.type.family.empty() && row.type.family != split->first) {
      return fail("family '" + row.type.family + "' does not match the type name");
    }
    if (row.type.vcpu <= 0 || !(row.type.memory_gib > 0)) {
      return fail("a type needs a vCPU count and memory");
    }
    if (!std::isfinite(row.hourly_usd) || row.hourly_usd < 0) {
      return fail("the hourly price is not a non-negative number");
    }
    if (row.region.empty()) return fail("no region");
    InstanceType type = row.type;
    type.family = split->first;
    type.size = split->second;
    // "t3" -> burstable; generation from the family's first digit when the row has none.
    type.burstable = type.family.size() >= 2 && type.family[0] == 't' &&
                     std::isdigit(static_cast<unsigned char>(type.family[1])) != 0;
    type.metal = type.size.starts_with("metal");
    if (type.generation == 0) {
      for (const char c : type.family) {
        if (std::isdigit(static_cast<unsigned char>(c)) != 0) {
          type.generation = c - '0';
          break;
        }
      }
    }
    if (const auto found = catalog.types_.find(type.name); found != catalog.types_.end()) {
      if (!SameShape(found->second, type)) return fail("a different shape in another region");
    } else {
      catalog.types_.emplace(type.name, type);
    }
    auto& regional = catalog.prices_[row.region];
    if (!regional.emplace(type.name, row.hourly_usd).second) {
      return fail("listed twice for " + row.region);
    }
  }
  return catalog;
}

const InstanceType* InstanceCatalog::Find(std::string_view name) const {
  const auto found = types_.find(name);
  return found == types_.end() ? nullptr : &found->second;
}

std::optional<double> InstanceCatalog::HourlyPrice(std::string_view name,
                                                   std::string_view region) const {
  const auto regional = prices_.find(region);
  if (regional == prices_.end()) return std::nullopt;
  const auto price = regional->second.find(name);
  if (price == regional->second.end()) return std::nullopt;
  return price->second;
}

std::vector<const InstanceType*> InstanceCatalog::TypesIn(std::string_view region) const {
  std::vector<const InstanceType*> types;
  const auto regional = prices_.find(region);
  if (regional == prices_.end()) return types;
  for (const auto& [name, price] : regional->second) types.push_back(&types_.find(name)->second);
  return types;
}

std::vector<std::string> InstanceCatalog::Regions() const {
  std::vector<std::string> regions;
  for (const auto& [region, prices] : prices_) regions.push_back(region);
  return regions;
}

}  // namespace costwise::rightsizing
