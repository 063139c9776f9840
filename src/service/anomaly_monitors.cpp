#include "service/anomaly_monitors.h"

#include <algorithm>
#include <tuple>

namespace costwise::service {
namespace {

constexpr std::array<MonitorKind, 4> kDimensionKinds = {
    MonitorKind::kService, MonitorKind::kAccount, MonitorKind::kRegion, MonitorKind::kUsageType};

struct Candidate {
  MonitorKey key;
  std::int64_t spend = 0;
};

// Candidates of one dimension (one tag key) and currency compete for the top values.
bool SameGroup(const MonitorKey& a, const MonitorKey& b) {
  return a.kind == b.kind && a.tag_key == b.tag_key && a.currency == b.currency;
}

// Every candidate monitor with its spend over the window.
std::vector<Candidate> SpendPerMonitor(const CubeCells& cube) {
  std::unordered_map<MonitorKey, std::size_t, MonitorKeyHash> positions;
  std::vector<Candidate> candidates;
  for (const Cell& cell : cube.cells) {
    ForEachMonitorOf(cube, cell, [&](const MonitorKey& key) {
      const auto [it, inserted] = positions.try_emplace(key, candidates.size());
      if (inserted) candidates.push_back(Candidate{key, 0});
      candidates[it->second].spend += cell.cost;
    });
  }
  return candidates;
}

}  // namespace

std::size_t MonitorKeyHash::operator()(const MonitorKey& key) const {
  // Multiplicative hashing by the 64-bit golden ratio, high bits folded into the low ones.
  constexpr std::uint64_t kGoldenRatio = 0x9e3779b97f4a7c15ULL;
  constexpr int kFoldShift = 29;
  std::uint64_t hash = static_cast<std::uint64_t>(key.kind);
  for (const std::uint32_t part : {key.tag_key, key.value, key.currency}) {
    hash = hash * kGoldenRatio + part;
  }
  return static_cast<std::size_t>(hash ^ (hash >> kFoldShift));
}

CellDimension CellDimensionOfKind(MonitorKind kind) {
  switch (kind) {
    case MonitorKind::kAccount:
      return CellDimension::kAccount;
    case MonitorKind::kRegion:
      return CellDimension::kRegion;
    case MonitorKind::kUsageType:
      return CellDimension::kUsageType;
    default:
      return CellDimension::kService;
  }
}

void ForEachMonitorOf(const CubeCells& cube, const Cell& cell,
                      const std::function<void(const MonitorKey&)>& visit) {
  visit(MonitorKey{MonitorKind::kTotal, 0, 0, cell.currency});
  for (const MonitorKind kind : kDimensionKinds) {
    const auto dimension = static_cast<std::size_t>(CellDimensionOfKind(kind));
    visit(MonitorKey{kind, 0, cell.values[dimension], cell.currency});
  }
  for (const TagPair& tag : cube.tag_sets[cell.tag_set]) {
    visit(MonitorKey{MonitorKind::kTag, tag.key, tag.value, cell.currency});
  }
}

std::vector<MonitorKey> ChooseMonitors(const CubeCells& cube, int top_values) {
  std::vector<Candidate> candidates = SpendPerMonitor(cube);
  const auto text = [&](std::uint32_t id) -> const std::string& { return cube.strings.Text(id); };
  // Group by kind, tag key and currency; within a group the highest spend first. Texts, not ids,
  // break ties, so the choice does not depend on the order the store returned rows in.
  std::sort(candidates.begin(), candidates.end(), [&](const Candidate& a, const Candidate& b) {
    const auto group = [&](const MonitorKey& key) {
      return std::tie(key.kind, text(key.tag_key), text(key.currency));
    };
    if (group(a.key) != group(b.key)) return group(a.key) < group(b.key);
    if (a.spend != b.spend) return a.spend > b.spend;
    return text(a.key.value) < text(b.key.value);
  });
  std::vector<MonitorKey> monitors;
  int taken = 0;
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    if (i == 0 || !SameGroup(candidates[i].key, candidates[i - 1].key)) taken = 0;
    if (candidates[i].spend <= 0) continue;
    if (candidates[i].key.kind != MonitorKind::kTotal && taken >= top_values) continue;
    monitors.push_back(candidates[i].key);
    ++taken;
  }
  return monitors;
}

MonitorIndex::MonitorIndex(std::span<const MonitorKey> monitors) {
  for (std::size_t i = 0; i < monitors.size(); ++i) {
    positions_.emplace(monitors[i], static_cast<int>(i));
  }
}

int MonitorIndex::Find(const MonitorKey& key) const {
  const auto it = positions_.find(key);
  return it == positions_.end() ? -1 : it->second;
}

std::vector<std::vector<std::int64_t>> BuildDailySeries(const CubeCells& cube,
                                                        std::span<const MonitorKey> monitors) {
  const MonitorIndex index(monitors);
  std::vector<std::vector<std::int64_t>> series(
      monitors.size(), std::vector<std::int64_t>(static_cast<std::size_t>(cube.days), 0));
  for (const Cell& cell : cube.cells) {
    ForEachMonitorOf(cube, cell, [&](const MonitorKey& key) {
      const int position = index.Find(key);
      if (position >= 0) {
        series[static_cast<std::size_t>(position)][static_cast<std::size_t>(cell.day)] += cell.cost;
      }
    });
  }
  return series;
}

AnomalyMonitor ToAnomalyMonitor(const CubeCells& cube, const MonitorKey& key) {
  AnomalyMonitor monitor;
  monitor.currency = cube.strings.Text(key.currency);
  if (key.kind == MonitorKind::kTotal) return monitor;
  monitor.value = cube.strings.Text(key.value);
  if (key.kind == MonitorKind::kTag) {
    monitor.dimension = DimensionRef{CostDimension::kTag, cube.strings.Text(key.tag_key)};
  } else {
    monitor.dimension = DimensionRef{CostDimensionOf(CellDimensionOfKind(key.kind)), ""};
  }
  return monitor;
}

}  // namespace costwise::service
