#pragma once
// Cuts a CSV byte stream into blocks that end on a record boundary (a newline outside quotes), so
// that blocks can be parsed independently on several threads. Only quote parity is needed to find
// a boundary: an escaped quote ("") counts twice and leaves it unchanged.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/error.h"
#include "ingest/byte_source.h"

namespace costwise::ingest {

// Whole records; the last one may lack its newline at the end of the file. The buffer is reused
// from block to block and never zero-filled.
struct CsvBlock {
  std::unique_ptr<char[]> buffer;
  std::size_t capacity = 0;
  std::size_t size = 0;
  std::int64_t index = 0;  // 0, 1, 2, ... in file order
  [[nodiscard]] std::string_view view() const { return {buffer.get(), size}; }
  // Makes room for at least `needed` bytes, keeping the first `size` bytes.
  void Reserve(std::size_t needed);
};

class CsvBlockSplitter {
 public:
  static constexpr std::size_t kDefaultBlockSize = std::size_t{4} << 20;
  static constexpr std::size_t kMaxRecordSize = std::size_t{64} << 20;

  explicit CsvBlockSplitter(ByteSource& source, std::size_t block_size = kDefaultBlockSize);

  // Fills `block` (reusing its capacity) with the next run of whole records. Returns false at the
  // end of the data. InvalidInput when a record exceeds kMaxRecordSize (an unbalanced quote).
  [[nodiscard]] Result<bool> Next(CsvBlock& block);

 private:
  ByteSource& source_;
  std::size_t block_size_;
  std::string carry_;  // bytes after the last boundary of the previous block
  std::int64_t next_index_ = 0;
  bool eof_ = false;
  bool bom_checked_ = false;
};

// Number of double quotes in `data` (vectorised: the splitter runs it over every byte).
[[nodiscard]] std::size_t CountQuotes(std::string_view data);

// Position just past the last newline of `data` that is outside quotes, assuming `data` starts
// outside quotes; 0 when there is none.
[[nodiscard]] std::size_t LastRecordBoundary(std::string_view data);

}  // namespace costwise::ingest
