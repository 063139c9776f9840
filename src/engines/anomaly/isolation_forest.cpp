#include "engines/anomaly/isolation_forest.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <istream>
#include <limits>
#include <numbers>
#include <ostream>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_set>

namespace costwise::anomaly {
namespace {

constexpr std::string_view kMagic = "CWIFOREST";
constexpr std::uint32_t kFormatVersion = 1;
constexpr double kEulerGamma = 0.5772156649015329;
constexpr int kMaxTrees = 100'000;
constexpr std::uint64_t kGolden = 0x9E3779B97F4A7C15ULL;

// SplitMix64: a small, well-mixed generator; one stream per tree.
class Random {
 public:
  explicit Random(std::uint64_t seed) : state_(seed) {}
  std::uint64_t Next() {
    std::uint64_t z = (state_ += kGolden);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, 1).
  double Unit() {
    constexpr int kMantissaBits = 53;
    return static_cast<double>(Next() >> (64 - kMantissaBits)) * 0x1.0p-53;
  }
  // Uniform in [0, n).
  std::size_t Below(std::size_t n) {
    return std::min(n - 1, static_cast<std::size_t>(Unit() * static_cast<double>(n)));
  }

 private:
  std::uint64_t state_;
};

int ThreadCount(int requested) {
  if (requested > 0) return requested;
  return static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));
}

// Runs body(i) for i in [0, count) on up to `threads` threads; each index exactly once.
template <typename Body>
void ParallelFor(std::size_t count, int threads, Body body) {
  const auto workers = static_cast<std::size_t>(std::min<std::size_t>(
      static_cast<std::size_t>(ThreadCount(threads)), std::max<std::size_t>(count, 1)));
  if (workers <= 1) {
    for (std::size_t i = 0; i < count; ++i) body(i);
    return;
  }
  std::atomic<std::size_t> next{0};
  std::vector<std::thread> pool;
  pool.reserve(workers);
  for (std::size_t w = 0; w < workers; ++w) {
    pool.emplace_back([&] {
      for (std::size_t i = next++; i < count; i = next++) body(i);
    });
  }
  for (std::thread& thread : pool) thread.join();
}

template <typename T>
void Write(std::ostream& out, T value) {
  out.write(reinterpret_cast<const char*>(&value), sizeof value);
}

template <typename T>
bool Read(std::istream& in, T& value) {
  return static_cast<bool>(in.read(reinterpret_cast<char*>(&value), sizeof value));
}

}  // namespace

double AveragePathLength(double n) {
  if (n <= 1) return 0;
  if (n < 3) return 1;  // c(2) = 1
  const double harmonic = std::log(n - 1) + kEulerGamma;
  return 2 * harmonic - 2 * (n - 1) / n;
}

IsolationForest::Tree IsolationForest::GrowTree(const Eigen::Ref<const Eigen::MatrixXd>& rows,
                                                int sample_size, std::uint64_t seed,
                                                int tree_index) {
  Random random(seed ^ (static_cast<std::uint64_t>(tree_index) + 1) * kGolden);
  const auto n = static_cast<std::size_t>(rows.rows());
  const auto d = static_cast<std::size_t>(rows.cols());
  const auto psi = static_cast<std::size_t>(sample_size);

  // The subsample, without replacement.
  std::vector<std::size_t> chosen;
  chosen.reserve(psi);
  if (psi * 4 < n) {
    std::unordered_set<std::size_t> seen;
    while (chosen.size() < psi) {
      const std::size_t i = random.Below(n);
      if (seen.insert(i).second) chosen.push_back(i);
    }
  } else {
    std::vector<std::size_t> all(n);
    for (std::size_t i = 0; i < n; ++i) all[i] = i;
    for (std::size_t k = 0; k < psi; ++k) std::swap(all[k], all[k + random.Below(n - k)]);
    chosen.assign(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(psi));
  }
  // Copy the sample row-major for locality: sample[k * d + j].
  std::vector<double> sample(psi * d);
  for (std::size_t k = 0; k < psi; ++k) {
    for (std::size_t j = 0; j < d; ++j) {
      sample[k * d + j] = rows(static_cast<Eigen::Index>(chosen[k]), static_cast<Eigen::Index>(j));
    }
  }

  const int height_limit = static_cast<int>(std::ceil(std::log2(static_cast<double>(psi))));
  std::vector<std::size_t> order(psi);
  for (std::size_t k = 0; k < psi; ++k) order[k] = k;
  Tree tree;
  tree.reserve(2 * psi);
  struct Pending {
    std::int32_t node;
    std::size_t begin;
    std::size_t end;
    int depth;
  };
  std::vector<Pending> stack;
  tree.push_back(Node{});
  stack.push_back(Pending{0, 0, psi, 0});
  std::vector<double> low(d);
  std::vector<double> high(d);
  std::vector<std::size_t> splittable;
  while (!stack.empty()) {
    const Pending pending = stack.back();
    stack.pop_back();
    const std::size_t count = pending.end - pending.begin;
    Node& leaf = tree[static_cast<std::size_t>(pending.node)];
    leaf.size = static_cast<std::int32_t>(count);
    if (pending.depth >= height_limit || count <= 1) continue;
    // Features that still vary among the node's points.
    std::fill(low.begin(), low.end(), std::numeric_limits<double>::infinity());
    std::fill(high.begin(), high.end(), -std::numeric_limits<double>::infinity());
    for (std::size_t k = pending.begin; k < pending.end; ++k) {
      const double* point = &sample[order[k] * d];
      for (std::size_t j = 0; j < d; ++j) {
        low[j] = std::min(low[j], point[j]);
        high[j] = std::max(high[j], point[j]);
      }
    }
    splittable.clear();
    for (std::size_t j = 0; j < d; ++j) {
      if (low[j] < high[j]) splittable.push_back(j);
    }
    if (splittable.empty()) continue;  // identical points: a leaf of `count`
    const std::size_t feature = splittable[random.Below(splittable.size())];
    double threshold = low[feature] + random.Unit() * (high[feature] - low[feature]);
    if (threshold <= low[feature]) threshold = std::nextafter(low[feature], high[feature]);
    // Partition: x < threshold to the left.
    const auto middle =
        std::partition(order.begin() + static_cast<std::ptrdiff_t>(pending.begin),
                       order.begin() + static_cast<std::ptrdiff_t>(pending.end),
                       [&](std::size_t k) { return sample[k * d + feature] < threshold; });
    const auto split = static_cast<std::size_t>(middle - order.begin());
    const auto left = static_cast<std::int32_t>(tree.size());
    tree.push_back(Node{});
    tree.push_back(Node{});
    Node& parent = tree[static_cast<std::size_t>(pending.node)];
    parent.feature = static_cast<std::int32_t>(feature);
    parent.threshold = threshold;
    parent.left = left;
    parent.right = left + 1;
    parent.size = 0;
    stack.push_back(Pending{left, pending.begin, split, pending.depth + 1});
    stack.push_back(Pending{left + 1, split, pending.end, pending.depth + 1});
  }
  return tree;
}

Result<IsolationForest> IsolationForest::Fit(const Eigen::Ref<const Eigen::MatrixXd>& rows,
                                             const IsolationForestOptions& options) {
  if (rows.rows() < 2 || rows.cols() < 1) {
    return MakeError(ErrorCode::kInvalidInput,
                     "an isolation forest needs at least 2 rows and 1 column");
  }
  if (!rows.allFinite()) {
    return MakeError(ErrorCode::kInvalidInput, "the rows hold a NaN or an infinite value");
  }
  if (options.num_trees < 1 || options.num_trees > kMaxTrees) {
    return MakeError(ErrorCode::kInvalidInput, "the number of trees must be 1 to 100000");
  }
  if (options.sample_size < 2) {
    return MakeError(ErrorCode::kInvalidInput, "the sample size must be at least 2");
  }
  IsolationForest forest;
  forest.num_features_ = static_cast<int>(rows.cols());
  forest.sample_size_ = static_cast<int>(std::min<Eigen::Index>(options.sample_size, rows.rows()));
  forest.trees_.resize(static_cast<std::size_t>(options.num_trees));
  ParallelFor(forest.trees_.size(), options.threads, [&](std::size_t t) {
    forest.trees_[t] = GrowTree(rows, forest.sample_size_, options.seed, static_cast<int>(t));
  });
  return forest;
}

double IsolationForest::PathLength(const Tree& tree, const double* row, Eigen::Index stride) const {
  std::size_t node = 0;
  int depth = 0;
  while (tree[node].feature >= 0) {
    const Node& split = tree[node];
    node = static_cast<std::size_t>(row[split.feature * stride] < split.threshold ? split.left
                                                                                  : split.right);
    ++depth;
  }
  return depth + AveragePathLength(tree[node].size);
}

Eigen::VectorXd IsolationForest::MeanPathLength(const Eigen::Ref<const Eigen::MatrixXd>& rows,
                                                int threads) const {
  Eigen::VectorXd mean(rows.rows());
  constexpr Eigen::Index kRowsPerTask = 1024;
  const Eigen::Index tasks = (rows.rows() + kRowsPerTask - 1) / kRowsPerTask;
  const Eigen::Index stride = rows.outerStride();
  ParallelFor(static_cast<std::size_t>(tasks), threads, [&](std::size_t task) {
    const Eigen::Index begin = static_cast<Eigen::Index>(task) * kRowsPerTask;
    const Eigen::Index end = std::min(rows.rows(), begin + kRowsPerTask);
    for (Eigen::Index i = begin; i < end; ++i) {
      const double* row = rows.data() + i;
      double total = 0;
      for (const Tree& tree : trees_) total += PathLength(tree, row, stride);
      mean(i) = total / static_cast<double>(trees_.size());
    }
  });
  return mean;
}

Eigen::VectorXd IsolationForest::Score(const Eigen::Ref<const Eigen::MatrixXd>& rows,
                                       int threads) const {
  const double normaliser = AveragePathLength(sample_size_);
  return MeanPathLength(rows, threads).unaryExpr([normaliser](double h) {
    return std::exp2(-h / normaliser);
  });
}

void IsolationForest::Save(std::ostream& out) const {
  out.write(kMagic.data(), static_cast<std::streamsize>(kMagic.size()));
  Write(out, kFormatVersion);
  Write(out, static_cast<std::int32_t>(sample_size_));
  Write(out, static_cast<std::int32_t>(num_features_));
  Write(out, static_cast<std::int32_t>(trees_.size()));
  for (const Tree& tree : trees_) {
    Write(out, static_cast<std::int32_t>(tree.size()));
    for (const Node& node : tree) {
      Write(out, node.threshold);
      Write(out, node.feature);
      Write(out, node.left);
      Write(out, node.right);
      Write(out, node.size);
    }
  }
}

Result<IsolationForest> IsolationForest::Load(std::istream& in) {
  std::string magic(kMagic.size(), '\0');
  if (!in.read(magic.data(), static_cast<std::streamsize>(magic.size())) || magic != kMagic) {
    return MakeError(ErrorCode::kInvalidInput, "not a costwise isolation forest (bad magic)");
  }
  std::uint32_t version = 0;
  std::int32_t sample_size = 0;
  std::int32_t features = 0;
  std::int32_t trees = 0;
  if (!Read(in, version) || version != kFormatVersion) {
    return MakeError(ErrorCode::kInvalidInput,
                     "unsupported isolation forest format version " + std::to_string(version));
  }
  if (!Read(in, sample_size) || !Read(in, features) || !Read(in, trees) || sample_size < 2 ||
      features < 1 || trees < 1 || trees > kMaxTrees) {
    return MakeError(ErrorCode::kInvalidInput, "corrupt isolation forest header");
  }
  IsolationForest forest;
  forest.sample_size_ = sample_size;
  forest.num_features_ = features;
  forest.trees_.resize(static_cast<std::size_t>(trees));
  const std::int32_t max_nodes = 2 * sample_size;
  for (Tree& tree : forest.trees_) {
    std::int32_t nodes = 0;
    if (!Read(in, nodes) || nodes < 1 || nodes > max_nodes) {
      return MakeError(ErrorCode::kInvalidInput, "corrupt isolation forest tree");
    }
    tree.resize(static_cast<std::size_t>(nodes));
    for (std::int32_t k = 0; k < nodes; ++k) {
      Node& node = tree[static_cast<std::size_t>(k)];
      if (!Read(in, node.threshold) || !Read(in, node.feature) || !Read(in, node.left) ||
          !Read(in, node.right) || !Read(in, node.size)) {
        return MakeError(ErrorCode::kInvalidInput, "truncated isolation forest");
      }
      // Children must come after their parent (no cycles) and inside the tree.
      const bool leaf = node.feature < 0;
      if (node.feature >= features || (!leaf && (node.left <= k || node.right <= k ||
                                                 node.left >= nodes || node.right >= nodes))) {
        return MakeError(ErrorCode::kInvalidInput, "corrupt isolation forest node");
      }
    }
  }
  return forest;
}

}  // namespace costwise::anomaly
