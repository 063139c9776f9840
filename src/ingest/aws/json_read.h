#pragma once
// Reading AWS's JSON answers without exceptions: a member that is missing, null or of another
// type reads as empty, so an unexpected answer becomes a clear "unexpected answer" error upstream
// instead of an exception (nlohmann's value() throws on null members and non-objects).
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace costwise::aws {

// The member, or a null value when `json` is not an object or has no such member.
[[nodiscard]] inline const nlohmann::json& Member(const nlohmann::json& json,
                                                  std::string_view key) {
  static const nlohmann::json kNull;
  if (!json.is_object()) return kNull;
  const auto it = json.find(key);
  return it == json.end() ? kNull : *it;
}

// The member's text; "" unless it is a string.
[[nodiscard]] inline std::string TextOf(const nlohmann::json& json, std::string_view key) {
  const nlohmann::json& member = Member(json, key);
  return member.is_string() ? member.get<std::string>() : std::string();
}

// The member's whole number; 0 unless it is a number.
[[nodiscard]] inline std::int64_t IntegerOf(const nlohmann::json& json, std::string_view key) {
  const nlohmann::json& member = Member(json, key);
  if (member.is_number_integer()) return member.get<std::int64_t>();
  if (member.is_number()) return static_cast<std::int64_t>(member.get<double>());
  return 0;
}

}  // namespace costwise::aws
