#pragma once
// Cuts a CSV byte stream into blocks that end on a record boundary (a newline outside quotes), so
// that blocks can be parsed independently on several threads. Only quote parity is needed to find
// a boundary: an escaped quote ("") counts twice and leaves it unchanged.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.h"
#include "ingest/byte_source.h"

namespace costwise::ingest {

struct CsvBlock {
  std::string data;             // whole records; the last one may lack its newline at EOF
  std::int64_t first_line = 1;  // physical line number of the block's first byte
  std::int64_t index = 0;       // 0, 1, 2, ... in file order
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
  std::int64_t next_line_ = 1;
  std::int64_t next_index_ = 0;
  bool eof_ = false;
};

// Position just past the last newline of `data` that is outside quotes, assuming `data` starts
// outside quotes; 0 when there is none.
[[nodiscard]] std::size_t LastRecordBoundary(std::string_view data);

}  // namespace costwise::ingest
