#pragma once
// Isolation forest (Liu, Ting and Zhou 2008): anomalies are the points that random axis-parallel
// splits isolate in few steps. Trees are grown on subsamples; a point's score is
// 2^(-E[h(x)] / c(psi)), where h is its path length (plus c(leaf size) for unfinished leaves) and
// c(n) the average path length of an unsuccessful search in a binary search tree of n points.
// Trees are flat node arrays; each tree's random stream comes from (seed, tree index) alone, so a
// seed gives the same forest whatever the thread count.
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

class IsolationForest final {
 public:
  // InvalidInput when rows is empty, has no columns, holds a NaN or infinity, or the options are
  // out of range.
  [[nodiscard]] static Result<IsolationForest> Fit(const Eigen::Ref<const Eigen::MatrixXd>& rows,
                                                   const IsolationForestOptions& options);

  // Score of each row: higher = more anomalous, in (0, 1]; about 0.5 or less for normal points.
  // Rows must have num_features() columns.
  [[nodiscard]] Eigen::VectorXd Score(const Eigen::Ref<const Eigen::MatrixXd>& rows,
                                      int threads = 0) const;
  // Mean path length E[h(x)] of each row over the trees.
  [[nodiscard]] Eigen::VectorXd MeanPathLength(const Eigen::Ref<const Eigen::MatrixXd>& rows,
                                               int threads = 0) const;

  // Binary, little-endian: the magic "CWIFOREST", a format version, then the trees.
  void Save(std::ostream& out) const;
  [[nodiscard]] static Result<IsolationForest> Load(std::istream& in);

  [[nodiscard]] int num_trees() const { return static_cast<int>(trees_.size()); }
  [[nodiscard]] int sample_size() const { return sample_size_; }
  [[nodiscard]] int num_features() const { return num_features_; }

 private:
  struct Node {
    double threshold = 0;       // split: x[feature] < threshold goes left
    std::int32_t feature = -1;  // -1 = leaf
    std::int32_t left = 0;      // child indices into the tree's node array
    std::int32_t right = 0;
    std::int32_t size = 0;  // leaf: training points that reached it
  };
  using Tree = std::vector<Node>;

  static Tree GrowTree(const Eigen::Ref<const Eigen::MatrixXd>& rows, int sample_size,
                       std::uint64_t seed, int tree_index);
  [[nodiscard]] double PathLength(const Tree& tree, const double* row, Eigen::Index stride) const;

  std::vector<Tree> trees_;
  int sample_size_ = 0;
  int num_features_ = 0;
};

}  // namespace costwise::anomaly
