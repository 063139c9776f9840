#include "cli/progress_bar.h"

#include <unistd.h>

#include <cstdio>
#include <utility>

#include <fmt/format.h>

namespace costwise::cli {
namespace {

constexpr int kBarWidth = 30;
constexpr auto kRedrawInterval = std::chrono::milliseconds(200);
constexpr double kMegabyte = 1024.0 * 1024.0;

}  // namespace

ProgressBar::ProgressBar(std::uint64_t min_total, std::string unit)
    : min_total_(min_total),
      unit_(std::move(unit)),
      enabled_(::isatty(STDERR_FILENO) == 1),
      start_(std::chrono::steady_clock::now()) {}

void ProgressBar::Update(const std::string& label, std::uint64_t done, std::uint64_t total) {
  if (!enabled_ || total < min_total_ || total == 0) return;
  const std::lock_guard lock(mutex_);
  const auto now = std::chrono::steady_clock::now();
  if (drawn_ && now - last_draw_ < kRedrawInterval && done < total) return;
  last_draw_ = now;
  drawn_ = true;
  const double fraction = static_cast<double>(done) / static_cast<double>(total);
  const int filled = static_cast<int>(fraction * kBarWidth);
  const double seconds = std::chrono::duration<double>(now - start_).count();
  const double divisor = unit_.empty() ? kMegabyte : 1.0;
  const std::string unit = unit_.empty() ? "MB" : unit_;
  const double rate = seconds > 0 ? static_cast<double>(done) / divisor / seconds : 0.0;
  std::string bar(static_cast<std::size_t>(filled), '#');
  bar.append(static_cast<std::size_t>(kBarWidth - filled), '.');
  std::fputs(fmt::format("\r{} [{}] {:5.1f}% {:.0f}/{:.0f} {} {:.0f} {}/s ", label, bar,
                         fraction * 100, static_cast<double>(done) / divisor,
                         static_cast<double>(total) / divisor, unit, rate, unit)
                 .c_str(),
             stderr);
  std::fflush(stderr);
}

void ProgressBar::Finish() {
  const std::lock_guard lock(mutex_);
  if (drawn_) std::fputs("\n", stderr);
  drawn_ = false;
}

}  // namespace costwise::cli
