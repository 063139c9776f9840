// libFuzzer target for the whole file reader: IngestFile (byte source with gzip and checksum, block
// splitter, parser threads, row mapper, cube merge) over the input written to a file. Inputs that
// start with the gzip magic go through zlib as they are; inputs that start with "gz:" have the
// rest gzipped here first (in two gzip members), so that valid compressed streams with mutated CSV
// inside are reached too.
//
// The file is read twice, each into a fresh cube: with 2 threads and 256-byte blocks, and with
// 1 thread and one block. Besides memory errors, undefined behaviour and hangs it checks that both
// give the same answer (rows, rejections, billing periods, cube cells) and that the counts add up.
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "ingest/file_ingest.h"

namespace costwise::fuzz {
namespace {

using ingest::FileIngestOptions;
using ingest::FileIngestResult;

constexpr std::string_view kGzipRequest = "gz:";
constexpr int kThreads = 2;
constexpr std::size_t kSmallBlock = 256;
constexpr std::size_t kLargeBlock = std::size_t{64} << 10;  // one block for any plain input
constexpr int kGzipWindowBits = 15 + 16;                    // deflate with a gzip wrapper
constexpr int kMemLevel = 8;
constexpr double kUsageTolerance = 1e-6;

// One path per process, in $TMPDIR (scripts/fuzz.sh points it into build-fuzz/) or /tmp.
const std::string& InputPath() {
  static const std::string path = [] {
    const char* dir = std::getenv("TMPDIR");
    std::string p = (dir != nullptr && *dir != '\0') ? dir : "/tmp";
    p += "/costwise_file_ingest_fuzz_" + std::to_string(::getpid()) + ".csv";
    return p;
  }();
  return path;
}

void AppendGzipMember(std::string_view text, std::string& out) {
  z_stream zs{};
  COSTWISE_FUZZ_CHECK(deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, kGzipWindowBits,
                                   kMemLevel, Z_DEFAULT_STRATEGY) == Z_OK);
  const std::size_t old_size = out.size();
  out.resize(old_size + deflateBound(&zs, static_cast<uLong>(text.size())));
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  zs.avail_in = static_cast<uInt>(text.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data() + old_size);
  zs.avail_out = static_cast<uInt>(out.size() - old_size);
  COSTWISE_FUZZ_CHECK(deflate(&zs, Z_FINISH) == Z_STREAM_END);
  out.resize(old_size + zs.total_out);
  deflateEnd(&zs);
}

// The bytes to write: the input, or for "gz:..." the rest as two gzip members.
std::string FileBytes(std::string_view input) {
  if (!input.starts_with(kGzipRequest)) return std::string(input);
  input.remove_prefix(kGzipRequest.size());
  std::string out;
  const std::size_t cut = input.size() / 2;
  AppendGzipMember(input.substr(0, cut), out);
  AppendGzipMember(input.substr(cut), out);
  return out;
}

void WriteFile(const std::string& path, std::string_view bytes) {
  std::FILE* file = std::fopen(path.c_str(), "wb");
  COSTWISE_FUZZ_CHECK(file != nullptr);
  COSTWISE_FUZZ_CHECK(std::fwrite(bytes.data(), 1, bytes.size(), file) == bytes.size());
  COSTWISE_FUZZ_CHECK(std::fclose(file) == 0);
}

struct Ingested {
  Result<FileIngestResult> result;
  std::vector<CubeRow> rows;  // sorted by RowKey
};

// The cell's identity as one comparable string: its date, billing period and every dimension.
std::string RowKey(const CubeRow& row) {
  std::string key =
      std::to_string(row.date.days()) + '\0' + std::to_string(row.billing_period.days());
  for (const std::string* text :
       {&row.provider, &row.billing_account_id, &row.sub_account_id, &row.service, &row.region,
        &row.usage_type, &row.charge_category, &row.resource_id, &row.currency}) {
    key += '\0';
    key += *text;
  }
  for (const Tag& tag : row.tags) {
    key += '\0';
    key += tag.key;
    key += '=';
    key += tag.value;
  }
  return key;
}

Ingested Ingest(int threads, std::size_t block_size) {
  FileIngestOptions options;
  options.threads = threads;
  options.block_size = block_size;
  ingest::DailyCube cube;
  Ingested ingested{ingest::IngestFile(InputPath(), options, cube), {}};
  if (ingested.result) {
    ingested.rows = cube.Rows();
    std::sort(ingested.rows.begin(), ingested.rows.end(),
              [](const CubeRow& a, const CubeRow& b) { return RowKey(a) < RowKey(b); });
    COSTWISE_FUZZ_CHECK(cube.line_items() + ingested.result->rejected_rows ==
                        ingested.result->rows);
    std::int64_t line_items = 0;
    for (const CubeRow& row : ingested.rows) line_items += row.line_items;
    COSTWISE_FUZZ_CHECK(line_items == cube.line_items());
  }
  return ingested;
}

void CheckConsistent(const FileIngestResult& result, std::size_t stored_size) {
  COSTWISE_FUZZ_CHECK(result.stored_bytes == stored_size);
  if (!result.gzip) COSTWISE_FUZZ_CHECK(result.decoded_bytes == stored_size);
  COSTWISE_FUZZ_CHECK(!result.checksum.empty());
  COSTWISE_FUZZ_CHECK(static_cast<std::int64_t>(result.rejections.size()) <= result.rejected_rows);
  COSTWISE_FUZZ_CHECK(result.rejections.size() <= FileIngestOptions{}.max_listed_rejections);
  COSTWISE_FUZZ_CHECK(std::is_sorted(
      result.rejections.begin(), result.rejections.end(),
      [](const ingest::RejectedRow& a, const ingest::RejectedRow& b) { return a.line < b.line; }));
  COSTWISE_FUZZ_CHECK(std::is_sorted(result.billing_periods.begin(), result.billing_periods.end()));
}

void CheckSame(const Ingested& first, const Ingested& second) {
  const FileIngestResult& a = *first.result;
  const FileIngestResult& b = *second.result;
  COSTWISE_FUZZ_CHECK(a.format == b.format);
  COSTWISE_FUZZ_CHECK(a.gzip == b.gzip);
  COSTWISE_FUZZ_CHECK(a.checksum == b.checksum);
  COSTWISE_FUZZ_CHECK(a.decoded_bytes == b.decoded_bytes);
  COSTWISE_FUZZ_CHECK(a.rows == b.rows);
  COSTWISE_FUZZ_CHECK(a.rejected_rows == b.rejected_rows);
  COSTWISE_FUZZ_CHECK(a.billing_periods == b.billing_periods);
  COSTWISE_FUZZ_CHECK(a.rejections.size() == b.rejections.size());
  for (std::size_t i = 0; i < a.rejections.size(); ++i) {
    COSTWISE_FUZZ_CHECK(a.rejections[i].line == b.rejections[i].line);
    COSTWISE_FUZZ_CHECK(a.rejections[i].reason == b.rejections[i].reason);
  }
  COSTWISE_FUZZ_CHECK(first.rows.size() == second.rows.size());
  for (std::size_t i = 0; i < first.rows.size(); ++i) {
    const CubeRow& x = first.rows[i];
    const CubeRow& y = second.rows[i];
    COSTWISE_FUZZ_CHECK(RowKey(x) == RowKey(y));
    COSTWISE_FUZZ_CHECK(x.billed_cost == y.billed_cost && x.effective_cost == y.effective_cost &&
                        x.list_cost == y.list_cost && x.has_list_cost == y.has_list_cost);
    COSTWISE_FUZZ_CHECK(x.line_items == y.line_items);
    // Usage is a double summed in thread order: equal up to rounding (or both not finite).
    const double scale = std::max({1.0, std::fabs(x.usage_quantity), std::fabs(y.usage_quantity)});
    COSTWISE_FUZZ_CHECK(!std::isfinite(x.usage_quantity) || !std::isfinite(y.usage_quantity) ||
                        std::fabs(x.usage_quantity - y.usage_quantity) <= kUsageTolerance * scale);
  }
}

}  // namespace
}  // namespace costwise::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using costwise::fuzz::Ingest;
  const std::string bytes =
      costwise::fuzz::FileBytes(std::string_view(reinterpret_cast<const char*>(data), size));
  costwise::fuzz::WriteFile(costwise::fuzz::InputPath(), bytes);

  const auto threaded = Ingest(costwise::fuzz::kThreads, costwise::fuzz::kSmallBlock);
  const auto single = Ingest(1, costwise::fuzz::kLargeBlock);
  std::remove(costwise::fuzz::InputPath().c_str());  // only a crashing input's file stays behind
  COSTWISE_FUZZ_CHECK(threaded.result.has_value() == single.result.has_value());
  if (!threaded.result) {
    COSTWISE_FUZZ_CHECK(threaded.result.error().code == single.result.error().code);
    COSTWISE_FUZZ_CHECK(!threaded.result.error().message.empty());
    return 0;
  }
  costwise::fuzz::CheckConsistent(*threaded.result, bytes.size());
  costwise::fuzz::CheckConsistent(*single.result, bytes.size());
  costwise::fuzz::CheckSame(threaded, single);
  return 0;
}
