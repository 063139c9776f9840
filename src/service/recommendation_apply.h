#pragma once
// A tenant's stored right-sizing recommendations as the API shows them (docs/service.md, "ML
// endpoints"): filtered and paged lists, the detail with the instance's utilization and the
// apply requests, and apply itself: a dry run answers the plan (the exact commands, the checks,
// what would change) and records the request; the real apply needs the AWS connectors.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/date.h"
#include "core/error.h"
#include "core/money.h"
#include "core/resource_recommendation.h"
#include "service/auth.h"
#include "service/aws_sync.h"
#include "service/ec2_apply.h"
#include "store/repository.h"

namespace costwise::service {

struct RecommendationQuery {
  std::optional<RecommendationStatus> status;
  std::optional<RecommendationKind> kind;
  std::string finding;  // "" = any: "over-provisioned", "idle", "unattached-volume", ...
  std::optional<Money> min_savings;
  std::size_t limit = 50;
  std::size_t offset = 0;
};

struct RecommendationPage {
  std::string tenant;
  std::size_t total = 0;                                // recommendations that match, on every page
  std::vector<ResourceRecommendation> recommendations;  // largest monthly savings first
};

// InvalidInput for a limit of 0 or over 1,000.
[[nodiscard]] Result<RecommendationPage> FindRecommendations(store::Repository& repository,
                                                             std::string_view tenant,
                                                             const RecommendationQuery& query);

// One CloudWatch metric of an instance over the lookback.
struct MetricSummary {
  std::string metric;  // as imported: "CPUUtilization", "mem_used_percent", ...
  std::size_t samples = 0;
  double mean = 0;
  double p95 = 0;  // nearest rank
  double max = 0;
};

struct UtilizationSummary {
  std::int64_t from = 0;  // Unix seconds, from <= t < to; to is the end of the newest sample's
  std::int64_t to = 0;    // hour, as right-sizing's lookback
  std::vector<MetricSummary> metrics;  // by name
};

struct RecommendationDetail {
  ResourceRecommendation recommendation;
  std::optional<UtilizationSummary> utilization;                  // instances only
  std::vector<store::RecommendationActionRecord> apply_requests;  // newest first
};

inline constexpr int kUtilizationLookbackDays = 14;

// NotFound for an id that is not the tenant's.
[[nodiscard]] Result<RecommendationDetail> GetRecommendationDetail(store::Repository& repository,
                                                                   std::string_view tenant,
                                                                   std::int64_t id);

// Status changes of one of the tenant's recommendations (SetRecommendationStatus):
// dismissed, snoozed until the start (UTC) of `until`, which must be after `now`, or open again.
// NotFound for an id that is not the tenant's.
[[nodiscard]] Result<ResourceRecommendation> DismissRecommendation(store::Repository& repository,
                                                                   std::string_view tenant,
                                                                   std::int64_t id,
                                                                   std::int64_t now);
[[nodiscard]] Result<ResourceRecommendation> SnoozeRecommendation(store::Repository& repository,
                                                                  std::string_view tenant,
                                                                  std::int64_t id, Date until,
                                                                  std::int64_t now);
[[nodiscard]] Result<ResourceRecommendation> ReopenRecommendation(store::Repository& repository,
                                                                  std::string_view tenant,
                                                                  std::int64_t id,
                                                                  std::int64_t now);

// A precondition of applying, and what costwise knows of it now.
struct ApplyCheck {
  std::string check;
  std::string status;  // "passed", "failed", or "needs-aws" (the connectors will check it)
};

struct ApplyPlan {
  ResourceRecommendation recommendation;
  std::vector<std::string> aws_cli;  // the exact commands, in order ("# " lines are comments)
  std::string terraform;
  std::vector<ApplyCheck> checks;
  std::vector<std::string> changes;  // what applying would change
  bool ready = false;                // every check costwise can run passed
  std::int64_t request_id = 0;       // the recorded request
  bool dry_run = true;
  // With AWS access (an instance's resize or stop): what happened, step by step.
  std::string outcome;  // planned | queued | applied | rolled-back | failed (refused: an error)
  std::int64_t job_id = 0;  // the apply job, when queued
  std::string message;
  std::vector<ApplyStepRecord> steps;
};

// Plans applying the recommendation and records the request (who, when, dry run, the plan, the
// outcome) in the audit log.
//
// With `aws` (the server's AWS access) and an instance resize or stop, it goes through AWS
// (service/ec2_apply.h) with the role of the onboarded account that has the instance: a dry run
// asks AWS to check the permissions and the instance (outcome "planned"); a real apply is
// queued as an "apply" job (outcome "queued", `job_id`) that RunQueuedApply runs: it stops,
// resizes and starts the instance, rolling back on failure ("applied", "rolled-back" or
// "failed", the recommendation marked applied on success). Each step is written to the audit
// log as it happens. Conflict when AWS refuses (a missing permission, an instance that changed)
// or no onboarded account has the instance; nothing is changed then.
//
// Without AWS access or an onboarded account with a role, or for volumes and addresses, a dry
// run answers the plan and a real apply
// is recorded as "refused" and answers Conflict. NotFound for an id that is not the caller's
// organisation's.
[[nodiscard]] Result<ApplyPlan> ApplyRecommendation(store::Repository& repository,
                                                    const Principal& caller, std::int64_t id,
                                                    bool dry_run, std::int64_t now,
                                                    const AwsSyncOptions* aws = nullptr,
                                                    const Ec2ApplyOptions& apply_options = {});

// The apply job's work: the recorded request `request_id` carried out through AWS, as above.
[[nodiscard]] Result<ApplyPlan> RunQueuedApply(store::Repository& repository,
                                               std::int64_t tenant_id,
                                               const std::string& tenant_name,
                                               std::int64_t recommendation_id,
                                               std::int64_t request_id, const AwsSyncOptions& aws,
                                               const Ec2ApplyOptions& apply_options,
                                               std::int64_t now);

// The plan as the JSON the audit log stores: {"aws_cli", "terraform", "checks", "changes",
// "ready"}, plus "outcome", "message" and "steps" [{"step", "status", "detail", "at"}] when AWS
// was asked.
[[nodiscard]] std::string ApplyPlanJson(const ApplyPlan& plan);

}  // namespace costwise::service
