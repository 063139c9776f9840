#pragma once
// Enums spelled as stable lower-case names (stored in the database, shown in JSON), from one
// table per enum of {value, name} pairs.
#include <array>
#include <cstddef>
#include <optional>
#include <string_view>
#include <utility>

namespace costwise {

template <typename Enum, std::size_t N>
using EnumNames = std::array<std::pair<Enum, std::string_view>, N>;

// The value's name, "unknown" for a value not in the table.
template <typename Enum, std::size_t N>
[[nodiscard]] constexpr std::string_view NameIn(const EnumNames<Enum, N>& names, Enum value) {
  for (const auto& [known, name] : names) {
    if (known == value) return name;
  }
  return "unknown";
}

// The value of a name; empty for a name not in the table.
template <typename Enum, std::size_t N>
[[nodiscard]] constexpr std::optional<Enum> ParseIn(const EnumNames<Enum, N>& names,
                                                    std::string_view text) {
  for (const auto& [known, name] : names) {
    if (name == text) return known;
  }
  return std::nullopt;
}

}  // namespace costwise
