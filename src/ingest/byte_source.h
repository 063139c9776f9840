#pragma once
// A file's bytes, decompressed when the file is gzip (recognised by its magic bytes, not its name),
// read in order with a checksum of the stored bytes (XXH3-128, fast enough to hash gigabytes
// without slowing ingestion) computed on the way.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "core/error.h"

namespace costwise::ingest {

class ByteSource {
 public:
  ~ByteSource();
  ByteSource(const ByteSource&) = delete;
  ByteSource& operator=(const ByteSource&) = delete;
  ByteSource(ByteSource&&) noexcept;
  ByteSource& operator=(ByteSource&&) noexcept;

  // NotFound when the file does not exist, InvalidInput when it is not a regular file.
  [[nodiscard]] static Result<ByteSource> Open(const std::string& path);

  // Reads up to `capacity` decompressed bytes; 0 at the end of the data. InvalidInput when a gzip
  // stream is corrupt or truncated; the message names the file and the offset.
  [[nodiscard]] Result<std::size_t> Read(char* out, std::size_t capacity);

  [[nodiscard]] const std::string& path() const { return path_; }
  [[nodiscard]] bool gzip() const { return gzip_; }
  [[nodiscard]] std::uint64_t file_size() const { return file_size_; }
  // Stored (compressed) bytes consumed so far; safe to read from another thread for progress.
  [[nodiscard]] std::uint64_t stored_bytes_read() const { return stored_bytes_read_.load(); }
  // "xxh3-128:<32 hex digits>" of the stored bytes; complete once Read has returned 0.
  [[nodiscard]] std::string ChecksumHex() const;

 private:
  struct State;
  ByteSource(std::string path, std::unique_ptr<State> state);
  Result<std::size_t> ReadStored(char* out, std::size_t capacity);
  Result<std::size_t> ReadGzip(char* out, std::size_t capacity);

  std::string path_;
  bool gzip_ = false;
  std::uint64_t file_size_ = 0;
  std::atomic<std::uint64_t> stored_bytes_read_{0};
  std::unique_ptr<State> state_;
};

}  // namespace costwise::ingest
