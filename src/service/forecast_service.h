#pragma once
// Forecasting use cases: many series from a file (`costwise forecast series`, the evaluation
// scripts' contract), each forecast independently on all cores. The cost forecasts of a tenant
// are in cost_forecast.h.
#include <cstddef>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "core/error.h"
#include "engines/forecast/forecaster.h"
#include "ingest/forecast_csv.h"

namespace costwise::service {

struct BatchForecastOptions {
  forecast::ForecasterOptions forecaster;
  int threads = 0;  // 0 = one per core
  // Called from worker threads as series finish (done, total); may be empty.
  std::function<void(std::size_t, std::size_t)> progress;
};

struct NamedForecast {
  std::string id;
  bool dates_only = true;  // the input's ds were bare dates
  forecast::Frequency frequency;
  forecast::SeriesForecast result;
};

// One forecast per input series, in input order. InvalidInput names the first series (by id and
// file line) that cannot be forecast, and why.
[[nodiscard]] Result<std::vector<NamedForecast>> ForecastSeriesTable(
    const std::vector<ingest::NamedSeries>& table, int horizon,
    const BatchForecastOptions& options);

// One forecast per regular series, in order, computed on `threads` threads (0 = one per core).
[[nodiscard]] std::vector<Result<forecast::SeriesForecast>> ForecastRegularSeries(
    std::span<const forecast::RegularSeries> series, int horizon,
    const forecast::ForecasterOptions& options, int threads = 0);

}  // namespace costwise::service
