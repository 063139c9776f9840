#include "engines/rightsizing/kmeans.h"

#include <random>
#include <set>

#include <gtest/gtest.h>

namespace costwise::rightsizing {
namespace {

// `per` points around each center, Normal(0, spread) in every feature.
Eigen::MatrixXd Blobs(const std::vector<std::vector<double>>& centers, int per, double spread,
                      std::uint32_t seed) {
  std::mt19937 random(seed);
  std::normal_distribution<double> noise(0.0, spread);
  const auto features = static_cast<Eigen::Index>(centers[0].size());
  Eigen::MatrixXd rows(static_cast<Eigen::Index>(centers.size()) * per, features);
  Eigen::Index r = 0;
  for (const auto& center : centers) {
    for (int i = 0; i < per; ++i, ++r) {
      for (Eigen::Index f = 0; f < features; ++f) {
        rows(r, f) = center[static_cast<std::size_t>(f)] + noise(random);
      }
    }
  }
  return rows;
}

TEST(KMeansTest, FindsTheCentersOfSeparatedBlobs) {
  const Eigen::MatrixXd rows = Blobs({{0, 0}, {10, 0}, {0, 10}}, 50, 0.5, 1);
  KMeansOptions options;
  options.k = 3;
  const auto result = FitKMeans(rows, options);
  ASSERT_TRUE(result) << result.error().message;
  // Each blob is one cluster.
  for (int blob = 0; blob < 3; ++blob) {
    std::set<int> labels;
    for (int i = 0; i < 50; ++i)
      labels.insert(result->labels[static_cast<std::size_t>(blob * 50 + i)]);
    EXPECT_EQ(labels.size(), 1U) << "blob " << blob;
  }
  // Centers near the true ones, in some order.
  for (const Eigen::Vector2d& truth :
       {Eigen::Vector2d(0, 0), Eigen::Vector2d(10, 0), Eigen::Vector2d(0, 10)}) {
    double nearest = 1e9;
    for (Eigen::Index c = 0; c < 3; ++c) {
      nearest = std::min(nearest, (result->centers.row(c).transpose() - truth).norm());
    }
    EXPECT_LT(nearest, 0.3);
  }
  // Inertia: about 150 points x 2 features x 0.25 variance.
  EXPECT_NEAR(result->inertia, 75, 20);
}

TEST(KMeansTest, HandComputedTinyCase) {
  Eigen::MatrixXd rows(4, 1);
  rows << 0, 1, 10, 11;
  KMeansOptions options;
  options.k = 2;
  const auto result = FitKMeans(rows, options);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->labels[0], result->labels[1]);
  EXPECT_EQ(result->labels[2], result->labels[3]);
  EXPECT_NE(result->labels[0], result->labels[2]);
  EXPECT_DOUBLE_EQ(result->inertia, 4 * 0.25);  // each point 0.5 from its center
  EXPECT_DOUBLE_EQ(result->centers(result->labels[0], 0), 0.5);
  EXPECT_DOUBLE_EQ(result->centers(result->labels[2], 0), 10.5);
}

TEST(KMeansTest, IsDeterministicForASeed) {
  const Eigen::MatrixXd rows = Blobs({{0, 0, 0}, {3, 3, 3}, {6, 0, 3}, {0, 6, 6}}, 40, 1.5, 2);
  KMeansOptions options;
  options.k = 4;
  options.seed = 7;
  const auto a = FitKMeans(rows, options);
  const auto b = FitKMeans(rows, options);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->labels, b->labels);
  EXPECT_EQ(a->centers, b->centers);
}

TEST(KMeansTest, SilhouetteChoosesTheNumberOfBlobs) {
  const Eigen::MatrixXd rows = Blobs({{0, 0}, {8, 0}, {0, 8}, {8, 8}}, 40, 0.7, 3);
  const auto chosen = ChooseKMeans(rows, 2, 8, KMeansOptions{});
  ASSERT_TRUE(chosen) << chosen.error().message;
  EXPECT_EQ(chosen->k, 4);
  ASSERT_EQ(chosen->silhouettes.size(), 7U);
  EXPECT_GT(chosen->silhouettes[2], 0.7);  // k = 4: tight, separated clusters
  EXPECT_LT(chosen->silhouettes[0], chosen->silhouettes[2]);
}

TEST(KMeansTest, SilhouetteByHand) {
  // Clusters {0, 1} and {10}: point 0 has a = 1, b = 10 -> 0.9; point 1: a = 1, b = 9 -> 8/9;
  // point 10 is a singleton -> 0. Mean (0.9 + 8/9 + 0) / 3.
  Eigen::MatrixXd rows(3, 1);
  rows << 0, 1, 10;
  EXPECT_NEAR(Silhouette(rows, {0, 0, 1}), (0.9 + 8.0 / 9.0) / 3, 1e-12);
}

TEST(KMeansTest, RejectsBadInput) {
  Eigen::MatrixXd rows(3, 2);
  rows << 1, 2, 3, 4, 5, 6;
  KMeansOptions options;
  options.k = 4;
  EXPECT_FALSE(FitKMeans(rows, options));
  options.k = 0;
  EXPECT_FALSE(FitKMeans(rows, options));
  rows(1, 1) = std::nan("");
  options.k = 2;
  EXPECT_FALSE(FitKMeans(rows, options));
  EXPECT_FALSE(ChooseKMeans(rows, 1, 3, options));
}

}  // namespace
}  // namespace costwise::rightsizing
