#pragma once
// Machine-learning use cases over plain tables, for the `costwise ml ...` commands and the
// evaluation scripts.
#include <vector>

#include "core/error.h"
#include "engines/anomaly/isolation_forest.h"
#include "ingest/numeric_csv.h"

namespace costwise::service {

// Fits an isolation forest on the table's rows and scores the same rows: one score per row, in
// order, in (0, 1], higher = more anomalous.
[[nodiscard]] Result<std::vector<double>> IsolationForestScores(
    const ingest::NumericTable& table, const anomaly::IsolationForestOptions& options);

}  // namespace costwise::service
