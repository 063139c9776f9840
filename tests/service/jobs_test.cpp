// The job runner over a real store (SQLite file): retries with capped backoff, permanent errors,
// a kind without a runner, cancellation at the next progress report, follow-up jobs after an
// ingest (queued once), worker threads, a stop that puts the running job back, and schedules.
#include "service/jobs.h"

#include <atomic>
#include <chrono>
#include <ctime>
#include <memory>
#include <string>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "service/job_service.h"
#include "test_files.h"

namespace costwise::service {
namespace {

using store::JobKind;
using store::JobRecord;
using store::JobStatus;
using ::testing::HasSubstr;

constexpr std::int64_t kNow = 1'790'000'000;
constexpr auto kWaitLimit = std::chrono::seconds(20);

class JobRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    url_ = "sqlite:" + (dir_.path() / "db.sqlite").string();
    auto opened = store::OpenRepository(url_);
    ASSERT_TRUE(opened) << opened.error().message;
    repository_ = std::move(*opened);
    auto tenant = repository_->EnsureTenant("acme");
    ASSERT_TRUE(tenant) << tenant.error().message;
    tenant_ = tenant->id;
    options_.owner_prefix = "test";
    options_.backoff = store::RetryBackoff{10, 15};
    options_.clock = [this] { return now_.load(); };
    options_.idle_poll = std::chrono::milliseconds(20);
  }

  JobRunner MakeRunner(JobRegistry registry) {
    return JobRunner([this] { return store::OpenRepository(url_); }, std::move(registry), options_);
  }

  JobRecord Enqueue(JobKind kind, int max_attempts = 3) {
    auto job = repository_->EnqueueJob(
        store::NewJob{tenant_, kind, "{}", max_attempts, now_.load(), now_.load(), false});
    EXPECT_TRUE(job) << job.error().message;
    return job.value_or(JobRecord{});
  }

  JobRecord Get(std::int64_t id) {
    auto job = repository_->GetJob(tenant_, id);
    EXPECT_TRUE(job) << job.error().message;
    return job.value_or(JobRecord{});
  }

  bool RunOne(JobRunner& runner) {
    auto ran = runner.RunOne(*repository_, "test:worker");
    EXPECT_TRUE(ran) << ran.error().message;
    return ran && *ran;
  }

  // Waits until the job has the status; false after kWaitLimit.
  bool WaitFor(std::int64_t id, JobStatus status) {
    const auto deadline = std::chrono::steady_clock::now() + kWaitLimit;
    while (std::chrono::steady_clock::now() < deadline) {
      if (Get(id).status == status) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }

  costwise::testing::TempDir dir_;
  std::string url_;
  std::unique_ptr<store::Repository> repository_;
  std::int64_t tenant_ = 0;
  std::atomic<std::int64_t> now_{kNow};
  JobRunnerOptions options_;
};

TEST_F(JobRunnerTest, FailingJobIsRetriedWithCappedBackoffUntilItsAttemptsAreUsed) {
  int calls = 0;
  JobRegistry registry;
  registry[JobKind::kDetect] = {
      [&](store::Repository&, const JobRecord&, const JobProgress&) -> Result<std::string> {
        ++calls;
        return MakeError(ErrorCode::kUnavailable, "database busy");
      },
      {},
      {}};
  JobRunner runner = MakeRunner(std::move(registry));
  const JobRecord job = Enqueue(JobKind::kDetect, 3);
  EXPECT_TRUE(RunOne(runner));
  EXPECT_EQ(Get(job.id).status, JobStatus::kQueued);
  EXPECT_EQ(Get(job.id).run_after, kNow + 10);
  EXPECT_EQ(Get(job.id).error, "database busy");
  now_ = kNow + 9;
  EXPECT_FALSE(RunOne(runner));  // backing off
  now_ = kNow + 10;
  EXPECT_TRUE(RunOne(runner));
  EXPECT_EQ(Get(job.id).run_after, kNow + 10 + 15);  // 20 s capped at 15
  now_ = kNow + 25;
  EXPECT_TRUE(RunOne(runner));
  EXPECT_EQ(Get(job.id).status, JobStatus::kFailed);
  EXPECT_EQ(Get(job.id).attempts, 3);
  EXPECT_EQ(calls, 3);
  now_ = kNow + 10'000;
  EXPECT_FALSE(RunOne(runner));
}

TEST_F(JobRunnerTest, JobSucceedsOnItsSecondAttempt) {
  int calls = 0;
  JobRegistry registry;
  registry[JobKind::kForecast] = {[&](store::Repository&, const JobRecord& job,
                                      const JobProgress& progress) -> Result<std::string> {
                                    if (++calls == 1) {
                                      return MakeError(ErrorCode::kInternal, "crashed");
                                    }
                                    if (Status go = progress(0.5, "half"); !go) {
                                      return unexpected(go.error());
                                    }
                                    return R"({"attempt":)" + std::to_string(job.attempts) + "}";
                                  },
                                  {},
                                  {}};
  JobRunner runner = MakeRunner(std::move(registry));
  const JobRecord job = Enqueue(JobKind::kForecast);
  EXPECT_TRUE(RunOne(runner));
  now_ = kNow + 10;
  EXPECT_TRUE(RunOne(runner));
  const JobRecord done = Get(job.id);
  EXPECT_EQ(done.status, JobStatus::kSucceeded);
  EXPECT_EQ(done.result, R"({"attempt":2})");
  EXPECT_EQ(done.error, "");
  EXPECT_DOUBLE_EQ(done.progress, 1.0);
}

TEST_F(JobRunnerTest, InvalidInputFailsAtOnceWithoutRetry) {
  JobRegistry registry;
  registry[JobKind::kIngest] = {
      [](store::Repository&, const JobRecord&, const JobProgress&) -> Result<std::string> {
        return MakeError(ErrorCode::kInvalidInput, "bad.csv: no header");
      },
      {JobKind::kDetect},
      {}};
  JobRunner runner = MakeRunner(std::move(registry));
  const JobRecord job = Enqueue(JobKind::kIngest, 3);
  EXPECT_TRUE(RunOne(runner));
  EXPECT_EQ(Get(job.id).status, JobStatus::kFailed);
  EXPECT_EQ(Get(job.id).attempts, 1);
  EXPECT_EQ(Get(job.id).error, "bad.csv: no header");
  EXPECT_FALSE(RunOne(runner));  // no follow-up after a failure
}

TEST_F(JobRunnerTest, KindWithoutARunnerFailsSayingSo) {
  JobRunner runner = MakeRunner({});
  const JobRecord job = Enqueue(JobKind::kSync, 3);
  EXPECT_TRUE(RunOne(runner));
  const JobRecord failed = Get(job.id);
  EXPECT_EQ(failed.status, JobStatus::kFailed);
  EXPECT_EQ(failed.attempts, 1);
  EXPECT_THAT(failed.error, HasSubstr("no runner for sync jobs"));
}

TEST_F(JobRunnerTest, CancelledRunningJobStopsAtItsNextProgressReport) {
  bool stopped_with_error = false;
  JobRegistry registry;
  registry[JobKind::kRightsize] = {[&](store::Repository& repository, const JobRecord& job,
                                       const JobProgress& progress) -> Result<std::string> {
                                     if (Status go = progress(0.1, "started"); !go)
                                       return unexpected(go.error());
                                     // The cancel request arrives from the API while the job runs.
                                     if (!repository.CancelJob(job.tenant_id, job.id, kNow))
                                       return std::string("{}");
                                     Status go = progress(0.5, "half way");
                                     stopped_with_error = !go;
                                     if (!go) return unexpected(go.error());
                                     return std::string("{}");
                                   },
                                   {},
                                   {}};
  JobRunner runner = MakeRunner(std::move(registry));
  const JobRecord job = Enqueue(JobKind::kRightsize);
  EXPECT_TRUE(RunOne(runner));
  EXPECT_TRUE(stopped_with_error);
  const JobRecord cancelled = Get(job.id);
  EXPECT_EQ(cancelled.status, JobStatus::kCancelled);
  EXPECT_TRUE(cancelled.cancel_requested);
  EXPECT_FALSE(RunOne(runner));
}

TEST_F(JobRunnerTest, SuccessfulIngestQueuesDetectAndForecastOnce) {
  int after_success = 0;
  JobRegistry registry;
  registry[JobKind::kIngest] = {
      [](store::Repository&, const JobRecord&, const JobProgress&) -> Result<std::string> {
        return std::string(R"({"rows":1})");
      },
      {JobKind::kDetect, JobKind::kForecast},
      [&](const JobRecord&) { ++after_success; }};
  JobRunner runner = MakeRunner(std::move(registry));
  Enqueue(JobKind::kIngest);
  Enqueue(JobKind::kIngest);
  EXPECT_TRUE(RunOne(runner));
  EXPECT_TRUE(RunOne(runner));  // the second ingest: its follow-ups are queued already
  auto queued = repository_->ListJobs(tenant_, store::JobFilter{JobStatus::kQueued, {}, 100});
  ASSERT_TRUE(queued) << queued.error().message;
  ASSERT_EQ(queued->size(), 2U);
  EXPECT_EQ((*queued)[0].kind, JobKind::kForecast);
  EXPECT_EQ((*queued)[1].kind, JobKind::kDetect);
  EXPECT_EQ((*queued)[0].max_attempts, options_.max_attempts);
  EXPECT_EQ(after_success, 2);
}

TEST_F(JobRunnerTest, WorkerThreadsRunEveryQueuedJob) {
  std::atomic<int> calls = 0;
  JobRegistry registry;
  registry[JobKind::kDetect] = {[&](store::Repository&, const JobRecord&,
                                    const JobProgress& progress) -> Result<std::string> {
                                  ++calls;
                                  if (Status go = progress(0.5, "working"); !go) {
                                    return unexpected(go.error());
                                  }
                                  return std::string("{}");
                                },
                                {},
                                {}};
  JobRunner runner = MakeRunner(std::move(registry));
  ASSERT_TRUE(runner.Start());
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 6; ++i) ids.push_back(Enqueue(JobKind::kDetect).id);
  runner.Wake();
  for (const std::int64_t id : ids) EXPECT_TRUE(WaitFor(id, JobStatus::kSucceeded)) << id;
  runner.Stop();
  EXPECT_EQ(calls.load(), 6);
}

// A job that runs longer than its lease without reporting keeps it: the maintenance thread renews
// the leases of the jobs its runner runs, so the idle worker never claims it a second time.
TEST_F(JobRunnerTest, LongJobKeepsItsLeaseAndRunsOnce) {
  options_.clock = {};  // the real clock: leases expire
  options_.lease_seconds = 3;
  std::atomic<int> calls = 0;
  JobRegistry registry;
  registry[JobKind::kIngest] = {
      [&](store::Repository&, const JobRecord&, const JobProgress&) -> Result<std::string> {
        ++calls;
        std::this_thread::sleep_for(std::chrono::milliseconds(4500));
        return std::string("{}");
      },
      {},
      {}};
  JobRunner runner = MakeRunner(std::move(registry));
  const auto now = static_cast<std::int64_t>(std::time(nullptr));
  auto job = repository_->EnqueueJob(store::NewJob{tenant_, JobKind::kIngest, "{}", 3, now, now});
  ASSERT_TRUE(job) << job.error().message;
  ASSERT_TRUE(runner.Start());
  runner.Wake();
  EXPECT_TRUE(WaitFor(job->id, JobStatus::kSucceeded));
  runner.Stop();
  EXPECT_EQ(calls.load(), 1);
  EXPECT_EQ(Get(job->id).attempts, 1);
}

TEST_F(JobRunnerTest, StopPutsTheRunningJobBackInTheQueue) {
  std::atomic<bool> started = false;
  JobRegistry registry;
  registry[JobKind::kIngest] = {[&](store::Repository&, const JobRecord&,
                                    const JobProgress& progress) -> Result<std::string> {
                                  started = true;
                                  while (true) {
                                    if (Status go = progress(0.2, "reading"); !go) {
                                      return unexpected(go.error());
                                    }
                                    std::this_thread::sleep_for(std::chrono::milliseconds(10));
                                  }
                                },
                                {},
                                {}};
  JobRunner runner = MakeRunner(std::move(registry));
  const JobRecord job = Enqueue(JobKind::kIngest, 1);
  ASSERT_TRUE(runner.Start());
  runner.Wake();
  const auto deadline = std::chrono::steady_clock::now() + kWaitLimit;
  while (!started && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(started);
  runner.Stop();
  const JobRecord released = Get(job.id);
  EXPECT_EQ(released.status, JobStatus::kQueued);
  EXPECT_EQ(released.attempts, 0);  // a stop is not a failed attempt
}

TEST_F(JobRunnerTest, DueSchedulesQueueTheirJobs) {
  JobRunner runner = MakeRunner({});
  ASSERT_TRUE(repository_->SaveJobSchedule(
      store::JobScheduleRecord{0, tenant_, JobKind::kSync, "{}", 86'400, kNow + 60, kNow}));
  auto none = runner.QueueDueSchedules(*repository_);
  ASSERT_TRUE(none) << none.error().message;
  EXPECT_EQ(*none, 0U);
  now_ = kNow + 60;
  auto queued = runner.QueueDueSchedules(*repository_);
  ASSERT_TRUE(queued);
  EXPECT_EQ(*queued, 1U);
  auto jobs = repository_->ListJobs(tenant_, store::JobFilter{});
  ASSERT_TRUE(jobs);
  ASSERT_EQ(jobs->size(), 1U);
  EXPECT_EQ(jobs->front().kind, JobKind::kSync);
}

TEST_F(JobRunnerTest, DailyRefreshSchedulesDetectionAndForecastOnce) {
  auto created = EnsureDailyRefresh(*repository_, tenant_, kNow);
  ASSERT_TRUE(created) << created.error().message;
  EXPECT_EQ(*created, 2);
  auto again = EnsureDailyRefresh(*repository_, tenant_, kNow + 3'600);
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, 0);
  auto schedules = repository_->ListJobSchedules(tenant_);
  ASSERT_TRUE(schedules);
  ASSERT_EQ(schedules->size(), 2U);
  for (const auto& schedule : *schedules) {
    EXPECT_TRUE(schedule.kind == JobKind::kDetect || schedule.kind == JobKind::kForecast);
    EXPECT_EQ(schedule.interval_seconds, kDailySeconds);
    EXPECT_EQ(schedule.next_run_at, kNow + kDailySeconds);  // the second call changed nothing
  }
  // A day later the runner queues both.
  JobRunner runner = MakeRunner({});
  now_ = kNow + kDailySeconds;
  auto queued = runner.QueueDueSchedules(*repository_);
  ASSERT_TRUE(queued) << queued.error().message;
  EXPECT_EQ(*queued, 2U);
}

TEST_F(JobRunnerTest, SubmitJobTakesTheKindsTheApiRuns) {
  const Principal caller{1, "a@example.com", tenant_, "acme", store::Role::kAdmin};
  auto detect = SubmitJob(*repository_, caller, "detect", kNow);
  ASSERT_TRUE(detect) << detect.error().message;
  EXPECT_EQ(detect->kind, JobKind::kDetect);
  EXPECT_EQ(SubmitJob(*repository_, caller, "detect", kNow)->id, detect->id);
  EXPECT_EQ(SubmitJob(*repository_, caller, "ingest", kNow).error().code, ErrorCode::kInvalidInput);
  EXPECT_EQ(SubmitJob(*repository_, caller, "sync", kNow)->kind, JobKind::kSync);  // every account
  EXPECT_EQ(ListJobs(*repository_, caller, "bogus", "", 10).error().code, ErrorCode::kInvalidInput);
  const Principal other{2, "b@example.com", tenant_ + 1, "other", store::Role::kOwner};
  EXPECT_EQ(GetJob(*repository_, other, detect->id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(CancelJob(*repository_, other, detect->id, kNow).error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace costwise::service
