// The model registry and recommendation actions of store::Repository (schema version 9) against
// both real backends; run through scripts/with-postgres.sh, or the PostgreSQL cases fail.
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "repository_fixture.h"
#include "store/repository.h"

namespace costwise::store {

// Names the backend in gtest's messages (defined in repository_test.cpp).
void PrintTo(Backend backend, std::ostream* out);

namespace {

using testing::BackendParamName;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr std::int64_t kNow = 1'790'000'000;
constexpr std::int64_t kUnit = Money::kNanosPerUnit;

TenantModel Training(std::string params, std::int64_t at, int last_day) {
  TenantModel model;
  model.model_type = "series-detector";
  model.params = std::move(params);
  model.trained_at = at;
  model.metrics = R"({"anomalies":3})";
  model.data_from = Date::FromDays(last_day - 89);
  model.data_to = Date::FromDays(last_day);
  return model;
}

ResourceRecommendation Stop(std::string id) {
  ResourceRecommendation r;
  r.resource_id = std::move(id);
  r.region = "us-east-1";
  r.finding = "idle";
  r.action = "stop";
  r.current_type = "m5.large";
  r.monthly_savings = Money::FromNanos(70 * kUnit);
  r.aws_cli = {"aws ec2 stop-instances --instance-ids " + r.resource_id};
  return r;
}

class ModelRegistryRepositoryTest : public testing::BackendRepositoryTest {
 protected:
  TenantModel Record(const TenantModel& trained, std::int64_t tenant = 0) {
    auto model = repository_->RecordModelTraining(tenant == 0 ? tenant_ : tenant, trained);
    EXPECT_TRUE(model) << model.error().message;
    return model.value_or(TenantModel{});
  }

  std::vector<std::pair<int, std::string>> Versions(std::int64_t tenant) {
    auto models = repository_->ListTenantModels(tenant);
    EXPECT_TRUE(models) << models.error().message;
    std::vector<std::pair<int, std::string>> versions;
    for (const TenantModel& model : models.value_or(std::vector<TenantModel>{})) {
      versions.emplace_back(model.version, model.model_type + ":" + model.status);
    }
    return versions;
  }

  void SetUp() override {
    BackendRepositoryTest::SetUp();
    if (HasFatalFailure()) return;
    tenant_ = Tenant("acme");
    other_ = Tenant("globex");
  }

  std::int64_t tenant_ = 0;
  std::int64_t other_ = 0;
};

INSTANTIATE_TEST_SUITE_P(Backends, ModelRegistryRepositoryTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgresql),
                         BackendParamName);

TEST_P(ModelRegistryRepositoryTest, ARunOfTheSameConfigurationUpdatesTheActiveVersion) {
  TenantModel first = Training(R"({"z":4.5})", kNow, 20'000);
  first.accuracy = 0.5;
  const TenantModel stored = Record(first);
  EXPECT_GT(stored.id, 0);
  EXPECT_EQ(stored.version, 1);
  EXPECT_EQ(stored.status, "active");
  EXPECT_EQ(stored.accuracy, std::optional<double>(0.5));
  EXPECT_EQ(stored.metrics, R"({"anomalies":3})");
  EXPECT_EQ(stored.data_to, Date::FromDays(20'000));
  EXPECT_FALSE(stored.retrain_requested_at.has_value());

  TenantModel again = Training(R"({"z":4.5})", kNow + 60, 20'001);
  const TenantModel updated = Record(again);
  EXPECT_EQ(updated.id, stored.id);
  EXPECT_EQ(updated.version, 1);
  EXPECT_EQ(updated.trained_at, kNow + 60);
  EXPECT_EQ(updated.data_to, Date::FromDays(20'001));
  EXPECT_FALSE(updated.accuracy.has_value());  // this run measured none

  // Another configuration is another model: a new version beside the first.
  const TenantModel other = Record(Training(R"({"z":3})", kNow + 120, 20'001));
  EXPECT_EQ(other.version, 2);
  EXPECT_THAT(Versions(tenant_), ElementsAre(std::pair(2, "series-detector:active"),
                                             std::pair(1, "series-detector:active")));
}

TEST_P(ModelRegistryRepositoryTest, RetrainingRetiresTheVersionAndRecordsTheNext) {
  const TenantModel first = Record(Training("{}", kNow, 20'000));
  auto marked = repository_->RequestModelRetraining(tenant_, "series-detector", kNow + 5);
  ASSERT_TRUE(marked) << marked.error().message;
  EXPECT_EQ(*marked, 1);
  // A second request keeps the first time.
  EXPECT_EQ(repository_->RequestModelRetraining(tenant_, "series-detector", kNow + 9).value_or(-1),
            0);
  auto requested = repository_->GetTenantModel(tenant_, first.id);
  ASSERT_TRUE(requested) << requested.error().message;
  EXPECT_EQ(requested->retrain_requested_at, std::optional<std::int64_t>(kNow + 5));

  const TenantModel second = Record(Training("{}", kNow + 60, 20'001));
  EXPECT_NE(second.id, first.id);
  EXPECT_EQ(second.version, 2);
  EXPECT_EQ(second.status, "active");
  EXPECT_FALSE(second.retrain_requested_at.has_value());
  EXPECT_THAT(Versions(tenant_), ElementsAre(std::pair(2, "series-detector:active"),
                                             std::pair(1, "series-detector:retired")));
  // The next run keeps version 2.
  EXPECT_EQ(Record(Training("{}", kNow + 120, 20'002)).id, second.id);
}

TEST_P(ModelRegistryRepositoryTest, ModelsBelongToTheirTenant) {
  const TenantModel mine = Record(Training("{}", kNow, 20'000));
  TenantModel forecaster = Training("{}", kNow, 20'000);
  forecaster.model_type = "forecaster";
  const TenantModel theirs = Record(forecaster, other_);
  EXPECT_EQ(theirs.version, 1);  // versions count per tenant
  EXPECT_THAT(Versions(other_), ElementsAre(std::pair(1, "forecaster:active")));

  auto hidden = repository_->GetTenantModel(other_, mine.id);
  ASSERT_FALSE(hidden);
  EXPECT_EQ(hidden.error().code, ErrorCode::kNotFound);
  // Marking one tenant's detector leaves the other's alone.
  EXPECT_EQ(repository_->RequestModelRetraining(other_, "series-detector", kNow).value_or(-1), 0);
  EXPECT_FALSE(repository_->GetTenantModel(tenant_, mine.id)->retrain_requested_at.has_value());
  // Tenant-less configuration rows are not any tenant's models.
  ASSERT_TRUE(repository_->EnsureModel(ModelRecord{"series-detector", 1, "{}", ""}));
  EXPECT_EQ(Versions(tenant_).size(), 1U);

  auto unknown = repository_->RecordModelTraining(987'654, Training("{}", kNow, 20'000));
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);
  TenantModel untyped = Training("{}", kNow, 20'000);
  untyped.model_type = "";
  auto invalid = repository_->RecordModelTraining(tenant_, untyped);
  ASSERT_FALSE(invalid);
  EXPECT_EQ(invalid.error().code, ErrorCode::kInvalidInput);
}

TEST_P(ModelRegistryRepositoryTest, RecordsTheArtifactAndKeepsItAcrossRunsOfTheVersion) {
  const TenantModel model = Record(Training("{}", kNow, 20'000));
  EXPECT_EQ(model.artifact_path, "");
  ASSERT_TRUE(repository_->SetModelArtifact(tenant_, model.id, "/var/models/1/v1.bin"));
  // A later run of the same version without a path of its own keeps the recorded one.
  const TenantModel again = Record(Training("{}", kNow + 60, 20'001));
  EXPECT_EQ(again.id, model.id);
  EXPECT_EQ(again.artifact_path, "/var/models/1/v1.bin");
  // Not another tenant's model, and only UTF-8.
  const Status foreign = repository_->SetModelArtifact(other_, model.id, "/elsewhere.bin");
  ASSERT_FALSE(foreign);
  EXPECT_EQ(foreign.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(repository_->GetTenantModel(tenant_, model.id)->artifact_path, "/var/models/1/v1.bin");
  const Status invalid = repository_->SetModelArtifact(tenant_, model.id, "bad\xff");
  ASSERT_FALSE(invalid);
  EXPECT_EQ(invalid.error().code, ErrorCode::kInvalidInput);
  // A new version starts without one.
  ASSERT_EQ(repository_->RequestModelRetraining(tenant_, "series-detector", kNow).value_or(0), 1);
  EXPECT_EQ(Record(Training("{}", kNow + 120, 20'002)).artifact_path, "");
}

TEST_P(ModelRegistryRepositoryTest, RecordsApplyRequestsOfTheTenantsRecommendations) {
  auto ids = repository_->ReplaceRecommendations(tenant_, std::vector{Stop("i-1")}, kNow);
  ASSERT_TRUE(ids) << ids.error().message;
  auto user = repository_->CreateUserWithOrganisation("ada@example.com", "h", "Ada's", kNow);
  ASSERT_TRUE(user) << user.error().message;

  RecommendationActionRecord dry_run;
  dry_run.recommendation_id = ids->front();
  dry_run.user_id = user->user_id;
  dry_run.requested_at = kNow + 1;
  dry_run.plan = R"({"aws_cli":["aws ec2 stop-instances --instance-ids i-1"]})";
  dry_run.outcome = "planned";
  auto first = repository_->RecordRecommendationAction(tenant_, dry_run);
  ASSERT_TRUE(first) << first.error().message;
  RecommendationActionRecord real = dry_run;
  real.dry_run = false;
  real.requested_at = kNow + 2;
  real.outcome = "refused";
  ASSERT_TRUE(repository_->RecordRecommendationAction(tenant_, real));

  auto actions = repository_->ListRecommendationActions(tenant_, ids->front());
  ASSERT_TRUE(actions) << actions.error().message;
  ASSERT_EQ(actions->size(), 2U);
  EXPECT_EQ((*actions)[0].outcome, "refused");
  EXPECT_FALSE((*actions)[0].dry_run);
  const RecommendationActionRecord& planned = (*actions)[1];
  EXPECT_EQ(planned.id, *first);
  EXPECT_TRUE(planned.dry_run);
  EXPECT_EQ(planned.user_id, user->user_id);
  EXPECT_EQ(planned.user_email, "ada@example.com");
  EXPECT_EQ(planned.requested_at, kNow + 1);
  EXPECT_EQ(planned.plan, dry_run.plan);

  // Another tenant can neither record on it nor read its requests.
  auto foreign = repository_->RecordRecommendationAction(other_, dry_run);
  ASSERT_FALSE(foreign);
  EXPECT_EQ(foreign.error().code, ErrorCode::kNotFound);
  EXPECT_THAT(foreign.error().message, HasSubstr("no recommendation"));
  EXPECT_THAT(*repository_->ListRecommendationActions(other_, ids->front()), IsEmpty());

  // A real apply rewrites its request step by step; another tenant cannot.
  ASSERT_TRUE(
      repository_->UpdateRecommendationAction(tenant_, *first, R"({"steps":[1]})", "in-progress"));
  auto updated = repository_->ListRecommendationActions(tenant_, ids->front());
  ASSERT_TRUE(updated);
  EXPECT_EQ((*updated)[1].plan, R"({"steps":[1]})");
  EXPECT_EQ((*updated)[1].outcome, "in-progress");
  EXPECT_EQ(repository_->UpdateRecommendationAction(other_, *first, "{}", "applied").error().code,
            ErrorCode::kNotFound);
  EXPECT_EQ(
      repository_->UpdateRecommendationAction(tenant_, *first, "\xff", "applied").error().code,
      ErrorCode::kInvalidInput);
  EXPECT_EQ((*repository_->ListRecommendationActions(tenant_, ids->front()))[1].outcome,
            "in-progress");
}

}  // namespace
}  // namespace costwise::store
