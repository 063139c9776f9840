#pragma once
// Isolation forest (Liu, Ting and Zhou 2008): anomalies are the points that random axis-parallel
// splits isolate in few steps. Trees are grown on subsamples of psi rows, up to the height limit
// ceil(log2(psi)); a point's score is 2^(-E[h(x)] / c(psi)), where h is its path length plus
// c(size) at the external node it ends in (a node of `size` training points that was not split
// further) and c(n) the average path length of an unsuccessful search in a binary search tree of
// n points.
//
// Layout: every tree is stored as a complete binary tree of that height, in flat arrays (node k
// has children 2k+1 and 2k+2): a split feature and threshold per internal node, and per leaf the
// path length h already computed (depth + c(size)). An external node above the last level (a
// single point, or points that cannot be split) becomes a subtree whose leaves all carry its
// value, so every row takes exactly `height` branch-free steps per tree and the scores are those
// of the ordinary tree. Scoring takes the rows in blocks and walks each tree over a block, several
// rows side by side.
//
// Each tree's random stream is derived by mixing (seed, tree index), so a seed gives the same
// forest whatever the thread count, and different trees draw independent subsamples.
#include <cstdint>
#include <iosfwd>
#include <vector>

#include <Eigen/Core>

#include "core/error.h"

namespace costwise::anomaly {

struct IsolationForestOptions {
  int num_trees = 100;
  int sample_size = 256;  // psi; capped at the number of rows
  std::uint64_t seed = 1;
  int threads = 0;  // 0 = all cores
};

// The average path length of an unsuccessful search in a binary search tree of n points:
// c(n) = 2 H(n-1) - 2 (n-1) / n, c(1) = 0, c(2) = 1.
[[nodiscard]] double AveragePathLength(double n);

// The height limit of a tree grown on psi points: ceil(log2(psi)) (0 for psi <= 1).
[[nodiscard]] int IsolationTreeHeight(int sample_size);

// The rows (indices into [0, rows), distinct, in draw order) that tree `tree_index` of a forest
// fitted with `seed` is grown on: what Fit draws, exposed so that the sampling can be checked.
[[nodiscard]] std::vector<std::size_t> IsolationTreeSample(std::size_t rows, int sample_size,
                                                           std::uint64_t seed, int tree_index);

class IsolationForest final {
 public:
  // InvalidInput when rows is empty, has no columns, holds a NaN or infinity, or the options are
  // out of range.
  [[nodiscard]] static Result<IsolationForest> Fit(const Eigen::Ref<const Eigen::MatrixXd>& rows,
                                                   const IsolationForestOptions& options);

  // Score of each row: higher = more anomalous, in (0, 1]; about 0.5 or less for normal points.
  // Rows must have num_features() columns. The same scores whatever the thread count; up to 256
  // rows are scored on the calling thread, with no thread started and nothing allocated but the
  // result.
  [[nodiscard]] Eigen::VectorXd Score(const Eigen::Ref<const Eigen::MatrixXd>& rows,
                                      int threads = 0) const;
  // Mean path length E[h(x)] of each row over the trees.
  [[nodiscard]] Eigen::VectorXd MeanPathLength(const Eigen::Ref<const Eigen::MatrixXd>& rows,
                                               int threads = 0) const;

  // Binary, little-endian: the magic "CWIFOREST", a format version (2), the sizes, then each
  // tree's split features, thresholds and leaf path lengths. Format 1 (linked nodes, overlapping
  // per-tree random streams) is refused on Load: such a model must be fitted again.
  void Save(std::ostream& out) const;
  [[nodiscard]] static Result<IsolationForest> Load(std::istream& in);

  [[nodiscard]] int num_trees() const { return num_trees_; }
  [[nodiscard]] int sample_size() const { return sample_size_; }
  [[nodiscard]] int num_features() const { return num_features_; }

 private:
  [[nodiscard]] std::size_t internal_nodes() const { return (std::size_t{1} << height_) - 1; }
  [[nodiscard]] std::size_t leaves() const { return std::size_t{1} << height_; }
  // Sums each row's path lengths over the trees, in tree order, into total[0, rows.rows()).
  void SumPathLengths(const Eigen::Ref<const Eigen::MatrixXd>& rows, int threads,
                      double* total) const;

  int num_trees_ = 0;
  int sample_size_ = 0;
  int num_features_ = 0;
  int height_ = 0;
  // Tree t's internal node k (0 <= k < 2^height - 1) is at t * internal_nodes() + k: x[feature]
  // < threshold goes to child 2k+1, otherwise (NaN included) to 2k+2.
  std::vector<std::int32_t> features_;
  std::vector<double> thresholds_;
  // Tree t's leaf i (node 2^height - 1 + i) is at t * leaves() + i: depth + c(size) of the
  // external node the leaf belongs to.
  std::vector<double> leaf_path_lengths_;
};

}  // namespace costwise::anomaly
