#pragma once
// The hand-off between a thread that reads CSV blocks and the threads that parse them.
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>

#include "ingest/csv_blocks.h"

namespace costwise::ingest {

// A bounded hand-off of blocks from the reader to the parsers, plus the pool of spare blocks that
// bounds memory: the reader waits for a spare block before it reads more.
class BlockQueue {
 public:
  explicit BlockQueue(std::size_t blocks) {
    for (std::size_t i = 0; i < blocks; ++i) spare_.push_back(std::make_unique<CsvBlock>());
  }

  std::unique_ptr<CsvBlock> TakeSpare() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return !spare_.empty() || cancelled_; });
    if (cancelled_) return nullptr;
    auto block = std::move(spare_.front());
    spare_.pop_front();
    return block;
  }
  void ReturnSpare(std::unique_ptr<CsvBlock> block) {
    {
      const std::lock_guard lock(mutex_);
      spare_.push_back(std::move(block));
    }
    changed_.notify_all();
  }
  void Push(std::unique_ptr<CsvBlock> block) {
    {
      const std::lock_guard lock(mutex_);
      full_.push_back(std::move(block));
    }
    changed_.notify_all();
  }
  // Null when the reader is done (or cancelled) and nothing is left.
  std::unique_ptr<CsvBlock> Pop() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return !full_.empty() || closed_ || cancelled_; });
    if (full_.empty() || cancelled_) return nullptr;
    auto block = std::move(full_.front());
    full_.pop_front();
    return block;
  }
  void Close() {
    {
      const std::lock_guard lock(mutex_);
      closed_ = true;
    }
    changed_.notify_all();
  }
  void Cancel() {
    {
      const std::lock_guard lock(mutex_);
      cancelled_ = true;
    }
    changed_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::unique_ptr<CsvBlock>> spare_;
  std::deque<std::unique_ptr<CsvBlock>> full_;
  bool closed_ = false;
  bool cancelled_ = false;
};

}  // namespace costwise::ingest
