#include "service/ml_service.h"

namespace costwise::service {

Result<std::vector<double>> IsolationForestScores(const ingest::NumericTable& table,
                                                  const anomaly::IsolationForestOptions& options) {
  using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  const Eigen::Map<const RowMajor> rows(table.values.data(), static_cast<Eigen::Index>(table.rows),
                                        static_cast<Eigen::Index>(table.columns));
  const Eigen::MatrixXd matrix = rows;  // column-major copy, as the engine takes
  auto forest = anomaly::IsolationForest::Fit(matrix, options);
  if (!forest) return unexpected(forest.error());
  const Eigen::VectorXd scores = forest->Score(matrix, options.threads);
  return std::vector<double>(scores.data(), scores.data() + scores.size());
}

Result<std::vector<anomaly::SeriesPoint>> ScoreSeries(
    const ingest::SeriesTable& table, const anomaly::SeriesDetectorOptions& options) {
  return anomaly::DetectSeriesAnomalies(table.timestamps, table.values, options);
}

}  // namespace costwise::service
