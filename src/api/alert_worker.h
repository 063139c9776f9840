#pragma once
// The server's background alert sender: every few seconds, queues the due digests
// (service::RunDigests) and sends the due deliveries (service::DeliverDue). Stopped and joined
// when destroyed; a send in progress finishes first (libcurl times out after 15 seconds).
#include <condition_variable>
#include <thread>

#include "api/http.h"

namespace costwise::api {

class AlertWorker final {
 public:
  // Starts the thread unless interval_seconds is 0. `context` must outlive the worker.
  AlertWorker(Context& context, int interval_seconds);
  ~AlertWorker();
  AlertWorker(const AlertWorker&) = delete;
  AlertWorker& operator=(const AlertWorker&) = delete;

 private:
  std::condition_variable_any wake_;
  std::jthread thread_;  // declared last: stopped and joined before the rest goes
};

// One run: queue due digests, send due deliveries, log what happened (counts only, no secrets).
void RunAlertsOnce(Context& context);

}  // namespace costwise::api
