#include "service/ec2_apply.h"

#include <thread>

#include <fmt/format.h>

#include "core/clock.h"
#include "ingest/aws/ec2.h"

namespace costwise::service {
namespace {

class ApplyRun {
 public:
  ApplyRun(aws::AwsClient& client, const Ec2ApplyOptions& options)
      : client_(client), options_(options) {}

  void Step(std::string step, bool passed, std::string detail) {
    outcome.steps.push_back({std::move(step), passed ? "passed" : "failed", std::move(detail),
                             options_.now ? options_.now() : UnixSecondsNow()});
    if (options_.on_step) options_.on_step(outcome.steps);
  }

  // The instance's state and type now.
  aws::AwsResult<aws::Ec2Instance> Describe(const std::string& id) {
    auto instances = aws::DescribeInstances(client_, {id});
    if (!instances) return unexpected<aws::AwsError>(std::move(instances.error()));
    if (instances->empty()) {
      aws::AwsError error;
      error.code = ErrorCode::kNotFound;
      error.service = "ec2";
      error.operation = "DescribeInstances";
      error.message = fmt::format("instance {} does not exist", id);
      return unexpected<aws::AwsError>(std::move(error));
    }
    return instances->front();
  }

  // Polls until the instance reaches `state`; the step records how long it took.
  bool WaitFor(const std::string& id, std::string_view state) {
    const auto sleep = options_.sleep ? options_.sleep : [](std::chrono::milliseconds pause) {
      std::this_thread::sleep_for(pause);
    };
    std::chrono::milliseconds waited{0};
    while (true) {
      auto instance = Describe(id);
      if (!instance) {
        Step(fmt::format("wait {}", state), false, instance.error().Describe());
        return false;
      }
      if (instance->state == state) {
        Step(fmt::format("wait {}", state), true,
             fmt::format("{} is {} after {} s", id, state,
                         std::chrono::duration_cast<std::chrono::seconds>(waited).count()));
        return true;
      }
      if (waited >= options_.timeout) {
        Step(fmt::format("wait {}", state), false,
             fmt::format("{} is still {} after {} s", id, instance->state,
                         std::chrono::duration_cast<std::chrono::seconds>(waited).count()));
        return false;
      }
      sleep(options_.poll);
      waited += options_.poll;
    }
  }

  bool Call(std::string step, const aws::AwsResult<std::string>& result, std::string detail) {
    if (!result) {
      Step(std::move(step), false, result.error().Describe());
      return false;
    }
    Step(std::move(step), true, std::move(detail));
    return true;
  }

  Ec2ApplyOutcome outcome;

 private:
  aws::AwsClient& client_;
  const Ec2ApplyOptions& options_;
};

}  // namespace

Ec2ApplyOutcome ApplyInstanceChange(aws::AwsClient& client, const InstanceChange& change,
                                    bool dry_run, const Ec2ApplyOptions& options) {
  ApplyRun run(client, options);
  const std::string& id = change.instance_id;
  const bool resize = !change.to_type.empty();
  auto refuse = [&](std::string message) {
    run.outcome.outcome = "refused";
    run.outcome.message = std::move(message);
    return std::move(run.outcome);
  };

  // 1. Permissions, changing nothing.
  bool allowed =
      run.Call("dry-run stop", aws::StopInstance(client, id, true), "ec2:StopInstances allowed");
  if (resize) {
    allowed =
        run.Call("dry-run modify type", aws::ModifyInstanceType(client, id, change.to_type, true),
                 "ec2:ModifyInstanceAttribute allowed") &&
        allowed;
    allowed = run.Call("dry-run start", aws::StartInstance(client, id, true),
                       "ec2:StartInstances allowed") &&
              allowed;
  }
  if (!allowed) {
    std::string failures;
    for (const ApplyStepRecord& step : run.outcome.steps) {
      if (step.status != "failed") continue;
      failures += (failures.empty() ? "" : "; ") + step.step + ": " + step.detail;
    }
    return refuse(fmt::format("the dry run failed, nothing was changed: {}", failures));
  }

  // 2. The instance must still be what the recommendation was made for.
  auto current = run.Describe(id);
  if (!current) {
    run.Step("check instance", false, current.error().Describe());
    return refuse(current.error().Describe());
  }
  if (!change.from_type.empty() && current->instance_type != change.from_type) {
    run.Step("check instance", false,
             fmt::format("{} is {} now, not {} as when recommended", id, current->instance_type,
                         change.from_type));
    return refuse(
        fmt::format("{} changed since the recommendation ({} now, was {}): run "
                    "right-sizing again",
                    id, current->instance_type, change.from_type));
  }
  if (current->state != "running" && current->state != "stopped") {
    run.Step("check instance", false, fmt::format("{} is {}", id, current->state));
    return refuse(fmt::format("{} is {}: apply when it is running or stopped", id, current->state));
  }
  const bool was_running = current->state == "running";
  run.Step("check instance", true,
           fmt::format("{} is {} and {}", id, current->instance_type, current->state));
  if (dry_run) {
    run.outcome.outcome = "planned";
    run.outcome.message = resize ? fmt::format(
                                       "would stop {}, change it from {} to {} and start "
                                       "it again",
                                       id, current->instance_type, change.to_type)
                                 : fmt::format("would stop {}", id);
    return std::move(run.outcome);
  }

  // 3. Stop.
  if (was_running) {
    if (!run.Call("stop", aws::StopInstance(client, id, false), "StopInstances sent") ||
        !run.WaitFor(id, "stopped")) {
      // Nothing changed but the power state: start it again.
      const bool restarted = run.Call("rollback start", aws::StartInstance(client, id, false),
                                      "StartInstances sent") &&
                             run.WaitFor(id, "running");
      run.outcome.outcome = restarted ? "rolled-back" : "failed";
      run.outcome.message = restarted
                                ? fmt::format("stopping {} failed; it was started again", id)
                                : fmt::format(
                                      "stopping {} failed and starting it again failed: check it "
                                      "in the EC2 console",
                                      id);
      return std::move(run.outcome);
    }
  }
  if (!resize) {
    run.outcome.outcome = "applied";
    run.outcome.message = fmt::format("{} is stopped", id);
    return std::move(run.outcome);
  }

  // 4. Change the type; 5. start.
  std::string failure;
  bool modified =
      run.Call("modify type", aws::ModifyInstanceType(client, id, change.to_type, false),
               fmt::format("{} -> {}", current->instance_type, change.to_type));
  if (!modified) {
    failure = fmt::format("changing the type to {} failed", change.to_type);
  } else if (was_running) {
    const bool started =
        run.Call("start", aws::StartInstance(client, id, false), "StartInstances sent") &&
        run.WaitFor(id, "running");
    if (!started) failure = fmt::format("starting {} as {} failed", id, change.to_type);
  }
  if (failure.empty()) {
    run.outcome.outcome = "applied";
    run.outcome.message = fmt::format("{} is now {}{}", id, change.to_type,
                                      was_running ? " and running" : " (stopped, as it was)");
    return std::move(run.outcome);
  }

  // Roll back to the original type, in the original power state.
  bool restored = true;
  if (modified) {
    auto now = run.Describe(id);
    if (now && now->state != "stopped") {
      if (now->state != "stopping") {
        restored =
            run.Call("rollback stop", aws::StopInstance(client, id, false), "StopInstances sent");
      }
      restored = restored && run.WaitFor(id, "stopped");
    }
    restored =
        restored && run.Call("rollback modify type",
                             aws::ModifyInstanceType(client, id, current->instance_type, false),
                             fmt::format("{} -> {}", change.to_type, current->instance_type));
  }
  if (restored && was_running) {
    restored =
        run.Call("rollback start", aws::StartInstance(client, id, false), "StartInstances sent") &&
        run.WaitFor(id, "running");
  }
  run.outcome.outcome = restored ? "rolled-back" : "failed";
  run.outcome.message =
      restored ? fmt::format("{}; rolled back: {} is {} and {} again", failure, id,
                             current->instance_type, was_running ? "running" : "stopped")
               : fmt::format(
                     "{}; the rollback failed too: check {} in the EC2 console (see the "
                     "failed steps)",
                     failure, id);
  return std::move(run.outcome);
}

}  // namespace costwise::service
