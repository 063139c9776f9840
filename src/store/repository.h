#pragma once
// The one storage interface. Two real backends implement it: SQLite (embedded, the default) and
// PostgreSQL 15, both through SOCI. All SQL and the versioned migrations live in src/store/.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/cloud_inventory.h"
#include "core/cost_anomaly.h"
#include "core/cost_cube.h"
#include "core/cost_forecast.h"
#include "core/date.h"
#include "core/error.h"
#include "core/metric_anomaly.h"
#include "core/resource_recommendation.h"
#include "store/alert_types.h"
#include "store/auth_types.h"
#include "store/cloud_account_types.h"
#include "store/job_types.h"

namespace costwise::store {

struct Tenant {
  std::int64_t id = 0;
  std::string name;
};

// What one ingest run replaces: every cube row of this provider's billing account in this
// billing period. AWS restates a month's CUR several times a day; the newest file wins whole.
struct BillingScope {
  std::string provider;
  std::string billing_account_id;
  Date billing_period;  // first day of the period
  friend auto operator<=>(const BillingScope&, const BillingScope&) = default;
};

// One input file of an ingest run, as recorded in ingest_runs.
struct IngestFileRecord {
  std::string path;
  std::string checksum;   // "xxh3-128:<hex>" of the file's bytes as stored (compressed when gzip)
  std::string format;     // "cur-legacy", "cur-2.0", "focus-1.0", ...
  std::int64_t rows = 0;  // data rows read
  std::int64_t rejected_rows = 0;  // rows that failed to parse, not ingested
  std::vector<Date> billing_periods;
};

// Produces cube rows in chunks: fills `chunk` (cleared first) and returns false when no rows are
// left. Lets a large cube go to the database without being copied into one vector.
using CubeRowReader = std::function<bool(std::vector<CubeRow>& chunk)>;

// Everything one `costwise ingest` invocation writes, applied in one transaction.
struct IngestBatch {
  std::vector<IngestFileRecord> files;
  std::vector<BillingScope> scopes;  // replaced whole
  std::vector<CubeRow> rows;         // the new cube cells of those scopes, given at once, or
  CubeRowReader row_reader;          // streamed in chunks (used when set, instead of rows)
  std::int64_t started_at = 0;       // Unix seconds
};

struct ReplaceSummary {
  std::int64_t rows_deleted = 0;
  std::int64_t rows_inserted = 0;
  std::vector<std::int64_t> run_ids;
};

struct IngestRunRecord {
  std::int64_t id = 0;
  std::string path;
  std::string checksum;
  std::string format;
  std::string billing_periods;  // "2023-11" or "2023-10,2023-11"
  std::int64_t rows = 0;
  std::int64_t rejected_rows = 0;
  std::string status;  // "completed"
  std::int64_t started_at = 0;
  std::int64_t finished_at = 0;
};

// The first and last day with cost data.
struct DayRange {
  Date first;
  Date last;
};

// Receives the cube rows of a scan in chunks, in no particular order.
using CubeRowSink = std::function<void(std::span<const CubeRow> chunk)>;

// A row of ml_models: one version of one model or detector configuration. A configuration that
// is not persisted (the series detector) has an empty path; its options go in params as JSON.
struct ModelRecord {
  std::string model_type;  // "series-detector"
  int version = 0;
  std::string params = "{}";
  std::string model_path;
};

// A row of ml_models that belongs to a tenant: one version of one of its models (model registry,
// schema version 9). A model is identified by its type and params; versions count up per tenant
// and type. Money-free: accuracy and metrics are the model's own measures.
struct TenantModel {
  std::int64_t id = 0;
  std::string model_type;          // "series-detector", "forecaster", "rightsizing"
  int version = 0;                 // 1, 2, ... per tenant and type
  std::int64_t trained_at = 0;     // Unix seconds: the last run that trained or ran it
  std::optional<double> accuracy;  // the type's headline measure (docs/service.md), if any
  std::string metrics = "{}";      // JSON object
  std::string params = "{}";       // JSON object: the configuration
  std::optional<Date> data_from;   // the days of data of that run
  std::optional<Date> data_to;
  std::string artifact_path;                         // "" when the model is not persisted
  std::string status = "active";                     // "active" | "retired"
  std::optional<std::int64_t> retrain_requested_at;  // feedback asked for a new version
};

// One request to apply a recommendation (recommendation_actions, schema version 9).
struct RecommendationActionRecord {
  std::int64_t id = 0;
  std::int64_t recommendation_id = 0;
  std::int64_t user_id = 0;
  std::string user_email;  // read back; ignored when recording
  std::int64_t requested_at = 0;
  bool dry_run = true;
  std::string plan = "{}";  // JSON: what the answer showed
  std::string outcome;      // "planned" (a dry run) or "refused"
};

// What an inventory import replaces: each kind that is set replaces all of the tenant's rows of
// that kind (a file or an API listing is a whole snapshot: a resource missing from it is gone);
// a kind that is not set is left as it is.
struct InventoryReplacement {
  std::optional<std::vector<CloudInstance>> instances;
  std::optional<std::vector<CloudVolume>> volumes;
  std::optional<std::vector<CloudAddress>> addresses;
  std::int64_t imported_at = 0;  // Unix seconds, recorded on added and changed rows
};

// How one kind's rows changed: by resource id, a row equal to the stored one (source included)
// is unchanged and not rewritten.
struct InventoryChanges {
  std::int64_t added = 0;
  std::int64_t changed = 0;
  std::int64_t unchanged = 0;
  std::int64_t removed = 0;
  friend bool operator==(const InventoryChanges&, const InventoryChanges&) = default;
};

struct InventoryReplaceSummary {
  std::optional<InventoryChanges> instances;  // set for the kinds replaced
  std::optional<InventoryChanges> volumes;
  std::optional<InventoryChanges> addresses;
};

// Produces metric samples in chunks: fills `chunk` (cleared first) and returns false when no
// samples are left.
using MetricSampleReader = std::function<bool(std::vector<MetricSample>& chunk)>;

struct MetricUpsertSummary {
  std::int64_t samples = 0;  // given
  std::int64_t added = 0;    // new (tenant, instance, metric, time) keys
  std::int64_t updated = 0;  // stored keys whose value changed
};

class Repository {
 public:
  virtual ~Repository() = default;
  Repository() = default;
  Repository(const Repository&) = delete;
  Repository& operator=(const Repository&) = delete;

  [[nodiscard]] virtual std::string_view BackendName() const = 0;  // "sqlite" | "postgresql"
  [[nodiscard]] virtual Result<int> SchemaVersion() = 0;

  // Creates the tenant when it does not exist yet.
  [[nodiscard]] virtual Result<Tenant> EnsureTenant(std::string_view name) = 0;
  // NotFound when there is no such tenant.
  [[nodiscard]] virtual Result<Tenant> FindTenant(std::string_view name) = 0;

  // In one transaction: deletes the tenant's cube rows of every scope in the batch, inserts the
  // batch's rows (with their tag sets) and records one ingest run per file. On any error nothing
  // is changed.
  [[nodiscard]] virtual Result<ReplaceSummary> ReplaceBillingScopes(std::int64_t tenant_id,
                                                                    const IngestBatch& batch) = 0;

  // Sums the cube over [from, to] by period (day or month), currency and the group-by value.
  // Rows are ordered by period, then by billed cost descending, then by group.
  [[nodiscard]] virtual Result<std::vector<CostGroupRow>> QueryCosts(std::int64_t tenant_id,
                                                                     const CostQuery& query) = 0;

  // Newest first.
  [[nodiscard]] virtual Result<std::vector<IngestRunRecord>> ListIngestRuns(
      std::int64_t tenant_id) = 0;

  // A number that changes whenever the tenant's cube does (the id of its latest ingest run: every
  // ingest records one in the transaction that writes the cube); 0 before the first ingest.
  [[nodiscard]] virtual Result<std::int64_t> CubeVersion(std::int64_t tenant_id) = 0;

  // A number that changes whenever the tenant's anomalies do (detection, feedback); 0 before
  // the first.
  [[nodiscard]] virtual Result<std::int64_t> AnomaliesRevision(std::int64_t tenant_id) = 0;
  // A number that changes whenever a forecast run of the tenant is stored; 0 before the first.
  [[nodiscard]] virtual Result<std::int64_t> ForecastsRevision(std::int64_t tenant_id) = 0;

  // The days the tenant's cube covers; empty when it has no rows.
  [[nodiscard]] virtual Result<std::optional<DayRange>> CostDayRange(std::int64_t tenant_id) = 0;

  // Hands every cube row of the tenant dated in [from, to] to `sink`, with its tags, in chunks.
  [[nodiscard]] virtual Status ScanCubeRows(std::int64_t tenant_id, Date from, Date to,
                                            const CubeRowSink& sink) = 0;

  // The id of the global (tenant-less) ml_models row with this type, version and params,
  // recorded now when there is none.
  [[nodiscard]] virtual Result<std::int64_t> EnsureModel(const ModelRecord& model) = 0;

  // In one transaction: inserts the anomalies whose id is 0 and updates the others, with their
  // root causes; returns their ids in order. Updates leave the feedback and detected_at as they
  // are. NotFound when an id is not one of the tenant's anomalies; Conflict when a new anomaly
  // overlaps or touches (ends the day before, starts the day after) a stored one of the same
  // monitor: that one must be extended instead. On any error nothing is changed.
  [[nodiscard]] virtual Result<std::vector<std::int64_t>> UpsertAnomalies(
      std::int64_t tenant_id, std::span<const CostAnomaly> anomalies) = 0;

  // The tenant's anomalies (all of them, or those with `status`), newest start first.
  [[nodiscard]] virtual Result<std::vector<CostAnomaly>> ListAnomalies(
      std::int64_t tenant_id, std::optional<AnomalyStatus> status) = 0;

  // NotFound unless the anomaly exists and belongs to the tenant.
  [[nodiscard]] virtual Result<CostAnomaly> GetAnomaly(std::int64_t tenant_id,
                                                       std::int64_t anomaly_id) = 0;

  // Records the verdict with its note and time (Unix seconds) and returns the updated anomaly.
  // NotFound unless the anomaly exists and belongs to the tenant.
  [[nodiscard]] virtual Result<CostAnomaly> SetAnomalyFeedback(std::int64_t tenant_id,
                                                               std::int64_t anomaly_id,
                                                               AnomalyFeedback feedback,
                                                               std::string_view note,
                                                               std::int64_t at) = 0;

  // In one transaction: deletes the tenant's stored forecasts with the run's group-by and
  // horizon (with their points) and inserts the run's series with theirs; returns the new ids in
  // order. NotFound for an unknown tenant. On any error nothing is changed.
  [[nodiscard]] virtual Result<std::vector<std::int64_t>> ReplaceForecastRun(
      std::int64_t tenant_id, const CostForecastRun& run) = 0;

  // The tenant's latest stored run for the group-by ("" = the total only) and horizon, series in
  // the order they were saved, with their points; empty when there is none.
  [[nodiscard]] virtual Result<std::optional<CostForecastRun>> LatestForecastRun(
      std::int64_t tenant_id, std::string_view group_by, int horizon) = 0;

  // In one transaction: replaces the tenant's rows of every kind the replacement sets. NotFound
  // for an unknown tenant; InvalidInput (naming the row's source file and line when it has one)
  // for an empty id, type or region, a resource listed twice, a size that is not a non-negative
  // number, or text that is not UTF-8. On any error nothing is changed.
  [[nodiscard]] virtual Result<InventoryReplaceSummary> ReplaceInventory(
      std::int64_t tenant_id, const InventoryReplacement& replacement) = 0;

  // The tenant's instances, volumes and addresses, each kind ordered by id.
  [[nodiscard]] virtual Result<CloudInventory> LoadInventory(std::int64_t tenant_id) = 0;

  // In one transaction: stores every sample the reader gives, keyed by (tenant, instance,
  // metric, timestamp); a stored key takes the new value, and of a key given twice the last
  // value wins, so importing the same samples again changes nothing. NotFound for an unknown
  // tenant; InvalidInput for an empty instance id or metric, a value that is not finite, or text
  // that is not UTF-8. On any error nothing is changed.
  [[nodiscard]] virtual Result<MetricUpsertSummary> UpsertMetricSamples(
      std::int64_t tenant_id, const MetricSampleReader& reader) = 0;

  // The time of the tenant's newest sample; empty when it has none.
  [[nodiscard]] virtual Result<std::optional<std::int64_t>> NewestMetricSample(
      std::int64_t tenant_id) = 0;

  // The instance's samples with from <= time < to, one series per metric (by name), in time
  // order.
  [[nodiscard]] virtual Result<std::vector<MetricSeriesRecord>> ReadInstanceMetrics(
      std::int64_t tenant_id, std::string_view instance_id, std::int64_t from, std::int64_t to) = 0;

  // In one transaction, a right-sizing run's recommendations replace the tenant's open ones. A
  // stored recommendation with the same recommended action (SameRecommendedAction) is updated in
  // place: it keeps its id, created_at and status (applied, dismissed, snoozed), except that a
  // snooze that ended by `now` reopens it. Others are inserted open; open ones the run no longer
  // makes are deleted; applied, dismissed and snoozed ones it no longer makes are kept. Returns
  // the ids in order. NotFound for an unknown tenant; InvalidInput for two recommendations with
  // the same action, a risk outside 0..4, or text that is not UTF-8. On any error nothing is
  // changed.
  [[nodiscard]] virtual Result<std::vector<std::int64_t>> ReplaceRecommendations(
      std::int64_t tenant_id, std::span<const ResourceRecommendation> recommendations,
      std::int64_t now) = 0;

  // The tenant's recommendations (all, or those with `status`), largest monthly savings first.
  [[nodiscard]] virtual Result<std::vector<ResourceRecommendation>> ListRecommendations(
      std::int64_t tenant_id, std::optional<RecommendationStatus> status) = 0;

  // Sets the status (snoozed needs `snoozed_until`, the others clear it) and updated_at, and
  // returns the updated recommendation. NotFound unless the recommendation exists and belongs to
  // the tenant; InvalidInput for a snooze without an end.
  [[nodiscard]] virtual Result<ResourceRecommendation> SetRecommendationStatus(
      std::int64_t tenant_id, std::int64_t recommendation_id, RecommendationStatus status,
      std::optional<std::int64_t> snoozed_until, std::int64_t at) = 0;

  // --- model registry and recommendation actions (schema version 9) ------------------------
  // In one transaction: the tenant's active version of the model (same type and params) takes
  // the run's trained_at, accuracy, metrics, data window and artifact path (kept when the run's
  // is empty) and is returned;
  // when there is none, or feedback asked for it to be retrained, that one is retired and a new
  // version (the tenant's highest of the type plus one) is stored active. NotFound for an
  // unknown tenant; InvalidInput for an empty type or text that is not UTF-8.
  [[nodiscard]] virtual Result<TenantModel> RecordModelTraining(std::int64_t tenant_id,
                                                                const TenantModel& trained) = 0;
  // The tenant's models, by type, newest version first.
  [[nodiscard]] virtual Result<std::vector<TenantModel>> ListTenantModels(
      std::int64_t tenant_id) = 0;
  // NotFound unless the model exists and belongs to the tenant.
  [[nodiscard]] virtual Result<TenantModel> GetTenantModel(std::int64_t tenant_id,
                                                           std::int64_t model_id) = 0;
  // Records where the model's artifact was saved. NotFound unless the model exists and belongs
  // to the tenant; InvalidInput for a path that is not UTF-8.
  [[nodiscard]] virtual Status SetModelArtifact(std::int64_t tenant_id, std::int64_t model_id,
                                                std::string_view path) = 0;
  // Marks the tenant's active versions of the type for retraining at their next run (those
  // marked already keep their time); returns how many were marked.
  [[nodiscard]] virtual Result<int> RequestModelRetraining(std::int64_t tenant_id,
                                                           std::string_view model_type,
                                                           std::int64_t at) = 0;
  // Stores the request (its id and email are ignored) and returns its id. NotFound unless the
  // recommendation exists and belongs to the tenant.
  [[nodiscard]] virtual Result<std::int64_t> RecordRecommendationAction(
      std::int64_t tenant_id, const RecommendationActionRecord& action) = 0;
  // --- metric anomalies (schema version 12) ------------------------------------------------
  // In one transaction: stores the excursions of synced CloudWatch series, new ones inserted,
  // known ones (the same instance, metric and start) updated; returns the new ones with their
  // ids. NotFound for an unknown tenant; InvalidInput for an empty instance id or metric, a
  // value that is not finite, or text that is not UTF-8.
  [[nodiscard]] virtual Result<std::vector<MetricAnomaly>> RecordMetricAnomalies(
      std::int64_t tenant_id, std::span<const MetricAnomaly> anomalies, std::int64_t now) = 0;
  // NotFound unless the anomaly is the tenant's.
  [[nodiscard]] virtual Result<MetricAnomaly> GetMetricAnomaly(std::int64_t tenant_id,
                                                               std::int64_t id) = 0;
  // The tenant's metric anomalies, the latest start first, at most `limit`.
  [[nodiscard]] virtual Result<std::vector<MetricAnomaly>> ListMetricAnomalies(
      std::int64_t tenant_id, std::size_t limit) = 0;

  // Rewrites an apply request's plan and outcome as a real apply goes step by step.
  // NotFound unless the request is the tenant's.
  [[nodiscard]] virtual Status UpdateRecommendationAction(std::int64_t tenant_id,
                                                          std::int64_t action_id,
                                                          std::string_view plan,
                                                          std::string_view outcome) = 0;
  // The requests on one of the tenant's recommendations, newest first.
  [[nodiscard]] virtual Result<std::vector<RecommendationActionRecord>> ListRecommendationActions(
      std::int64_t tenant_id, std::int64_t recommendation_id) = 0;

  // --- users, organisations and tenancy (schema version 5) ---------------------------------
  // Emails are given normalised (service/auth.h). Conflict when the email or the organisation
  // name is taken; otherwise, in one transaction, the user, the organisation (a tenant) and the
  // user's owner membership.
  [[nodiscard]] virtual Result<Membership> CreateUserWithOrganisation(
      std::string_view email, std::string_view password_hash, std::string_view organisation,
      std::int64_t now) = 0;
  // The user's sample workspace (schema version 11): the organisation made for them from the
  // bundled samples, with them an owner (again, if they had left it); created with `name` when
  // they have none. Conflict when another organisation has that name.
  [[nodiscard]] virtual Result<Membership> EnsureSampleOrganisation(std::int64_t user_id,
                                                                    std::string_view name,
                                                                    std::int64_t now) = 0;
  // NotFound when no user has this email.
  [[nodiscard]] virtual Result<UserRecord> FindUserByEmail(std::string_view email) = 0;
  // The user's organisations with their roles, by tenant id.
  [[nodiscard]] virtual Result<std::vector<Membership>> ListMemberships(std::int64_t user_id) = 0;

  [[nodiscard]] virtual Status RecordLoginAttempt(std::string_view email, std::int64_t at,
                                                  bool succeeded) = 0;
  // The email's failed log-ins at or after `since` and recorded after its last successful one.
  [[nodiscard]] virtual Result<LoginFailures> RecentLoginFailures(std::string_view email,
                                                                  std::int64_t since) = 0;

  // Stores a new session (its id, email and role are ignored) and returns its id.
  [[nodiscard]] virtual Result<std::int64_t> CreateSession(const SessionRecord& session) = 0;
  // The session with this token hash, with its user's email and current role in its tenant,
  // whether or not it expired or was revoked. NotFound when there is none.
  [[nodiscard]] virtual Result<SessionRecord> FindSession(std::string_view token_hash) = 0;
  // Sets revoked_at unless already set. NotFound when there is no such session.
  [[nodiscard]] virtual Status RevokeSession(std::string_view token_hash, std::int64_t at) = 0;

  // Stores a new API token (its id, use, revocation, email and role are ignored); returns its id.
  [[nodiscard]] virtual Result<std::int64_t> CreateApiToken(const ApiTokenRecord& token) = 0;
  // The token with this hash, with its user's email and current role; records `now` as its last
  // use when it is not revoked. NotFound when there is none.
  [[nodiscard]] virtual Result<ApiTokenRecord> UseApiToken(std::string_view token_hash,
                                                           std::int64_t now) = 0;
  // The tenant's tokens (without their hashes), oldest first.
  [[nodiscard]] virtual Result<std::vector<ApiTokenRecord>> ListApiTokens(
      std::int64_t tenant_id) = 0;
  // Sets revoked_at unless already set. NotFound unless the token belongs to the tenant.
  [[nodiscard]] virtual Status RevokeApiToken(std::int64_t tenant_id, std::int64_t token_id,
                                              std::int64_t at) = 0;

  // Stores a new invitation (its id and acceptance are ignored) and returns its id.
  [[nodiscard]] virtual Result<std::int64_t> CreateInvitation(
      const InvitationRecord& invitation) = 0;
  // NotFound when no invitation has this token hash.
  [[nodiscard]] virtual Result<InvitationRecord> FindInvitation(std::string_view token_hash) = 0;
  // In one transaction: marks the invitation accepted and makes the user a member of its tenant
  // with its role. The user is `user_id` or, when that is 0, a new user with `email` and
  // `password_hash` (Conflict when the email is taken). Conflict when the invitation was
  // accepted already or the user is a member already; NotFound when there is no invitation.
  [[nodiscard]] virtual Result<Membership> AcceptInvitation(std::int64_t invitation_id,
                                                            std::int64_t user_id,
                                                            std::string_view email,
                                                            std::string_view password_hash,
                                                            std::int64_t now) = 0;

  // --- alerts (schema version 7, docs/service.md "Alerts") ----------------------------------
  // Channels and rules belong to one tenant: reads, updates and deletes name it and give
  // NotFound for another tenant's id. Names are unique per tenant (Conflict).
  [[nodiscard]] virtual Result<std::int64_t> CreateAlertChannel(
      const AlertChannelRecord& channel) = 0;
  [[nodiscard]] virtual Result<std::vector<AlertChannelRecord>> ListAlertChannels(
      std::int64_t tenant_id) = 0;
  [[nodiscard]] virtual Result<AlertChannelRecord> GetAlertChannel(std::int64_t tenant_id,
                                                                   std::int64_t channel_id) = 0;
  // Its name, config, secret and updated_at.
  [[nodiscard]] virtual Status UpdateAlertChannel(const AlertChannelRecord& channel) = 0;
  // Rules lose the channel; its deliveries stay in the log without it.
  [[nodiscard]] virtual Status DeleteAlertChannel(std::int64_t tenant_id,
                                                  std::int64_t channel_id) = 0;
  // InvalidInput when a channel id is not one of the tenant's.
  [[nodiscard]] virtual Result<std::int64_t> CreateAlertRule(const AlertRuleRecord& rule) = 0;
  [[nodiscard]] virtual Result<std::vector<AlertRuleRecord>> ListAlertRules(
      std::int64_t tenant_id) = 0;
  // Every tenant's enabled rules of this frequency (for the digest scheduler).
  [[nodiscard]] virtual Result<std::vector<AlertRuleRecord>> ListEnabledAlertRules(
      AlertFrequency frequency) = 0;
  [[nodiscard]] virtual Result<AlertRuleRecord> GetAlertRule(std::int64_t tenant_id,
                                                             std::int64_t rule_id) = 0;
  // Everything but its id, tenant and created_at; the channels replaced.
  [[nodiscard]] virtual Status UpdateAlertRule(const AlertRuleRecord& rule) = 0;
  // Its deliveries stay in the log without it.
  [[nodiscard]] virtual Status DeleteAlertRule(std::int64_t tenant_id, std::int64_t rule_id) = 0;
  // In one transaction: stores the deliveries as pending (their status, attempts and outcome are
  // ignored), except those of a rule that has a delivery with the same dedupe key already;
  // returns the new ids in order.
  [[nodiscard]] virtual Result<std::vector<std::int64_t>> QueueAlertDeliveries(
      std::int64_t tenant_id, std::span<const AlertDeliveryRecord> deliveries) = 0;
  // The tenant's deliveries, newest first.
  [[nodiscard]] virtual Result<std::vector<AlertDeliveryRecord>> ListAlertDeliveries(
      std::int64_t tenant_id, const AlertDeliveryFilter& filter) = 0;
  [[nodiscard]] virtual Result<AlertDeliveryRecord> GetAlertDelivery(std::int64_t tenant_id,
                                                                     std::int64_t delivery_id) = 0;
  // Every tenant's pending deliveries with next_attempt_at <= now, oldest first.
  [[nodiscard]] virtual Result<std::vector<AlertDeliveryRecord>> DueAlertDeliveries(
      std::int64_t now, int limit) = 0;
  // Takes a due pending delivery that still has `attempts` attempts for this worker by moving
  // its next attempt to `lease_until`; false when another worker took it first.
  [[nodiscard]] virtual Result<bool> ClaimAlertDelivery(std::int64_t delivery_id, int attempts,
                                                        std::int64_t now,
                                                        std::int64_t lease_until) = 0;
  // Counts one attempt: sent, pending until its retry time, or failed for good.
  [[nodiscard]] virtual Status RecordAlertAttempt(std::int64_t delivery_id,
                                                  const AlertAttempt& attempt) = 0;
  // --- the job queue and its schedules (schema version 6) ---------------------------------------
  // Queues a job (or, with unless_queued, returns the tenant's queued job of that kind). NotFound
  // for an unknown tenant.
  [[nodiscard]] virtual Result<JobRecord> EnqueueJob(const NewJob& job) = 0;
  // Claims the next due job for `owner` until now + lease_seconds: a queued job whose run_after
  // has come, or a running one whose lease expired (its worker stopped). In one transaction, and
  // safe between processes: no two claimers get the same job. Expired running jobs on their last
  // attempt become failed, and those whose cancellation was requested cancelled. Empty when no
  // job is due.
  [[nodiscard]] virtual Result<std::optional<JobRecord>> ClaimJob(std::string_view owner,
                                                                  std::int64_t now,
                                                                  std::int64_t lease_seconds) = 0;
  // Records progress (clamped to 0..1) and extends the lease. Conflict when `owner` no longer
  // holds the running job.
  [[nodiscard]] virtual Result<JobHeartbeat> ReportJobProgress(std::int64_t job_id,
                                                               std::string_view owner,
                                                               double progress,
                                                               std::string_view message,
                                                               std::int64_t lease_expires_at) = 0;
  // Conflict when `owner` no longer holds the running job.
  [[nodiscard]] virtual Result<JobRecord> SucceedJob(std::int64_t job_id, std::string_view owner,
                                                     std::string_view result_json,
                                                     std::int64_t now) = 0;
  // Records the error; with `retry` and attempts left the job is queued again after the backoff,
  // otherwise it failed. Conflict when `owner` no longer holds the running job.
  [[nodiscard]] virtual Result<JobRecord> FailJob(std::int64_t job_id, std::string_view owner,
                                                  std::string_view error, std::int64_t now,
                                                  const std::optional<RetryBackoff>& retry) = 0;
  // The worker stopped the job for its cancellation request. Conflict as SucceedJob.
  [[nodiscard]] virtual Result<JobRecord> AcknowledgeJobCancel(std::int64_t job_id,
                                                               std::string_view owner,
                                                               std::int64_t now) = 0;
  // Puts a running job back in the queue without counting its attempt (the server is stopping).
  // Conflict as SucceedJob.
  [[nodiscard]] virtual Result<JobRecord> ReleaseJob(std::int64_t job_id,
                                                     std::string_view owner) = 0;
  // A queued job is cancelled at once; a running one gets cancel_requested (its worker stops at
  // its next progress report). NotFound unless the job is the tenant's; Conflict when it has
  // finished.
  [[nodiscard]] virtual Result<JobRecord> CancelJob(std::int64_t tenant_id, std::int64_t job_id,
                                                    std::int64_t now) = 0;
  // NotFound unless the job exists and is the tenant's.
  [[nodiscard]] virtual Result<JobRecord> GetJob(std::int64_t tenant_id, std::int64_t job_id) = 0;
  // The tenant's jobs matching the filter, newest first.
  [[nodiscard]] virtual Result<std::vector<JobRecord>> ListJobs(std::int64_t tenant_id,
                                                                const JobFilter& filter) = 0;
  // Creates or replaces the tenant's schedule of the kind (one per kind); returns it with its id.
  // InvalidInput for an interval that is not positive.
  [[nodiscard]] virtual Result<JobScheduleRecord> SaveJobSchedule(
      const JobScheduleRecord& schedule) = 0;
  [[nodiscard]] virtual Result<std::vector<JobScheduleRecord>> ListJobSchedules(
      std::int64_t tenant_id) = 0;
  // NotFound unless the schedule is the tenant's.
  [[nodiscard]] virtual Status DeleteJobSchedule(std::int64_t tenant_id,
                                                 std::int64_t schedule_id) = 0;
  // In one transaction: queues one job for every schedule due at `now` (none when one of its
  // kind is queued already) and moves each schedule's next run past `now`; returns the jobs
  // queued.
  [[nodiscard]] virtual Result<std::vector<JobRecord>> EnqueueDueSchedules(std::int64_t now,
                                                                           int max_attempts) = 0;
  // --- organisations: members, invitations, pruning; cloud accounts (schema version 8) -------
  // The tenant's members with their emails and roles, oldest membership first.
  [[nodiscard]] virtual Result<std::vector<MemberRecord>> ListMembers(std::int64_t tenant_id) = 0;
  // NotFound for a user who is not a member; Conflict when the last owner would be demoted.
  [[nodiscard]] virtual Status SetMemberRole(std::int64_t tenant_id, std::int64_t user_id,
                                             Role role) = 0;
  // In one transaction: deletes the membership and revokes the user's sessions and API tokens in
  // the tenant. NotFound for a user who is not a member; Conflict for the last owner.
  [[nodiscard]] virtual Status RemoveMember(std::int64_t tenant_id, std::int64_t user_id,
                                            std::int64_t now) = 0;
  // The tenant's invitations not accepted yet (expired ones too), newest first; no token hashes.
  [[nodiscard]] virtual Result<std::vector<InvitationRecord>> ListPendingInvitations(
      std::int64_t tenant_id) = 0;
  // NotFound unless the invitation belongs to the tenant and was not accepted.
  [[nodiscard]] virtual Status DeleteInvitation(std::int64_t tenant_id,
                                                std::int64_t invitation_id) = 0;
  // Deletes the sessions that expired or were revoked at or before `now` and the log-in attempts
  // made before `attempts_before`.
  [[nodiscard]] virtual Result<AuthPruneSummary> PruneAuthRecords(std::int64_t now,
                                                                  std::int64_t attempts_before) = 0;

  // Stores a new cloud account (its id is ignored) and returns it. NotFound for an unknown
  // tenant; Conflict when the tenant has this provider's account already.
  [[nodiscard]] virtual Result<CloudAccountRecord> CreateCloudAccount(
      const CloudAccountRecord& account) = 0;
  // The tenant's cloud accounts by id.
  [[nodiscard]] virtual Result<std::vector<CloudAccountRecord>> ListCloudAccounts(
      std::int64_t tenant_id) = 0;
  // NotFound unless the account belongs to the tenant.
  [[nodiscard]] virtual Result<CloudAccountRecord> GetCloudAccount(std::int64_t tenant_id,
                                                                   std::int64_t account_id) = 0;
  // Sets the role ARN and the CUR source (JSON text), and the status back to pending without an
  // error; returns the account. NotFound unless the account belongs to the tenant.
  [[nodiscard]] virtual Result<CloudAccountRecord> SetCloudAccountConnection(
      std::int64_t tenant_id, std::int64_t account_id, std::string_view role_arn,
      std::string_view cur_source) = 0;
  // Records a connection test's or a sync's outcome: the status ("connected" or "error"), the
  // error ("" clears it) and, for a sync that stored data, its time (an empty one keeps the
  // last). NotFound unless the account belongs to the tenant.
  [[nodiscard]] virtual Result<CloudAccountRecord> SetCloudAccountStatus(
      std::int64_t tenant_id, std::int64_t account_id, std::string_view status,
      std::string_view last_error, std::optional<std::int64_t> synced_at) = 0;
  // NotFound unless the account belongs to the tenant.
  [[nodiscard]] virtual Status DeleteCloudAccount(std::int64_t tenant_id,
                                                  std::int64_t account_id) = 0;
};

// Opens "sqlite:PATH" (creating the file and its folder) or "postgresql://..." / "postgres://...",
// and applies pending migrations. InvalidInput for an unknown scheme, Unavailable when the
// database cannot be reached.
[[nodiscard]] Result<std::unique_ptr<Repository>> OpenRepository(std::string_view url);

}  // namespace costwise::store
