#pragma once
// A bounded map of values computed from data that carries a version number (a tenant's cube
// version, its anomalies revision): a value is served while the data's version is the one it was
// computed at, and the least recently used value is dropped when the map is full. Thread-safe.
#include <cstddef>
#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>

namespace costwise::service {

template <typename Value>
class VersionedCache {
 public:
  explicit VersionedCache(std::size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

  // The value stored under the key at this version; empty (a miss) otherwise.
  [[nodiscard]] std::optional<Value> Find(const std::string& key, std::int64_t version) {
    const std::lock_guard lock(mutex_);
    const auto found = entries_.find(key);
    if (found == entries_.end() || found->second.version != version) {
      ++misses_;
      return std::nullopt;
    }
    ++hits_;
    recency_.splice(recency_.begin(), recency_, found->second.recency);
    return found->second.value;
  }

  // Keeps the value of the key at this version (an older version's value is replaced; a value
  // of an older version than the one kept is ignored: another thread computed a newer one).
  void Store(const std::string& key, std::int64_t version, Value value) {
    const std::lock_guard lock(mutex_);
    auto found = entries_.find(key);
    if (found != entries_.end()) {
      if (found->second.version > version) return;
      found->second.version = version;
      found->second.value = std::move(value);
      recency_.splice(recency_.begin(), recency_, found->second.recency);
      return;
    }
    if (entries_.size() >= capacity_) {
      entries_.erase(recency_.back());
      recency_.pop_back();
      ++evictions_;
    }
    recency_.push_front(key);
    entries_.emplace(key, Entry{version, std::move(value), recency_.begin()});
  }

  [[nodiscard]] std::size_t hits() const {
    const std::lock_guard lock(mutex_);
    return hits_;
  }
  [[nodiscard]] std::size_t misses() const {
    const std::lock_guard lock(mutex_);
    return misses_;
  }
  // Values dropped to make room.
  [[nodiscard]] std::size_t evictions() const {
    const std::lock_guard lock(mutex_);
    return evictions_;
  }
  [[nodiscard]] std::size_t size() const {
    const std::lock_guard lock(mutex_);
    return entries_.size();
  }

 private:
  struct Entry {
    std::int64_t version = 0;
    Value value;
    std::list<std::string>::iterator recency;
  };

  std::size_t capacity_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
  std::list<std::string> recency_;  // most recently used first
  std::size_t hits_ = 0;
  std::size_t misses_ = 0;
  std::size_t evictions_ = 0;
};

}  // namespace costwise::service
