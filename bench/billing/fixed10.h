#pragma once
// Exact decimal amounts with 10 decimals, stored as integers (1 unit = 1e-10), as CUR and FOCUS
// files carry them. Products are rounded half away from zero back to 10 decimals.
#include <cmath>
#include <cstdint>

namespace costwise::bench {

__extension__ typedef __int128 Int128;  // GCC/Clang; __extension__ keeps -Wpedantic quiet
__extension__ typedef unsigned __int128 UInt128;

inline constexpr std::int64_t kFixedScale = 10'000'000'000;  // 1e10

[[nodiscard]] inline std::int64_t FixedFromDouble(double value) {
  return std::llround(value * static_cast<double>(kFixedScale));
}

[[nodiscard]] inline double FixedToDouble(std::int64_t value) {
  return static_cast<double>(value) / static_cast<double>(kFixedScale);
}

// a * b, both with 10 decimals, rounded half away from zero to 10 decimals.
[[nodiscard]] inline std::int64_t FixedMul(std::int64_t a, std::int64_t b) {
  const Int128 product = static_cast<Int128>(a) * b;
  const Int128 half = kFixedScale / 2;
  const Int128 rounded =
      product >= 0 ? (product + half) / kFixedScale : (product - half) / kFixedScale;
  return static_cast<std::int64_t>(rounded);
}

// Rounds a positive price to `digits` significant digits, the way price lists print them.
[[nodiscard]] inline double RoundSignificant(double value, int digits) {
  if (value <= 0) return 0;
  const double magnitude = std::floor(std::log10(value)) + 1;
  const double factor = std::pow(10.0, digits - magnitude);
  return std::round(value * factor) / factor;
}

}  // namespace costwise::bench
