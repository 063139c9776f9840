#include "engines/forecast/series.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numbers>
#include <numeric>

#include "core/date.h"

namespace costwise::forecast {
namespace {

constexpr std::int64_t kDay = 86'400;
constexpr std::int64_t kWeek = 7 * kDay;
constexpr double kDaysPerYear = 365.25;

struct CivilTime {
  CivilDate date;
  std::int64_t second_of_day = 0;
};

CivilTime ToCivilTime(std::int64_t timestamp) {
  const std::int64_t days = timestamp >= 0 ? timestamp / kDay : (timestamp - kDay + 1) / kDay;
  return {Date::FromDays(static_cast<std::int32_t>(days)).ToCivil(), timestamp - days * kDay};
}

int DaysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

std::int64_t MonthIndex(const CivilDate& date) {
  return static_cast<std::int64_t>(date.year) * 12 + (date.month - 1);
}

std::int64_t FromCivilTime(std::int64_t month_index, int day, std::int64_t second_of_day,
                           bool month_end) {
  const int year = static_cast<int>(month_index >= 0 ? month_index / 12 : (month_index - 11) / 12);
  const int month = static_cast<int>(month_index - static_cast<std::int64_t>(year) * 12) + 1;
  const int last = DaysInMonth(year, month);
  const int clamped = month_end ? last : std::min(day, last);
  const auto date = Date::FromCivil({year, month, clamped});
  return static_cast<std::int64_t>(date->days()) * kDay + second_of_day;
}

// Calendar months apart, when every timestamp keeps the first one's time of day and day of month
// (or they all fall on month ends): the smallest gap in months, which all gaps are multiples of.
std::optional<Frequency> DetectMonths(std::span<const std::int64_t> timestamps) {
  const CivilTime first = ToCivilTime(timestamps[0]);
  bool same_day = true;
  bool month_ends = true;
  std::int64_t step = 0;
  std::int64_t previous = MonthIndex(first.date);
  for (std::size_t i = 0; i < timestamps.size(); ++i) {
    const CivilTime time = ToCivilTime(timestamps[i]);
    if (time.second_of_day != first.second_of_day) return std::nullopt;
    const int last = DaysInMonth(time.date.year, time.date.month);
    same_day = same_day && time.date.day == std::min(first.date.day, last);
    month_ends = month_ends && time.date.day == last;
    if (!same_day && !month_ends) return std::nullopt;
    if (i == 0) continue;
    const std::int64_t gap = MonthIndex(time.date) - previous;
    if (gap <= 0) return std::nullopt;
    step = std::gcd(step, gap);
    previous = MonthIndex(time.date);
  }
  if (step == 0 || step > 12) return std::nullopt;
  Frequency frequency;
  frequency.months = static_cast<int>(step);
  frequency.month_end = !same_day;
  return frequency;
}

}  // namespace

std::string Frequency::Name() const {
  if (months > 0) {
    if (months == 1) return "monthly";
    if (months == 3) return "quarterly";
    if (months == 12) return "yearly";
    return std::to_string(months) + "-monthly";
  }
  if (seconds == 3600) return "hourly";
  if (seconds == kDay) return "daily";
  if (seconds == kWeek) return "weekly";
  if (seconds > 0 && seconds < 3600 && seconds % 60 == 0) {
    return std::to_string(seconds / 60) + "min";
  }
  return std::to_string(seconds) + "s";
}

Result<Frequency> DetectFrequency(std::span<const std::int64_t> timestamps) {
  if (timestamps.size() < 2) {
    return MakeError(ErrorCode::kInvalidInput,
                     "a series needs at least two points to tell its frequency");
  }
  std::map<std::int64_t, std::size_t> gaps;
  for (std::size_t i = 1; i < timestamps.size(); ++i) {
    const std::int64_t gap = timestamps[i] - timestamps[i - 1];
    if (gap <= 0) {
      return MakeError(ErrorCode::kInvalidInput,
                       "point " + std::to_string(i + 1) +
                           " is not later than the point before it (timestamps must increase)");
    }
    ++gaps[gap];
  }
  if (gaps.begin()->first >= 28 * kDay) {
    if (auto months = DetectMonths(timestamps)) return *months;
  }
  Frequency frequency;
  frequency.seconds = std::max_element(gaps.begin(), gaps.end(), [](const auto& a, const auto& b) {
                        return a.second < b.second || (a.second == b.second && a.first > b.first);
                      })->first;
  return frequency;
}

std::int64_t StepForward(std::int64_t start, const Frequency& frequency, std::int64_t steps) {
  if (frequency.months <= 0) return start + steps * frequency.seconds;
  const CivilTime time = ToCivilTime(start);
  return FromCivilTime(MonthIndex(time.date) + steps * frequency.months, time.date.day,
                       time.second_of_day, frequency.month_end);
}

std::size_t RegularSeries::CountObserved() const {
  std::size_t count = 0;
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (!std::isnan(values[i]) && WeightAt(i) > 0) ++count;
  }
  return count;
}

Result<RegularSeries> Regularize(std::span<const std::int64_t> timestamps,
                                 std::span<const double> values, const Frequency& frequency) {
  if (timestamps.size() != values.size()) {
    return MakeError(ErrorCode::kInvalidInput, "series has " + std::to_string(timestamps.size()) +
                                                   " timestamps but " +
                                                   std::to_string(values.size()) + " values");
  }
  if (timestamps.empty()) return MakeError(ErrorCode::kInvalidInput, "series is empty");
  if (frequency.seconds <= 0 && frequency.months <= 0) {
    return MakeError(ErrorCode::kInvalidInput, "frequency has no step");
  }
  RegularSeries series;
  series.start = timestamps[0];
  series.frequency = frequency;
  const CivilTime first = ToCivilTime(timestamps[0]);
  std::int64_t last_index = -1;
  for (std::size_t i = 0; i < timestamps.size(); ++i) {
    if (std::isinf(values[i])) {
      return MakeError(ErrorCode::kInvalidInput,
                       "point " + std::to_string(i + 1) + " has an infinite value");
    }
    std::int64_t index = 0;
    if (frequency.months > 0) {
      const std::int64_t months =
          MonthIndex(ToCivilTime(timestamps[i]).date) - MonthIndex(first.date);
      index = months / frequency.months;
    } else {
      index = (timestamps[i] - series.start) / frequency.seconds;
    }
    if (index <= last_index || StepForward(series.start, frequency, index) != timestamps[i]) {
      return MakeError(ErrorCode::kInvalidInput,
                       "point " + std::to_string(i + 1) + " is not on the series' " +
                           frequency.Name() + " grid (or not later than the point before it)");
    }
    series.values.resize(static_cast<std::size_t>(index), std::nan(""));
    series.values.push_back(values[i]);
    last_index = index;
  }
  return series;
}

std::vector<double> SeasonalPeriods(const Frequency& frequency) {
  if (frequency.months > 0) {
    if (12 % frequency.months == 0 && frequency.months < 12) {
      return {12.0 / frequency.months};
    }
    return {};
  }
  const std::int64_t step = frequency.seconds;
  if (step <= 6 * 3600 && kDay % step == 0) {
    return {static_cast<double>(kDay / step), static_cast<double>(kWeek / step)};
  }
  if (step == kDay) return {7.0, kDaysPerYear};
  if (step == kWeek) return {kDaysPerYear / 7};
  return {};
}

double NormalQuantile(double p) {
  // Bisection on the complementary error function: exact to double precision, and called once
  // per interval level, so speed does not matter.
  double low = -40;
  double high = 40;
  for (int i = 0; i < 200 && high - low > 1e-15; ++i) {
    const double mid = (low + high) / 2;
    const double cdf = 0.5 * std::erfc(-mid / std::numbers::sqrt2);
    (cdf < p ? low : high) = mid;
  }
  return (low + high) / 2;
}

Status CheckLevels(std::span<const double> levels) {
  for (const double level : levels) {
    if (!(level > 0 && level < 100)) {
      return MakeError(ErrorCode::kInvalidInput,
                       "interval level " + std::to_string(level) +
                           " is not a percentage between 0 and 100 (for example 80 or 95)");
    }
  }
  return {};
}

}  // namespace costwise::forecast
