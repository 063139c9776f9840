#pragma once
// Cost monitors over the compacted cube: which slices get a daily series (total spend per
// currency, and the top values by spend of each dimension and each tag key), which monitors a
// cell belongs to, and each monitor's daily spend.
#include <cstdint>
#include <functional>
#include <span>
#include <unordered_map>
#include <vector>

#include "core/cost_anomaly.h"
#include "service/anomaly_cells.h"

namespace costwise::service {

enum class MonitorKind : std::uint8_t { kTotal, kService, kAccount, kRegion, kUsageType, kTag };

// A monitor in StringPool ids.
struct MonitorKey {
  MonitorKind kind = MonitorKind::kTotal;
  std::uint32_t tag_key = 0;  // for kTag
  std::uint32_t value = 0;    // 0 for kTotal
  std::uint32_t currency = 0;
  friend bool operator==(const MonitorKey&, const MonitorKey&) = default;
};

struct MonitorKeyHash {
  std::size_t operator()(const MonitorKey& key) const;
};

// The cell dimension a monitor kind slices by; only for service, account, region, usage type.
[[nodiscard]] CellDimension CellDimensionOfKind(MonitorKind kind);

// Calls visit(key) for every monitor a cell belongs to (whether chosen or not).
void ForEachMonitorOf(const CubeCells& cube, const Cell& cell,
                      const std::function<void(const MonitorKey&)>& visit);

// The total of every currency, then per dimension (each tag key on its own) and currency the
// `top_values` values with the highest spend over the window; ties by first appearance.
[[nodiscard]] std::vector<MonitorKey> ChooseMonitors(const CubeCells& cube, int top_values);

// Looks monitors up by key.
class MonitorIndex {
 public:
  explicit MonitorIndex(std::span<const MonitorKey> monitors);
  // The monitor's position in the list given, or -1.
  [[nodiscard]] int Find(const MonitorKey& key) const;

 private:
  std::unordered_map<MonitorKey, int, MonitorKeyHash> positions_;
};

// Each monitor's spend per day of the window, in nanos.
[[nodiscard]] std::vector<std::vector<std::int64_t>> BuildDailySeries(
    const CubeCells& cube, std::span<const MonitorKey> monitors);

// The monitor in the texts the store and the user see.
[[nodiscard]] AnomalyMonitor ToAnomalyMonitor(const CubeCells& cube, const MonitorKey& key);

}  // namespace costwise::service
