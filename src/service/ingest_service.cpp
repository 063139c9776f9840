#include "service/ingest_service.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <ctime>
#include <mutex>
#include <thread>

#include <fmt/format.h>

namespace costwise::service {
namespace {

constexpr std::size_t kStoreChunkRows = 20'000;

// Reads the cube's rows one chunk ahead on a background thread.
class ChunkPrefetcher {
 public:
  explicit ChunkPrefetcher(const ingest::DailyCube& cube)
      : reader_(cube.Reader()), thread_([this] { Run(); }) {}
  ChunkPrefetcher(const ChunkPrefetcher&) = delete;
  ChunkPrefetcher& operator=(const ChunkPrefetcher&) = delete;
  ~ChunkPrefetcher() {
    {
      const std::lock_guard lock(mutex_);
      stopped_ = true;
    }
    changed_.notify_all();
    thread_.join();
  }

  bool Next(std::vector<CubeRow>& chunk) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return ready_ || done_; });
    if (!ready_) return false;
    chunk.swap(next_);
    ready_ = false;
    changed_.notify_all();
    return true;
  }

 private:
  void Run() {
    std::vector<CubeRow> chunk;
    while (true) {
      const bool more = reader_.Next(chunk, kStoreChunkRows);
      std::unique_lock lock(mutex_);
      if (!more) {
        done_ = true;
        changed_.notify_all();
        return;
      }
      changed_.wait(lock, [&] { return !ready_ || stopped_; });
      if (stopped_) return;
      next_.swap(chunk);
      ready_ = true;
      changed_.notify_all();
    }
  }

  ingest::DailyCube::RowReader reader_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<CubeRow> next_;
  bool ready_ = false;
  bool done_ = false;
  bool stopped_ = false;
  std::thread thread_;
};

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::string RejectionList(const ingest::FileIngestResult& file) {
  std::string text;
  for (const ingest::RejectedRow& row : file.rejections) {
    text += fmt::format("\n  {}:{}: {}", file.path, row.line, row.reason);
  }
  return text;
}

}  // namespace

Result<IngestSummary> IngestFiles(store::Repository& repository, std::string_view tenant,
                                  const std::vector<std::string>& paths,
                                  const IngestOptions& options) {
  if (tenant.empty()) return MakeError(ErrorCode::kInvalidInput, "the tenant name is empty");
  if (paths.empty()) return MakeError(ErrorCode::kInvalidInput, "no file to ingest");
  const auto read_start = std::chrono::steady_clock::now();
  IngestSummary summary;
  summary.tenant = std::string(tenant);
  ingest::DailyCube cube;
  store::IngestBatch batch;
  batch.started_at = static_cast<std::int64_t>(std::time(nullptr));
  for (std::size_t i = 0; i < paths.size(); ++i) {
    ingest::FileIngestOptions file_options;
    file_options.threads = options.threads;
    file_options.max_listed_rejections = options.max_listed_rejections;
    if (options.progress) {
      file_options.progress = [&, i](std::uint64_t done, std::uint64_t total) {
        options.progress(i, paths[i], done, total);
      };
    }
    auto file = ingest::IngestFile(paths[i], file_options, cube);
    if (!file) return unexpected(file.error());
    if (file->rows > 0 && file->rejected_rows == file->rows) {
      return MakeError(ErrorCode::kInvalidInput,
                       fmt::format("{}: every one of its {} rows was rejected; nothing was "
                                   "ingested. First reasons:{}",
                                   paths[i], file->rows, RejectionList(*file)));
    }
    const double rejected_percent =
        file->rows == 0
            ? 0.0
            : 100.0 * static_cast<double>(file->rejected_rows) / static_cast<double>(file->rows);
    if (rejected_percent > options.max_rejected_percent) {
      return MakeError(ErrorCode::kInvalidInput,
                       fmt::format("{}: {} of {} rows ({:.2f}%) were rejected, more than the "
                                   "allowed {}%; nothing was ingested. First reasons:{}",
                                   paths[i], file->rejected_rows, file->rows, rejected_percent,
                                   options.max_rejected_percent, RejectionList(*file)));
    }
    IngestedFile info;
    info.path = file->path;
    info.format = file->format;
    info.checksum = file->checksum;
    info.gzip = file->gzip;
    info.stored_bytes = file->stored_bytes;
    info.decoded_bytes = file->decoded_bytes;
    info.rows = file->rows;
    info.rejected_rows = file->rejected_rows;
    info.rejections = file->rejections;
    info.billing_periods = file->billing_periods;
    batch.files.push_back(store::IngestFileRecord{info.path, info.checksum, info.format, info.rows,
                                                  info.rejected_rows, info.billing_periods});
    summary.files.push_back(std::move(info));
    if (options.keep_going) {
      if (Status go_on = options.keep_going(); !go_on) return unexpected(std::move(go_on.error()));
    }
  }
  for (const ingest::CubeScope& scope : cube.Scopes()) {
    batch.scopes.push_back(
        store::BillingScope{scope.provider, scope.billing_account_id, scope.billing_period});
  }
  // Cube rows are made on a thread of their own while the database inserts the previous chunk.
  ChunkPrefetcher prefetcher(cube);
  batch.row_reader = [&prefetcher](std::vector<CubeRow>& chunk) { return prefetcher.Next(chunk); };
  summary.scopes = batch.scopes;
  summary.cube_rows = static_cast<std::int64_t>(cube.cell_count());
  summary.billed_total = cube.billed_total();
  summary.effective_total = cube.effective_total();
  summary.read_seconds = SecondsSince(read_start);

  if (options.before_store) options.before_store(summary);
  if (options.keep_going) {
    if (Status go_on = options.keep_going(); !go_on) return unexpected(std::move(go_on.error()));
  }
  const auto store_start = std::chrono::steady_clock::now();
  auto tenant_row = repository.EnsureTenant(tenant);
  if (!tenant_row) return unexpected(tenant_row.error());
  auto replaced = repository.ReplaceBillingScopes(tenant_row->id, batch);
  if (!replaced) return unexpected(replaced.error());
  summary.rows_deleted = replaced->rows_deleted;
  summary.rows_inserted = replaced->rows_inserted;
  summary.store_seconds = SecondsSince(store_start);
  return summary;
}

}  // namespace costwise::service
