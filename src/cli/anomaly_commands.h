#pragma once
// `costwise anomalies detect|list|feedback`: cost anomalies of a tenant's cube.
#include <cstdint>
#include <string>

#include <CLI/CLI.hpp>

#include "service/anomaly_service.h"

namespace costwise::cli {

class AnomalyCommands final {
 public:
  // Adds the subcommands and their options to `anomalies`, which must outlive this object.
  explicit AnomalyCommands(CLI::App& anomalies);

  // True when the command line named one of these subcommands.
  [[nodiscard]] bool Parsed() const;
  // Runs the subcommand parsed against the database; returns the exit code.
  [[nodiscard]] int Run(const std::string& database) const;

 private:
  CLI::App* detect_ = nullptr;
  CLI::App* list_ = nullptr;
  CLI::App* feedback_ = nullptr;
  std::string tenant_;
  std::string format_ = "table";
  service::AnomalyDetectionOptions detect_options_;
  std::string models_dir_;  // empty: no saved detector state
  std::string status_ = "open";
  std::int64_t id_ = 0;
  std::string verdict_;
  std::string note_;
};

}  // namespace costwise::cli
