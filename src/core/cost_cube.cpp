#include "core/cost_cube.h"

#include <array>
#include <utility>

namespace costwise {
namespace {

constexpr std::string_view kTagPrefix = "tag:";

constexpr std::array<std::pair<std::string_view, CostDimension>, 8> kDimensionNames = {{
    {"provider", CostDimension::kProvider},
    {"billing-account", CostDimension::kBillingAccount},
    {"account", CostDimension::kAccount},
    {"service", CostDimension::kService},
    {"region", CostDimension::kRegion},
    {"usage-type", CostDimension::kUsageType},
    {"resource", CostDimension::kResource},
    {"charge-category", CostDimension::kChargeCategory},
}};

}  // namespace

std::optional<DimensionRef> ParseDimension(std::string_view text) {
  if (text.starts_with(kTagPrefix)) {
    if (text.size() == kTagPrefix.size()) return std::nullopt;
    return DimensionRef{CostDimension::kTag, std::string(text.substr(kTagPrefix.size()))};
  }
  for (const auto& [name, dimension] : kDimensionNames) {
    if (name == text) return DimensionRef{dimension, {}};
  }
  return std::nullopt;
}

std::string DimensionName(const DimensionRef& dimension) {
  if (dimension.dimension == CostDimension::kTag) {
    return std::string(kTagPrefix) + dimension.tag_key;
  }
  for (const auto& [name, value] : kDimensionNames) {
    if (value == dimension.dimension) return std::string(name);
  }
  return "unknown";
}

std::string_view KnownDimensionNames() {
  return "provider, billing-account, account, service, region, usage-type, resource, "
         "charge-category, tag:KEY";
}

}  // namespace costwise
