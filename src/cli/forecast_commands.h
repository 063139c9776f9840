#pragma once
// `costwise forecast series`: forecasts of the series in a CSV file (ds,y or series_id,ds,y).
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "service/forecast_service.h"

namespace costwise::cli {

class ForecastCommands final {
 public:
  // Adds the subcommands and their options to `forecast`, which must outlive this object.
  explicit ForecastCommands(CLI::App& forecast);

  [[nodiscard]] bool Parsed() const;
  [[nodiscard]] int Run() const;

 private:
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
