// The job queue and schedules of store::Repository (schema version 6) against both real
// backends: claiming, leases, retries with backoff, cancellation, tenancy, two claimers on one
// database, and schedules. Run through scripts/with-postgres.sh, or the PostgreSQL cases fail.
#include <algorithm>
#include <cstdint>
#include <mutex>
#include <ostream>
#include <set>
#include <string>
#include <thread>
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
using ::testing::HasSubstr;

constexpr std::int64_t kNow = 1'790'000'000;
constexpr std::int64_t kLease = 30;

class JobRepositoryTest : public testing::BackendRepositoryTest {
 protected:
  JobRecord Enqueue(std::int64_t tenant_id, JobKind kind, int max_attempts = 3,
                    std::int64_t run_after = kNow, bool unless_queued = false) {
    auto job = repository_->EnqueueJob(NewJob{tenant_id, kind, R"({"files":["a.csv"]})",
                                              max_attempts, run_after, kNow, unless_queued});
    EXPECT_TRUE(job) << job.error().message;
    return job.value_or(JobRecord{});
  }

  std::optional<JobRecord> Claim(std::string_view owner, std::int64_t now,
                                 std::int64_t lease = kLease) {
    auto job = repository_->ClaimJob(owner, now, lease);
    EXPECT_TRUE(job) << job.error().message;
    return job ? *job : std::nullopt;
  }
};

INSTANTIATE_TEST_SUITE_P(Backends, JobRepositoryTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgresql),
                         BackendParamName);

TEST_P(JobRepositoryTest, QueuedJobIsClaimedOnceAndSucceeds) {
  const std::int64_t tenant = Tenant("acme");
  const JobRecord queued = Enqueue(tenant, JobKind::kIngest);
  EXPECT_EQ(queued.status, JobStatus::kQueued);
  EXPECT_EQ(queued.tenant_name, "acme");
  EXPECT_EQ(queued.payload, R"({"files":["a.csv"]})");
  EXPECT_EQ(queued.attempts, 0);

  const auto claimed = Claim("worker-a", kNow);
  ASSERT_TRUE(claimed);
  EXPECT_EQ(claimed->id, queued.id);
  EXPECT_EQ(claimed->status, JobStatus::kRunning);
  EXPECT_EQ(claimed->attempts, 1);
  EXPECT_EQ(claimed->lease_owner, "worker-a");
  EXPECT_EQ(claimed->lease_expires_at, kNow + kLease);
  EXPECT_EQ(claimed->started_at, kNow);
  EXPECT_FALSE(Claim("worker-b", kNow + 1));

  auto beat = repository_->ReportJobProgress(queued.id, "worker-a", 0.5, "reading", kNow + 99);
  ASSERT_TRUE(beat) << beat.error().message;
  EXPECT_FALSE(beat->cancel_requested);
  auto other = repository_->ReportJobProgress(queued.id, "worker-b", 0.6, "x", kNow + 99);
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().code, ErrorCode::kConflict);
  auto running = repository_->GetJob(tenant, queued.id);
  ASSERT_TRUE(running);
  EXPECT_DOUBLE_EQ(running->progress, 0.5);
  EXPECT_EQ(running->progress_message, "reading");
  EXPECT_EQ(running->lease_expires_at, kNow + 99);

  auto done = repository_->SucceedJob(queued.id, "worker-a", R"({"rows":3})", kNow + 5);
  ASSERT_TRUE(done) << done.error().message;
  EXPECT_EQ(done->status, JobStatus::kSucceeded);
  EXPECT_EQ(done->result, R"({"rows":3})");
  EXPECT_DOUBLE_EQ(done->progress, 1.0);
  EXPECT_EQ(done->finished_at, kNow + 5);
  EXPECT_FALSE(Claim("worker-b", kNow + 1000));
  EXPECT_EQ(repository_->SucceedJob(queued.id, "worker-a", "{}", kNow).error().code,
            ErrorCode::kConflict);
}

TEST_P(JobRepositoryTest, JobIsNotClaimedBeforeItsRunAfterAndOldestDueFirst) {
  const std::int64_t tenant = Tenant("acme");
  const JobRecord later = Enqueue(tenant, JobKind::kDetect, 3, kNow + 60);
  const JobRecord first = Enqueue(tenant, JobKind::kForecast);
  const JobRecord second = Enqueue(tenant, JobKind::kRightsize);
  constexpr std::int64_t kLongLease = 1000;
  EXPECT_EQ(Claim("w", kNow, kLongLease)->id, first.id);
  EXPECT_EQ(Claim("w", kNow, kLongLease)->id, second.id);
  EXPECT_FALSE(Claim("w", kNow + 59, kLongLease));
  EXPECT_EQ(Claim("w", kNow + 60, kLongLease)->id, later.id);
}

TEST_P(JobRepositoryTest, FailureRetriesWithCappedExponentialBackoffThenFails) {
  const std::int64_t tenant = Tenant("acme");
  const JobRecord job = Enqueue(tenant, JobKind::kDetect, 3);
  const RetryBackoff backoff{10, 15};
  ASSERT_TRUE(Claim("w", kNow));
  auto first = repository_->FailJob(job.id, "w", "database busy", kNow, backoff);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->status, JobStatus::kQueued);
  EXPECT_EQ(first->error, "database busy");
  EXPECT_EQ(first->run_after, kNow + 10);
  EXPECT_FALSE(Claim("w", kNow + 9));
  ASSERT_TRUE(Claim("w", kNow + 10));
  auto second = repository_->FailJob(job.id, "w", "database busy", kNow + 10, backoff);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->run_after, kNow + 10 + 15);  // 20 s capped at 15
  const auto third_claim = Claim("w", kNow + 25);
  ASSERT_TRUE(third_claim);
  EXPECT_EQ(third_claim->attempts, 3);
  auto third = repository_->FailJob(job.id, "w", "still busy", kNow + 26, backoff);
  ASSERT_TRUE(third);
  EXPECT_EQ(third->status, JobStatus::kFailed);
  EXPECT_EQ(third->error, "still busy");
  EXPECT_EQ(third->finished_at, kNow + 26);
  EXPECT_FALSE(Claim("w", kNow + 10'000));
}

TEST_P(JobRepositoryTest, FailureWithoutRetryFailsAtOnce) {
  const std::int64_t tenant = Tenant("acme");
  const JobRecord job = Enqueue(tenant, JobKind::kSync, 5);
  ASSERT_TRUE(Claim("w", kNow));
  auto failed = repository_->FailJob(job.id, "w", "no runner", kNow, std::nullopt);
  ASSERT_TRUE(failed);
  EXPECT_EQ(failed->status, JobStatus::kFailed);
  EXPECT_EQ(failed->attempts, 1);
}

TEST_P(JobRepositoryTest, ReleasedJobIsQueuedAgainWithoutCountingTheAttempt) {
  const std::int64_t tenant = Tenant("acme");
  const JobRecord job = Enqueue(tenant, JobKind::kIngest, 1);
  ASSERT_TRUE(Claim("stopping", kNow));
  auto released = repository_->ReleaseJob(job.id, "stopping");
  ASSERT_TRUE(released) << released.error().message;
  EXPECT_EQ(released->status, JobStatus::kQueued);
  EXPECT_EQ(released->attempts, 0);
  EXPECT_EQ(repository_->ReleaseJob(job.id, "stopping").error().code, ErrorCode::kConflict);
  const auto again = Claim("next", kNow);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->attempts, 1);
}

TEST_P(JobRepositoryTest, ExpiredLeaseIsReclaimedAndTheOldWorkerLosesTheJob) {
  const std::int64_t tenant = Tenant("acme");
  const JobRecord job = Enqueue(tenant, JobKind::kIngest, 2);
  ASSERT_TRUE(Claim("crashed", kNow, 5));
  EXPECT_FALSE(Claim("survivor", kNow + 5));  // the lease runs to kNow + 5
  const auto reclaimed = Claim("survivor", kNow + 6, 5);
  ASSERT_TRUE(reclaimed);
  EXPECT_EQ(reclaimed->id, job.id);
  EXPECT_EQ(reclaimed->attempts, 2);
  EXPECT_EQ(reclaimed->lease_owner, "survivor");
  EXPECT_THAT(reclaimed->error, HasSubstr("lease expired"));
  EXPECT_EQ(repository_->SucceedJob(job.id, "crashed", "{}", kNow + 7).error().code,
            ErrorCode::kConflict);
  // The last attempt's worker stops too: the job fails instead of running forever.
  EXPECT_FALSE(Claim("third", kNow + 20));
  auto failed = repository_->GetJob(tenant, job.id);
  ASSERT_TRUE(failed);
  EXPECT_EQ(failed->status, JobStatus::kFailed);
  EXPECT_THAT(failed->error, HasSubstr("last attempt"));
}

TEST_P(JobRepositoryTest, CancelStopsAQueuedJobAtOnceAndARunningOneAtItsNextReport) {
  const std::int64_t tenant = Tenant("acme");
  const JobRecord queued = Enqueue(tenant, JobKind::kForecast);
  auto cancelled = repository_->CancelJob(tenant, queued.id, kNow + 1);
  ASSERT_TRUE(cancelled) << cancelled.error().message;
  EXPECT_EQ(cancelled->status, JobStatus::kCancelled);
  EXPECT_EQ(cancelled->finished_at, kNow + 1);
  EXPECT_FALSE(Claim("w", kNow + 2));
  EXPECT_EQ(repository_->CancelJob(tenant, queued.id, kNow).error().code, ErrorCode::kConflict);

  const JobRecord running = Enqueue(tenant, JobKind::kIngest);
  ASSERT_TRUE(Claim("w", kNow));
  auto requested = repository_->CancelJob(tenant, running.id, kNow + 1);
  ASSERT_TRUE(requested);
  EXPECT_EQ(requested->status, JobStatus::kRunning);
  EXPECT_TRUE(requested->cancel_requested);
  auto beat = repository_->ReportJobProgress(running.id, "w", 0.2, "reading", kNow + 60);
  ASSERT_TRUE(beat);
  EXPECT_TRUE(beat->cancel_requested);
  auto acknowledged = repository_->AcknowledgeJobCancel(running.id, "w", kNow + 2);
  ASSERT_TRUE(acknowledged) << acknowledged.error().message;
  EXPECT_EQ(acknowledged->status, JobStatus::kCancelled);
}

TEST_P(JobRepositoryTest, AnotherTenantsJobIsNotFound) {
  const std::int64_t acme = Tenant("acme");
  const std::int64_t other = Tenant("other");
  const JobRecord job = Enqueue(acme, JobKind::kDetect);
  EXPECT_EQ(repository_->GetJob(other, job.id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(repository_->CancelJob(other, job.id, kNow).error().code, ErrorCode::kNotFound);
  auto listed = repository_->ListJobs(other, JobFilter{});
  ASSERT_TRUE(listed);
  EXPECT_TRUE(listed->empty());
  EXPECT_EQ(repository_->EnqueueJob(NewJob{acme + other + 100, JobKind::kDetect}).error().code,
            ErrorCode::kNotFound);
}

TEST_P(JobRepositoryTest, UnlessQueuedReusesTheQueuedJobOfTheKind) {
  const std::int64_t tenant = Tenant("acme");
  const JobRecord detect = Enqueue(tenant, JobKind::kDetect, 3, kNow, true);
  EXPECT_EQ(Enqueue(tenant, JobKind::kDetect, 3, kNow, true).id, detect.id);
  EXPECT_NE(Enqueue(tenant, JobKind::kForecast, 3, kNow, true).id, detect.id);
  ASSERT_TRUE(Claim("w", kNow));  // the detect job runs: a new one is queued
  EXPECT_NE(Enqueue(tenant, JobKind::kDetect, 3, kNow, true).id, detect.id);
}

TEST_P(JobRepositoryTest, ListFiltersByStatusAndKindNewestFirst) {
  const std::int64_t tenant = Tenant("acme");
  const JobRecord a = Enqueue(tenant, JobKind::kDetect);
  const JobRecord b = Enqueue(tenant, JobKind::kForecast);
  const JobRecord c = Enqueue(tenant, JobKind::kDetect);
  ASSERT_TRUE(repository_->CancelJob(tenant, c.id, kNow));
  auto all = repository_->ListJobs(tenant, JobFilter{});
  ASSERT_TRUE(all) << all.error().message;
  ASSERT_EQ(all->size(), 3U);
  EXPECT_EQ((*all)[0].id, c.id);
  EXPECT_EQ((*all)[2].id, a.id);
  auto detect = repository_->ListJobs(tenant, JobFilter{std::nullopt, JobKind::kDetect, 100});
  ASSERT_TRUE(detect);
  EXPECT_EQ(detect->size(), 2U);
  auto queued_detect =
      repository_->ListJobs(tenant, JobFilter{JobStatus::kQueued, JobKind::kDetect, 100});
  ASSERT_TRUE(queued_detect);
  ASSERT_EQ(queued_detect->size(), 1U);
  EXPECT_EQ(queued_detect->front().id, a.id);
  auto limited = repository_->ListJobs(tenant, JobFilter{std::nullopt, std::nullopt, 1});
  ASSERT_TRUE(limited);
  ASSERT_EQ(limited->size(), 1U);
  EXPECT_EQ(limited->front().id, c.id);
  EXPECT_NE(b.id, 0);
}

// Two workers with connections of their own race for the same jobs: each job is claimed once.
TEST_P(JobRepositoryTest, TwoClaimersNeverGetTheSameJob) {
  const std::int64_t tenant = Tenant("acme");
  constexpr int kJobs = 40;
  for (int i = 0; i < kJobs; ++i) Enqueue(tenant, JobKind::kDetect);
  std::mutex mutex;
  std::vector<std::int64_t> claimed;
  std::vector<std::string> errors;
  auto claimer = [&](const std::string& owner) {
    auto repository = OpenRepository(database_->url());
    if (!repository) {
      const std::lock_guard lock(mutex);
      errors.push_back(repository.error().message);
      return;
    }
    while (true) {
      auto job = (*repository)->ClaimJob(owner, kNow, kLease);
      const std::lock_guard lock(mutex);
      if (!job) {
        errors.push_back(job.error().message);
        return;
      }
      if (!*job) return;
      claimed.push_back((*job)->id);
    }
  };
  std::thread first(claimer, "worker-1");
  std::thread second(claimer, "worker-2");
  first.join();
  second.join();
  EXPECT_TRUE(errors.empty()) << errors.front();
  EXPECT_EQ(claimed.size(), static_cast<std::size_t>(kJobs));
  EXPECT_EQ(std::set<std::int64_t>(claimed.begin(), claimed.end()).size(),
            static_cast<std::size_t>(kJobs));
}

TEST_P(JobRepositoryTest, DueSchedulesQueueOneJobAndMoveOnKeepingTheirCadence) {
  const std::int64_t acme = Tenant("acme");
  const std::int64_t other = Tenant("other");
  auto sync = repository_->SaveJobSchedule(
      JobScheduleRecord{0, acme, JobKind::kSync, "{}", 86'400, kNow + 100, kNow});
  ASSERT_TRUE(sync) << sync.error().message;
  auto none = repository_->EnqueueDueSchedules(kNow + 99, 3);
  ASSERT_TRUE(none) << none.error().message;
  EXPECT_TRUE(none->empty());

  // Two days and a bit late: one job, and the next run is the next on the daily cadence.
  auto due = repository_->EnqueueDueSchedules(kNow + 100 + 2 * 86'400 + 5, 3);
  ASSERT_TRUE(due);
  ASSERT_EQ(due->size(), 1U);
  EXPECT_EQ(due->front().kind, JobKind::kSync);
  EXPECT_EQ(due->front().tenant_id, acme);
  EXPECT_EQ(due->front().max_attempts, 3);
  auto schedules = repository_->ListJobSchedules(acme);
  ASSERT_TRUE(schedules);
  ASSERT_EQ(schedules->size(), 1U);
  EXPECT_EQ(schedules->front().next_run_at, kNow + 100 + 3 * 86'400);

  // Still queued at the next run: no second job.
  auto again = repository_->EnqueueDueSchedules(kNow + 100 + 3 * 86'400, 3);
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->empty());

  // Saving again replaces the tenant's schedule of the kind.
  auto replaced = repository_->SaveJobSchedule(
      JobScheduleRecord{0, acme, JobKind::kSync, "{}", 3'600, kNow, kNow});
  ASSERT_TRUE(replaced);
  EXPECT_EQ(replaced->id, sync->id);
  EXPECT_EQ(repository_->DeleteJobSchedule(other, sync->id).error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(repository_->DeleteJobSchedule(acme, sync->id));
  EXPECT_TRUE(repository_->ListJobSchedules(acme)->empty());
  EXPECT_EQ(repository_->SaveJobSchedule(JobScheduleRecord{0, acme, JobKind::kSync, "{}", 0, 0, 0})
                .error()
                .code,
            ErrorCode::kInvalidInput);
}

}  // namespace
}  // namespace costwise::store
