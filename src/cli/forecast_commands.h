#pragma once
// `costwise forecast --tenant NAME --horizon 30|60|90 [--group-by DIM]`: a tenant's cost forecast
// from the cube, stored and shown; `costwise forecast series`: forecasts of the series in a CSV
// file (ds,y or series_id,ds,y).
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "service/cost_forecast.h"
#include "service/forecast_service.h"

namespace costwise::cli {

class ForecastCommands final {
 public:
  // Adds the cost forecast's options to `forecast`, and the subcommands with theirs; `forecast`
  // must outlive this object.
  explicit ForecastCommands(CLI::App& forecast);

  [[nodiscard]] bool Parsed() const;
  // Runs the subcommand, or the tenant's cost forecast against the database without one.
  [[nodiscard]] int Run(const std::string& database) const;

 private:
  [[nodiscard]] int RunSeries() const;
  [[nodiscard]] int RunCosts(const std::string& database) const;

  CLI::App* forecast_ = nullptr;
  std::string tenant_;
  service::CostForecastOptions cost_options_;
  std::string format_ = "table";

  CLI::App* series_ = nullptr;
  std::string input_;
  std::string output_;
  std::string report_;
  int horizon_ = 0;
  std::string levels_ = "80,95";
  std::string models_ = "additive,ets,snaive";
  std::string country_;
  bool billing_events_ = false;
  int threads_ = 0;
  std::uint64_t seed_ = 1;
};

}  // namespace costwise::cli
