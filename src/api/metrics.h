#pragma once
// The server's metrics registry, served at /metrics in the Prometheus text format 0.0.4
// (docs/service.md, "Observability"). Any part of the server may add to it: the HTTP layer
// counts requests and errors and times each route; job workers and engines time their work with
// ObserveSeconds (e.g. "costwise_job_duration_seconds" {kind}, "costwise_prediction_seconds"
// {engine}). Thread-safe. Names and label names must be Prometheus names
// ([a-zA-Z_:][a-zA-Z0-9_:]*); a metric keeps the type and help it was first used with.
#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace costwise::api {

using MetricLabels = std::vector<std::pair<std::string, std::string>>;

// Adds `amount` (>= 0) to the counter with these labels.
void IncrementCounter(std::string_view name, std::string_view help, const MetricLabels& labels,
                      double amount = 1.0);

// Records one duration in the histogram with these labels; buckets from 1 ms to 60 s.
void ObserveSeconds(std::string_view name, std::string_view help, const MetricLabels& labels,
                    double seconds);

// Runs `work` (a callable) and records how long it took as costwise_prediction_seconds of the
// engine ("anomaly", "forecast", "rightsizing"): the latency of the engines' runs.
template <typename Work>
auto TimePrediction(std::string_view engine, Work&& work) {
  const auto started = std::chrono::steady_clock::now();
  auto result = std::forward<Work>(work)();
  ObserveSeconds("costwise_prediction_seconds", "Time an engine took to answer, by engine",
                 {{"engine", std::string(engine)}},
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  return result;
}

// Every metric in the Prometheus text format 0.0.4, metrics and series in name order.
[[nodiscard]] std::string RenderMetrics();

// The Content-Type of RenderMetrics' text.
inline constexpr char kMetricsContentType[] = "text/plain; version=0.0.4; charset=utf-8";

}  // namespace costwise::api
