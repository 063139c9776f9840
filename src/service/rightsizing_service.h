#pragma once
// Right-sizing from files, with no account connected: an inventory and its CloudWatch metrics
// (`costwise rightsize --inventory INV.csv --metrics METRICS.csv`). Each running instance gets a
// utilization profile and a recommendation (docs/rightsizing.md).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "engines/rightsizing/profile.h"
#include "engines/rightsizing/recommend.h"
#include "ingest/instances_csv.h"

namespace costwise::service {

struct RightsizeFileOptions {
  std::string inventory_path;
  std::string metrics_path;
  std::string catalog_path;  // empty = the built-in catalog
  int lookback_days = 14;
  // The lookback's end (seconds since the epoch); empty = the end of the hour of the newest
  // metric sample, so a file of past data is judged on its own last weeks.
  std::optional<std::int64_t> lookback_end;
  rightsizing::SizingPolicy policy;
};

struct InstanceRecommendation {
  ingest::InventoryRow instance;
  rightsizing::UtilizationProfile profile;
  rightsizing::Recommendation recommendation;
};

struct RightsizeReport {
  std::vector<InstanceRecommendation> instances;  // running instances, in inventory order
  std::vector<std::string> skipped;               // "i-0def (stopped)", ...
  std::string catalog_source;
  std::int64_t lookback_end = 0;
  int lookback_days = 0;
  double monthly_savings = 0;  // the best option of every over-provisioned or idle instance
};

// InvalidInput for unreadable files (the message names file and line), a lookback other than
// 14, 32 or 93 days, or an instance type or region the catalog does not price.
[[nodiscard]] Result<RightsizeReport> RightsizeFiles(const RightsizeFileOptions& options);

}  // namespace costwise::service
