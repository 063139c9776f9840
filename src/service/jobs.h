#pragma once
// The job runner: a pool of worker threads that claim due jobs from the store's queue
// (store::Repository::ClaimJob), run the function registered for the job's kind, report its
// progress, and record success, failure (retried with backoff while attempts are left) or
// cancellation; plus one maintenance thread that keeps the leases of running jobs alive and
// queues the jobs of due schedules. Several servers may share one database: the store hands each
// job to one worker, and a job whose server died is claimed again when its lease expires.
// docs/service.md ("Jobs") describes the life of a job.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/error.h"
#include "store/repository.h"

namespace costwise::service {

// A running job's progress report: fraction done (0..1) and what it is doing. Returns an error
// the job's function must return at once (unchanged) when the job should stop: its cancellation
// was requested, the server is stopping, or this worker lost the job (its lease expired).
using JobProgress = std::function<Status(double fraction, std::string_view message)>;

// Runs one job of a kind on the worker's repository: reads the job's payload (JSON text), does
// the work, and returns the result as JSON text.
using JobFunction = std::function<Result<std::string>(
    store::Repository& repository, const store::JobRecord& job, const JobProgress& progress)>;

struct JobKindEntry {
  JobFunction run;
  // Kinds queued for the same tenant after a job of this kind succeeds (not when one of the kind
  // is queued already): detect and forecast after an ingest.
  std::vector<store::JobKind> then;
  // Called once a success is recorded (an ingest removes its uploaded files); may be empty.
  std::function<void(const store::JobRecord& job)> after_success;
};

// The kinds a runner can run. A job of a kind without an entry fails with a message saying so.
using JobRegistry = std::map<store::JobKind, JobKindEntry>;

// Opens a repository of its own for a worker (one database connection per thread).
using RepositoryOpener = std::function<Result<std::unique_ptr<store::Repository>>()>;

struct JobRunnerOptions {
  int workers = 2;
  // A job's lease: a job whose worker has not reported for this long is claimed again. The
  // maintenance thread renews the leases of the jobs running here every third of it.
  std::int64_t lease_seconds = 300;
  int max_attempts = 3;         // of the jobs the runner queues (follow-ups, schedules)
  store::RetryBackoff backoff;  // between the attempts of a failed job
  std::chrono::milliseconds idle_poll{1000};        // an idle worker looks for work
  std::chrono::milliseconds schedule_poll{30'000};  // due schedules are queued
  std::string owner_prefix;                         // "" = host:pid:start time
  std::function<std::int64_t()> clock;              // Unix seconds; empty = the system clock
};

// The errors a job function returns that retrying cannot fix: the job fails at once.
[[nodiscard]] bool IsPermanentJobError(ErrorCode code);

class JobRunner final {
 public:
  JobRunner(RepositoryOpener open, JobRegistry registry, JobRunnerOptions options);
  ~JobRunner();
  JobRunner(const JobRunner&) = delete;
  JobRunner& operator=(const JobRunner&) = delete;

  // Opens the workers' repositories and starts the threads. Unavailable when a repository
  // cannot be opened (nothing is started then).
  [[nodiscard]] Status Start();
  // Stops the threads: a running job is stopped at its next progress report and put back in the
  // queue without counting the attempt; a job that does not report finishes first.
  void Stop();
  // Tells idle workers that a job was queued.
  void Wake();

  // Claims one due job as `owner` and runs it to its end on `repository`; false when no job was
  // due. The workers loop on this; tests call it directly.
  [[nodiscard]] Result<bool> RunOne(store::Repository& repository, std::string_view owner);
  // Renews the leases of the jobs running in this runner (see lease_seconds).
  void RenewLeases(store::Repository& repository);
  // Queues the jobs of the schedules due now; returns how many.
  [[nodiscard]] Result<std::size_t> QueueDueSchedules(store::Repository& repository);

  [[nodiscard]] const JobRunnerOptions& options() const { return options_; }

 private:
  struct Running {
    std::string owner;
    double progress = 0;
    std::string message;
  };

  [[nodiscard]] std::int64_t Now() const;
  void WorkerLoop(store::Repository& repository, std::string owner);
  void MaintenanceLoop(store::Repository& repository);
  // Records how the job's attempt ended, and queues the follow-ups of a success.
  void Finish(store::Repository& repository, const store::JobRecord& job, std::string_view owner,
              const JobKindEntry* entry, const Result<std::string>& result, bool cancelled,
              bool stopped);

  RepositoryOpener open_;
  JobRegistry registry_;
  JobRunnerOptions options_;
  std::vector<std::unique_ptr<store::Repository>> repositories_;  // workers', then maintenance
  std::vector<std::thread> threads_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::uint64_t wakes_ = 0;
  std::map<std::int64_t, Running> running_;  // by job id
};

}  // namespace costwise::service
