#pragma once
// Reads one billing file (plain or gzip CSV) into a daily cube with bounded memory: a reader thread
// decompresses and cuts the stream into blocks of whole records, worker threads parse, map and sum
// them into per-thread cubes, and the cubes are merged at the end. Memory is a few blocks in
// flight plus the cube, whatever the file's size.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/error.h"
#include "ingest/cube_builder.h"

namespace costwise::ingest {

struct FileIngestOptions {
  int threads = 0;  // parser threads; 0 = one per core
  std::size_t block_size = std::size_t{4} << 20;
  std::size_t max_listed_rejections =
      20;  // rejected rows listed with their reason (all are counted)
  // Called from the reading thread with stored bytes read so far and the file's size.
  std::function<void(std::uint64_t done, std::uint64_t total)> progress;
};

struct RejectedRow {
  std::int64_t line = 0;
  std::string reason;
};

struct FileIngestResult {
  std::string path;
  std::string checksum;
  std::string format;  // "cur-legacy", "cur-2.0", "focus-1.x"
  bool gzip = false;
  std::uint64_t stored_bytes = 0;
  std::uint64_t decoded_bytes = 0;
  std::int64_t rows = 0;  // data rows read (accepted + rejected)
  std::int64_t rejected_rows = 0;
  std::vector<RejectedRow> rejections;  // the first ones, by line
  std::vector<Date> billing_periods;    // of the accepted rows
};

// Adds the file's line items to `cube`. InvalidInput when the file is not billing data or its
// compression is broken; NotFound when it does not exist. Malformed rows do not fail the file:
// they are counted and listed. On an error the cube may hold part of the file: discard it.
[[nodiscard]] Result<FileIngestResult> IngestFile(const std::string& path,
                                                  const FileIngestOptions& options,
                                                  DailyCube& cube);

}  // namespace costwise::ingest
