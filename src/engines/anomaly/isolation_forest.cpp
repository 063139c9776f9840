#include "engines/anomaly/isolation_forest.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <cmath>
#include <istream>
#include <limits>
#include <ostream>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_set>

#include "core/binary_io.h"

namespace costwise::anomaly {
namespace {

constexpr std::string_view kMagic = "CWIFOREST";
constexpr std::uint32_t kFormatVersion = 2;
constexpr std::uint32_t kFirstFormatVersion = 1;
constexpr double kEulerGamma = 0.5772156649015329;
constexpr int kMaxTrees = 100'000;
constexpr int kMaxHeight = 30;  // 2^30 leaves per tree: far beyond any useful sample size
constexpr std::uint64_t kGolden = 0x9E3779B97F4A7C15ULL;
// Scoring: rows are taken in blocks; each block goes through every tree while the tree is in L1,
// kLanes rows walked side by side so that their independent loads overlap.
constexpr Eigen::Index kBlockRows = 256;
constexpr std::size_t kLanes = 16;

// The SplitMix64 output function: a bijection of 64-bit words that mixes every bit into every
// other.
std::uint64_t Mix(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// SplitMix64: a small, well-mixed generator; one stream per tree.
class Random {
 public:
  explicit Random(std::uint64_t state) : state_(state) {}
  std::uint64_t Next() { return Mix(state_ += kGolden); }
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

// Tree t's stream starts at the (t+1)-th output of a SplitMix64 stream seeded with Mix(seed):
// starting points that are unrelated to each other. (Starting at seed ^ (t+1) * golden, as
// format 1 did, made tree t+1's stream tree t's shifted by one draw for seed 0.)
Random TreeRandom(std::uint64_t seed, int tree_index) {
  return Random(Mix(Mix(seed) + (static_cast<std::uint64_t>(tree_index) + 1) * kGolden));
}

// psi distinct row indices out of n, without replacement, in draw order.
std::vector<std::size_t> DrawSample(Random& random, std::size_t n, std::size_t psi) {
  std::vector<std::size_t> chosen;
  chosen.reserve(psi);
  if (psi * 4 < n) {
    std::unordered_set<std::size_t> seen;
    seen.reserve(2 * psi);
    while (chosen.size() < psi) {
      const std::size_t i = random.Below(n);
      if (seen.insert(i).second) chosen.push_back(i);
    }
    return chosen;
  }
  std::vector<std::size_t> all(n);
  for (std::size_t i = 0; i < n; ++i) all[i] = i;
  for (std::size_t k = 0; k < psi; ++k) std::swap(all[k], all[k + random.Below(n - k)]);
  chosen.assign(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(psi));
  return chosen;
}

int ThreadCount(int requested) {
  if (requested > 0) return requested;
  return static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));
}

// Runs body(i) for i in [0, count) on up to `threads` threads; each index exactly once. One index
// (or one thread) runs on the calling thread, with no thread started.
template <typename Body>
void ParallelFor(std::size_t count, int threads, Body body) {
  const auto workers = std::min<std::size_t>(static_cast<std::size_t>(ThreadCount(threads)),
                                             std::max<std::size_t>(count, 1));
  if (workers <= 1) {
    for (std::size_t i = 0; i < count; ++i) body(i);
    return;
  }
  std::atomic<std::size_t> next{0};
  std::vector<std::thread> pool;
  pool.reserve(workers - 1);
  const auto work = [&] {
    for (std::size_t i = next++; i < count; i = next++) body(i);
  };
  for (std::size_t w = 1; w < workers; ++w) pool.emplace_back(work);
  work();
  for (std::thread& thread : pool) thread.join();
}

// One tree in the complete layout: views into the forest's arrays.
struct TreeSlots {
  std::int32_t* features;
  double* thresholds;
  double* leaf_path_lengths;
};

// Grows one isolation tree on `sample` (psi points, row-major, d features) into the complete
// layout of height `height`; node k at depth `depth` has children 2k+1 and 2k+2. The slots are
// pre-filled with "feature 0, threshold +inf" internal nodes.
void GrowTree(const std::vector<double>& sample, std::size_t psi, std::size_t d, int height,
              Random& random, const TreeSlots& tree) {
  const std::size_t internal = (std::size_t{1} << height) - 1;
  std::vector<std::size_t> order(psi);
  for (std::size_t k = 0; k < psi; ++k) order[k] = k;
  struct Pending {
    std::size_t node;
    std::size_t begin;
    std::size_t end;
    int depth;
  };
  std::vector<Pending> stack;
  stack.push_back(Pending{0, 0, psi, 0});
  std::vector<double> low(d);
  std::vector<double> high(d);
  std::vector<std::size_t> splittable;
  // An external node at `depth` holding `count` points: every leaf under it gets its path length.
  const auto external = [&](const Pending& node) {
    const double path_length =
        node.depth + AveragePathLength(static_cast<double>(node.end - node.begin));
    const int below = height - node.depth;
    const std::size_t first = ((node.node + 1) << below) - 1 - internal;
    std::fill_n(tree.leaf_path_lengths + first, std::size_t{1} << below, path_length);
  };
  while (!stack.empty()) {
    const Pending pending = stack.back();
    stack.pop_back();
    const std::size_t count = pending.end - pending.begin;
    if (pending.depth >= height || count <= 1) {
      external(pending);
      continue;
    }
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
    if (splittable.empty()) {  // identical points: an external node of `count`
      external(pending);
      continue;
    }
    const std::size_t feature = splittable[random.Below(splittable.size())];
    double threshold = low[feature] + random.Unit() * (high[feature] - low[feature]);
    if (threshold <= low[feature]) threshold = std::nextafter(low[feature], high[feature]);
    // Partition: x < threshold to the left.
    const auto middle =
        std::partition(order.begin() + static_cast<std::ptrdiff_t>(pending.begin),
                       order.begin() + static_cast<std::ptrdiff_t>(pending.end),
                       [&](std::size_t k) { return sample[k * d + feature] < threshold; });
    const auto split = static_cast<std::size_t>(middle - order.begin());
    tree.features[pending.node] = static_cast<std::int32_t>(feature);
    tree.thresholds[pending.node] = threshold;
    const std::size_t left = 2 * pending.node + 1;
    stack.push_back(Pending{left, pending.begin, split, pending.depth + 1});
    stack.push_back(Pending{left + 1, split, pending.end, pending.depth + 1});
  }
}

// The forest's arrays, as the scoring kernels read them.
struct ForestView {
  const std::int32_t* features;
  const double* thresholds;
  const double* leaf_path_lengths;
  std::size_t trees;
  int height;
};

// Adds each tree's path length, tree by tree, to total[l] for the rows x(l, j) = row[l * kStride
// + j] of a block (count <= kBlockRows). Every row goes down a tree in `height` branch-free
// steps (x < threshold: child 2k+1, otherwise 2k+2); the steps of kLanes rows, or for the last
// few rows of kLanes trees, are interleaved so that their loads overlap.
template <Eigen::Index kStride>
void WalkRows(const ForestView& forest, const double* row, Eigen::Index count, double* total) {
  const std::size_t internal = (std::size_t{1} << forest.height) - 1;
  const std::size_t leaves = internal + 1;
  constexpr auto kRowLanes = static_cast<Eigen::Index>(kLanes);
  const Eigen::Index full = count - count % kRowLanes;
  for (std::size_t t = 0; t < forest.trees && full > 0; ++t) {
    const std::int32_t* const feature = forest.features + t * internal;
    const double* const threshold = forest.thresholds + t * internal;
    const double* const leaf = forest.leaf_path_lengths + t * leaves;  // leaf i = node internal + i
    for (Eigen::Index l = 0; l < full; l += kRowLanes) {
      std::array<std::size_t, kLanes> node{};
      const double* const x = row + l * kStride;
      for (int level = 0; level < forest.height; ++level) {
#pragma GCC unroll 16
        for (Eigen::Index lane = 0; lane < kRowLanes; ++lane) {
          std::size_t& k = node[static_cast<std::size_t>(lane)];
          const double value = x[lane * kStride + feature[k]];
          k = 2 * k + 1 + (value < threshold[k] ? 0 : 1);
        }
      }
      for (Eigen::Index lane = 0; lane < kRowLanes; ++lane) {
        total[l + lane] += leaf[node[static_cast<std::size_t>(lane)] - internal];
      }
    }
  }
  for (Eigen::Index l = full; l < count; ++l) {
    const double* const x = row + l * kStride;
    double sum = total[l];
    std::size_t t = 0;
    for (; t + kLanes <= forest.trees; t += kLanes) {
      std::array<std::size_t, kLanes> node{};
      for (int level = 0; level < forest.height; ++level) {
#pragma GCC unroll 16
        for (std::size_t lane = 0; lane < kLanes; ++lane) {
          std::size_t& k = node[lane];
          const std::size_t at = (t + lane) * internal + k;
          k = 2 * k + 1 + (x[forest.features[at]] < forest.thresholds[at] ? 0 : 1);
        }
      }
      for (std::size_t lane = 0; lane < kLanes; ++lane) {
        sum += forest.leaf_path_lengths[(t + lane) * leaves + node[lane] - internal];
      }
    }
    for (; t < forest.trees; ++t) {
      std::size_t k = 0;
      for (int level = 0; level < forest.height; ++level) {
        const std::size_t at = t * internal + k;
        k = 2 * k + 1 + (x[forest.features[at]] < forest.thresholds[at] ? 0 : 1);
      }
      sum += forest.leaf_path_lengths[t * leaves + k - internal];
    }
    total[l] = sum;
  }
}

// A block of up to kBlockRows rows of a column-major matrix (first_row[l + j * stride]): copied
// row-major into a buffer with a fixed row stride of kStride >= the number of features (one row
// in a cache line for up to 8 features), then walked.
template <Eigen::Index kStride>
void SumBlock(const ForestView& forest, const double* first_row, Eigen::Index stride,
              Eigen::Index count, Eigen::Index features, double* total) {
  alignas(64) std::array<double, static_cast<std::size_t>(kBlockRows * kStride)> rows;
  for (Eigen::Index j = 0; j < features; ++j) {
    const double* const column = first_row + j * stride;
    for (Eigen::Index l = 0; l < count; ++l) {
      rows[static_cast<std::size_t>(l * kStride + j)] = column[l];
    }
  }
  WalkRows<kStride>(forest, rows.data(), count, total);
}

// Many features: walked in place (x(l, j) = first_row[l + j * stride]), one row at a time.
void SumBlockInPlace(const ForestView& forest, const double* first_row, Eigen::Index stride,
                     Eigen::Index count, double* total) {
  const std::size_t internal = (std::size_t{1} << forest.height) - 1;
  const std::size_t leaves = internal + 1;
  for (std::size_t t = 0; t < forest.trees; ++t) {
    const std::int32_t* const feature = forest.features + t * internal;
    const double* const threshold = forest.thresholds + t * internal;
    const double* const leaf = forest.leaf_path_lengths + t * leaves;
    for (Eigen::Index l = 0; l < count; ++l) {
      std::size_t k = 0;
      for (int level = 0; level < forest.height; ++level) {
        k = 2 * k + 1 + (first_row[l + feature[k] * stride] < threshold[k] ? 0 : 1);
      }
      total[l] += leaf[k - internal];
    }
  }
}

using binary::Read;
using binary::ReadArray;
using binary::Write;
using binary::WriteArray;

}  // namespace

double AveragePathLength(double n) {
  if (n <= 1) return 0;
  if (n < 3) return 1;  // c(2) = 1
  const double harmonic = std::log(n - 1) + kEulerGamma;
  return 2 * harmonic - 2 * (n - 1) / n;
}

int IsolationTreeHeight(int sample_size) {
  if (sample_size <= 1) return 0;
  return static_cast<int>(std::bit_width(static_cast<std::uint32_t>(sample_size - 1)));
}

std::vector<std::size_t> IsolationTreeSample(std::size_t rows, int sample_size, std::uint64_t seed,
                                             int tree_index) {
  Random random = TreeRandom(seed, tree_index);
  return DrawSample(random, rows,
                    std::min(rows, static_cast<std::size_t>(std::max(sample_size, 0))));
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
  forest.num_trees_ = options.num_trees;
  forest.num_features_ = static_cast<int>(rows.cols());
  forest.sample_size_ = static_cast<int>(std::min<Eigen::Index>(options.sample_size, rows.rows()));
  forest.height_ = IsolationTreeHeight(forest.sample_size_);
  if (forest.height_ > kMaxHeight) {
    return MakeError(ErrorCode::kInvalidInput, "the sample size must be at most 2^30");
  }
  const auto trees = static_cast<std::size_t>(forest.num_trees_);
  const std::size_t internal = forest.internal_nodes();
  const std::size_t leaves = forest.leaves();
  forest.features_.assign(trees * internal, 0);
  forest.thresholds_.assign(trees * internal, std::numeric_limits<double>::infinity());
  forest.leaf_path_lengths_.assign(trees * leaves, 0.0);
  const auto n = static_cast<std::size_t>(rows.rows());
  const auto d = static_cast<std::size_t>(rows.cols());
  const auto psi = static_cast<std::size_t>(forest.sample_size_);
  ParallelFor(trees, options.threads, [&](std::size_t t) {
    Random random = TreeRandom(options.seed, static_cast<int>(t));
    const std::vector<std::size_t> chosen = DrawSample(random, n, psi);
    // The sample row-major, for locality: sample[k * d + j].
    std::vector<double> sample(psi * d);
    for (std::size_t k = 0; k < psi; ++k) {
      for (std::size_t j = 0; j < d; ++j) {
        sample[k * d + j] =
            rows(static_cast<Eigen::Index>(chosen[k]), static_cast<Eigen::Index>(j));
      }
    }
    GrowTree(
        sample, psi, d, forest.height_, random,
        TreeSlots{forest.features_.data() + t * internal, forest.thresholds_.data() + t * internal,
                  forest.leaf_path_lengths_.data() + t * leaves});
  });
  return forest;
}

void IsolationForest::SumPathLengths(const Eigen::Ref<const Eigen::MatrixXd>& rows, int threads,
                                     double* total) const {
  std::fill_n(total, rows.rows(), 0.0);
  const Eigen::Index stride = rows.outerStride();
  const Eigen::Index blocks = (rows.rows() + kBlockRows - 1) / kBlockRows;
  const ForestView forest{features_.data(), thresholds_.data(), leaf_path_lengths_.data(),
                          static_cast<std::size_t>(num_trees_), height_};
  constexpr Eigen::Index kNarrow = 8;
  constexpr Eigen::Index kWide = 16;
  ParallelFor(static_cast<std::size_t>(blocks), threads, [&](std::size_t block) {
    const Eigen::Index begin = static_cast<Eigen::Index>(block) * kBlockRows;
    const Eigen::Index count = std::min(kBlockRows, rows.rows() - begin);
    const double* const first_row = rows.data() + begin;
    if (rows.cols() <= kNarrow) {
      SumBlock<kNarrow>(forest, first_row, stride, count, rows.cols(), total + begin);
    } else if (rows.cols() <= kWide) {
      SumBlock<kWide>(forest, first_row, stride, count, rows.cols(), total + begin);
    } else {
      SumBlockInPlace(forest, first_row, stride, count, total + begin);
    }
  });
}

Eigen::VectorXd IsolationForest::MeanPathLength(const Eigen::Ref<const Eigen::MatrixXd>& rows,
                                                int threads) const {
  Eigen::VectorXd mean(rows.rows());
  SumPathLengths(rows, threads, mean.data());
  mean /= static_cast<double>(num_trees_);
  return mean;
}

Eigen::VectorXd IsolationForest::Score(const Eigen::Ref<const Eigen::MatrixXd>& rows,
                                       int threads) const {
  const double normaliser = AveragePathLength(sample_size_);
  Eigen::VectorXd score = MeanPathLength(rows, threads);
  for (double& value : score) value = std::exp2(-value / normaliser);
  return score;
}

void IsolationForest::Save(std::ostream& out) const {
  out.write(kMagic.data(), static_cast<std::streamsize>(kMagic.size()));
  Write(out, kFormatVersion);
  Write(out, static_cast<std::int32_t>(sample_size_));
  Write(out, static_cast<std::int32_t>(num_features_));
  Write(out, static_cast<std::int32_t>(num_trees_));
  Write(out, static_cast<std::int32_t>(height_));
  const std::size_t internal = internal_nodes();
  const std::size_t leaves = this->leaves();
  for (std::size_t t = 0; t < static_cast<std::size_t>(num_trees_); ++t) {
    WriteArray(out, features_.data() + t * internal, internal);
    WriteArray(out, thresholds_.data() + t * internal, internal);
    WriteArray(out, leaf_path_lengths_.data() + t * leaves, leaves);
  }
}

Result<IsolationForest> IsolationForest::Load(std::istream& in) {
  std::string magic(kMagic.size(), '\0');
  if (!in.read(magic.data(), static_cast<std::streamsize>(magic.size())) || magic != kMagic) {
    return MakeError(ErrorCode::kInvalidInput, "not a costwise isolation forest (bad magic)");
  }
  std::uint32_t version = 0;
  if (!Read(in, version)) {
    return MakeError(ErrorCode::kInvalidInput, "truncated isolation forest header");
  }
  if (version == kFirstFormatVersion) {
    return MakeError(ErrorCode::kInvalidInput,
                     "isolation forest model format 1 is no longer supported: fit the model "
                     "again to save it in format 2");
  }
  if (version != kFormatVersion) {
    return MakeError(ErrorCode::kInvalidInput,
                     "unsupported isolation forest format version " + std::to_string(version));
  }
  std::int32_t sample_size = 0;
  std::int32_t features = 0;
  std::int32_t trees = 0;
  std::int32_t height = 0;
  if (!Read(in, sample_size) || !Read(in, features) || !Read(in, trees) || !Read(in, height) ||
      sample_size < 2 || features < 1 || trees < 1 || trees > kMaxTrees ||
      height != IsolationTreeHeight(sample_size) || height > kMaxHeight) {
    return MakeError(ErrorCode::kInvalidInput, "corrupt isolation forest header");
  }
  IsolationForest forest;
  forest.num_trees_ = trees;
  forest.sample_size_ = sample_size;
  forest.num_features_ = features;
  forest.height_ = height;
  const std::size_t internal = forest.internal_nodes();
  const std::size_t leaves = forest.leaves();
  // The longest path: the height plus c(psi) for a leaf that holds the whole sample.
  const double max_path_length = height + AveragePathLength(sample_size);
  // Tree by tree, so that a truncated or lying file fails before much is allocated.
  std::vector<std::int32_t> tree_features(internal);
  std::vector<double> tree_thresholds(internal);
  std::vector<double> tree_leaves(leaves);
  for (std::int32_t t = 0; t < trees; ++t) {
    if (!ReadArray(in, tree_features.data(), internal) ||
        !ReadArray(in, tree_thresholds.data(), internal) ||
        !ReadArray(in, tree_leaves.data(), leaves)) {
      return MakeError(ErrorCode::kInvalidInput, "truncated isolation forest");
    }
    const bool valid = std::all_of(tree_features.begin(), tree_features.end(),
                                   [&](std::int32_t f) { return f >= 0 && f < features; }) &&
                       std::none_of(tree_thresholds.begin(), tree_thresholds.end(),
                                    [](double x) { return std::isnan(x); }) &&
                       std::all_of(tree_leaves.begin(), tree_leaves.end(),
                                   [&](double h) { return h >= 0 && h <= max_path_length; });
    if (!valid) return MakeError(ErrorCode::kInvalidInput, "corrupt isolation forest tree");
    forest.features_.insert(forest.features_.end(), tree_features.begin(), tree_features.end());
    forest.thresholds_.insert(forest.thresholds_.end(), tree_thresholds.begin(),
                              tree_thresholds.end());
    forest.leaf_path_lengths_.insert(forest.leaf_path_lengths_.end(), tree_leaves.begin(),
                                     tree_leaves.end());
  }
  return forest;
}

}  // namespace costwise::anomaly
