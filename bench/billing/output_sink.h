#pragma once
// Buffered output to a file, plain or gzip (zlib deflate with large buffers). Rows are written
// straight into the buffer: Reserve(n) returns room for n bytes, Commit(end) keeps them.
#include <zlib.h>

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>

namespace costwise::bench {

class OutputSink {
 public:
  static constexpr std::size_t kBufferSize = 8 << 20;

  // Throws std::runtime_error when the file cannot be opened.
  OutputSink(const std::string& path, bool gzip, int level);
  ~OutputSink();
  OutputSink(const OutputSink&) = delete;
  OutputSink& operator=(const OutputSink&) = delete;

  char* Reserve(std::size_t bytes) {
    if (kBufferSize - used_ < bytes) Drain();
    return buffer_.get() + used_;
  }
  void Commit(const char* end) { used_ = static_cast<std::size_t>(end - buffer_.get()); }
  // Flushes everything and closes the file; throws std::runtime_error on a write error.
  void Finish();

  [[nodiscard]] std::uint64_t raw_bytes() const { return raw_bytes_; }
  [[nodiscard]] std::uint64_t file_bytes() const { return file_bytes_; }

 private:
  void Drain();
  void Deflate(int flush);
  void WriteFile(const char* data, std::size_t size);

  std::FILE* file_ = nullptr;
  bool gzip_ = false;
  bool finished_ = false;
  z_stream zstream_{};
  std::unique_ptr<char[]> buffer_;
  std::unique_ptr<char[]> compressed_;
  std::size_t used_ = 0;
  std::uint64_t raw_bytes_ = 0;
  std::uint64_t file_bytes_ = 0;
};

}  // namespace costwise::bench
