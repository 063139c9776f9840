#pragma once
// Applying a right-sizing to a real EC2 instance (docs/aws.md, "Applying a recommendation"):
//  1. DryRun of StopInstances, ModifyInstanceAttribute and StartInstances: AWS checks the
//     permissions and nothing changes (a dry run stops here);
//  2. the instance must still be of the recommended-from type;
//  3. stop it (when running) and wait until it is stopped;
//  4. change its type;
//  5. start it (when it was running) and wait until it is running.
// On a failure after the instance was touched, it is put back: stopped if needed, its original
// type restored, started again if it was running; the outcome says what failed and that it was
// rolled back (or, if even that failed, what state it was left in).
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "ingest/aws/client.h"

namespace costwise::service {

struct ApplyStepRecord {
  std::string step;    // "dry-run stop", "stop", "wait stopped", "modify type", ...
  std::string status;  // "passed" | "failed" | "skipped"
  std::string detail;
  std::int64_t at = 0;  // Unix seconds
};

struct InstanceChange {
  std::string instance_id;
  std::string from_type;
  std::string to_type;  // "" = only stop the instance (an idle one)
};

struct Ec2ApplyOptions {
  std::chrono::milliseconds poll{5000};
  std::chrono::seconds timeout{900};                     // per wait
  std::function<void(std::chrono::milliseconds)> sleep;  // real sleep when empty
  std::function<std::int64_t()> now;                     // the wall clock when empty
  // Called after every step with all steps so far (the audit log is rewritten with them).
  std::function<void(const std::vector<ApplyStepRecord>&)> on_step;
};

struct Ec2ApplyOutcome {
  // "planned" (dry run passed), "refused" (dry run or precondition failed, nothing changed),
  // "applied", "rolled-back" (failed, the instance is as it was), "failed" (failed and could not
  // be put back: `message` says in what state it is).
  std::string outcome;
  std::string message;
  std::vector<ApplyStepRecord> steps;
};

[[nodiscard]] Ec2ApplyOutcome ApplyInstanceChange(aws::AwsClient& client,
                                                  const InstanceChange& change, bool dry_run,
                                                  const Ec2ApplyOptions& options);

}  // namespace costwise::service
