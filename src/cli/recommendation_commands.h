#pragma once
// `costwise recommendations list|show|dismiss|snooze|reopen|mark-applied --tenant NAME`: a
// tenant's stored right-sizing recommendations (made by `costwise rightsize --tenant NAME`) and
// what the team decided about them.
#include <cstdint>
#include <string>

#include <CLI/CLI.hpp>

namespace costwise::cli {

class RecommendationCommands final {
 public:
  // Adds the `recommendations` subcommand and its own to `app`, which must outlive this object.
  explicit RecommendationCommands(CLI::App& app);

  [[nodiscard]] bool Parsed() const;
  // Runs the subcommand parsed against the database; returns the exit code.
  [[nodiscard]] int Run(const std::string& database) const;

 private:
  CLI::App* recommendations_ = nullptr;
  CLI::App* list_ = nullptr;
  CLI::App* show_ = nullptr;
  CLI::App* dismiss_ = nullptr;
  CLI::App* snooze_ = nullptr;
  CLI::App* reopen_ = nullptr;
  CLI::App* applied_ = nullptr;
  std::string tenant_;
  std::string status_ = "open";
  std::string format_ = "table";
  std::int64_t id_ = 0;
  std::string until_;
};

}  // namespace costwise::cli
