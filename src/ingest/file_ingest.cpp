#include "ingest/file_ingest.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include <fmt/format.h>

#include "ingest/block_queue.h"
#include "ingest/byte_source.h"
#include "ingest/csv_blocks.h"
#include "ingest/csv_parser.h"
#include "ingest/row_mapper.h"

namespace costwise::ingest {
namespace {

// A rejected row before line numbers are known: its block and its line within the block.
struct PendingRejection {
  std::int64_t block = 0;
  std::int64_t line = 0;
  std::string reason;
};

struct WorkerState {
  std::unique_ptr<CubeAccumulator> cube;
  std::int64_t rows = 0;
  std::int64_t rejected = 0;
  std::vector<PendingRejection> rejections;
  std::vector<std::pair<std::int64_t, std::int64_t>> block_newlines;  // (block index, newlines)
};

// Parses one block. Line numbers are counted within the block (from 1) and made absolute at the
// end, once every block's newline count is known: the reader thread does not count lines.
void ParseBlock(const CsvBlock& block, bool skip_header, RowMapper& mapper, WorkerState& state,
                std::size_t max_listed) {
  CsvParser parser(block.view(), 1);
  CsvRecord record;
  LineItem item;
  std::string reason;
  bool header_pending = skip_header;
  while (true) {
    const CsvParser::Status status = parser.Next(record);
    if (status == CsvParser::Status::kEnd) break;
    if (header_pending) {
      header_pending = false;
      continue;
    }
    ++state.rows;
    bool ok = false;
    if (status == CsvParser::Status::kRecord) {
      ok = mapper.Map(record, item, reason);
    } else {
      reason = std::string(record.error);
    }
    if (ok) {
      state.cube->Add(item);
      continue;
    }
    ++state.rejected;
    if (state.rejections.size() < max_listed) {
      state.rejections.push_back(PendingRejection{block.index, record.line, reason});
    }
  }
  state.block_newlines.emplace_back(block.index, parser.line() - 1);
}

}  // namespace

Result<FileIngestResult> IngestFile(const std::string& path, const FileIngestOptions& options,
                                    DailyCube& cube) {
  auto opened = ByteSource::Open(path);
  if (!opened) return unexpected(opened.error());
  ByteSource source = std::move(*opened);
  CsvBlockSplitter splitter(source, options.block_size);

  // The first block holds the header: recognise the format before starting the threads.
  auto first = std::make_unique<CsvBlock>();
  auto got_first = splitter.Next(*first);
  if (!got_first) return unexpected(got_first.error());
  if (!*got_first) {
    return MakeError(ErrorCode::kInvalidInput, fmt::format("{}: the file is empty", path));
  }
  // The header's field views may point into the parser's scratch space (escaped quotes), so the
  // parser lives until the mapper has copied the names.
  CsvRecord header;
  CsvParser header_parser(first->view(), 1);
  if (header_parser.Next(header) != CsvParser::Status::kRecord) {
    return MakeError(ErrorCode::kInvalidInput,
                     fmt::format("{}: the first line is not a CSV header{}{}", path,
                                 header.error.empty() ? "" : ": ", header.error));
  }
  auto mapper = RowMapper::ForHeader(header.fields, path);
  if (!mapper) return unexpected(mapper.error());

  const unsigned cores = std::max(1U, std::thread::hardware_concurrency());
  const std::size_t workers =
      options.threads > 0 ? static_cast<std::size_t>(options.threads) : cores;
  BlockQueue queue(workers + 2);
  std::optional<Error> read_error;
  std::uint64_t decoded_bytes = first->size;
  queue.Push(std::move(first));

  std::thread reader([&] {
    while (true) {
      auto block = queue.TakeSpare();
      if (!block) break;
      auto got = splitter.Next(*block);
      if (!got) {
        read_error = got.error();
        queue.ReturnSpare(std::move(block));
        queue.Cancel();
        break;
      }
      if (options.progress) options.progress(source.stored_bytes_read(), source.file_size());
      if (!*got) {
        queue.ReturnSpare(std::move(block));
        break;
      }
      decoded_bytes += block->size;
      queue.Push(std::move(block));
    }
    queue.Close();
  });

  std::vector<WorkerState> states(workers);
  for (WorkerState& state : states) state.cube = cube.NewAccumulator();
  std::vector<std::thread> threads;
  threads.reserve(workers);
  for (std::size_t w = 0; w < workers; ++w) {
    threads.emplace_back([&, w] {
      RowMapper local_mapper = *mapper;
      while (auto block = queue.Pop()) {
        ParseBlock(*block, block->index == 0, local_mapper, states[w],
                   options.max_listed_rejections);
        queue.ReturnSpare(std::move(block));
      }
    });
  }
  reader.join();
  for (std::thread& thread : threads) thread.join();
  if (read_error) return unexpected(*read_error);

  FileIngestResult result;
  result.path = path;
  result.checksum = source.ChecksumHex();
  result.format = mapper->format_name();
  result.gzip = source.gzip();
  result.stored_bytes = source.stored_bytes_read();
  result.decoded_bytes = decoded_bytes;
  std::set<std::int32_t> periods;
  std::vector<std::int64_t> newlines;  // by block index
  std::vector<PendingRejection> pending;
  for (WorkerState& state : states) {
    state.cube->Flush();
    periods.insert(state.cube->billing_periods().begin(), state.cube->billing_periods().end());
    result.rows += state.rows;
    result.rejected_rows += state.rejected;
    for (PendingRejection& row : state.rejections) pending.push_back(std::move(row));
    for (const auto& [index, count] : state.block_newlines) {
      if (newlines.size() <= static_cast<std::size_t>(index)) {
        newlines.resize(static_cast<std::size_t>(index) + 1);
      }
      newlines[static_cast<std::size_t>(index)] = count;
    }
  }
  if (cube.overflowed()) {
    return MakeError(ErrorCode::kInvalidInput,
                     fmt::format("{}: amounts sum beyond what costwise stores (about ±9.2 billion "
                                 "per day, resource and usage type); the file's numbers are "
                                 "probably not costs",
                                 path));
  }
  // First line of each block = 1 + newlines of the blocks before it.
  std::vector<std::int64_t> first_line(newlines.size() + 1, 1);
  for (std::size_t i = 0; i < newlines.size(); ++i) first_line[i + 1] = first_line[i] + newlines[i];
  for (PendingRejection& row : pending) {
    const std::int64_t absolute = first_line[static_cast<std::size_t>(row.block)] + row.line - 1;
    result.rejections.push_back(RejectedRow{absolute, std::move(row.reason)});
  }
  for (const std::int32_t period : periods)
    result.billing_periods.push_back(Date::FromDays(period));
  std::sort(result.rejections.begin(), result.rejections.end(),
            [](const RejectedRow& a, const RejectedRow& b) { return a.line < b.line; });
  if (result.rejections.size() > options.max_listed_rejections) {
    result.rejections.resize(options.max_listed_rejections);
  }
  return result;
}

}  // namespace costwise::ingest
