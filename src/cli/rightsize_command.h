#pragma once
// `costwise rightsize --inventory INV.csv --metrics METRICS.csv [--volumes VOLUMES.csv]
// [--addresses ADDRESSES.csv] [--catalog CATALOG.csv] [--lookback-days 14]
// [--format table|json]`: right-sizing from files, no account needed.
#include <string>

#include <CLI/CLI.hpp>

namespace costwise::cli {

class RightsizeCommand final {
 public:
  // Adds the subcommand to `app`, which must outlive this object.
  explicit RightsizeCommand(CLI::App& app);
  [[nodiscard]] bool Parsed() const;
  [[nodiscard]] int Run() const;

 private:
  CLI::App* command_ = nullptr;
  std::string inventory_;
  std::string metrics_;
  std::string volumes_;
  std::string addresses_;
  std::string catalog_;
  int lookback_days_ = 14;
  std::string format_ = "table";
};

}  // namespace costwise::cli
