#pragma once
// The metrics file of `costwise rightsize` (METRICS.csv: instance_id,timestamp,metric,value) for a
// large fleet, without holding its samples in memory. MetricsFile::Open reads the file once on all
// cores: it checks every row (the same "path:line: reason" errors as ReadMetricsCsv), finds the
// newest sample and, per instance, the byte ranges its rows occupy. Instances are then read one at
// a time from those ranges (MetricsFile::Take), ahead of need on other threads with
// MetricsPrefetcher. Reading by ranges needs a plain file whose rows are grouped by instance, as
// CloudWatch exports are (in any instance order; an instance may come in a few runs, such as one
// per metric). A gzip file, or one whose instances are interleaved, is loaded whole instead (as
// ReadMetricsCsv does), and Take hands the loaded samples over.
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/error.h"
#include "ingest/instances_csv.h"

namespace costwise::ingest {

// One instance's metrics by CloudWatch name, each series in file order.
using InstanceSeries = std::map<std::string, MetricSeries>;

struct MetricsReadOptions {
  int threads = 0;                                // parser threads; 0 = one per core
  std::size_t block_size = std::size_t{4} << 20;  // bytes handed to a parser thread at a time
  // An instance whose rows come in more runs than this makes the file "not grouped": loaded whole.
  std::size_t max_runs_per_instance = 16;
};

// The whole file in memory, read on all cores (ReadMetricsCsv with options): the same result
// and the same first error whatever the threads and block size.
[[nodiscard]] Result<MetricsByInstance> LoadMetricsCsv(const std::string& path,
                                                       const MetricsReadOptions& options = {});

// Where some of an instance's rows lie: [offset, offset + size) of the file holds whole records
// (and perhaps blank lines).
struct MetricsByteRange {
  std::uint64_t offset = 0;
  std::uint64_t size = 0;
};

class MetricsFile {
 public:
  ~MetricsFile();
  MetricsFile(MetricsFile&&) noexcept;
  MetricsFile& operator=(MetricsFile&&) noexcept;
  MetricsFile(const MetricsFile&) = delete;
  MetricsFile& operator=(const MetricsFile&) = delete;

  // NotFound for a missing file; InvalidInput "path:line: reason" for the first bad row in file
  // order (a missing column, an empty instance_id or metric, a timestamp or value that does not
  // parse), exactly as ReadMetricsCsv; "path: the file is empty" without a header.
  [[nodiscard]] static Result<MetricsFile> Open(const std::string& path,
                                                const MetricsReadOptions& options = {});

  // The newest sample's timestamp (seconds since the epoch); empty when the file has no rows.
  [[nodiscard]] std::optional<std::int64_t> newest() const { return newest_; }
  [[nodiscard]] std::int64_t rows() const { return rows_; }
  [[nodiscard]] const std::string& path() const { return path_; }
  // True when instances are read from the file one at a time; false when it was loaded whole.
  [[nodiscard]] bool by_ranges() const { return ranges_ != nullptr; }
  // Why the file was loaded whole ("gzip", "instances are not grouped"); empty when by_ranges.
  [[nodiscard]] const std::string& loaded_because() const { return loaded_because_; }

  // One instance's series, empty when the file has none; each instance once. Loaded whole: moved
  // out of memory. By ranges: as Read.
  [[nodiscard]] Result<InstanceSeries> Take(std::string_view instance_id);
  // By ranges only: the instance's series read from its byte ranges (safe to call from several
  // threads at once). Internal when the file was loaded whole; InvalidInput when the file changed
  // since Open.
  [[nodiscard]] Result<InstanceSeries> Read(std::string_view instance_id) const;

 private:
  struct Ranges;
  MetricsFile() = default;

  std::string path_;
  std::optional<std::int64_t> newest_;
  std::int64_t rows_ = 0;
  std::unique_ptr<Ranges> ranges_;  // by ranges
  MetricsByInstance loaded_;        // loaded whole
  std::string loaded_because_;
};

// Reads instances of a file read by ranges in a given order on background threads, at most
// `depth` instances ahead of the one taken last, so at most depth + threads instances' samples
// are in memory. Errors are handed over in place of the instance that met them.
class MetricsPrefetcher {
 public:
  // threads 0 = one per core; depth 0 = four per thread.
  MetricsPrefetcher(const MetricsFile& file, std::vector<std::string> instance_ids, int threads = 0,
                    std::size_t depth = 0);
  ~MetricsPrefetcher();
  MetricsPrefetcher(const MetricsPrefetcher&) = delete;
  MetricsPrefetcher& operator=(const MetricsPrefetcher&) = delete;

  [[nodiscard]] std::size_t size() const { return ids_.size(); }
  [[nodiscard]] const std::string& id(std::size_t i) const { return ids_[i]; }
  // The series of instance i; i must be 0, 1, 2, ... in turn. Waits until it has been read.
  [[nodiscard]] Result<InstanceSeries> Take(std::size_t i);
  // Seconds Take spent waiting for the readers.
  [[nodiscard]] double seconds_waited() const { return seconds_waited_; }

 private:
  void Work();

  const MetricsFile& file_;
  std::vector<std::string> ids_;
  std::size_t depth_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::optional<Result<InstanceSeries>>> slots_;  // ring of depth_ slots
  std::size_t next_ = 0;                                      // next instance a reader claims
  std::size_t taken_ = 0;                                     // instances handed over by Take
  bool stop_ = false;
  double seconds_waited_ = 0;
  std::vector<std::thread> threads_;
};

}  // namespace costwise::ingest
