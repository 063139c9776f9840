#pragma once
// A stored right-sizing recommendation: one action on one resource of a tenant (resize or stop
// an EC2 instance, delete an unattached EBS volume, release an unassociated Elastic IP), with
// what it saves, how sure and how risky it is, the exact AWS CLI commands and Terraform change
// that carry it out, the model version that made it, and what the team decided about it.
// docs/rightsizing.md ("Tenants and stored recommendations") explains every field.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/money.h"

namespace costwise {

enum class RecommendationKind { kInstance, kVolume, kAddress };
// Open until someone decides: applied (carried out), dismissed (not wanted) or snoozed (not
// now: open again once `snoozed_until` has passed and a run recommends it again).
enum class RecommendationStatus { kOpen, kApplied, kDismissed, kSnoozed };

// "instance", "volume", "address" / "open", "applied", "dismissed", "snoozed"; the Parse
// functions accept exactly these names.
[[nodiscard]] std::string_view RecommendationKindName(RecommendationKind kind);
[[nodiscard]] std::string_view RecommendationStatusName(RecommendationStatus status);
[[nodiscard]] std::optional<RecommendationKind> ParseRecommendationKind(std::string_view text);
[[nodiscard]] std::optional<RecommendationStatus> ParseRecommendationStatus(std::string_view text);

struct ResourceRecommendation {
  std::int64_t id = 0;  // 0 until stored
  RecommendationKind kind = RecommendationKind::kInstance;
  std::string resource_id;  // "i-0abc", "vol-0abc", "eipalloc-0abc" (or the public IP)
  std::string region;
  // "over-provisioned", "under-provisioned", "idle", "unattached-volume", "unassociated-address"
  std::string finding;
  std::string action;            // "resize", "stop", "delete", "release"
  std::string current_type;      // the instance type; "" for volumes and addresses
  std::string recommended_type;  // the type to resize to; "" for the other actions
  std::string summary;           // one line
  // Every option considered, best first, as a JSON array (the shape of `costwise rightsize
  // --format json`'s "options"); "[]" for volumes and addresses.
  std::string options_json = "[]";
  std::optional<int> performance_risk;  // 0..4, of the recommended option; empty without one
  Money current_monthly_cost;
  Money monthly_savings;             // negative when the fix costs more (under-provisioned)
  double confidence = 0;             // [0, 1]
  std::int64_t model_id = 0;         // the ml_models row of the sizing policy that made it
  std::string model_version;         // "rightsizing/1" (read from the store)
  std::vector<std::string> aws_cli;  // in order; an element starting with '#' is a comment
  std::string terraform;
  RecommendationStatus status = RecommendationStatus::kOpen;
  std::optional<std::int64_t> snoozed_until;  // Unix seconds, while snoozed
  std::int64_t created_at = 0;                // Unix seconds: first recommended
  std::int64_t updated_at = 0;                // last run that recommended it, or status change
};

// The identity of a recommendation across runs: the same kind of resource, resource id, action
// and recommended type. A re-run keeps the status of a stored recommendation with this identity.
[[nodiscard]] bool SameRecommendedAction(const ResourceRecommendation& a,
                                         const ResourceRecommendation& b);

// "resize i-0abc to m5.large", "stop i-0abc", "delete vol-0abc", "release eipalloc-0abc".
[[nodiscard]] std::string RecommendedActionLabel(const ResourceRecommendation& recommendation);

}  // namespace costwise
