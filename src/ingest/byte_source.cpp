#include "ingest/byte_source.h"

#include <xxhash.h>

#include <array>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>
#include <isa-l/igzip_lib.h>
#include <sys/stat.h>

namespace costwise::ingest {
namespace {

constexpr std::size_t kStoredBufferSize = 1 << 20;
constexpr unsigned char kGzipMagic0 = 0x1f;
constexpr unsigned char kGzipMagic1 = 0x8b;

struct FileCloser {
  void operator()(std::FILE* file) const {
    if (file != nullptr) std::fclose(file);
  }
};
struct HashStateFree {
  void operator()(XXH3_state_t* state) const { XXH3_freeState(state); }
};

}  // namespace

struct ByteSource::State {
  std::unique_ptr<std::FILE, FileCloser> file;
  std::unique_ptr<XXH3_state_t, HashStateFree> hash;
  std::string hash_hex;
  bool stored_eof = false;
  // gzip, through ISA-L's igzip: several times faster than zlib's inflate, which would make
  // decompression the bottleneck of ingesting a .gz report.
  inflate_state inflater{};
  bool member_done = false;  // the current gzip member ended; another may follow
  bool any_member = false;
  std::vector<char> in;
};

ByteSource::ByteSource(std::string path, std::unique_ptr<State> state)
    : path_(std::move(path)), state_(std::move(state)) {}
ByteSource::~ByteSource() = default;
ByteSource::ByteSource(ByteSource&& other) noexcept
    : path_(std::move(other.path_)),
      gzip_(other.gzip_),
      file_size_(other.file_size_),
      stored_bytes_read_(other.stored_bytes_read_.load()),
      state_(std::move(other.state_)) {}
ByteSource& ByteSource::operator=(ByteSource&& other) noexcept {
  path_ = std::move(other.path_);
  gzip_ = other.gzip_;
  file_size_ = other.file_size_;
  stored_bytes_read_ = other.stored_bytes_read_.load();
  state_ = std::move(other.state_);
  return *this;
}

Result<ByteSource> ByteSource::Open(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    const int err = errno;
    return MakeError(err == ENOENT ? ErrorCode::kNotFound : ErrorCode::kInvalidInput,
                     fmt::format("{}: cannot open: {}", path, std::strerror(err)));
  }
  if (!S_ISREG(info.st_mode)) {
    return MakeError(ErrorCode::kInvalidInput, fmt::format("{}: not a regular file", path));
  }
  auto state = std::make_unique<State>();
  state->file.reset(std::fopen(path.c_str(), "rb"));
  if (!state->file) {
    return MakeError(ErrorCode::kInvalidInput,
                     fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
  }
  state->hash.reset(XXH3_createState());
  if (!state->hash || XXH3_128bits_reset(state->hash.get()) != XXH_OK) {
    return MakeError(ErrorCode::kInternal, "cannot initialise the checksum");
  }
  // Peek at the magic bytes.
  std::array<unsigned char, 2> magic{};
  const std::size_t got = std::fread(magic.data(), 1, magic.size(), state->file.get());
  const bool gzip = got == 2 && magic[0] == kGzipMagic0 && magic[1] == kGzipMagic1;
  std::rewind(state->file.get());
  ByteSource source(path, std::move(state));
  source.gzip_ = gzip;
  source.file_size_ = static_cast<std::uint64_t>(info.st_size);
  if (gzip) {
    State& s = *source.state_;
    s.in.resize(kStoredBufferSize);
    isal_inflate_init(&s.inflater);
    s.inflater.crc_flag = ISAL_GZIP;
  }
  return source;
}

Result<std::size_t> ByteSource::ReadStored(char* out, std::size_t capacity) {
  State& s = *state_;
  if (s.stored_eof) return 0;
  const std::size_t got = std::fread(out, 1, capacity, s.file.get());
  if (got < capacity) {
    if (std::ferror(s.file.get()) != 0) {
      return MakeError(ErrorCode::kUnavailable, fmt::format("{}: read error after {} bytes", path_,
                                                            stored_bytes_read_.load()));
    }
    s.stored_eof = true;
  }
  if (got > 0) XXH3_128bits_update(s.hash.get(), out, got);
  stored_bytes_read_ += got;
  return got;
}

Result<std::size_t> ByteSource::ReadGzip(char* out, std::size_t capacity) {
  State& s = *state_;
  inflate_state& z = s.inflater;
  z.next_out = reinterpret_cast<std::uint8_t*>(out);
  z.avail_out = static_cast<std::uint32_t>(capacity);
  while (z.avail_out > 0) {
    if (z.avail_in == 0 && !s.stored_eof) {
      auto got = ReadStored(s.in.data(), s.in.size());
      if (!got) return unexpected(got.error());
      z.next_in = reinterpret_cast<std::uint8_t*>(s.in.data());
      z.avail_in = static_cast<std::uint32_t>(*got);
    }
    if (s.member_done) {
      if (z.avail_in == 0) break;  // the end of the last member: the end of the data
      // Another gzip member follows (concatenated .gz files are valid gzip).
      std::uint8_t* const next_in = z.next_in;
      const std::uint32_t avail_in = z.avail_in;
      isal_inflate_reset(&z);
      z.crc_flag = ISAL_GZIP;
      z.next_in = next_in;
      z.avail_in = avail_in;
      s.member_done = false;
    }
    const std::uint32_t out_before = z.avail_out;
    const std::uint32_t in_before = z.avail_in;
    const int rc = isal_inflate(&z);
    if (rc < 0) {
      const std::uint64_t offset = stored_bytes_read_.load() - z.avail_in;
      const char* what = rc == ISAL_INCORRECT_CHECKSUM ? "checksum mismatch"
                         : rc == ISAL_INVALID_WRAPPER  ? "invalid gzip header"
                                                       : "invalid deflate data";
      return MakeError(ErrorCode::kInvalidInput,
                       fmt::format("{}: corrupt gzip data near byte {}: {}", path_, offset, what));
    }
    s.any_member = true;
    if (z.block_state == ISAL_BLOCK_FINISH) {
      s.member_done = true;
      continue;
    }
    if (s.stored_eof && z.avail_in == 0 && z.avail_out == out_before && in_before == 0) {
      return MakeError(ErrorCode::kInvalidInput,
                       fmt::format("{}: truncated gzip data: the stream ends at byte {} before "
                                   "the end of its compressed data",
                                   path_, stored_bytes_read_.load()));
    }
  }
  return capacity - z.avail_out;
}

Result<std::size_t> ByteSource::Read(char* out, std::size_t capacity) {
  if (capacity == 0) return 0;
  return gzip_ ? ReadGzip(out, capacity) : ReadStored(out, capacity);
}

std::string ByteSource::ChecksumHex() const {
  State& s = *state_;
  if (s.hash_hex.empty()) {
    XXH128_canonical_t canonical;
    XXH128_canonicalFromHash(&canonical, XXH3_128bits_digest(s.hash.get()));
    s.hash_hex = "xxh3-128:";
    for (const unsigned char byte : canonical.digest) s.hash_hex += fmt::format("{:02x}", byte);
  }
  return s.hash_hex;
}

}  // namespace costwise::ingest
