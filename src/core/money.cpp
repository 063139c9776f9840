#include "core/money.h"

#include <array>
#include <charconv>
#include <cstdlib>
#include <limits>

namespace costwise {
namespace {

constexpr int kScaleDigits = 9;
constexpr std::int64_t kMaxExponent = 40;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

std::optional<Money> Money::Parse(std::string_view text) {
  std::size_t i = 0;
  const std::size_t n = text.size();
  bool negative = false;
  if (i < n && (text[i] == '+' || text[i] == '-')) {
    negative = text[i] == '-';
    ++i;
  }
  // Collect the significant digits and the position of the decimal point.
  std::array<char, 64> digits{};
  int digit_count = 0;
  int int_digits = 0;  // digits before the point (after dropping leading zeros)
  bool seen_point = false;
  bool any_digit = false;
  for (; i < n; ++i) {
    const char c = text[i];
    if (IsDigit(c)) {
      any_digit = true;
      if (digit_count == 0 && c == '0') {
        if (seen_point) --int_digits;  // leading zero after the point shifts the scale
        continue;
      }
      if (digit_count < static_cast<int>(digits.size())) {
        digits[digit_count++] = c;
        if (!seen_point) ++int_digits;
      } else if (!seen_point) {
        return std::nullopt;  // integer part far too large
      }
    } else if (c == '.' && !seen_point) {
      seen_point = true;
    } else {
      break;
    }
  }
  if (!any_digit) return std::nullopt;
  std::int64_t exponent = 0;
  if (i < n && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool exp_negative = false;
    if (i < n && (text[i] == '+' || text[i] == '-')) {
      exp_negative = text[i] == '-';
      ++i;
    }
    if (i >= n) return std::nullopt;
    for (; i < n; ++i) {
      if (!IsDigit(text[i])) return std::nullopt;
      exponent = exponent * 10 + (text[i] - '0');
      if (exponent > 1000) return std::nullopt;
    }
    if (exp_negative) exponent = -exponent;
  }
  if (i != n) return std::nullopt;
  if (digit_count == 0) return Money(0);
  // value = 0.d1d2d3... * 10^(int_digits + exponent); we want round(value * 10^9).
  const std::int64_t point = int_digits + exponent + kScaleDigits;  // digits kept before rounding
  if (point > 19) return std::nullopt;
  if (point < -kMaxExponent) return Money(0);
  std::int64_t result = 0;
  constexpr std::int64_t kLimit = std::numeric_limits<std::int64_t>::max() / 10;
  for (std::int64_t k = 0; k < point; ++k) {
    const int digit = k < digit_count ? digits[k] - '0' : 0;
    if (result > kLimit) return std::nullopt;
    result = result * 10 + digit;
    if (result < 0) return std::nullopt;
  }
  // Round half away from zero on the first dropped digit.
  const std::int64_t first_dropped = point < 0 ? -1 : point;
  if (first_dropped >= 0 && first_dropped < digit_count && digits[first_dropped] >= '5') {
    if (result == std::numeric_limits<std::int64_t>::max()) return std::nullopt;
    ++result;
  }
  return Money(negative ? -result : result);
}

std::string Money::ToString(int decimals) const {
  if (decimals < 0) decimals = 0;
  if (decimals > kScaleDigits) decimals = kScaleDigits;
  std::int64_t divisor = 1;
  for (int k = 0; k < kScaleDigits - decimals; ++k) divisor *= 10;
  const bool negative = nanos_ < 0;
  // Work in unsigned to handle INT64_MIN.
  const std::uint64_t magnitude =
      negative ? static_cast<std::uint64_t>(-(nanos_ + 1)) + 1 : static_cast<std::uint64_t>(nanos_);
  const auto udivisor = static_cast<std::uint64_t>(divisor);
  std::uint64_t scaled = magnitude / udivisor;
  if ((magnitude % udivisor) * 2 >= udivisor) ++scaled;
  std::uint64_t unit_divisor = 1;
  for (int k = 0; k < decimals; ++k) unit_divisor *= 10;
  const std::uint64_t units = scaled / unit_divisor;
  const std::uint64_t fraction = scaled % unit_divisor;
  std::string out;
  if (negative && scaled != 0) out.push_back('-');
  out += std::to_string(units);
  if (decimals > 0) {
    std::string frac = std::to_string(fraction);
    out.push_back('.');
    out.append(static_cast<std::size_t>(decimals) - frac.size(), '0');
    out += frac;
  }
  return out;
}

std::optional<double> ParseDouble(std::string_view text) {
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

}  // namespace costwise
