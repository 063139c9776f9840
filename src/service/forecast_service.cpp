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

}  // namespace

Result<std::vector<NamedForecast>> ForecastSeriesTable(
    const std::vector<ingest::NamedSeries>& table, int horizon,
    const BatchForecastOptions& options) {
  std::vector<std::optional<NamedForecast>> results(table.size());
  std::vector<std::optional<Error>> errors(table.size());
  std::atomic<std::size_t> next{0};
  std::atomic<std::size_t> done{0};
  std::atomic<bool> failed{false};
  const auto work = [&] {
    for (std::size_t i = next++; i < table.size() && !failed; i = next++) {
      auto forecast = ForecastOne(table[i], horizon, options.forecaster);
      if (forecast) {
        results[i] = std::move(*forecast);
      } else {
        errors[i] = forecast.error();
        failed = true;
      }
      const std::size_t finished = ++done;
      if (options.progress) options.progress(finished, table.size());
    }
  };
  const unsigned cores = std::max(1U, std::thread::hardware_concurrency());
  const auto threads = static_cast<std::size_t>(
      std::min<std::size_t>(options.threads > 0 ? static_cast<std::size_t>(options.threads) : cores,
                            std::max<std::size_t>(table.size(), 1)));
  std::vector<std::jthread> workers;
  for (std::size_t t = 1; t < threads; ++t) workers.emplace_back(work);
  work();
  workers.clear();
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

}  // namespace costwise::service
