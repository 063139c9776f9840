#include "engines/rightsizing/kmeans.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <string>

namespace costwise::rightsizing {
namespace {

// Squared distance of every row to its nearest center, and that center.
void Assign(const Eigen::MatrixXd& rows, const Eigen::MatrixXd& centers, std::vector<int>& labels,
            Eigen::VectorXd& distances) {
  const Eigen::VectorXd center_norms = centers.rowwise().squaredNorm();
  const Eigen::VectorXd row_norms = rows.rowwise().squaredNorm();
  // |x - c|^2 = |x|^2 - 2 x.c + |c|^2, all pairs at once.
  const Eigen::MatrixXd cross = rows * centers.transpose();
  for (Eigen::Index i = 0; i < rows.rows(); ++i) {
    Eigen::Index best = 0;
    double best_distance = std::numeric_limits<double>::infinity();
    for (Eigen::Index c = 0; c < centers.rows(); ++c) {
      const double d = row_norms(i) - 2 * cross(i, c) + center_norms(c);
      if (d < best_distance) {
        best_distance = d;
        best = c;
      }
    }
    labels[static_cast<std::size_t>(i)] = static_cast<int>(best);
    distances(i) = std::max(best_distance, 0.0);
  }
}

// k-means++: the first center uniformly, each next one with probability proportional to the
// squared distance to the nearest center chosen so far.
Eigen::MatrixXd SeedCenters(const Eigen::MatrixXd& rows, int k, std::mt19937_64& random) {
  const Eigen::Index n = rows.rows();
  Eigen::MatrixXd centers(k, rows.cols());
  std::uniform_int_distribution<Eigen::Index> first(0, n - 1);
  centers.row(0) = rows.row(first(random));
  Eigen::VectorXd nearest = (rows.rowwise() - centers.row(0)).rowwise().squaredNorm();
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  for (int c = 1; c < k; ++c) {
    const double total = nearest.sum();
    Eigen::Index chosen = n - 1;
    if (total > 0) {
      double target = unit(random) * total;
      for (Eigen::Index i = 0; i < n; ++i) {
        target -= nearest(i);
        if (target <= 0) {
          chosen = i;
          break;
        }
      }
    } else {
      chosen = first(random);  // every row coincides with a center
    }
    centers.row(c) = rows.row(chosen);
    nearest = nearest.cwiseMin((rows.rowwise() - centers.row(c)).rowwise().squaredNorm());
  }
  return centers;
}

KMeansResult Lloyd(const Eigen::MatrixXd& rows, Eigen::MatrixXd centers, int max_iterations) {
  KMeansResult result;
  const Eigen::Index n = rows.rows();
  const auto k = static_cast<int>(centers.rows());
  result.labels.assign(static_cast<std::size_t>(n), -1);
  Eigen::VectorXd distances(n);
  std::vector<int> previous;
  for (result.iterations = 1; result.iterations <= max_iterations; ++result.iterations) {
    previous = result.labels;
    Assign(rows, centers, result.labels, distances);
    if (result.labels == previous) break;
    Eigen::MatrixXd sums = Eigen::MatrixXd::Zero(k, rows.cols());
    std::vector<int> counts(static_cast<std::size_t>(k), 0);
    for (Eigen::Index i = 0; i < n; ++i) {
      const int label = result.labels[static_cast<std::size_t>(i)];
      sums.row(label) += rows.row(i);
      ++counts[static_cast<std::size_t>(label)];
    }
    for (int c = 0; c < k; ++c) {
      if (counts[static_cast<std::size_t>(c)] > 0) {
        centers.row(c) = sums.row(c) / counts[static_cast<std::size_t>(c)];
      } else {
        // An empty cluster takes the row farthest from its center.
        Eigen::Index farthest = 0;
        distances.maxCoeff(&farthest);
        centers.row(c) = rows.row(farthest);
        distances(farthest) = 0;
      }
    }
  }
  result.iterations = std::min(result.iterations, max_iterations);
  Assign(rows, centers, result.labels, distances);
  result.inertia = distances.sum();
  result.centers = std::move(centers);
  return result;
}

}  // namespace

Result<KMeansResult> FitKMeans(const Eigen::MatrixXd& rows, const KMeansOptions& options) {
  if (options.k < 1 || options.k > rows.rows()) {
    return MakeError(ErrorCode::kInvalidInput,
                     "k-means needs 1 <= k <= rows (k = " + std::to_string(options.k) + ", " +
                         std::to_string(rows.rows()) + " rows)");
  }
  if (!rows.allFinite()) {
    return MakeError(ErrorCode::kInvalidInput, "k-means input has a value that is not a number");
  }
  std::mt19937_64 random(options.seed);
  KMeansResult best;
  best.inertia = std::numeric_limits<double>::infinity();
  for (int restart = 0; restart < std::max(1, options.restarts); ++restart) {
    KMeansResult candidate =
        Lloyd(rows, SeedCenters(rows, options.k, random), std::max(1, options.max_iterations));
    if (candidate.inertia < best.inertia) best = std::move(candidate);
  }
  return best;
}

double Silhouette(const Eigen::MatrixXd& rows, const std::vector<int>& labels, int sample) {
  const Eigen::Index n = rows.rows();
  if (n < 2) return 0;
  const int k = labels.empty() ? 0 : *std::max_element(labels.begin(), labels.end()) + 1;
  if (k < 2) return 0;
  std::vector<int> sizes(static_cast<std::size_t>(k), 0);
  for (const int label : labels) ++sizes[static_cast<std::size_t>(label)];
  const Eigen::Index scored = std::min<Eigen::Index>(n, std::max(sample, 1));
  double total = 0;
  std::vector<double> sums(static_cast<std::size_t>(k));
  for (Eigen::Index s = 0; s < scored; ++s) {
    const Eigen::Index i = s * n / scored;  // evenly spread
    std::fill(sums.begin(), sums.end(), 0.0);
    for (Eigen::Index j = 0; j < n; ++j) {
      if (j == i) continue;
      sums[static_cast<std::size_t>(labels[static_cast<std::size_t>(j)])] +=
          (rows.row(i) - rows.row(j)).norm();
    }
    const int own = labels[static_cast<std::size_t>(i)];
    if (sizes[static_cast<std::size_t>(own)] < 2) continue;  // a singleton scores 0
    const double a =
        sums[static_cast<std::size_t>(own)] / (sizes[static_cast<std::size_t>(own)] - 1);
    double b = std::numeric_limits<double>::infinity();
    for (int c = 0; c < k; ++c) {
      if (c == own || sizes[static_cast<std::size_t>(c)] == 0) continue;
      b = std::min(b, sums[static_cast<std::size_t>(c)] / sizes[static_cast<std::size_t>(c)]);
    }
    const double spread = std::max(a, b);
    if (spread > 0 && std::isfinite(b)) total += (b - a) / spread;
  }
  return total / static_cast<double>(scored);
}

Result<ChosenClustering> ChooseKMeans(const Eigen::MatrixXd& rows, int k_min, int k_max,
                                      const KMeansOptions& options) {
  const int upper = std::min<int>(k_max, static_cast<int>(rows.rows()) - 1);
  if (k_min < 2 || upper < k_min) {
    return MakeError(ErrorCode::kInvalidInput,
                     "choosing k needs 2 <= k_min <= k_max < rows (k_min " + std::to_string(k_min) +
                         ", k_max " + std::to_string(k_max) + ", " + std::to_string(rows.rows()) +
                         " rows)");
  }
  ChosenClustering chosen;
  double best = -std::numeric_limits<double>::infinity();
  for (int k = k_min; k <= upper; ++k) {
    KMeansOptions each = options;
    each.k = k;
    auto fitted = FitKMeans(rows, each);
    if (!fitted) return unexpected(fitted.error());
    const double score = Silhouette(rows, fitted->labels);
    chosen.silhouettes.push_back(score);
    if (score > best) {
      best = score;
      chosen.k = k;
      chosen.clustering = std::move(*fitted);
    }
  }
  return chosen;
}

}  // namespace costwise::rightsizing
