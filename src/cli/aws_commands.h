#pragma once
// The AWS connectors on the command line (docs/aws.md):
//   costwise sync --tenant NAME [--account ID] [--months N] [--region R]... [--skip WHAT]...
//   costwise aws test --tenant NAME --account ID
//   costwise aws prices --region R --out FILE
// AWS_ENDPOINT_URL (and AWS_ENDPOINT_URL_<SERVICE>) send every call elsewhere; costwise's own
// identity comes from the usual credentials chain.
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace costwise::cli {

class AwsCommands final {
 public:
  explicit AwsCommands(CLI::App& app);
  [[nodiscard]] bool Parsed() const;
  [[nodiscard]] int Run(const std::string& database) const;

 private:
  [[nodiscard]] int RunSync(const std::string& database) const;
  [[nodiscard]] int RunTest(const std::string& database) const;
  [[nodiscard]] int RunPrices() const;

  CLI::App* sync_ = nullptr;
  CLI::App* test_ = nullptr;
  CLI::App* prices_ = nullptr;
  std::string tenant_;
  std::string account_;
  int months_ = 2;
  int backfill_months_ = 12;
  std::string since_;
  std::string until_;
  std::vector<std::string> regions_;
  std::vector<std::string> skip_;
  int period_ = 300;
  int lookback_days_ = 14;
  std::string region_ = "us-east-1";
  std::string out_;
  std::string models_dir_ = "var/models";
};

}  // namespace costwise::cli
