#pragma once
// Finds the CSV special characters (',', '\n', '\r', '"') of a text 64 bytes at a time, keeping
// the chunk's bit mask between calls, so that the many short fields of a row cost a shift and a
// count of zeros each. Shared by CsvParser and the metrics file scanner.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace costwise::ingest {

class SpecialFinder {
 public:
  explicit SpecialFinder(std::string_view text) : text_(text) {}

  // The offset of the first special character at or after `offset`; the text's size if none.
  [[nodiscard]] std::size_t Next(std::size_t offset) {
    while (offset < text_.size()) {
      if (offset < chunk_ || offset >= chunk_ + kChunk) {
        chunk_ = offset - offset % kChunk;
        mask_ = Mask(text_.data() + chunk_, std::min(kChunk, text_.size() - chunk_));
      }
      const std::uint64_t bits = mask_ >> (offset - chunk_);
      if (bits != 0) return offset + static_cast<std::size_t>(__builtin_ctzll(bits));
      offset = chunk_ + kChunk;
    }
    return text_.size();
  }

 private:
  static constexpr std::size_t kChunk = 64;

  static bool IsSpecial(char c) { return c == ',' || c == '\n' || c == '\r' || c == '"'; }

  // Bit i set when chunk[i] is special; `size` bytes (at most 64) are looked at.
  static std::uint64_t Mask(const char* chunk, std::size_t size) {
    std::uint64_t mask = 0;
#if defined(__SSE2__)
    if (size == kChunk) {
      const __m128i comma = _mm_set1_epi8(',');
      const __m128i newline = _mm_set1_epi8('\n');
      const __m128i carriage = _mm_set1_epi8('\r');
      const __m128i quote = _mm_set1_epi8('"');
      constexpr std::size_t kWidth = 16;
      for (std::size_t k = 0; k < kChunk; k += kWidth) {
        const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(chunk + k));
        const __m128i hits = _mm_or_si128(
            _mm_or_si128(_mm_cmpeq_epi8(bytes, comma), _mm_cmpeq_epi8(bytes, newline)),
            _mm_or_si128(_mm_cmpeq_epi8(bytes, carriage), _mm_cmpeq_epi8(bytes, quote)));
        mask |= static_cast<std::uint64_t>(static_cast<std::uint16_t>(_mm_movemask_epi8(hits)))
                << k;
      }
      return mask;
    }
#endif
    for (std::size_t k = 0; k < size; ++k) {
      if (IsSpecial(chunk[k])) mask |= std::uint64_t{1} << k;
    }
    return mask;
  }

  std::string_view text_;
  std::size_t chunk_ = static_cast<std::size_t>(-1) / 2;  // no chunk cached yet
  std::uint64_t mask_ = 0;
};

}  // namespace costwise::ingest
