#pragma once
// k-means clustering (Lloyd's iterations from k-means++ seeding, Arthur and Vassilvitskii 2007),
// with k chosen by the mean silhouette (Rousseeuw 1987). Right-sizing groups instances into
// workload profiles with it. Deterministic for a seed.
#include <cstdint>
#include <vector>

#include <Eigen/Core>

#include "core/error.h"

namespace costwise::rightsizing {

struct KMeansOptions {
  int k = 3;
  int max_iterations = 100;
  int restarts = 4;  // seedings tried; the lowest inertia wins
  std::uint64_t seed = 1;
};

struct KMeansResult {
  Eigen::MatrixXd centers;  // k x features
  std::vector<int> labels;  // one per row, in [0, k)
  double inertia = 0;       // sum of squared distances to the assigned centers
  int iterations = 0;       // of the winning restart
};

// InvalidInput when k < 1, k exceeds the rows, or a value is not finite.
[[nodiscard]] Result<KMeansResult> FitKMeans(const Eigen::MatrixXd& rows,
                                             const KMeansOptions& options);

// Mean silhouette of a labelling, in [-1, 1]: for each row, (b - a) / max(a, b) with a its mean
// distance to its own cluster and b to the nearest other one (0 for singletons). At most
// `sample` rows (chosen evenly) are scored, against all rows, so the cost stays bounded.
[[nodiscard]] double Silhouette(const Eigen::MatrixXd& rows, const std::vector<int>& labels,
                                int sample = 2000);

struct ChosenClustering {
  KMeansResult clustering;
  std::vector<double> silhouettes;  // for k = k_min .. k_max
  int k = 0;
};

// Fits k = k_min..k_max (capped at the rows - 1) and keeps the one with the best silhouette.
[[nodiscard]] Result<ChosenClustering> ChooseKMeans(const Eigen::MatrixXd& rows, int k_min,
                                                    int k_max, const KMeansOptions& options);

}  // namespace costwise::rightsizing
