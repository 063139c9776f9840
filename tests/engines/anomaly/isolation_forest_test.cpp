#include "engines/anomaly/isolation_forest.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <set>
#include <sstream>

#include <gtest/gtest.h>

namespace costwise::anomaly {
namespace {

Eigen::MatrixXd Column(std::initializer_list<double> values) {
  Eigen::MatrixXd rows(static_cast<Eigen::Index>(values.size()), 1);
  Eigen::Index i = 0;
  for (const double value : values) rows(i++, 0) = value;
  return rows;
}

IsolationForest FitOrDie(const Eigen::MatrixXd& rows, const IsolationForestOptions& options) {
  auto forest = IsolationForest::Fit(rows, options);
  EXPECT_TRUE(forest) << forest.error().message;
  return std::move(*forest);
}

TEST(AveragePathLengthTest, MatchesTheFormula) {
  EXPECT_EQ(AveragePathLength(1), 0.0);
  EXPECT_EQ(AveragePathLength(2), 1.0);
  // 2 (ln 255 + gamma) - 2 * 255 / 256
  EXPECT_NEAR(AveragePathLength(256), 10.244770920116851, 1e-9);
}

TEST(IsolationForestTest, TwoPointsAreAlwaysIsolatedByOneSplit) {
  const IsolationForest forest = FitOrDie(Column({1.0, 5.0}), {.num_trees = 50, .sample_size = 2});
  const Eigen::VectorXd depth = forest.MeanPathLength(Column({1.0, 5.0}));
  EXPECT_DOUBLE_EQ(depth(0), 1.0);
  EXPECT_DOUBLE_EQ(depth(1), 1.0);
  const Eigen::VectorXd score = forest.Score(Column({1.0, 5.0}));
  EXPECT_DOUBLE_EQ(score(0), 0.5);  // 2^(-1 / c(2))
}

TEST(IsolationForestTest, KnownDepthsForOneOutlier) {
  // Any split of [0, 100] separates 100 from the zeros at once; the seven zeros cannot be split.
  const Eigen::MatrixXd rows = Column({0, 0, 0, 0, 0, 0, 0, 100});
  const IsolationForest forest = FitOrDie(rows, {.num_trees = 20, .sample_size = 8});
  const Eigen::VectorXd depth = forest.MeanPathLength(rows);
  EXPECT_DOUBLE_EQ(depth(7), 1.0);
  EXPECT_DOUBLE_EQ(depth(0), 1.0 + AveragePathLength(7));
  const Eigen::VectorXd score = forest.Score(rows);
  EXPECT_DOUBLE_EQ(score(7), std::exp2(-1.0 / AveragePathLength(8)));
  EXPECT_GT(score(7), score(0));
}

TEST(IsolationForestTest, TwoClustersOfDuplicatesEndAtDepthOne) {
  // The first split always separates the clusters; neither can be split again: h = 1 + c(4).
  const Eigen::MatrixXd rows = Column({0, 0, 0, 0, 10, 10, 10, 10});
  const IsolationForest forest = FitOrDie(rows, {.num_trees = 7, .sample_size = 8});
  const Eigen::VectorXd depth = forest.MeanPathLength(rows);
  for (Eigen::Index i = 0; i < rows.rows(); ++i) {
    EXPECT_DOUBLE_EQ(depth(i), 1.0 + AveragePathLength(4)) << i;
  }
}

TEST(IsolationForestTest, HeightLimitIsCeilLog2) {
  EXPECT_EQ(IsolationTreeHeight(2), 1);
  EXPECT_EQ(IsolationTreeHeight(3), 2);
  EXPECT_EQ(IsolationTreeHeight(128), 7);
  EXPECT_EQ(IsolationTreeHeight(129), 8);
  EXPECT_EQ(IsolationTreeHeight(256), 8);
}

TEST(IsolationForestTest, IdenticalPointsScoreOneHalf) {
  const Eigen::MatrixXd rows = Eigen::MatrixXd::Constant(16, 3, 2.5);
  const IsolationForest forest = FitOrDie(rows, {.num_trees = 10, .sample_size = 16});
  EXPECT_DOUBLE_EQ(forest.Score(rows)(0), 0.5);  // a leaf of 16 at depth 0: h = c(16)
}

Eigen::MatrixXd ClusterWithOutliers(int inliers, int outliers, std::uint32_t seed) {
  std::mt19937 generator(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  Eigen::MatrixXd rows(inliers + outliers, 4);
  for (int i = 0; i < inliers + outliers; ++i) {
    for (int j = 0; j < 4; ++j) rows(i, j) = normal(generator) + (i >= inliers ? 8.0 : 0.0);
  }
  return rows;
}

TEST(IsolationForestTest, OutliersScoreHighest) {
  const Eigen::MatrixXd rows = ClusterWithOutliers(2000, 10, 7);
  const IsolationForest forest = FitOrDie(rows, {});
  const Eigen::VectorXd score = forest.Score(rows);
  const double worst_outlier = score.tail(10).minCoeff();
  const double best_inlier = score.head(2000).maxCoeff();
  EXPECT_GT(worst_outlier, best_inlier);
  EXPECT_GT(worst_outlier, 0.6);
  EXPECT_LT(score.head(2000).mean(), 0.5);
  EXPECT_TRUE((score.array() > 0).all() && (score.array() <= 1).all());
}

TEST(IsolationForestTest, SameSeedSameForestWhateverTheThreads) {
  const Eigen::MatrixXd rows = ClusterWithOutliers(3000, 5, 11);
  const IsolationForest one = FitOrDie(rows, {.seed = 42, .threads = 1});
  const IsolationForest four = FitOrDie(rows, {.seed = 42, .threads = 4});
  EXPECT_EQ(one.Score(rows, 1), four.Score(rows, 3));
  const IsolationForest other = FitOrDie(rows, {.seed = 43, .threads = 1});
  EXPECT_NE(one.Score(rows), other.Score(rows));
}

TEST(IsolationForestTest, OneRowAtATimeScoresAsTheWholeMatrix) {
  // 1000 rows: blocks of 256, rows walked 16 side by side, and a tail of single rows.
  const Eigen::MatrixXd rows = ClusterWithOutliers(995, 5, 5);
  const IsolationForest forest = FitOrDie(rows, {.num_trees = 40, .sample_size = 100});
  const Eigen::VectorXd all = forest.Score(rows, 2);
  for (Eigen::Index i = 0; i < rows.rows(); ++i) {
    const Eigen::VectorXd one = forest.Score(rows.row(i), 1);
    ASSERT_EQ(one.size(), 1);
    ASSERT_EQ(one(0), all(i)) << "row " << i;
  }
  using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  const RowMajor row_major = rows;
  EXPECT_EQ(forest.Score(row_major, 1), all);
}

// Each tree draws its own subsample: 100 trees of 256 out of 100,000 rows see about
// 100,000 (1 - e^-0.256) = 22,600 distinct rows, and two trees share about 0.66 rows.
TEST(IsolationForestTest, TreesDrawIndependentSamples) {
  constexpr std::size_t kRows = 100'000;
  for (const std::uint64_t seed : {0ULL, 1ULL, 42ULL, 12345ULL}) {
    std::set<std::size_t> seen;
    std::vector<std::size_t> previous;
    std::size_t most_shared = 0;
    for (int t = 0; t < 100; ++t) {
      std::vector<std::size_t> sample = IsolationTreeSample(kRows, 256, seed, t);
      ASSERT_EQ(sample.size(), 256U);
      seen.insert(sample.begin(), sample.end());
      std::sort(sample.begin(), sample.end());
      ASSERT_EQ(std::adjacent_find(sample.begin(), sample.end()), sample.end());
      std::vector<std::size_t> shared;
      std::set_intersection(sample.begin(), sample.end(), previous.begin(), previous.end(),
                            std::back_inserter(shared));
      most_shared = std::max(most_shared, shared.size());
      previous = std::move(sample);
    }
    EXPECT_GT(seen.size(), 21'000U) << "seed " << seed;
    EXPECT_LT(most_shared, 8U) << "seed " << seed;
  }
}

// Fit grows tree t on IsolationTreeSample(..., t): with marked rows (1) among zeros, a tree whose
// sample holds k > 0 marked rows isolates them at once (a marked row's path: 1 + c(k)); a tree
// without any cannot split (c(psi)). The forest's path length for a marked row must be the one
// predicted from the samples, to the last bit.
TEST(IsolationForestTest, FitGrowsEachTreeOnItsSample) {
  struct Case {
    Eigen::Index rows;
    Eigen::Index mark_every;
    int sample_size;
  };
  for (const Case c : {Case{100'000, 997, 256}, Case{300, 7, 256}, Case{5'000, 50, 64}}) {
    Eigen::MatrixXd rows = Eigen::MatrixXd::Zero(c.rows, 1);
    for (Eigen::Index i = 0; i < c.rows; i += c.mark_every) rows(i, 0) = 1;
    constexpr int kTrees = 60;
    constexpr std::uint64_t kSeed = 9;
    const IsolationForest forest =
        FitOrDie(rows, {.num_trees = kTrees, .sample_size = c.sample_size, .seed = kSeed});
    double expected = 0;
    int trees_with_marks = 0;
    for (int t = 0; t < kTrees; ++t) {
      const std::vector<std::size_t> sample =
          IsolationTreeSample(static_cast<std::size_t>(c.rows), c.sample_size, kSeed, t);
      const auto marked = std::count_if(sample.begin(), sample.end(), [&](std::size_t i) {
        return static_cast<Eigen::Index>(i) % c.mark_every == 0;
      });
      trees_with_marks += marked > 0 ? 1 : 0;
      expected += marked > 0 ? 1 + AveragePathLength(static_cast<double>(marked))
                             : AveragePathLength(c.sample_size);
    }
    expected /= kTrees;
    EXPECT_GT(trees_with_marks, 5) << c.rows;
    EXPECT_EQ(forest.MeanPathLength(Column({1.0}))(0), expected) << c.rows;
  }
}

TEST(IsolationForestTest, SaveLoadRoundTrip) {
  const Eigen::MatrixXd rows = ClusterWithOutliers(500, 5, 3);
  const IsolationForest forest = FitOrDie(rows, {.num_trees = 30, .sample_size = 64});
  std::stringstream buffer;
  forest.Save(buffer);
  auto loaded = IsolationForest::Load(buffer);
  ASSERT_TRUE(loaded) << loaded.error().message;
  EXPECT_EQ(loaded->num_trees(), 30);
  EXPECT_EQ(loaded->sample_size(), 64);
  EXPECT_EQ(loaded->num_features(), 4);
  EXPECT_EQ(loaded->Score(rows), forest.Score(rows));

  const std::string bytes = buffer.str();
  std::stringstream bad_magic("NOTAFOREST" + bytes.substr(10));
  EXPECT_FALSE(IsolationForest::Load(bad_magic));
  std::stringstream truncated(bytes.substr(0, bytes.size() / 2));
  const auto cut = IsolationForest::Load(truncated);
  ASSERT_FALSE(cut);
  EXPECT_EQ(cut.error().code, ErrorCode::kInvalidInput);

  // A split feature out of range (the first tree's first node).
  std::string corrupt = bytes;
  constexpr std::size_t kHeaderBytes = 9 + 4 + 4 * 4;
  const std::int32_t bad_feature = 4;
  std::memcpy(corrupt.data() + kHeaderBytes, &bad_feature, sizeof bad_feature);
  std::stringstream corrupt_stream(corrupt);
  EXPECT_FALSE(IsolationForest::Load(corrupt_stream));
}

TEST(IsolationForestTest, FormatOneIsRefusedWithAClearMessage) {
  std::string bytes = "CWIFOREST";
  const std::uint32_t version = 1;
  bytes.append(reinterpret_cast<const char*>(&version), sizeof version);
  bytes.append(64, '\0');
  std::stringstream old(bytes);
  const auto loaded = IsolationForest::Load(old);
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().code, ErrorCode::kInvalidInput);
  EXPECT_NE(loaded.error().message.find("format 1 is no longer supported"), std::string::npos)
      << loaded.error().message;
}

TEST(IsolationForestTest, RejectsBadInput) {
  EXPECT_FALSE(IsolationForest::Fit(Column({1.0}), {}));
  EXPECT_FALSE(IsolationForest::Fit(Column({1.0, std::nan("")}), {}));
  EXPECT_FALSE(IsolationForest::Fit(Column({1.0, 2.0}), {.num_trees = 0}));
  EXPECT_FALSE(IsolationForest::Fit(Column({1.0, 2.0}), {.sample_size = 1}));
  // A sample size above the row count is capped.
  EXPECT_EQ(FitOrDie(Column({1.0, 2.0, 3.0}), {}).sample_size(), 3);
}

}  // namespace
}  // namespace costwise::anomaly
