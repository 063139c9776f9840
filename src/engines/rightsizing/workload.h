#pragma once
// Workload profiles: k-means over the fleet's utilization profiles groups instances that behave
// alike, and each group is named by its center (idle, steady low, steady high, diurnal, bursty,
// memory bound). The name sets the headroom right-sizing keeps (recommend.h): a bursty load's
// p99.5 says less about next week's peak than a steady one's.
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include <Eigen/Core>

#include "core/error.h"
#include "engines/rightsizing/kmeans.h"
#include "engines/rightsizing/profile.h"

namespace costwise::rightsizing {

enum class Workload {
  kUnclassified,
  kIdle,
  kSteadyLow,
  kSteadyHigh,
  kDiurnal,
  kBursty,
  kMemoryBound
};
[[nodiscard]] std::string_view WorkloadName(Workload workload);  // "steady-low", ...

// The features k-means sees, one column each, in this order: CPU p50 and p99.5 (fractions of the
// vCPUs), log of the burstiness (p99 over p50), daily and weekly periodicity (autocorrelation,
// clamped to [0, 1]), and memory dominance (memory p99 minus CPU p99.5, fractions; 0 without
// memory data).
inline constexpr int kWorkloadFeatureCount = 6;
[[nodiscard]] Eigen::Matrix<double, 1, kWorkloadFeatureCount> WorkloadFeatures(
    const UtilizationProfile& profile);

// The name of a point in feature space (a cluster center or one instance), by rules in this
// order: idle (CPU p99.5 at most 5%), memory bound (memory at least 30 points above CPU),
// diurnal (daily or weekly periodicity at least 0.5: a peak that returns is predictable), bursty
// (p99 at least 3x p50), steady high (p50 at least 40%), steady low.
[[nodiscard]] Workload NameWorkload(
    const Eigen::Matrix<double, 1, kWorkloadFeatureCount>& features);

struct WorkloadOptions {
  int k_min = 2;
  int k_max = 8;
  // Fewer instances than this are named one by one: a handful of points has no clusters.
  int min_instances = 12;
  KMeansOptions kmeans;  // restarts and seed; k is chosen by silhouette
};

struct WorkloadGroups {
  std::vector<Workload> workloads;  // one per profile given
  std::vector<int> clusters;        // cluster of each profile, -1 when named one by one
  Eigen::MatrixXd features;         // profiles x kWorkloadFeatureCount, before standardising
  Eigen::MatrixXd centers;          // k x kWorkloadFeatureCount, in feature units
  std::vector<double> silhouettes;  // for k = k_min .. (as tried)
  int k = 0;                        // 0 when named one by one
};

// Clusters the profiles (standardised features) and names every cluster by its center. Profiles
// with insufficient data should be left out by the caller. InvalidInput for bad options.
[[nodiscard]] Result<WorkloadGroups> GroupWorkloads(
    std::span<const UtilizationProfile* const> profiles, const WorkloadOptions& options = {});

}  // namespace costwise::rightsizing
