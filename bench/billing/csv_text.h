#pragma once
// Writing CSV fields and numbers straight into an output buffer. Every Put* returns the new end.
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace costwise::bench {

inline char* Put(char* out, std::string_view text) {
  std::memcpy(out, text.data(), text.size());
  return out + text.size();
}

inline char* Put(char* out, char c) {
  *out = c;
  return out + 1;
}

// Unsigned decimal integer.
char* PutUnsigned(char* out, std::uint64_t value);

// A 10-decimal amount the way legacy CUR prints it (Java's Double.toString): "0.0", "1.0",
// "0.0116", "5.2E-9", "1.2E7".
char* PutJavaNumber(char* out, std::int64_t value);

// A 10-decimal amount, trailing zeros trimmed: "1.0", "0.0116". With `keep_point` false an integer
// prints without ".0".
char* PutTrimmed(char* out, std::int64_t value, bool keep_point = true);

// A 10-decimal amount with exactly `decimals` (>= 10) decimals: "0.00000080000".
char* PutFixedDecimals(char* out, std::int64_t value, int decimals);

// The field as CSV: quoted (with doubled quotes) when it holds a comma, quote or line break.
[[nodiscard]] std::string CsvField(std::string_view text);
// The field always quoted.
[[nodiscard]] std::string CsvQuoted(std::string_view text);
// Text as a JSON string literal, quotes included.
[[nodiscard]] std::string JsonString(std::string_view text);

}  // namespace costwise::bench
