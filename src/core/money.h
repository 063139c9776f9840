#pragma once
// Money is an exact fixed-point amount in billionths of a currency unit (nanos), so that sums of
// millions of line items stay exact to the cent and agree across databases. Bills carry up to 10 or
// 11 decimals per line item; each is rounded half away from zero to 9 decimals on parse, which
// bounds the error of a sum of n items by n * 5e-10 (a cent after 20 million items).
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace costwise {

class Money {
 public:
  static constexpr std::int64_t kNanosPerUnit = 1'000'000'000;

  constexpr Money() = default;
  [[nodiscard]] static constexpr Money FromNanos(std::int64_t nanos) { return Money(nanos); }
  // Parses a decimal number such as "12.5", "-0.00000080000", "1.0E-4". Empty optional when the
  // text is not a number or does not fit (about ±9.2 billion units).
  [[nodiscard]] static std::optional<Money> Parse(std::string_view text);

  [[nodiscard]] constexpr std::int64_t nanos() const { return nanos_; }
  // Decimal text rounded half away from zero to `decimals` places (0 to 9), e.g. "1.68".
  [[nodiscard]] std::string ToString(int decimals = 2) const;

  constexpr Money& operator+=(Money other) {
    nanos_ += other.nanos_;
    return *this;
  }
  constexpr Money& operator-=(Money other) {
    nanos_ -= other.nanos_;
    return *this;
  }
  friend constexpr Money operator+(Money a, Money b) { return Money(a.nanos_ + b.nanos_); }
  friend constexpr Money operator-(Money a, Money b) { return Money(a.nanos_ - b.nanos_); }
  friend constexpr auto operator<=>(Money, Money) = default;

  // Sum and difference, empty when the result does not fit.
  [[nodiscard]] static std::optional<Money> CheckedAdd(Money a, Money b) {
    std::int64_t out = 0;
    if (__builtin_add_overflow(a.nanos_, b.nanos_, &out)) return std::nullopt;
    return Money(out);
  }
  [[nodiscard]] static std::optional<Money> CheckedSubtract(Money a, Money b) {
    std::int64_t out = 0;
    if (__builtin_sub_overflow(a.nanos_, b.nanos_, &out)) return std::nullopt;
    return Money(out);
  }

 private:
  constexpr explicit Money(std::int64_t nanos) : nanos_(nanos) {}
  std::int64_t nanos_ = 0;
};

// Parses a decimal number into a double without locale effects; used for usage quantities.
[[nodiscard]] std::optional<double> ParseDouble(std::string_view text);

}  // namespace costwise
