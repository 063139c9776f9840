#pragma once
// Right-sizing a tenant through the store (docs/rightsizing.md, "Tenants and stored
// recommendations"): its inventory and CloudWatch metrics imported from the file formats of
// `costwise rightsize` (the AWS connectors will fill the same tables), right-sized by the same
// pipeline as the file mode (Rightsize), and the recommendations stored with their AWS CLI
// commands, Terraform change, model version and status.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/resource_recommendation.h"
#include "engines/rightsizing/recommend.h"
#include "ingest/instances_csv.h"
#include "service/rightsizing_service.h"
#include "store/repository.h"

namespace costwise::service {

struct ImportedInventoryFile {
  std::string path;
  ingest::InventoryKind kind = ingest::InventoryKind::kInstances;
  std::size_t rows = 0;
};

struct InventoryImportSummary {
  std::string tenant;
  std::vector<ImportedInventoryFile> files;
  store::InventoryReplaceSummary changes;  // set for the kinds the files hold
};

// Reads every file (instances, volumes or addresses, told apart by the header), then, in one
// transaction, replaces the tenant's resources of each kind the files hold with theirs (files of
// one kind add up). Creates the tenant. InvalidInput "path:line: reason" for a bad row, or for a
// resource listed twice (in one file or in two of one kind): then nothing is stored.
[[nodiscard]] Result<InventoryImportSummary> ImportInventory(store::Repository& repository,
                                                             std::string_view tenant,
                                                             const std::vector<std::string>& paths);

struct MetricsImportSummary {
  std::string tenant;
  std::string path;
  std::int64_t instances = 0;
  store::MetricUpsertSummary samples;
};

// Reads the metrics file and stores its samples in one transaction: a sample already stored
// (same instance, metric and time) takes the file's value, so importing a file twice changes
// nothing. Creates the tenant. InvalidInput "path:line: reason" for a bad row: nothing stored.
[[nodiscard]] Result<MetricsImportSummary> ImportMetrics(store::Repository& repository,
                                                         std::string_view tenant,
                                                         const std::string& path);

struct TenantRightsizeOptions {
  int lookback_days = 14;        // 14, 32 or 93
  std::string catalog_path;      // empty = the built-in catalog
  std::string performance_path;  // empty = the built-in relative performance table
  rightsizing::SizingPolicy policy;
  // Called after each instance is profiled, with (done, total); may be empty.
  std::function<void(std::size_t, std::size_t)> progress;
  std::int64_t now = 0;  // Unix seconds; 0 = the clock
};

// How many of the stored recommendations have each status after the run.
struct StoredRecommendationCounts {
  std::int64_t open = 0;
  std::int64_t applied = 0;
  std::int64_t dismissed = 0;
  std::int64_t snoozed = 0;
};

struct TenantRightsizeResult {
  RightsizeReport report;
  std::vector<ResourceRecommendation> stored;  // as stored by this run, with ids and status
  StoredRecommendationCounts counts;
  std::int64_t model_id = 0;  // the ml_models row of the sizing policy
};

// Right-sizes the tenant's stored inventory: the lookback ends at the end of the hour of the
// tenant's newest sample (LookbackEndAfter), each instance's samples in the lookback are read from
// the store when the pipeline asks for them, and the recommendations (every instance with an
// option, every idle volume and address) replace the tenant's open ones in one transaction,
// keeping the status of those dismissed, snoozed or applied (ReplaceRecommendations). NotFound
// for an unknown tenant or one without inventory; InvalidInput as Rightsize (an unpriced type
// names the inventory file and line it was imported from).
[[nodiscard]] Result<TenantRightsizeResult> RightsizeTenant(store::Repository& repository,
                                                            std::string_view tenant,
                                                            const TenantRightsizeOptions& options);

// The tenant's stored recommendations (all, or those with `status`), largest savings first.
[[nodiscard]] Result<std::vector<ResourceRecommendation>> ListRecommendations(
    store::Repository& repository, std::string_view tenant,
    std::optional<RecommendationStatus> status);

// One of the tenant's stored recommendations. NotFound for an id that is not the tenant's.
[[nodiscard]] Result<ResourceRecommendation> GetRecommendation(store::Repository& repository,
                                                               std::string_view tenant,
                                                               std::int64_t id);

// Sets a recommendation's status: snoozed needs `snoozed_until` after `now`; the others take
// none. NotFound for an id that is not the tenant's.
[[nodiscard]] Result<ResourceRecommendation> SetRecommendationStatus(
    store::Repository& repository, std::string_view tenant, std::int64_t id,
    RecommendationStatus status, std::optional<std::int64_t> snoozed_until, std::int64_t now);

// What a report recommends, for the store: every instance with an option (its best one: resize
// or stop) and every idle resource, with their actions (rightsizing_actions.h) and `model_id`.
[[nodiscard]] std::vector<ResourceRecommendation> RecommendationsOf(const RightsizeReport& report,
                                                                    std::int64_t model_id);

// The sizing configuration a run used, as ml_models.params (JSON).
[[nodiscard]] std::string RightsizingModelParams(const rightsizing::SizingPolicy& policy,
                                                 int lookback_days, std::string_view catalog_source,
                                                 std::string_view performance_source);

// The options of a recommendation as a JSON array, in the shape of `costwise rightsize --format
// json`'s "options".
[[nodiscard]] std::string SizingOptionsJson(const std::vector<rightsizing::SizingOption>& options);

}  // namespace costwise::service
