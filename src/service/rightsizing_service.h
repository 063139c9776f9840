#pragma once
// Right-sizing a fleet: each running instance gets a utilization profile and a recommendation,
// and the inventory's unattached volumes and unassociated addresses are listed as idle
// (docs/rightsizing.md). Two front doors share one pipeline: files with no account connected
// (`costwise rightsize --inventory INV.csv --metrics METRICS.csv`) and a tenant's stored
// inventory and metrics.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/cloud_inventory.h"
#include "core/error.h"
#include "engines/rightsizing/catalog.h"
#include "engines/rightsizing/idle_resources.h"
#include "engines/rightsizing/performance.h"
#include "engines/rightsizing/profile.h"
#include "engines/rightsizing/recommend.h"
#include "engines/rightsizing/workload.h"
#include "ingest/instances_csv.h"

namespace costwise::service {

// One instance's metrics by CloudWatch name (CPUUtilization, mem_used_percent, NetworkIn, ...).
using InstanceMetrics = std::map<std::string, ingest::MetricSeries>;
// Hands over one instance's metrics at a time, so a fleet's samples are never in memory together.
// An instance without metrics gets an empty map.
using MetricsLookup = std::function<Result<InstanceMetrics>(const CloudInstance& instance)>;

struct RightsizeInput {
  std::vector<CloudInstance> instances;
  MetricsLookup metrics;
  std::vector<CloudVolume> volumes;
  std::vector<CloudAddress> addresses;
  std::string inventory_source;  // a path or "tenant NAME", for error messages
  std::string metrics_source;
};

struct RightsizeOptions {
  int lookback_days = 14;
  std::int64_t lookback_end = 0;  // seconds since the epoch
  rightsizing::SizingPolicy policy;
  rightsizing::PerformanceTable performance = rightsizing::PerformanceTable::Default();
  rightsizing::WorkloadOptions workloads;
  // Called after each instance is profiled, with (done, total); may be empty.
  std::function<void(std::size_t, std::size_t)> progress;
};

struct InstanceRecommendation {
  CloudInstance instance;
  rightsizing::UtilizationProfile profile;
  rightsizing::Recommendation recommendation;  // its workload is the instance's group's name
  int cluster = -1;  // k-means cluster, -1 when not clustered (insufficient data, small fleet)
  std::vector<double> features;  // the workload features k-means saw (workload.h), unscaled
  // The instance's own pattern by the same rules; the headroom is the more cautious of the two.
  rightsizing::Workload own_workload = rightsizing::Workload::kUnclassified;
};

// The fleet's workload groups: k chosen by silhouette, each cluster's size, center and name.
struct WorkloadCluster {
  rightsizing::Workload workload = rightsizing::Workload::kUnclassified;
  std::size_t instances = 0;
  std::vector<double> center;
};

struct RightsizeTimings {
  double read_seconds = 0;  // reading input files (file mode)
  double profile_seconds = 0;
  double cluster_seconds = 0;
  double recommend_seconds = 0;
};

struct RightsizeReport {
  std::vector<InstanceRecommendation> instances;          // running instances, in inventory order
  std::vector<std::string> skipped;                       // "i-0def (stopped)", ...
  std::vector<rightsizing::IdleResource> idle_resources;  // largest cost first
  std::vector<WorkloadCluster> clusters;                  // empty when named one by one
  std::vector<double> silhouettes;                        // for k = 2, 3, ...
  RightsizeTimings timings;
  std::string catalog_source;
  std::int64_t lookback_end = 0;
  int lookback_days = 0;
  // The best option of every over-provisioned or idle instance, plus every idle resource.
  double monthly_savings = 0;
};

// InvalidInput for a lookback other than 14, 32 or 93 days, unreadable metrics (the message
// names the instance), an instance type or region the catalog does not price (the message names
// the inventory line), or a volume of unknown type.
[[nodiscard]] Result<RightsizeReport> Rightsize(const RightsizeInput& input,
                                                const rightsizing::InstanceCatalog& catalog,
                                                std::string catalog_source,
                                                const RightsizeOptions& options);

struct RightsizeFileOptions {
  std::string inventory_path;
  std::string metrics_path;
  std::string volumes_path;      // optional
  std::string addresses_path;    // optional
  std::string catalog_path;      // empty = the built-in catalog
  std::string performance_path;  // empty = the built-in relative performance table
  int lookback_days = 14;
  // The lookback's end (seconds since the epoch); empty = the end of the hour of the newest
  // metric sample, so a file of past data is judged on its own last weeks.
  std::optional<std::int64_t> lookback_end;
  rightsizing::SizingPolicy policy;
  // Called after each instance is profiled, with (done, total); may be empty.
  std::function<void(std::size_t, std::size_t)> progress;
};

// Right-sizing from files. InvalidInput for unreadable files (the message names file and line),
// and as Rightsize.
[[nodiscard]] Result<RightsizeReport> RightsizeFiles(const RightsizeFileOptions& options);

// The pipeline's options as both front doors set them: the performance file read over the
// built-in table when one is named (errors as ReadPerformanceTable); lookback_end is left to the
// caller.
[[nodiscard]] Result<RightsizeOptions> PipelineOptions(
    int lookback_days, const rightsizing::SizingPolicy& policy, const std::string& performance_path,
    std::function<void(std::size_t, std::size_t)> progress);

// The catalog named by a path (empty = the built-in one) and its source for reports.
struct LoadedCatalog {
  rightsizing::InstanceCatalog catalog;
  std::string source;
};
[[nodiscard]] Result<LoadedCatalog> LoadCatalog(const std::string& catalog_path);

// The end of the hour after `newest` (seconds since the epoch): a whole-hour lookback window
// that includes the newest sample.
[[nodiscard]] std::int64_t LookbackEndAfter(std::int64_t newest);

}  // namespace costwise::service
