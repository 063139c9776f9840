#pragma once
// A one-line progress bar on a terminal's stderr, redrawn at most a few times a second.
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

namespace costwise::cli {

class ProgressBar {
 public:
  // Draws nothing unless stderr is a terminal and the work is at least `min_total` bytes (or
  // items, when `unit` names them: counts are then shown as they are, "120/414 series").
  explicit ProgressBar(std::uint64_t min_total, std::string unit = "");
  void Update(const std::string& label, std::uint64_t done, std::uint64_t total);
  void Finish();

 private:
  std::uint64_t min_total_;
  std::string unit_;  // empty = bytes, shown in MB
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
  std::mutex mutex_;
};

}  // namespace costwise::cli
