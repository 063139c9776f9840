#include "billing/output_sink.h"

#include <stdexcept>

#include <fmt/format.h>

namespace costwise::bench {
namespace {
constexpr int kGzipWindowBits = 15 + 16;  // 32 KiB window, gzip header
constexpr int kMemLevel = 9;
}  // namespace

OutputSink::OutputSink(const std::string& path, bool gzip, int level)
    : gzip_(gzip), buffer_(new char[kBufferSize]) {
  file_ = std::fopen(path.c_str(), "wb");
  if (file_ == nullptr) throw std::runtime_error(fmt::format("cannot open {} for writing", path));
  std::setvbuf(file_, nullptr, _IONBF, 0);
  if (gzip_) {
    compressed_.reset(new char[kBufferSize]);
    if (deflateInit2(&zstream_, level, Z_DEFLATED, kGzipWindowBits, kMemLevel,
                     Z_DEFAULT_STRATEGY) != Z_OK) {
      throw std::runtime_error("deflateInit2 failed");
    }
  }
}

OutputSink::~OutputSink() {
  if (gzip_ && !finished_) deflateEnd(&zstream_);
  if (file_ != nullptr) std::fclose(file_);
}

void OutputSink::WriteFile(const char* data, std::size_t size) {
  if (size == 0) return;
  if (std::fwrite(data, 1, size, file_) != size) throw std::runtime_error("write failed");
  file_bytes_ += size;
}

void OutputSink::Deflate(int flush) {
  zstream_.next_in = reinterpret_cast<Bytef*>(buffer_.get());
  zstream_.avail_in = static_cast<uInt>(used_);
  int status = Z_OK;
  do {
    zstream_.next_out = reinterpret_cast<Bytef*>(compressed_.get());
    zstream_.avail_out = static_cast<uInt>(kBufferSize);
    status = deflate(&zstream_, flush);
    if (status == Z_STREAM_ERROR) throw std::runtime_error("deflate failed");
    WriteFile(compressed_.get(), kBufferSize - zstream_.avail_out);
  } while (zstream_.avail_out == 0 || (flush == Z_FINISH && status != Z_STREAM_END));
}

void OutputSink::Drain() {
  raw_bytes_ += used_;
  if (gzip_) {
    Deflate(Z_NO_FLUSH);
  } else {
    WriteFile(buffer_.get(), used_);
  }
  used_ = 0;
}

void OutputSink::Finish() {
  if (finished_) return;
  raw_bytes_ += used_;
  if (gzip_) {
    Deflate(Z_FINISH);
    deflateEnd(&zstream_);
  } else {
    WriteFile(buffer_.get(), used_);
  }
  used_ = 0;
  finished_ = true;
  if (std::fclose(file_) != 0) {
    file_ = nullptr;
    throw std::runtime_error("close failed");
  }
  file_ = nullptr;
}

}  // namespace costwise::bench
