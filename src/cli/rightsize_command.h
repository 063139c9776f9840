#pragma once
// `costwise rightsize --inventory INV.csv --metrics METRICS.csv [--volumes VOLUMES.csv]
// [--addresses ADDRESSES.csv] [--catalog CATALOG.csv] [--lookback-days 14]
// [--format table|json]`: right-sizing from files, no account needed; `costwise rightsize
// --tenant NAME [--catalog ...] [--lookback-days 14] [--format ...]`: the tenant's stored
// inventory and metrics, recommendations stored. Both take the sizing policy's options
// (--cpu-target, --memory-target, --max-risk, --lookahead-days, --no-arm64, --same-family,
// --no-burstable, --credit-mode).
#include <string>

#include <CLI/CLI.hpp>

#include "service/rightsizing_service.h"

namespace costwise::cli {

class RightsizeCommand final {
 public:
  // Adds the subcommand to `app`, which must outlive this object.
  explicit RightsizeCommand(CLI::App& app);
  [[nodiscard]] bool Parsed() const;
  // Runs the file mode, or the tenant mode against the database.
  [[nodiscard]] int Run(const std::string& database) const;

 private:
  [[nodiscard]] int RunTenant(const std::string& database) const;
  void Print(const service::RightsizeReport& report) const;
  [[nodiscard]] rightsizing::SizingPolicy Policy() const;

  CLI::App* command_ = nullptr;
  std::string tenant_;
  std::string inventory_;
  std::string metrics_;
  std::string volumes_;
  std::string addresses_;
  std::string catalog_;
  std::string models_dir_ = "var/models";
  std::string performance_;
  int lookback_days_ = 14;
  std::string format_ = "table";
  rightsizing::SizingPolicy policy_;
  bool no_arm64_ = false;
  bool same_family_ = false;
  bool no_burstable_ = false;
  std::string credit_mode_;
};

}  // namespace costwise::cli
