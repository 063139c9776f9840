#include "service/forecast_service.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <optional>
#include <thread>

#include <fmt/format.h>

namespace costwise::service {
namespace {

Result<NamedForecast> ForecastOne(const ingest::NamedSeries& input, int horizon,
                                  const forecast::ForecasterOptions& options) {
  auto frequency = forecast::DetectFrequency(input.timestamps);
  if (!frequency) return unexpected(frequency.error());
  auto series = forecast::Regularize(input.timestamps, input.values, *frequency);
  if (!series) return unexpected(series.error());
  auto result = forecast::ForecastSeries(*series, horizon, options);
  if (!result) return unexpected(result.error());
  return NamedForecast{input.id, input.dates_only, *frequency, std::move(*result)};
}

// Calls work(i) for i in [0, count) on `threads` threads (0 = one per core), the calling thread
// included; stops handing out items once `work` returns false.
void RunOnWorkers(std::size_t count, int threads, const std::function<bool(std::size_t)>& work) {
  std::atomic<std::size_t> next{0};
  std::atomic<bool> stopped{false};
  const auto loop = [&] {
    for (std::size_t i = next++; i < count && !stopped; i = next++) {
      if (!work(i)) stopped = true;
    }
  };
  const unsigned cores = std::max(1U, std::thread::hardware_concurrency());
  const auto workers_wanted = static_cast<std::size_t>(std::min<std::size_t>(
      threads > 0 ? static_cast<std::size_t>(threads) : cores, std::max<std::size_t>(count, 1)));
  std::vector<std::jthread> workers;
  for (std::size_t t = 1; t < workers_wanted; ++t) workers.emplace_back(loop);
  loop();
}

}  // namespace

Result<std::vector<NamedForecast>> ForecastSeriesTable(
    const std::vector<ingest::NamedSeries>& table, int horizon,
    const BatchForecastOptions& options) {
  std::vector<std::optional<NamedForecast>> results(table.size());
  std::vector<std::optional<Error>> errors(table.size());
  std::atomic<std::size_t> done{0};
  RunOnWorkers(table.size(), options.threads, [&](std::size_t i) {
    auto forecast = ForecastOne(table[i], horizon, options.forecaster);
    const bool succeeded = forecast.has_value();
    if (succeeded) {
      results[i] = std::move(*forecast);
    } else {
      errors[i] = forecast.error();
    }
    const std::size_t finished = ++done;
    if (options.progress) options.progress(finished, table.size());
    return succeeded;
  });
  for (std::size_t i = 0; i < table.size(); ++i) {
    if (errors[i]) {
      const std::string name =
          table[i].id.empty() ? std::string("the series") : fmt::format("series '{}'", table[i].id);
      return MakeError(errors[i]->code, fmt::format("{} (from line {}): {}", name,
                                                    table[i].first_line, errors[i]->message));
    }
  }
  std::vector<NamedForecast> forecasts;
  forecasts.reserve(table.size());
  for (auto& result : results) {
    if (result) forecasts.push_back(std::move(*result));
  }
  return forecasts;
}

std::vector<Result<forecast::SeriesForecast>> ForecastRegularSeries(
    std::span<const forecast::RegularSeries> series, int horizon,
    const forecast::ForecasterOptions& options, int threads) {
  std::vector<std::optional<Result<forecast::SeriesForecast>>> slots(series.size());
  RunOnWorkers(series.size(), threads, [&](std::size_t i) {
    slots[i] = forecast::ForecastSeries(series[i], horizon, options);
    return true;
  });
  std::vector<Result<forecast::SeriesForecast>> results;
  results.reserve(series.size());
  for (auto& slot : slots) results.push_back(std::move(*slot));
  return results;
}

}  // namespace costwise::service
