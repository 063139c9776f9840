#pragma once
// Machine-learning use cases over plain tables, for the `costwise ml ...` commands and the
// evaluation scripts.
#include <vector>

#include "core/error.h"
#include "engines/anomaly/isolation_forest.h"
#include "engines/anomaly/series_detector.h"
#include "ingest/numeric_csv.h"
#include "ingest/series_csv.h"

namespace costwise::service {

// Fits an isolation forest on the table's rows and scores the same rows: one score per row, in
// order, in (0, 1], higher = more anomalous.
[[nodiscard]] Result<std::vector<double>> IsolationForestScores(
    const ingest::NumericTable& table, const anomaly::IsolationForestOptions& options);

// Runs the streaming series detector over a table read by ingest::ReadSeriesCsv: one point per
// row, in order.
[[nodiscard]] Result<std::vector<anomaly::SeriesPoint>> ScoreSeries(
    const ingest::SeriesTable& table, const anomaly::SeriesDetectorOptions& options);

}  // namespace costwise::service
