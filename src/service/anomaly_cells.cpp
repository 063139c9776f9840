#include "service/anomaly_cells.h"

#include <algorithm>
#include <span>

namespace costwise::service {
namespace {

// Adds cube rows to the cells, interning their texts and tag sets.
class CellBuilder {
 public:
  CellBuilder(CubeCells& cube, const std::vector<std::string>& excluded_categories)
      : cube_(cube), excluded_(excluded_categories) {}

  void Add(std::span<const CubeRow> rows) {
    for (const CubeRow& row : rows) {
      if (std::find(excluded_.begin(), excluded_.end(), row.charge_category) != excluded_.end()) {
        continue;
      }
      Cell cell;
      cell.day = row.date.days() - cube_.first_day.days();
      cell.currency = cube_.strings.Intern(row.currency);
      cell.values = {cube_.strings.Intern(row.service), cube_.strings.Intern(row.sub_account_id),
                     cube_.strings.Intern(row.region), cube_.strings.Intern(row.usage_type),
                     cube_.strings.Intern(row.resource_id)};
      cell.tag_set = TagSetOf(row.tags);
      cell.cost = row.billed_cost.nanos();
      cube_.cells.push_back(cell);
    }
  }

 private:
  std::uint32_t TagSetOf(const Tags& tags) {
    if (tags.empty()) return 0;
    pairs_.clear();
    for (const Tag& tag : tags) {
      pairs_.push_back(TagPair{cube_.strings.Intern(tag.key), cube_.strings.Intern(tag.value)});
    }
    const auto [it, inserted] =
        tag_set_ids_.try_emplace(pairs_, static_cast<std::uint32_t>(cube_.tag_sets.size()));
    if (inserted) cube_.tag_sets.push_back(pairs_);
    return it->second;
  }

  CubeCells& cube_;
  const std::vector<std::string>& excluded_;
  std::map<std::vector<TagPair>, std::uint32_t> tag_set_ids_;
  std::vector<TagPair> pairs_;
};

}  // namespace

std::string_view CellDimensionName(CellDimension dimension) {
  switch (dimension) {
    case CellDimension::kService:
      return "service";
    case CellDimension::kAccount:
      return "account";
    case CellDimension::kRegion:
      return "region";
    case CellDimension::kUsageType:
      return "usage-type";
    case CellDimension::kResource:
      return "resource";
  }
  return "unknown";
}

CostDimension CostDimensionOf(CellDimension dimension) {
  switch (dimension) {
    case CellDimension::kService:
      return CostDimension::kService;
    case CellDimension::kAccount:
      return CostDimension::kAccount;
    case CellDimension::kRegion:
      return CostDimension::kRegion;
    case CellDimension::kUsageType:
      return CostDimension::kUsageType;
    case CellDimension::kResource:
      return CostDimension::kResource;
  }
  return CostDimension::kService;
}

std::uint32_t StringPool::Intern(const std::string& text) {
  const auto [it, inserted] = ids_.try_emplace(text, static_cast<std::uint32_t>(texts_.size()));
  if (inserted) texts_.push_back(text);
  return it->second;
}

Result<CubeCells> LoadCubeCells(store::Repository& repository, std::int64_t tenant_id, Date from,
                                Date to, const std::vector<std::string>& excluded_categories) {
  CubeCells cube;
  cube.first_day = from;
  cube.days = to.days() - from.days() + 1;
  CellBuilder builder(cube, excluded_categories);
  const Status scanned = repository.ScanCubeRows(
      tenant_id, from, to, [&](std::span<const CubeRow> rows) { builder.Add(rows); });
  if (!scanned) return unexpected(scanned.error());
  return cube;
}

}  // namespace costwise::service
