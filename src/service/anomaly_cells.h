#pragma once
// The daily cube of one tenant over a window of days, compacted for anomaly detection: every
// text is interned once, so a cell is a few integers and the window's cube fits in memory even
// for large organisations.
#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/cost_cube.h"
#include "core/error.h"
#include "store/repository.h"

namespace costwise::service {

// The dimensions a cell is sliced by besides its tags.
enum class CellDimension : std::uint8_t { kService, kAccount, kRegion, kUsageType, kResource };
inline constexpr std::size_t kCellDimensions = 5;
inline constexpr std::array<CellDimension, kCellDimensions> kAllCellDimensions = {
    CellDimension::kService, CellDimension::kAccount, CellDimension::kRegion,
    CellDimension::kUsageType, CellDimension::kResource};

// As DimensionName spells it: "service", "account", "region", "usage-type", "resource".
[[nodiscard]] std::string_view CellDimensionName(CellDimension dimension);
[[nodiscard]] CostDimension CostDimensionOf(CellDimension dimension);

// Each distinct text gets a small id, in order of first appearance.
class StringPool {
 public:
  [[nodiscard]] std::uint32_t Intern(const std::string& text);
  [[nodiscard]] const std::string& Text(std::uint32_t id) const { return texts_[id]; }

 private:
  std::unordered_map<std::string, std::uint32_t> ids_;
  std::vector<std::string> texts_;
};

struct TagPair {
  std::uint32_t key = 0;  // StringPool ids
  std::uint32_t value = 0;
  friend auto operator<=>(const TagPair&, const TagPair&) = default;
};

// One cube row's spend on one day.
struct Cell {
  std::int32_t day = 0;  // days since the window's first day
  std::uint32_t currency = 0;
  std::array<std::uint32_t, kCellDimensions> values{};  // by CellDimension
  std::uint32_t tag_set = 0;                            // index into CubeCells::tag_sets
  std::int64_t cost = 0;                                // billed cost, nanos
};

struct CubeCells {
  Date first_day;
  std::int32_t days = 0;
  StringPool strings;
  std::vector<std::vector<TagPair>> tag_sets{{}};  // [0]: untagged
  std::vector<Cell> cells;

  [[nodiscard]] Date DateOf(std::int32_t day) const { return first_day.AddDays(day); }
};

// The tenant's cube rows dated in [from, to], without those of the excluded charge categories.
[[nodiscard]] Result<CubeCells> LoadCubeCells(store::Repository& repository, std::int64_t tenant_id,
                                              Date from, Date to,
                                              const std::vector<std::string>& excluded_categories);

}  // namespace costwise::service
