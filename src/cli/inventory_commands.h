#pragma once
// `costwise inventory import --tenant NAME FILE...` and `costwise metrics import --tenant NAME
// FILE`: a tenant's EC2 inventory (instances, volumes, addresses) and CloudWatch metrics from the
// files `costwise rightsize` reads, into the store, so the tenant can be right-sized before its
// AWS account is connected.
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace costwise::cli {

class InventoryCommands final {
 public:
  // Adds the `inventory` and `metrics` subcommands to `app`, which must outlive this object.
  explicit InventoryCommands(CLI::App& app);

  [[nodiscard]] bool Parsed() const;
  // Runs the subcommand parsed against the database; returns the exit code.
  [[nodiscard]] int Run(const std::string& database) const;

 private:
  [[nodiscard]] int RunInventory(const std::string& database) const;
  [[nodiscard]] int RunMetrics(const std::string& database) const;

  CLI::App* inventory_import_ = nullptr;
  CLI::App* metrics_import_ = nullptr;
  std::string tenant_;
  std::vector<std::string> files_;
  std::string metrics_file_;
};

}  // namespace costwise::cli
