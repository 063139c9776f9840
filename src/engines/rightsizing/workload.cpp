#include "engines/rightsizing/workload.h"

#include <algorithm>
#include <cmath>

namespace costwise::rightsizing {
namespace {

using FeatureRow = Eigen::Matrix<double, 1, kWorkloadFeatureCount>;

enum Column { kCpuP50, kCpuP99_5, kLogBurstiness, kDaily, kWeekly, kMemoryDominance };

constexpr double kIdleCpu = 0.05;
constexpr double kMemoryBoundGap = 0.30;
constexpr double kBurstRatio = 3;
constexpr double kPeriodic = 0.5;
constexpr double kSteadyHigh = 0.40;

}  // namespace

std::string_view WorkloadName(Workload workload) {
  switch (workload) {
    case Workload::kUnclassified:
      return "unclassified";
    case Workload::kIdle:
      return "idle";
    case Workload::kSteadyLow:
      return "steady-low";
    case Workload::kSteadyHigh:
      return "steady-high";
    case Workload::kDiurnal:
      return "diurnal";
    case Workload::kBursty:
      return "bursty";
    case Workload::kMemoryBound:
      return "memory-bound";
  }
  return "unknown";
}

FeatureRow WorkloadFeatures(const UtilizationProfile& profile) {
  FeatureRow row;
  row(kCpuP50) = profile.cpu.p50 / 100;
  row(kCpuP99_5) = profile.cpu.p99_5 / 100;
  row(kLogBurstiness) = std::log(std::max(1.0, profile.burstiness));
  row(kDaily) = std::clamp(profile.daily_periodicity, 0.0, 1.0);
  row(kWeekly) = std::clamp(profile.weekly_periodicity, 0.0, 1.0);
  row(kMemoryDominance) = profile.memory ? (profile.memory->p99 - profile.cpu.p99_5) / 100 : 0;
  return row;
}

Workload NameWorkload(const FeatureRow& features) {
  if (features(kCpuP99_5) <= kIdleCpu) return Workload::kIdle;
  if (features(kMemoryDominance) >= kMemoryBoundGap) return Workload::kMemoryBound;
  // A peak that comes back every day or week is predictable, however high above the median.
  if (features(kDaily) >= kPeriodic || features(kWeekly) >= kPeriodic) return Workload::kDiurnal;
  if (features(kLogBurstiness) >= std::log(kBurstRatio)) return Workload::kBursty;
  if (features(kCpuP50) >= kSteadyHigh) return Workload::kSteadyHigh;
  return Workload::kSteadyLow;
}

Result<WorkloadGroups> GroupWorkloads(std::span<const UtilizationProfile* const> profiles,
                                      const WorkloadOptions& options) {
  if (options.k_min < 2 || options.k_max < options.k_min || options.min_instances < 3) {
    return MakeError(ErrorCode::kInvalidInput,
                     "workload grouping needs 2 <= k_min <= k_max and min_instances >= 3");
  }
  const auto n = static_cast<Eigen::Index>(profiles.size());
  WorkloadGroups groups;
  groups.features.resize(n, kWorkloadFeatureCount);
  for (Eigen::Index i = 0; i < n; ++i) {
    groups.features.row(i) = WorkloadFeatures(*profiles[static_cast<std::size_t>(i)]);
  }
  groups.workloads.assign(profiles.size(), Workload::kUnclassified);
  groups.clusters.assign(profiles.size(), -1);
  if (n < options.min_instances) {
    for (Eigen::Index i = 0; i < n; ++i) {
      groups.workloads[static_cast<std::size_t>(i)] = NameWorkload(groups.features.row(i));
    }
    return groups;
  }

  // Standardised columns, so that no feature dominates by its units; a constant column stays 0.
  const FeatureRow mean = groups.features.colwise().mean();
  Eigen::MatrixXd scaled = groups.features.rowwise() - mean;
  for (Eigen::Index c = 0; c < scaled.cols(); ++c) {
    const double deviation = std::sqrt(scaled.col(c).squaredNorm() / static_cast<double>(n));
    if (deviation > 1e-12) scaled.col(c) /= deviation;
  }
  auto chosen = ChooseKMeans(scaled, options.k_min, options.k_max, options.kmeans);
  if (!chosen) return unexpected(chosen.error());
  groups.k = chosen->k;
  groups.silhouettes = chosen->silhouettes;
  groups.clusters = chosen->clustering.labels;
  // Centers in feature units: the mean of each cluster's members.
  groups.centers = Eigen::MatrixXd::Zero(groups.k, kWorkloadFeatureCount);
  std::vector<double> sizes(static_cast<std::size_t>(groups.k), 0);
  for (Eigen::Index i = 0; i < n; ++i) {
    const int cluster = groups.clusters[static_cast<std::size_t>(i)];
    groups.centers.row(cluster) += groups.features.row(i);
    sizes[static_cast<std::size_t>(cluster)] += 1;
  }
  std::vector<Workload> names(static_cast<std::size_t>(groups.k), Workload::kUnclassified);
  for (int c = 0; c < groups.k; ++c) {
    if (sizes[static_cast<std::size_t>(c)] > 0) {
      groups.centers.row(c) /= sizes[static_cast<std::size_t>(c)];
    }
    names[static_cast<std::size_t>(c)] = NameWorkload(groups.centers.row(c));
  }
  for (std::size_t i = 0; i < profiles.size(); ++i) {
    groups.workloads[i] = names[static_cast<std::size_t>(groups.clusters[i])];
  }
  return groups;
}

}  // namespace costwise::rightsizing
