#include "service/recommendation_apply.h"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <numeric>

#include <fmt/format.h>

#include "core/tags.h"
#include "ingest/aws/ec2.h"
#include "service/rightsizing_tenant.h"

namespace costwise::service {
namespace {

constexpr std::size_t kMaxPageSize = 1000;
constexpr std::int64_t kHourSeconds = 3600;
constexpr std::int64_t kDaySeconds = 86'400;
constexpr double kP95 = 0.95;

bool Matches(const ResourceRecommendation& recommendation, const RecommendationQuery& query) {
  if (query.status && recommendation.status != *query.status) return false;
  if (query.kind && recommendation.kind != *query.kind) return false;
  if (!query.finding.empty() && recommendation.finding != query.finding) return false;
  return !query.min_savings || recommendation.monthly_savings >= *query.min_savings;
}

MetricSummary Summarise(MetricSeriesRecord series) {
  MetricSummary summary;
  summary.metric = std::move(series.metric);
  std::vector<double>& values = series.values;
  summary.samples = values.size();
  if (values.empty()) return summary;
  summary.mean =
      std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size());
  std::sort(values.begin(), values.end());
  summary.max = values.back();
  const auto rank = static_cast<std::size_t>(std::ceil(kP95 * static_cast<double>(values.size())));
  summary.p95 = values[std::max<std::size_t>(rank, 1) - 1];
  return summary;
}

// The instance's metrics over the lookback ending at the end of the hour of the tenant's newest
// sample; empty metrics when it has none.
Result<UtilizationSummary> Utilization(store::Repository& repository, std::int64_t tenant_id,
                                       const std::string& instance_id) {
  UtilizationSummary utilization;
  auto newest = repository.NewestMetricSample(tenant_id);
  if (!newest) return unexpected(std::move(newest.error()));
  if (!newest->has_value()) return utilization;
  utilization.to = (**newest / kHourSeconds + 1) * kHourSeconds;
  utilization.from = utilization.to - kUtilizationLookbackDays * kDaySeconds;
  auto series =
      repository.ReadInstanceMetrics(tenant_id, instance_id, utilization.from, utilization.to);
  if (!series) return unexpected(std::move(series.error()));
  for (MetricSeriesRecord& record : *series) {
    utilization.metrics.push_back(Summarise(std::move(record)));
  }
  return utilization;
}

std::string Dollars(Money money) { return fmt::format("${}", money.ToString(2)); }

// What carrying out the recommendation changes, in the cloud and in costwise.
std::vector<std::string> ChangesOf(const ResourceRecommendation& r) {
  std::vector<std::string> changes;
  if (r.action == "resize") {
    changes.push_back(fmt::format("instance {} in {}: type {} -> {} (stopped and started again)",
                                  r.resource_id, r.region, r.current_type, r.recommended_type));
  } else if (r.action == "stop") {
    changes.push_back(fmt::format(
        "instance {} in {}: stopped; its compute charges stop, its EBS volumes stay billed",
        r.resource_id, r.region));
  } else if (r.action == "delete") {
    changes.push_back(
        fmt::format("volume {} in {}: snapshotted, then deleted", r.resource_id, r.region));
  } else if (r.action == "release") {
    changes.push_back(fmt::format("address {} in {}: released", r.resource_id, r.region));
  }
  changes.push_back(
      fmt::format("monthly cost: {} -> {} (saves {} a month)", Dollars(r.current_monthly_cost),
                  Dollars(r.current_monthly_cost - r.monthly_savings), Dollars(r.monthly_savings)));
  changes.push_back(fmt::format("recommendation {}: status {} -> applied", r.id,
                                RecommendationStatusName(r.status)));
  return changes;
}

std::vector<ApplyCheck> ChecksOf(const ResourceRecommendation& r) {
  std::vector<ApplyCheck> checks;
  checks.push_back(
      {fmt::format("the recommendation is open (it is {})", RecommendationStatusName(r.status)),
       r.status == RecommendationStatus::kOpen ? "passed" : "failed"});
  checks.push_back({"there are commands to run",
                    r.aws_cli.empty() && r.terraform.empty() ? "failed" : "passed"});
  checks.push_back({"an onboarded AWS account with the optional apply permissions", "needs-aws"});
  if (r.kind == RecommendationKind::kInstance) {
    checks.push_back(
        {fmt::format("instance {} still exists with type {}", r.resource_id, r.current_type),
         "needs-aws"});
  } else {
    checks.push_back(
        {fmt::format("{} is still unattached or unassociated", r.resource_id), "needs-aws"});
  }
  return checks;
}

void AppendStringArray(std::string& out, const std::vector<std::string>& texts) {
  out.push_back('[');
  for (std::size_t i = 0; i < texts.size(); ++i) {
    if (i > 0) out.push_back(',');
    AppendJsonString(out, texts[i]);
  }
  out.push_back(']');
}

}  // namespace

Result<RecommendationPage> FindRecommendations(store::Repository& repository,
                                               std::string_view tenant,
                                               const RecommendationQuery& query) {
  if (query.limit == 0 || query.limit > kMaxPageSize) {
    return MakeError(ErrorCode::kInvalidInput,
                     fmt::format("limit must be from 1 to {}", kMaxPageSize));
  }
  auto all = ListRecommendations(repository, tenant, std::nullopt);
  if (!all) return unexpected(std::move(all.error()));
  RecommendationPage page{std::string(tenant), 0, {}};
  std::vector<ResourceRecommendation> matching;
  for (ResourceRecommendation& recommendation : *all) {
    if (Matches(recommendation, query)) matching.push_back(std::move(recommendation));
  }
  page.total = matching.size();
  const std::size_t first = std::min(query.offset, matching.size());
  const std::size_t last = std::min(matching.size(), first + query.limit);
  page.recommendations.assign(
      std::make_move_iterator(matching.begin() + static_cast<std::ptrdiff_t>(first)),
      std::make_move_iterator(matching.begin() + static_cast<std::ptrdiff_t>(last)));
  return page;
}

Result<RecommendationDetail> GetRecommendationDetail(store::Repository& repository,
                                                     std::string_view tenant, std::int64_t id) {
  auto recommendation = GetRecommendation(repository, tenant, id);
  if (!recommendation) return unexpected(std::move(recommendation.error()));
  auto tenant_row = repository.FindTenant(tenant);
  if (!tenant_row) return unexpected(std::move(tenant_row.error()));
  RecommendationDetail detail{std::move(*recommendation), std::nullopt, {}};
  if (detail.recommendation.kind == RecommendationKind::kInstance) {
    auto utilization = Utilization(repository, tenant_row->id, detail.recommendation.resource_id);
    if (!utilization) return unexpected(std::move(utilization.error()));
    detail.utilization = std::move(*utilization);
  }
  auto requests = repository.ListRecommendationActions(tenant_row->id, id);
  if (!requests) return unexpected(std::move(requests.error()));
  detail.apply_requests = std::move(*requests);
  return detail;
}

Result<ResourceRecommendation> DismissRecommendation(store::Repository& repository,
                                                     std::string_view tenant, std::int64_t id,
                                                     std::int64_t now) {
  return SetRecommendationStatus(repository, tenant, id, RecommendationStatus::kDismissed,
                                 std::nullopt, now);
}

Result<ResourceRecommendation> SnoozeRecommendation(store::Repository& repository,
                                                    std::string_view tenant, std::int64_t id,
                                                    Date until, std::int64_t now) {
  return SetRecommendationStatus(repository, tenant, id, RecommendationStatus::kSnoozed,
                                 static_cast<std::int64_t>(until.days()) * kDaySeconds, now);
}

Result<ResourceRecommendation> ReopenRecommendation(store::Repository& repository,
                                                    std::string_view tenant, std::int64_t id,
                                                    std::int64_t now) {
  return SetRecommendationStatus(repository, tenant, id, RecommendationStatus::kOpen, std::nullopt,
                                 now);
}

namespace {

// The onboarded account whose role sees the instance, with a client in its region.
struct InstanceOwner {
  store::CloudAccountRecord account;
  std::unique_ptr<aws::AwsClient> client;
};

Result<InstanceOwner> FindInstanceOwner(store::Repository& repository, std::int64_t tenant_id,
                                        const ResourceRecommendation& recommendation,
                                        const AwsSyncOptions& aws) {
  auto accounts = repository.ListCloudAccounts(tenant_id);
  if (!accounts) return unexpected(std::move(accounts.error()));
  std::vector<std::string> tried;
  for (const store::CloudAccountRecord& account : *accounts) {
    if (account.role_arn.empty()) continue;
    auto client = AccountClient(account, recommendation.region, aws);
    auto found = aws::DescribeInstances(*client, {recommendation.resource_id});
    if (found && !found->empty()) return InstanceOwner{account, std::move(client)};
    tried.push_back(found ? fmt::format("{}: not there", account.account_id)
                          : fmt::format("{}: {}", account.account_id, found.error().Describe()));
  }
  if (tried.empty()) {
    return MakeError(ErrorCode::kConflict,
                     "no onboarded AWS account has a role ARN: connect the account first");
  }
  return MakeError(
      ErrorCode::kConflict,
      fmt::format("no onboarded account has instance {} in {} ({})", recommendation.resource_id,
                  recommendation.region, fmt::join(tried, "; ")));
}

}  // namespace

namespace {

// The plan of a recommendation as the audit log and the answers show it.
ApplyPlan PlanOf(ResourceRecommendation recommendation, bool dry_run) {
  ApplyPlan plan;
  plan.recommendation = std::move(recommendation);
  plan.dry_run = dry_run;
  plan.aws_cli = plan.recommendation.aws_cli;
  plan.terraform = plan.recommendation.terraform;
  plan.checks = ChecksOf(plan.recommendation);
  plan.changes = ChangesOf(plan.recommendation);
  plan.ready = std::none_of(plan.checks.begin(), plan.checks.end(),
                            [](const ApplyCheck& check) { return check.status == "failed"; });
  return plan;
}

// Asks AWS: the dry run, or the apply itself, writing each step to the recorded request.
Result<ApplyPlan> ThroughAws(store::Repository& repository, std::int64_t tenant_id,
                             const std::string& tenant_name, ApplyPlan plan,
                             const AwsSyncOptions& aws, const Ec2ApplyOptions& apply_options,
                             std::int64_t now) {
  const ResourceRecommendation r = plan.recommendation;
  auto owner = FindInstanceOwner(repository, tenant_id, r, aws);
  if (!owner) {
    plan.outcome = "refused";
    plan.message = owner.error().message;
    (void)repository.UpdateRecommendationAction(tenant_id, plan.request_id, ApplyPlanJson(plan),
                                                "refused");
    return unexpected(std::move(owner.error()));
  }
  Ec2ApplyOptions options = apply_options;
  options.on_step = [&](const std::vector<ApplyStepRecord>& steps) {
    plan.steps = steps;
    // The audit log follows the apply: a crash leaves the last step done on record.
    (void)repository.UpdateRecommendationAction(tenant_id, plan.request_id, ApplyPlanJson(plan),
                                                "in-progress");
    if (apply_options.on_step) apply_options.on_step(steps);
  };
  const InstanceChange change{r.resource_id, r.current_type,
                              r.action == "resize" ? r.recommended_type : ""};
  Ec2ApplyOutcome outcome = ApplyInstanceChange(*owner->client, change, plan.dry_run, options);
  plan.steps = std::move(outcome.steps);
  plan.outcome = outcome.outcome;
  plan.message = outcome.message;
  plan.ready = outcome.outcome != "refused";
  for (ApplyCheck& check : plan.checks) {
    if (check.status == "needs-aws") check.status = plan.ready ? "passed" : "failed";
  }
  if (Status updated = repository.UpdateRecommendationAction(tenant_id, plan.request_id,
                                                             ApplyPlanJson(plan), plan.outcome);
      !updated) {
    return unexpected(std::move(updated.error()));
  }
  if (plan.outcome == "refused") {
    return MakeError(ErrorCode::kConflict,
                     fmt::format("recommendation {}: {}", r.id, plan.message));
  }
  if (plan.outcome == "applied") {
    auto marked = SetRecommendationStatus(repository, tenant_name, r.id,
                                          RecommendationStatus::kApplied, std::nullopt, now);
    if (!marked) return unexpected(std::move(marked.error()));
    plan.recommendation = std::move(*marked);
  }
  return plan;
}

}  // namespace

Result<ApplyPlan> ApplyRecommendation(store::Repository& repository, const Principal& caller,
                                      std::int64_t id, bool dry_run, std::int64_t now,
                                      const AwsSyncOptions* aws,
                                      const Ec2ApplyOptions& apply_options) {
  auto recommendation = GetRecommendation(repository, caller.tenant_name, id);
  if (!recommendation) return unexpected(std::move(recommendation.error()));
  ApplyPlan plan = PlanOf(std::move(*recommendation), dry_run);
  const ResourceRecommendation& r = plan.recommendation;
  bool through_aws = aws != nullptr && r.kind == RecommendationKind::kInstance &&
                     (r.action == "resize" || r.action == "stop");
  if (through_aws) {
    // Without an onboarded account (a role ARN) there is nothing to ask AWS with: the plan only.
    auto accounts = repository.ListCloudAccounts(caller.tenant_id);
    if (!accounts) return unexpected(std::move(accounts.error()));
    through_aws = std::any_of(accounts->begin(), accounts->end(),
                              [](const auto& account) { return !account.role_arn.empty(); });
  }
  if (through_aws) {
    if (r.status != RecommendationStatus::kOpen) {
      return MakeError(ErrorCode::kConflict, fmt::format("recommendation {} is {}, not open", id,
                                                         RecommendationStatusName(r.status)));
    }
    store::RecommendationActionRecord request;
    request.recommendation_id = id;
    request.user_id = caller.user_id;
    request.requested_at = now;
    request.dry_run = dry_run;
    request.plan = ApplyPlanJson(plan);
    request.outcome = dry_run ? "in-progress" : "queued";
    auto request_id = repository.RecordRecommendationAction(caller.tenant_id, request);
    if (!request_id) return unexpected(std::move(request_id.error()));
    plan.request_id = *request_id;
    if (dry_run) {
      return ThroughAws(repository, caller.tenant_id, caller.tenant_name, std::move(plan), *aws,
                        apply_options, now);
    }
    // The apply itself takes minutes (stop, resize, start): a job runs it (RunQueuedApply),
    // never retried on its own.
    auto job = repository.EnqueueJob(store::NewJob{
        caller.tenant_id, store::JobKind::kApply,
        fmt::format(R"({{"recommendation_id":{},"request_id":{}}})", id, plan.request_id), 1, now,
        now, false});
    if (!job) return unexpected(std::move(job.error()));
    plan.job_id = job->id;
    plan.outcome = "queued";
    plan.message = fmt::format("the apply runs in the background as job {}; the apply history "
                               "shows each step",
                               job->id);
    if (Status updated = repository.UpdateRecommendationAction(
            caller.tenant_id, plan.request_id, ApplyPlanJson(plan), "queued");
        !updated) {
      return unexpected(std::move(updated.error()));
    }
    return plan;
  }

  store::RecommendationActionRecord request;
  request.recommendation_id = id;
  request.user_id = caller.user_id;
  request.requested_at = now;
  request.dry_run = dry_run;
  request.plan = ApplyPlanJson(plan);
  request.outcome = dry_run ? "planned" : "refused";
  auto request_id = repository.RecordRecommendationAction(caller.tenant_id, request);
  if (!request_id) return unexpected(std::move(request_id.error()));
  if (!dry_run) {
    return MakeError(
        ErrorCode::kConflict,
        r.kind == RecommendationKind::kInstance
            ? fmt::format("recommendation {}: applying needs an onboarded AWS account with the "
                          "apply permissions (Settings, Connect AWS); send {{\"dry_run\": true}} "
                          "for the plan, or run its commands yourself",
                          id)
            : fmt::format("recommendation {}: costwise applies instance resizes and stops; run "
                          "this {}'s commands yourself (send {{\"dry_run\": true}} for them)",
                          id, RecommendationKindName(r.kind)));
  }
  plan.request_id = *request_id;
  return plan;
}

Result<ApplyPlan> RunQueuedApply(store::Repository& repository, std::int64_t tenant_id,
                                 const std::string& tenant_name, std::int64_t recommendation_id,
                                 std::int64_t request_id, const AwsSyncOptions& aws,
                                 const Ec2ApplyOptions& apply_options, std::int64_t now) {
  auto recommendation = GetRecommendation(repository, tenant_name, recommendation_id);
  if (!recommendation) return unexpected(std::move(recommendation.error()));
  ApplyPlan plan = PlanOf(std::move(*recommendation), false);
  plan.request_id = request_id;
  if (plan.recommendation.status != RecommendationStatus::kOpen) {
    plan.outcome = "refused";
    plan.message = fmt::format("recommendation {} is {}, not open", recommendation_id,
                               RecommendationStatusName(plan.recommendation.status));
    (void)repository.UpdateRecommendationAction(tenant_id, request_id, ApplyPlanJson(plan),
                                                "refused");
    return MakeError(ErrorCode::kConflict, plan.message);
  }
  return ThroughAws(repository, tenant_id, tenant_name, std::move(plan), aws, apply_options, now);
}

std::string ApplyPlanJson(const ApplyPlan& plan) {
  std::string out = R"({"aws_cli":)";
  AppendStringArray(out, plan.aws_cli);
  out.append(R"(,"terraform":)");
  AppendJsonString(out, plan.terraform);
  out.append(R"(,"checks":[)");
  for (std::size_t i = 0; i < plan.checks.size(); ++i) {
    if (i > 0) out.push_back(',');
    out.append(R"({"check":)");
    AppendJsonString(out, plan.checks[i].check);
    out.append(R"(,"status":)");
    AppendJsonString(out, plan.checks[i].status);
    out.push_back('}');
  }
  out.append(R"(],"changes":)");
  AppendStringArray(out, plan.changes);
  out.append(plan.ready ? R"(,"ready":true)" : R"(,"ready":false)");
  if (plan.job_id != 0) out.append(fmt::format(R"(,"job_id":{})", plan.job_id));
  if (!plan.outcome.empty()) {
    out.append(R"(,"outcome":)");
    AppendJsonString(out, plan.outcome);
    out.append(R"(,"message":)");
    AppendJsonString(out, plan.message);
    out.append(R"(,"steps":[)");
    for (std::size_t i = 0; i < plan.steps.size(); ++i) {
      if (i > 0) out.push_back(',');
      out.append(R"({"step":)");
      AppendJsonString(out, plan.steps[i].step);
      out.append(R"(,"status":)");
      AppendJsonString(out, plan.steps[i].status);
      out.append(R"(,"detail":)");
      AppendJsonString(out, plan.steps[i].detail);
      out.append(fmt::format(R"(,"at":{}}})", plan.steps[i].at));
    }
    out.push_back(']');
  }
  out.push_back('}');
  return out;
}

}  // namespace costwise::service
