#pragma once
// Holidays and events: days when spend (or traffic) departs from its usual pattern. Each event
// gets one indicator feature per day of its window (Prophet's holiday model: a separate effect for
// "the day before", "the day", "the day after", ...), with its own prior scale.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <Eigen/Core>

#include "core/date.h"
#include "core/error.h"

namespace costwise::forecast {

struct Event {
  std::string name;
  std::vector<Date> dates;
  int lower_window = 0;  // days before each date that share the effect (<= 0)
  int upper_window = 0;  // days after (>= 0)
  double prior_scale = 10;
};

// A country's public holidays between two years (inclusive), with Saturday holidays observed on
// the Friday before and Sunday ones on the Monday after as separate "(observed)" events.
// Countries: "US" (federal holidays). InvalidInput names an unknown country.
[[nodiscard]] Result<std::vector<Event>> CountryHolidays(std::string_view country, int first_year,
                                                         int last_year);

// Billing effects of cloud bills: "month start" (the 1st: monthly fees, support, upfront
// commitments, taxes are charged then) and "month end" (the last day), for every month touching
// [first, last].
[[nodiscard]] std::vector<Event> BillingEvents(Date first, Date last);

struct EventColumns {
  Eigen::MatrixXd features;        // one row per timestamp
  std::vector<std::string> names;  // "Thanksgiving", "Thanksgiving+1", "month start-1", ...
  std::vector<double> prior_scales;
};

// Indicator features: column (event, offset) is 1 on rows whose UTC day is an event date plus
// the offset, for every offset in the event's window.
[[nodiscard]] EventColumns EventFeatures(std::span<const std::int64_t> timestamps,
                                         std::span<const Event> events);

}  // namespace costwise::forecast
