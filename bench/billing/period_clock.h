#pragma once
// Timestamps of the hour boundaries of a billing period, precomputed in the spellings the formats
// use, so that writing a row never formats a date.
#include <string>
#include <string_view>
#include <vector>

namespace costwise::bench {

enum class TimeStyle { kCur, kInterval, kFocus };

class PeriodClock {
 public:
  // Boundaries 0..hours of the month starting at year-month-01 00:00 UTC.
  PeriodClock(int year, int month, int hours);

  // kCur: 2024-09-01T05:00:00.000Z, kInterval: 2024-09-01T05:00:00Z, kFocus: 2024-09-01 05:00:00.
  [[nodiscard]] std::string_view At(int hour, TimeStyle style) const {
    const auto& table = style == TimeStyle::kCur        ? cur_
                        : style == TimeStyle::kInterval ? interval_
                                                        : focus_;
    return table[static_cast<std::size_t>(hour)];
  }
  [[nodiscard]] int hours() const { return hours_; }

 private:
  int hours_;
  std::vector<std::string> cur_, interval_, focus_;
};

}  // namespace costwise::bench
