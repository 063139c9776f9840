#pragma once
// Calendar dates and UTC timestamps as plain integers: Date counts days since 1970-01-01, so the
// daily cost cube is keyed by a 32-bit number and date arithmetic is integer arithmetic.
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace costwise {

struct CivilDate {
  int year = 1970;
  int month = 1;  // 1..12
  int day = 1;    // 1..31
};

class Date {
 public:
  constexpr Date() = default;
  [[nodiscard]] static constexpr Date FromDays(std::int32_t days) { return Date(days); }
  // Empty when the fields do not name a real day (2023-02-30 included).
  [[nodiscard]] static std::optional<Date> FromCivil(CivilDate civil);
  // "YYYY-MM-DD". Empty when malformed.
  [[nodiscard]] static std::optional<Date> Parse(std::string_view text);

  [[nodiscard]] constexpr std::int32_t days() const { return days_; }
  [[nodiscard]] CivilDate ToCivil() const;
  [[nodiscard]] std::string ToString() const;     // "YYYY-MM-DD"
  [[nodiscard]] std::string MonthString() const;  // "YYYY-MM"
  [[nodiscard]] Date FirstOfMonth() const;
  [[nodiscard]] constexpr Date AddDays(std::int32_t n) const { return Date(days_ + n); }

  friend constexpr auto operator<=>(Date, Date) = default;

 private:
  constexpr explicit Date(std::int32_t days) : days_(days) {}
  std::int32_t days_ = 0;
};

// Parses an ISO 8601 / billing-export timestamp to seconds since the Unix epoch, UTC. Accepts
// "YYYY-MM-DD", "YYYY-MM-DDTHH:MM:SS", a space instead of 'T', optional fractional seconds, and
// an optional "Z" or "+HH:MM"/"-HH:MM"/"+HHMM" offset (no offset means UTC).
[[nodiscard]] std::optional<std::int64_t> ParseTimestamp(std::string_view text);

// The UTC day a timestamp falls on.
[[nodiscard]] Date DateOfTimestamp(std::int64_t epoch_seconds);

}  // namespace costwise
