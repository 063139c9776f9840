#include "billing/period_clock.h"

#include <fmt/format.h>

#include "billing/fleet.h"

namespace costwise::bench {

PeriodClock::PeriodClock(int year, int month, int hours) : hours_(hours) {
  const int days = DaysInMonth(year, month);
  for (int h = 0; h <= hours; ++h) {
    int y = year, m = month, d = 1 + h / 24;
    if (d > days) {  // the end boundary: first day of the next month
      d = 1;
      m = month == 12 ? 1 : month + 1;
      y = month == 12 ? year + 1 : year;
    }
    const int hour = h % 24;
    cur_.push_back(fmt::format("{:04}-{:02}-{:02}T{:02}:00:00.000Z", y, m, d, hour));
    interval_.push_back(fmt::format("{:04}-{:02}-{:02}T{:02}:00:00Z", y, m, d, hour));
    focus_.push_back(fmt::format("{:04}-{:02}-{:02} {:02}:00:00", y, m, d, hour));
  }
}

}  // namespace costwise::bench
