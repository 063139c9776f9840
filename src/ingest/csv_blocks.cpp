#include "ingest/csv_blocks.h"

#include <algorithm>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <fmt/format.h>

namespace costwise::ingest {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";

}  // namespace

std::size_t CountQuotes(std::string_view data) {
  std::size_t count = 0;
  std::size_t i = 0;
#if defined(__SSE2__)
  // Each byte lane counts matches down from 0 (a match is -1); every 255 rounds the lanes are
  // summed with SAD before they can wrap. Baseline x86-64 has no POPCNT instruction.
  constexpr std::size_t kWidth = 16;
  constexpr std::size_t kRoundsPerFlush = 255;
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i zero = _mm_setzero_si128();
  while (i + kWidth <= data.size()) {
    __m128i lanes = _mm_setzero_si128();
    for (std::size_t round = 0; round < kRoundsPerFlush && i + kWidth <= data.size();
         ++round, i += kWidth) {
      const __m128i chunk = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data.data() + i));
      lanes = _mm_sub_epi8(lanes, _mm_cmpeq_epi8(chunk, quote));
    }
    const __m128i sums = _mm_sad_epu8(lanes, zero);
    count += static_cast<std::size_t>(_mm_cvtsi128_si32(sums)) +
             static_cast<std::size_t>(_mm_extract_epi16(sums, 4));
  }
#endif
  for (; i < data.size(); ++i) count += data[i] == '"' ? 1 : 0;
  return count;
}

void CsvBlock::Reserve(std::size_t needed) {
  if (needed <= capacity) return;
  auto bigger = std::make_unique_for_overwrite<char[]>(needed);
  if (size > 0) std::memcpy(bigger.get(), buffer.get(), size);
  buffer = std::move(bigger);
  capacity = needed;
}

std::size_t LastRecordBoundary(std::string_view data) {
  const std::size_t total_quotes = CountQuotes(data);
  // Walk back from the end; quotes seen so far are those after the candidate newline.
  std::size_t quotes_after = 0;
  for (std::size_t i = data.size(); i > 0; --i) {
    const char c = data[i - 1];
    if (c == '"') {
      ++quotes_after;
    } else if (c == '\n') {
      const std::size_t quotes_before = total_quotes - quotes_after;
      if (quotes_before % 2 == 0) return i;
    }
  }
  return 0;
}

CsvBlockSplitter::CsvBlockSplitter(ByteSource& source, std::size_t block_size)
    : source_(source), block_size_(block_size) {}

Result<bool> CsvBlockSplitter::Next(CsvBlock& block) {
  block.size = 0;
  block.Reserve(std::max(block_size_, carry_.size() + 1));
  std::memcpy(block.buffer.get(), carry_.data(), carry_.size());
  block.size = carry_.size();
  carry_.clear();
  std::size_t target = std::max(block_size_, block.size + 1);
  while (true) {
    // Fill up to the target size.
    block.Reserve(target);
    while (!eof_ && block.size < target) {
      auto got = source_.Read(block.buffer.get() + block.size, target - block.size);
      if (!got) return unexpected(got.error());
      block.size += *got;
      if (*got == 0) eof_ = true;
    }
    if (next_index_ == 0 && !bom_checked_ && block.size >= kBom.size()) {
      bom_checked_ = true;
      if (block.view().starts_with(kBom)) {  // a UTF-8 byte-order mark is not data
        std::memmove(block.buffer.get(), block.buffer.get() + kBom.size(),
                     block.size - kBom.size());
        block.size -= kBom.size();
        continue;
      }
    }
    if (block.size == 0) return false;
    if (eof_) break;  // the rest is the last block, whole
    const std::size_t boundary = LastRecordBoundary(block.view());
    if (boundary > 0) {
      carry_.assign(block.buffer.get() + boundary, block.size - boundary);
      block.size = boundary;
      break;
    }
    if (target >= kMaxRecordSize) {
      return MakeError(ErrorCode::kInvalidInput,
                       fmt::format("{}: block {} (from byte ~{}): a record runs on for more than "
                                   "{} MB: a quoted field is probably never closed",
                                   source_.path(), next_index_, source_.stored_bytes_read(),
                                   kMaxRecordSize >> 20));
    }
    target *= 2;
  }
  block.index = next_index_++;
  return true;
}

}  // namespace costwise::ingest
