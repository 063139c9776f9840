#pragma once
// Small text helpers the readers share: ASCII lower case (header names) and trimming of white
// space around fields.
#include <cctype>
#include <string>
#include <string_view>

namespace costwise::ingest {

[[nodiscard]] inline std::string LowerAscii(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower;
}

[[nodiscard]] inline std::string_view TrimSpace(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return text;
}

}  // namespace costwise::ingest
