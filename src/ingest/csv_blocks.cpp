#include "ingest/csv_blocks.h"

#include <algorithm>

#include <fmt/format.h>

namespace costwise::ingest {

std::size_t LastRecordBoundary(std::string_view data) {
  const auto total_quotes = std::count(data.begin(), data.end(), '"');
  // Walk back from the end; quotes seen so far are those after the candidate newline.
  std::size_t quotes_after = 0;
  for (std::size_t i = data.size(); i > 0; --i) {
    const char c = data[i - 1];
    if (c == '"') {
      ++quotes_after;
    } else if (c == '\n') {
      const auto quotes_before = static_cast<std::size_t>(total_quotes) - quotes_after;
      if (quotes_before % 2 == 0) return i;
    }
  }
  return 0;
}

CsvBlockSplitter::CsvBlockSplitter(ByteSource& source, std::size_t block_size)
    : source_(source), block_size_(block_size) {}

Result<bool> CsvBlockSplitter::Next(CsvBlock& block) {
  block.data.clear();
  block.data.append(carry_);
  carry_.clear();
  std::size_t target = std::max(block_size_, block.data.size() + 1);
  while (true) {
    // Fill up to the target size.
    while (!eof_ && block.data.size() < target) {
      const std::size_t old_size = block.data.size();
      block.data.resize(target);
      auto got = source_.Read(block.data.data() + old_size, target - old_size);
      if (!got) return unexpected(got.error());
      block.data.resize(old_size + *got);
      if (*got == 0) eof_ = true;
    }
    if (block.data.empty()) return false;
    if (eof_) break;  // the rest is the last block, whole
    const std::size_t boundary = LastRecordBoundary(block.data);
    if (boundary > 0) {
      carry_.assign(block.data, boundary, std::string::npos);
      block.data.resize(boundary);
      break;
    }
    if (target >= kMaxRecordSize) {
      return MakeError(ErrorCode::kInvalidInput,
                       fmt::format("{}:{}: a record runs on for more than {} MB: a quoted field "
                                   "is probably never closed",
                                   source_.path(), next_line_, kMaxRecordSize >> 20));
    }
    target *= 2;
  }
  block.first_line = next_line_;
  block.index = next_index_++;
  next_line_ += std::count(block.data.begin(), block.data.end(), '\n');
  return true;
}

}  // namespace costwise::ingest
