#pragma once
// The Repository over one SOCI session: SQLite or PostgreSQL. The SQL is shared (the dialects
// differ only in the migrations' id columns, bulk loading and locking), so both backends give the
// same answers. Calls are serialized by a mutex: one repository may be shared by threads.
#include <cstdint>
#include <memory>
#include <mutex>
#include <type_traits>

#include <fmt/format.h>

#include "store/backend.h"
#include "store/repository.h"
#include "store/store_url.h"
#include "store/transaction.h"

namespace soci {
class session;
}  // namespace soci

namespace costwise::store {

class SqlRepository final : public Repository {
 public:
  // Connects and applies pending migrations.
  [[nodiscard]] static Result<std::unique_ptr<Repository>> Open(const StoreLocation& location);

  SqlRepository(std::unique_ptr<soci::session> session, Backend backend);
  ~SqlRepository() override;

  [[nodiscard]] std::string_view BackendName() const override;
  [[nodiscard]] Result<int> SchemaVersion() override;
  [[nodiscard]] Result<Tenant> EnsureTenant(std::string_view name) override;
  [[nodiscard]] Result<Tenant> FindTenant(std::string_view name) override;
  [[nodiscard]] Result<ReplaceSummary> ReplaceBillingScopes(std::int64_t tenant_id,
                                                            const IngestBatch& batch) override;
  [[nodiscard]] Result<std::vector<CostGroupRow>> QueryCosts(std::int64_t tenant_id,
                                                             const CostQuery& query) override;
  [[nodiscard]] Result<std::vector<IngestRunRecord>> ListIngestRuns(
      std::int64_t tenant_id) override;
  [[nodiscard]] Result<std::int64_t> CubeVersion(std::int64_t tenant_id) override;
  [[nodiscard]] Result<std::int64_t> AnomaliesRevision(std::int64_t tenant_id) override;
  [[nodiscard]] Result<std::int64_t> ForecastsRevision(std::int64_t tenant_id) override;
  [[nodiscard]] Result<std::optional<DayRange>> CostDayRange(std::int64_t tenant_id) override;
  [[nodiscard]] Status ScanCubeRows(std::int64_t tenant_id, Date from, Date to,
                                    const CubeRowSink& sink) override;
  [[nodiscard]] Result<std::int64_t> EnsureModel(const ModelRecord& model) override;
  [[nodiscard]] Result<std::vector<std::int64_t>> UpsertAnomalies(
      std::int64_t tenant_id, std::span<const CostAnomaly> anomalies) override;
  [[nodiscard]] Result<std::vector<CostAnomaly>> ListAnomalies(
      std::int64_t tenant_id, std::optional<AnomalyStatus> status) override;
  [[nodiscard]] Result<CostAnomaly> GetAnomaly(std::int64_t tenant_id,
                                               std::int64_t anomaly_id) override;
  [[nodiscard]] Result<CostAnomaly> SetAnomalyFeedback(std::int64_t tenant_id,
                                                       std::int64_t anomaly_id,
                                                       AnomalyFeedback feedback,
                                                       std::string_view note,
                                                       std::int64_t at) override;
  [[nodiscard]] Result<std::vector<std::int64_t>> ReplaceForecastRun(
      std::int64_t tenant_id, const CostForecastRun& run) override;
  [[nodiscard]] Result<std::optional<CostForecastRun>> LatestForecastRun(std::int64_t tenant_id,
                                                                         std::string_view group_by,
                                                                         int horizon) override;
  [[nodiscard]] Result<InventoryReplaceSummary> ReplaceInventory(
      std::int64_t tenant_id, const InventoryReplacement& replacement) override;
  [[nodiscard]] Result<CloudInventory> LoadInventory(std::int64_t tenant_id) override;
  [[nodiscard]] Result<MetricUpsertSummary> UpsertMetricSamples(
      std::int64_t tenant_id, const MetricSampleReader& reader) override;
  [[nodiscard]] Result<std::optional<std::int64_t>> NewestMetricSample(
      std::int64_t tenant_id) override;
  [[nodiscard]] Result<std::vector<MetricSeriesRecord>> ReadInstanceMetrics(
      std::int64_t tenant_id, std::string_view instance_id, std::int64_t from,
      std::int64_t to) override;
  [[nodiscard]] Result<std::vector<std::int64_t>> ReplaceRecommendations(
      std::int64_t tenant_id, std::span<const ResourceRecommendation> recommendations,
      std::int64_t now) override;
  [[nodiscard]] Result<std::vector<ResourceRecommendation>> ListRecommendations(
      std::int64_t tenant_id, std::optional<RecommendationStatus> status) override;
  [[nodiscard]] Result<ResourceRecommendation> SetRecommendationStatus(
      std::int64_t tenant_id, std::int64_t recommendation_id, RecommendationStatus status,
      std::optional<std::int64_t> snoozed_until, std::int64_t at) override;

  [[nodiscard]] Result<TenantModel> RecordModelTraining(std::int64_t tenant_id,
                                                        const TenantModel& trained) override;
  [[nodiscard]] Result<std::vector<TenantModel>> ListTenantModels(std::int64_t tenant_id) override;
  [[nodiscard]] Result<TenantModel> GetTenantModel(std::int64_t tenant_id,
                                                   std::int64_t model_id) override;
  [[nodiscard]] Status SetModelArtifact(std::int64_t tenant_id, std::int64_t model_id,
                                        std::string_view path) override;
  [[nodiscard]] Result<int> RequestModelRetraining(std::int64_t tenant_id,
                                                   std::string_view model_type,
                                                   std::int64_t at) override;
  [[nodiscard]] Result<std::int64_t> RecordRecommendationAction(
      std::int64_t tenant_id, const RecommendationActionRecord& action) override;
  [[nodiscard]] Result<std::vector<MetricAnomaly>> RecordMetricAnomalies(
      std::int64_t tenant_id, std::span<const MetricAnomaly> anomalies,
      std::int64_t now) override;
  [[nodiscard]] Result<MetricAnomaly> GetMetricAnomaly(std::int64_t tenant_id,
                                                       std::int64_t id) override;
  [[nodiscard]] Result<std::vector<MetricAnomaly>> ListMetricAnomalies(std::int64_t tenant_id,
                                                                       std::size_t limit) override;
  [[nodiscard]] Status UpdateRecommendationAction(std::int64_t tenant_id, std::int64_t action_id,
                                                  std::string_view plan,
                                                  std::string_view outcome) override;
  [[nodiscard]] Result<std::vector<RecommendationActionRecord>> ListRecommendationActions(
      std::int64_t tenant_id, std::int64_t recommendation_id) override;

  [[nodiscard]] Result<Membership> CreateUserWithOrganisation(std::string_view email,
                                                              std::string_view password_hash,
                                                              std::string_view organisation,
                                                              std::int64_t now) override;
  [[nodiscard]] Result<Membership> EnsureSampleOrganisation(std::int64_t user_id,
                                                            std::string_view name,
                                                            std::int64_t now) override;
  [[nodiscard]] Result<UserRecord> FindUserByEmail(std::string_view email) override;
  [[nodiscard]] Result<std::vector<Membership>> ListMemberships(std::int64_t user_id) override;
  [[nodiscard]] Status RecordLoginAttempt(std::string_view email, std::int64_t at,
                                          bool succeeded) override;
  [[nodiscard]] Result<LoginFailures> RecentLoginFailures(std::string_view email,
                                                          std::int64_t since) override;
  [[nodiscard]] Result<std::int64_t> CreateSession(const SessionRecord& session) override;
  [[nodiscard]] Result<SessionRecord> FindSession(std::string_view token_hash) override;
  [[nodiscard]] Status RevokeSession(std::string_view token_hash, std::int64_t at) override;
  [[nodiscard]] Result<std::int64_t> CreateApiToken(const ApiTokenRecord& token) override;
  [[nodiscard]] Result<ApiTokenRecord> UseApiToken(std::string_view token_hash,
                                                   std::int64_t now) override;
  [[nodiscard]] Result<std::vector<ApiTokenRecord>> ListApiTokens(std::int64_t tenant_id) override;
  [[nodiscard]] Status RevokeApiToken(std::int64_t tenant_id, std::int64_t token_id,
                                      std::int64_t at) override;
  [[nodiscard]] Result<std::int64_t> CreateInvitation(const InvitationRecord& invitation) override;
  [[nodiscard]] Result<InvitationRecord> FindInvitation(std::string_view token_hash) override;
  [[nodiscard]] Result<Membership> AcceptInvitation(std::int64_t invitation_id,
                                                    std::int64_t user_id, std::string_view email,
                                                    std::string_view password_hash,
                                                    std::int64_t now) override;

  [[nodiscard]] Result<std::int64_t> CreateAlertChannel(const AlertChannelRecord& channel) override;
  [[nodiscard]] Result<std::vector<AlertChannelRecord>> ListAlertChannels(
      std::int64_t tenant_id) override;
  [[nodiscard]] Result<AlertChannelRecord> GetAlertChannel(std::int64_t tenant_id,
                                                           std::int64_t channel_id) override;
  [[nodiscard]] Status UpdateAlertChannel(const AlertChannelRecord& channel) override;
  [[nodiscard]] Status DeleteAlertChannel(std::int64_t tenant_id, std::int64_t channel_id) override;
  [[nodiscard]] Result<std::int64_t> CreateAlertRule(const AlertRuleRecord& rule) override;
  [[nodiscard]] Result<std::vector<AlertRuleRecord>> ListAlertRules(
      std::int64_t tenant_id) override;
  [[nodiscard]] Result<std::vector<AlertRuleRecord>> ListEnabledAlertRules(
      AlertFrequency frequency) override;
  [[nodiscard]] Result<AlertRuleRecord> GetAlertRule(std::int64_t tenant_id,
                                                     std::int64_t rule_id) override;
  [[nodiscard]] Status UpdateAlertRule(const AlertRuleRecord& rule) override;
  [[nodiscard]] Status DeleteAlertRule(std::int64_t tenant_id, std::int64_t rule_id) override;
  [[nodiscard]] Result<std::vector<std::int64_t>> QueueAlertDeliveries(
      std::int64_t tenant_id, std::span<const AlertDeliveryRecord> deliveries) override;
  [[nodiscard]] Result<std::vector<AlertDeliveryRecord>> ListAlertDeliveries(
      std::int64_t tenant_id, const AlertDeliveryFilter& filter) override;
  [[nodiscard]] Result<AlertDeliveryRecord> GetAlertDelivery(std::int64_t tenant_id,
                                                             std::int64_t delivery_id) override;
  [[nodiscard]] Result<std::vector<AlertDeliveryRecord>> DueAlertDeliveries(std::int64_t now,
                                                                            int limit) override;
  [[nodiscard]] Result<bool> ClaimAlertDelivery(std::int64_t delivery_id, int attempts,
                                                std::int64_t now,
                                                std::int64_t lease_until) override;
  [[nodiscard]] Status RecordAlertAttempt(std::int64_t delivery_id,
                                          const AlertAttempt& attempt) override;
  [[nodiscard]] Result<JobRecord> EnqueueJob(const NewJob& job) override;
  [[nodiscard]] Result<std::optional<JobRecord>> ClaimJob(std::string_view owner, std::int64_t now,
                                                          std::int64_t lease_seconds) override;
  [[nodiscard]] Result<JobHeartbeat> ReportJobProgress(std::int64_t job_id, std::string_view owner,
                                                       double progress, std::string_view message,
                                                       std::int64_t lease_expires_at) override;
  [[nodiscard]] Result<JobRecord> SucceedJob(std::int64_t job_id, std::string_view owner,
                                             std::string_view result_json,
                                             std::int64_t now) override;
  [[nodiscard]] Result<JobRecord> FailJob(std::int64_t job_id, std::string_view owner,
                                          std::string_view error, std::int64_t now,
                                          const std::optional<RetryBackoff>& retry) override;
  [[nodiscard]] Result<JobRecord> AcknowledgeJobCancel(std::int64_t job_id, std::string_view owner,
                                                       std::int64_t now) override;
  [[nodiscard]] Result<JobRecord> ReleaseJob(std::int64_t job_id, std::string_view owner) override;
  [[nodiscard]] Result<JobRecord> CancelJob(std::int64_t tenant_id, std::int64_t job_id,
                                            std::int64_t now) override;
  [[nodiscard]] Result<JobRecord> GetJob(std::int64_t tenant_id, std::int64_t job_id) override;
  [[nodiscard]] Result<std::vector<JobRecord>> ListJobs(std::int64_t tenant_id,
                                                        const JobFilter& filter) override;
  [[nodiscard]] Result<JobScheduleRecord> SaveJobSchedule(
      const JobScheduleRecord& schedule) override;
  [[nodiscard]] Result<std::vector<JobScheduleRecord>> ListJobSchedules(
      std::int64_t tenant_id) override;
  [[nodiscard]] Status DeleteJobSchedule(std::int64_t tenant_id, std::int64_t schedule_id) override;
  [[nodiscard]] Result<std::vector<JobRecord>> EnqueueDueSchedules(std::int64_t now,
                                                                   int max_attempts) override;
  [[nodiscard]] Result<std::vector<MemberRecord>> ListMembers(std::int64_t tenant_id) override;
  [[nodiscard]] Status SetMemberRole(std::int64_t tenant_id, std::int64_t user_id,
                                     Role role) override;
  [[nodiscard]] Status RemoveMember(std::int64_t tenant_id, std::int64_t user_id,
                                    std::int64_t now) override;
  [[nodiscard]] Result<std::vector<InvitationRecord>> ListPendingInvitations(
      std::int64_t tenant_id) override;
  [[nodiscard]] Status DeleteInvitation(std::int64_t tenant_id,
                                        std::int64_t invitation_id) override;
  [[nodiscard]] Result<AuthPruneSummary> PruneAuthRecords(std::int64_t now,
                                                          std::int64_t attempts_before) override;
  [[nodiscard]] Result<CloudAccountRecord> CreateCloudAccount(
      const CloudAccountRecord& account) override;
  [[nodiscard]] Result<std::vector<CloudAccountRecord>> ListCloudAccounts(
      std::int64_t tenant_id) override;
  [[nodiscard]] Result<CloudAccountRecord> GetCloudAccount(std::int64_t tenant_id,
                                                           std::int64_t account_id) override;
  [[nodiscard]] Result<CloudAccountRecord> SetCloudAccountStatus(
      std::int64_t tenant_id, std::int64_t account_id, std::string_view status,
      std::string_view last_error, std::optional<std::int64_t> synced_at) override;
  [[nodiscard]] Result<CloudAccountRecord> SetCloudAccountConnection(
      std::int64_t tenant_id, std::int64_t account_id, std::string_view role_arn,
      std::string_view cur_source) override;
  [[nodiscard]] Status DeleteCloudAccount(std::int64_t tenant_id, std::int64_t account_id) override;

 private:
  // PostgreSQL: opens a new connection when the server dropped the old one (a restart, a
  // failover), so that one failed call does not break the repository for good. Throws.
  void ReconnectIfBroken();
  // Runs body(session) holding the mutex, on a connected session, and returns what it returns (a
  // Result or a Status); what it throws becomes the Error "<what formatted with args>: <driver
  // message>".
  template <typename Body, typename... Args>
  auto WithSession(Body&& body, fmt::format_string<const Args&...> what, const Args&... args)
      -> std::invoke_result_t<Body&, soci::session&>;
  // WithSession in a transaction holding the tenant's lock of `kind`, once the tenant is known to
  // exist (NotFound otherwise); commits when body returns a value, rolls back otherwise.
  template <typename Body, typename... Args>
  auto InTenantTransaction(LockKind kind, std::int64_t tenant_id, Body&& body,
                           fmt::format_string<const Args&...> what, const Args&... args)
      -> std::invoke_result_t<Body&, soci::session&>;
  // GetAnomaly without taking the mutex (the caller holds it). Throws SOCI errors.
  [[nodiscard]] Result<CostAnomaly> ReadOneAnomaly(std::int64_t tenant_id, std::int64_t anomaly_id);

  std::mutex mutex_;
  std::unique_ptr<soci::session> session_;
  Backend backend_;
};

}  // namespace costwise::store
