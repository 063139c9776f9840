#include "engines/forecast/holidays.h"

#include <algorithm>
#include <map>

namespace costwise::forecast {
namespace {

constexpr int kMonday = 0;
constexpr int kThursday = 3;
constexpr int kSaturday = 5;
constexpr int kSunday = 6;

// 0 = Monday .. 6 = Sunday (1970-01-01 was a Thursday).
int Weekday(Date date) { return ((date.days() % 7) + 7 + kThursday) % 7; }

Date Day(int year, int month, int day) { return *Date::FromCivil({year, month, day}); }

// The n-th (1-based) given weekday of a month; n = -1 for the last one.
Date NthWeekday(int year, int month, int weekday, int n) {
  if (n > 0) {
    const Date first = Day(year, month, 1);
    const int offset = (weekday - Weekday(first) + 7) % 7;
    return first.AddDays(offset + 7 * (n - 1));
  }
  const Date next = month == 12 ? Day(year + 1, 1, 1) : Day(year, month + 1, 1);
  const Date last = next.AddDays(-1);
  return last.AddDays(-((Weekday(last) - weekday + 7) % 7));
}

struct Occurrence {
  std::string name;
  Date date;
};

// US federal holidays of one year, with their observed days.
std::vector<Occurrence> UsFederal(int year) {
  std::vector<Occurrence> fixed = {{"New Year's Day", Day(year, 1, 1)},
                                   {"Independence Day", Day(year, 7, 4)},
                                   {"Veterans Day", Day(year, 11, 11)},
                                   {"Christmas Day", Day(year, 12, 25)}};
  if (year >= 2021) fixed.push_back({"Juneteenth National Independence Day", Day(year, 6, 19)});
  std::vector<Occurrence> days;
  for (const Occurrence& holiday : fixed) {
    days.push_back(holiday);
    const int weekday = Weekday(holiday.date);
    if (weekday == kSaturday)
      days.push_back({holiday.name + " (observed)", holiday.date.AddDays(-1)});
    if (weekday == kSunday) days.push_back({holiday.name + " (observed)", holiday.date.AddDays(1)});
  }
  if (year >= 1986) days.push_back({"Martin Luther King Jr. Day", NthWeekday(year, 1, kMonday, 3)});
  days.push_back({"Washington's Birthday", NthWeekday(year, 2, kMonday, 3)});
  days.push_back({"Memorial Day", NthWeekday(year, 5, kMonday, -1)});
  days.push_back({"Labor Day", NthWeekday(year, 9, kMonday, 1)});
  days.push_back({"Columbus Day", NthWeekday(year, 10, kMonday, 2)});
  days.push_back({"Thanksgiving", NthWeekday(year, 11, kThursday, 4)});
  return days;
}

}  // namespace

Result<std::vector<Event>> CountryHolidays(std::string_view country, int first_year,
                                           int last_year) {
  if (country != "US") {
    return MakeError(ErrorCode::kInvalidInput, "no holiday calendar for country '" +
                                                   std::string(country) + "' (available: US)");
  }
  std::map<std::string, Event> by_name;
  for (int year = first_year; year <= last_year; ++year) {
    for (const Occurrence& occurrence : UsFederal(year)) {
      Event& event = by_name[occurrence.name];
      event.name = occurrence.name;
      event.dates.push_back(occurrence.date);
    }
  }
  std::vector<Event> events;
  for (auto& [name, event] : by_name) events.push_back(std::move(event));
  return events;
}

std::vector<Event> BillingEvents(Date first, Date last) {
  Event start;
  start.name = "month start";
  Event end;
  end.name = "month end";
  const CivilDate from = first.ToCivil();
  const CivilDate to = last.ToCivil();
  for (int year = from.year, month = from.month;
       year < to.year || (year == to.year && month <= to.month);) {
    start.dates.push_back(Day(year, month, 1));
    const int next_year = month == 12 ? year + 1 : year;
    const int next_month = month == 12 ? 1 : month + 1;
    end.dates.push_back(Day(next_year, next_month, 1).AddDays(-1));
    year = next_year;
    month = next_month;
  }
  return {start, end};
}

EventColumns EventFeatures(std::span<const std::int64_t> timestamps,
                           std::span<const Event> events) {
  std::size_t columns = 0;
  for (const Event& event : events) {
    columns += static_cast<std::size_t>(std::max(event.upper_window, 0) -
                                        std::min(event.lower_window, 0) + 1);
  }
  EventColumns result;
  result.features = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(timestamps.size()),
                                          static_cast<Eigen::Index>(columns));
  std::vector<std::int32_t> days(timestamps.size());
  for (std::size_t i = 0; i < timestamps.size(); ++i)
    days[i] = DateOfTimestamp(timestamps[i]).days();
  Eigen::Index column = 0;
  for (const Event& event : events) {
    std::vector<std::int32_t> dates;
    for (const Date date : event.dates) dates.push_back(date.days());
    std::sort(dates.begin(), dates.end());
    for (int offset = std::min(event.lower_window, 0); offset <= std::max(event.upper_window, 0);
         ++offset) {
      for (std::size_t i = 0; i < days.size(); ++i) {
        if (std::binary_search(dates.begin(), dates.end(), days[i] - offset)) {
          result.features(static_cast<Eigen::Index>(i), column) = 1;
        }
      }
      result.names.push_back(
          offset == 0 ? event.name : event.name + (offset > 0 ? "+" : "") + std::to_string(offset));
      result.prior_scales.push_back(event.prior_scale);
      ++column;
    }
  }
  return result;
}

}  // namespace costwise::forecast
