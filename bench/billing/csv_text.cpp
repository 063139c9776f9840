#include "billing/csv_text.h"

#include "billing/fixed10.h"

namespace costwise::bench {
namespace {

constexpr int kDecimals = 10;
constexpr std::uint64_t kPlainLow = 10'000'000;                   // 1e-3 in 10-decimal units
constexpr std::uint64_t kPlainHigh = 100'000'000'000'000'000ULL;  // 1e7 in 10-decimal units

std::uint64_t Magnitude(std::int64_t value) {
  return value < 0 ? static_cast<std::uint64_t>(-(value + 1)) + 1
                   : static_cast<std::uint64_t>(value);
}

// Writes the 10 fraction digits of `fraction` (< 1e10) into `digits`; returns the count left
// after trimming trailing zeros (at least `keep`).
int FractionDigits(std::uint64_t fraction, char* digits, int keep) {
  for (int i = kDecimals - 1; i >= 0; --i) {
    digits[i] = static_cast<char>('0' + fraction % 10);
    fraction /= 10;
  }
  int count = kDecimals;
  while (count > keep && digits[count - 1] == '0') --count;
  return count;
}

}  // namespace

char* PutUnsigned(char* out, std::uint64_t value) {
  char digits[20];
  int count = 0;
  do {
    digits[count++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0);
  while (count > 0) *out++ = digits[--count];
  return out;
}

char* PutTrimmed(char* out, std::int64_t value, bool keep_point) {
  if (value < 0) *out++ = '-';
  const std::uint64_t magnitude = Magnitude(value);
  out = PutUnsigned(out, magnitude / kFixedScale);
  char digits[kDecimals];
  const int count = FractionDigits(magnitude % kFixedScale, digits, keep_point ? 1 : 0);
  if (count == 0) return out;
  *out++ = '.';
  return Put(out, std::string_view(digits, static_cast<std::size_t>(count)));
}

char* PutJavaNumber(char* out, std::int64_t value) {
  if (value == 0) return Put(out, "0.0");
  const std::uint64_t magnitude = Magnitude(value);
  if (magnitude >= kPlainLow && magnitude < kPlainHigh) return PutTrimmed(out, value, true);
  if (value < 0) *out++ = '-';
  char digits[20];
  int length = 0;
  for (std::uint64_t rest = magnitude; rest != 0; rest /= 10)
    digits[length++] = static_cast<char>('0' + rest % 10);
  // digits holds the number reversed; the exponent of its leading digit:
  const int exponent = length - 1 - kDecimals;
  int last = 0;  // index (reversed) of the last significant digit
  while (digits[last] == '0') ++last;
  *out++ = digits[length - 1];
  *out++ = '.';
  if (length - 1 == last) {
    *out++ = '0';
  } else {
    for (int i = length - 2; i >= last; --i) *out++ = digits[i];
  }
  *out++ = 'E';
  if (exponent < 0) *out++ = '-';
  return PutUnsigned(out, static_cast<std::uint64_t>(exponent < 0 ? -exponent : exponent));
}

char* PutFixedDecimals(char* out, std::int64_t value, int decimals) {
  if (value < 0) *out++ = '-';
  const std::uint64_t magnitude = Magnitude(value);
  out = PutUnsigned(out, magnitude / kFixedScale);
  *out++ = '.';
  char digits[kDecimals];
  FractionDigits(magnitude % kFixedScale, digits, kDecimals);
  out = Put(out, std::string_view(digits, kDecimals));
  for (int i = kDecimals; i < decimals; ++i) *out++ = '0';
  return out;
}

std::string CsvQuoted(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out.push_back('"');
  for (char c : text) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

std::string CsvField(std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
  return CsvQuoted(text);
}

std::string JsonString(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

}  // namespace costwise::bench
