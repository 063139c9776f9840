#pragma once
// Cost anomalies as a terminal table.
#include <string>
#include <vector>

#include "core/cost_anomaly.h"

namespace costwise::cli {

// One line per anomaly: id, monitor, start, end, actual, expected, impact, impact %, severity,
// status, top root cause; money with 2 decimals. "(no anomalies)" when empty.
[[nodiscard]] std::string AnomalyTable(const std::vector<CostAnomaly>& anomalies);

}  // namespace costwise::cli
