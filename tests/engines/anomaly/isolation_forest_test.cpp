#include "engines/anomaly/isolation_forest.h"

#include <algorithm>
#include <cmath>
#include <random>
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
