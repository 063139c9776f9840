#pragma once
// The ingest use case: read billing files into cubes, then replace the billing periods they cover
// in the store, all in one transaction. A file that fails leaves the database exactly as it was.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/money.h"
#include "ingest/file_ingest.h"
#include "store/repository.h"

namespace costwise::service {

struct IngestSummary;

struct IngestOptions {
  int threads = 0;  // 0 = one per core
  std::size_t max_listed_rejections = 20;
  // A file with more rejected rows than this share of its rows fails the whole run.
  double max_rejected_percent = 1.0;
  // Called while a file is read: index of the file, its path, stored bytes read, file size.
  std::function<void(std::size_t, const std::string&, std::uint64_t, std::uint64_t)> progress;
  // Called once all files are read and before the database is written.
  std::function<void(const IngestSummary&)> before_store;
  // Called after each file is read and before the database is written: an error stops the
  // ingest with that error, and nothing is stored (a job cancelled or a server stopping).
  std::function<Status()> keep_going;
};

struct IngestedFile {
  std::string path;
  std::string format;
  std::string checksum;
  bool gzip = false;
  std::uint64_t stored_bytes = 0;
  std::uint64_t decoded_bytes = 0;
  std::int64_t rows = 0;
  std::int64_t rejected_rows = 0;
  std::vector<ingest::RejectedRow> rejections;
  std::vector<Date> billing_periods;
};

struct IngestSummary {
  std::string tenant;
  std::vector<IngestedFile> files;
  std::vector<store::BillingScope> scopes;
  std::int64_t cube_rows = 0;
  std::int64_t rows_deleted = 0;
  std::int64_t rows_inserted = 0;
  Money billed_total;  // of the ingested rows, all currencies summed (one currency in practice)
  Money effective_total;
  double read_seconds = 0;
  double store_seconds = 0;
};

[[nodiscard]] Result<IngestSummary> IngestFiles(store::Repository& repository,
                                                std::string_view tenant,
                                                const std::vector<std::string>& paths,
                                                const IngestOptions& options);

}  // namespace costwise::service
