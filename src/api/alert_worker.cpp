#include "api/alert_worker.h"

#include <chrono>
#include <exception>
#include <mutex>

#include <spdlog/spdlog.h>

#include "service/alerts.h"

namespace costwise::api {

AlertWorker::AlertWorker(Context& context, int interval_seconds) {
  if (interval_seconds <= 0) return;
  thread_ = std::jthread([this, &context, interval_seconds](const std::stop_token& stop) {
    std::mutex mutex;
    std::unique_lock lock(mutex);
    while (!stop.stop_requested()) {
      try {
        RunAlertsOnce(context);
      } catch (const std::exception& error) {
        spdlog::error("alert sender: {}", error.what());
      }
      wake_.wait_for(lock, stop, std::chrono::seconds(interval_seconds), [] { return false; });
    }
  });
}

AlertWorker::~AlertWorker() {
  if (thread_.joinable()) {
    thread_.request_stop();
    thread_.join();
  }
}

void RunAlertsOnce(Context& context) {
  const std::int64_t now = Now();
  const Result<int> digests = service::RunDigests(*context.repository, now);
  if (!digests) {
    spdlog::warn("alert digests: {}", digests.error().message);
  } else if (*digests > 0) {
    spdlog::info("queued {} alert digest deliveries", *digests);
  }
  const Result<service::DeliveryRunSummary> sent =
      service::DeliverDue(*context.repository, *context.alert_sender, context.alerts, now);
  if (!sent) {
    spdlog::warn("alert deliveries: {}", sent.error().message);
  } else if (sent->sent + sent->retrying + sent->failed > 0) {
    spdlog::info("alert deliveries: {} sent, {} to retry, {} failed", sent->sent, sent->retrying,
                 sent->failed);
  }
}

}  // namespace costwise::api
