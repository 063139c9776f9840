#include "core/date.h"

#include <array>

#include <fmt/format.h>

namespace costwise {
namespace {

constexpr std::int64_t kSecondsPerDay = 86'400;
constexpr std::int64_t kSecondsPerHour = 3'600;
constexpr std::int64_t kSecondsPerMinute = 60;

bool IsLeap(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int DaysInMonth(int year, int month) {
  constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeap(year) ? 29 : kDays[static_cast<std::size_t>(month - 1)];
}

// Days since 1970-01-01 of a proleptic Gregorian date: count whole 400-year eras from year 0
// (with March as the first month, so the leap day ends the year), then the day within the era.
std::int32_t DaysFromCivil(int year, int month, int day) {
  const int y = month <= 2 ? year - 1 : year;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const int year_of_era = y - era * 400;
  const int month_from_march = month > 2 ? month - 3 : month + 9;
  const int day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
  const int day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  constexpr int kDaysFromYear0ToEpoch = 719'468;
  return era * 146'097 + day_of_era - kDaysFromYear0ToEpoch;
}

CivilDate CivilFromDays(std::int32_t days) {
  const int z = days + 719'468;
  const int era = (z >= 0 ? z : z - 146'096) / 146'097;
  const int day_of_era = z - era * 146'097;
  const int year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36'524 - day_of_era / 146'096) / 365;
  const int day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const int month_from_march = (5 * day_of_year + 2) / 153;
  const int day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
  const int month = month_from_march < 10 ? month_from_march + 3 : month_from_march - 9;
  const int year = year_of_era + era * 400 + (month <= 2 ? 1 : 0);
  return CivilDate{year, month, day};
}

// Reads exactly `width` digits at text[pos]; -1 when they are not all digits.
int ReadDigits(std::string_view text, std::size_t pos, std::size_t width) {
  if (pos + width > text.size()) return -1;
  int value = 0;
  for (std::size_t k = 0; k < width; ++k) {
    const char c = text[pos + k];
    if (c < '0' || c > '9') return -1;
    value = value * 10 + (c - '0');
  }
  return value;
}

}  // namespace

std::optional<Date> Date::FromCivil(CivilDate civil) {
  if (civil.month < 1 || civil.month > 12 || civil.day < 1 ||
      civil.day > DaysInMonth(civil.year, civil.month)) {
    return std::nullopt;
  }
  return Date(DaysFromCivil(civil.year, civil.month, civil.day));
}

std::optional<Date> Date::Parse(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  const int year = ReadDigits(text, 0, 4);
  const int month = ReadDigits(text, 5, 2);
  const int day = ReadDigits(text, 8, 2);
  if (year < 0 || month < 0 || day < 0) return std::nullopt;
  return FromCivil(CivilDate{year, month, day});
}

CivilDate Date::ToCivil() const { return CivilFromDays(days_); }

std::string Date::ToString() const {
  const CivilDate c = ToCivil();
  return fmt::format("{:04d}-{:02d}-{:02d}", c.year, c.month, c.day);
}

std::string Date::MonthString() const {
  const CivilDate c = ToCivil();
  return fmt::format("{:04d}-{:02d}", c.year, c.month);
}

Date Date::FirstOfMonth() const {
  const CivilDate c = ToCivil();
  return Date(DaysFromCivil(c.year, c.month, 1));
}

std::optional<std::int64_t> ParseTimestamp(std::string_view text) {
  if (text.size() < 10) return std::nullopt;
  const std::optional<Date> date = Date::Parse(text.substr(0, 10));
  if (!date) return std::nullopt;
  std::int64_t seconds = static_cast<std::int64_t>(date->days()) * kSecondsPerDay;
  std::size_t pos = 10;
  if (pos == text.size()) return seconds;
  if (text[pos] != 'T' && text[pos] != ' ' && text[pos] != 't') return std::nullopt;
  ++pos;
  const int hour = ReadDigits(text, pos, 2);
  if (hour < 0 || hour > 24 || pos + 2 >= text.size() || text[pos + 2] != ':') return std::nullopt;
  const int minute = ReadDigits(text, pos + 3, 2);
  if (minute < 0 || minute > 59) return std::nullopt;
  pos += 5;
  int second = 0;
  if (pos < text.size() && text[pos] == ':') {
    second = ReadDigits(text, pos + 1, 2);
    if (second < 0 || second > 60) return std::nullopt;
    pos += 3;
    if (pos < text.size() && (text[pos] == '.' || text[pos] == ',')) {
      ++pos;
      const std::size_t start = pos;
      while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;
      if (pos == start) return std::nullopt;
    }
  }
  seconds += hour * kSecondsPerHour + minute * kSecondsPerMinute + second;
  if (pos == text.size()) return seconds;
  if (text[pos] == 'Z' || text[pos] == 'z')
    return pos + 1 == text.size() ? std::optional(seconds) : std::nullopt;
  if (text[pos] != '+' && text[pos] != '-') return std::nullopt;
  const int sign = text[pos] == '+' ? 1 : -1;
  const int offset_hours = ReadDigits(text, pos + 1, 2);
  if (offset_hours < 0 || offset_hours > 23) return std::nullopt;
  pos += 3;
  int offset_minutes = 0;
  if (pos < text.size()) {
    if (text[pos] == ':') ++pos;
    offset_minutes = ReadDigits(text, pos, 2);
    if (offset_minutes < 0 || offset_minutes > 59) return std::nullopt;
    pos += 2;
  }
  if (pos != text.size()) return std::nullopt;
  return seconds - sign * (offset_hours * kSecondsPerHour + offset_minutes * kSecondsPerMinute);
}

Date DateOfTimestamp(std::int64_t epoch_seconds) {
  std::int64_t days = epoch_seconds / kSecondsPerDay;
  if (epoch_seconds % kSecondsPerDay < 0) --days;
  return Date::FromDays(static_cast<std::int32_t>(days));
}

}  // namespace costwise
