#pragma once
// Little helpers for the binary formats of saved models (isolation forest, streaming detector,
// detector artifacts): values are written as their bytes in the machine's order (every platform
// costwise builds on is little-endian, which the formats document), so doubles round-trip
// exactly. Readers return false on a short read; counts read from a file are checked against a
// limit before anything is allocated for them.
#include <bit>
#include <cstddef>
#include <cstdint>
#include <istream>
#include <ostream>
#include <string>
#include <type_traits>
#include <vector>

namespace costwise::binary {

static_assert(std::endian::native == std::endian::little,
              "saved models are little-endian; a big-endian build needs byte swapping here");

template <typename T>
requires std::is_trivially_copyable_v<T>
void Write(std::ostream& out, const T& value) {
  out.write(reinterpret_cast<const char*>(&value), sizeof value);
}

template <typename T>
requires std::is_trivially_copyable_v<T>
void WriteArray(std::ostream& out, const T* values, std::size_t count) {
  out.write(reinterpret_cast<const char*>(values), static_cast<std::streamsize>(count * sizeof(T)));
}

template <typename T>
requires std::is_trivially_copyable_v<T>
[[nodiscard]] bool Read(std::istream& in, T& value) {
  return static_cast<bool>(in.read(reinterpret_cast<char*>(&value), sizeof value));
}

template <typename T>
requires std::is_trivially_copyable_v<T>
[[nodiscard]] bool ReadArray(std::istream& in, T* values, std::size_t count) {
  return static_cast<bool>(
      in.read(reinterpret_cast<char*>(values), static_cast<std::streamsize>(count * sizeof(T))));
}

// A count as a uint64, then read back only when it is at most `limit`.
inline void WriteCount(std::ostream& out, std::size_t count) {
  Write(out, static_cast<std::uint64_t>(count));
}
[[nodiscard]] inline bool ReadCount(std::istream& in, std::size_t limit, std::size_t& count) {
  std::uint64_t stored = 0;
  if (!Read(in, stored) || stored > limit) return false;
  count = static_cast<std::size_t>(stored);
  return true;
}

// A vector of trivially copyable values: its count, then its elements.
template <typename T>
void WriteVector(std::ostream& out, const std::vector<T>& values) {
  WriteCount(out, values.size());
  WriteArray(out, values.data(), values.size());
}
template <typename T>
[[nodiscard]] bool ReadVector(std::istream& in, std::size_t limit, std::vector<T>& values) {
  std::size_t count = 0;
  if (!ReadCount(in, limit, count)) return false;
  values.resize(count);
  return ReadArray(in, values.data(), count);
}

inline void WriteString(std::ostream& out, const std::string& text) {
  WriteCount(out, text.size());
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
}
[[nodiscard]] inline bool ReadString(std::istream& in, std::size_t limit, std::string& text) {
  std::size_t count = 0;
  if (!ReadCount(in, limit, count)) return false;
  text.resize(count);
  return static_cast<bool>(in.read(text.data(), static_cast<std::streamsize>(count)));
}

}  // namespace costwise::binary
