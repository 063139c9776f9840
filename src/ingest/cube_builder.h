#pragma once
// The daily cost cube as ingestion builds it. Parser threads each own a CubeAccumulator that sums
// line items into a small local table and, when that fills up, merges it into the shared
// DailyCube under a lock; so memory is the cube plus a bounded table per thread, and no cell is
// held twice. Strings (accounts, services, resource ids, tag sets, ...) are interned once in the
// cube's dictionary, and a cell's key is five integers:
//   (date, billing period, dimension combination, resource, tag set).
#include <array>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/cost_cube.h"
#include "core/string_hash.h"
#include "ingest/line_item.h"

namespace costwise::ingest {

// The string dimensions of a cell other than resource and tags, which vary the most.
inline constexpr std::size_t kComboDimensions = 8;
using Combo = std::array<std::uint32_t, kComboDimensions>;

struct CellKey {
  std::int32_t date = 0;
  std::int32_t billing_period = 0;
  std::uint32_t combo = 0;
  std::uint32_t resource = 0;
  std::uint32_t tags = 0;
  friend bool operator==(const CellKey&, const CellKey&) = default;
};

struct CellValue {
  std::int64_t billed = 0;
  std::int64_t effective = 0;
  std::int64_t list = 0;
  double usage = 0;
  std::uint32_t line_items = 0;  // 0 marks an empty slot in CellTable
  std::uint32_t has_list = 0;
  // False when a money sum overflows (the cell is then unusable; ingestion fails).
  [[nodiscard]] bool Add(const CellValue& other) {
    const bool overflow = __builtin_add_overflow(billed, other.billed, &billed) ||
                          __builtin_add_overflow(effective, other.effective, &effective) ||
                          __builtin_add_overflow(list, other.list, &list);
    usage += other.usage;
    line_items += other.line_items;
    has_list |= other.has_list;
    return !overflow;
  }
};

// Hash table of cells: the cells themselves in fixed-size chunks, in insertion order (so growing
// never copies them), and an open-addressing index of 32-bit positions (linear probing, at most
// half full). About 72 bytes a cell, with no doubling spike when the table grows.
class CellTable {
 public:
  struct Slot {
    CellKey key;
    CellValue value;
  };
  CellTable() = default;
  CellTable(const CellTable&) = delete;
  CellTable& operator=(const CellTable&) = delete;
  CellTable(CellTable&&) = default;
  CellTable& operator=(CellTable&&) = default;
  ~CellTable() = default;

  void Add(const CellKey& key, const CellValue& value);
  // Forgets every cell, keeping the memory for reuse.
  void Clear();
  [[nodiscard]] std::size_t size() const { return size_; }
  // The i-th cell in insertion order, i < size().
  [[nodiscard]] const Slot& at(std::size_t i) const {
    return chunks_[i / kChunkSlots][i % kChunkSlots];
  }
  // True once any cell's money sum overflowed 64 bits.
  [[nodiscard]] bool overflowed() const { return overflowed_; }

 private:
  static constexpr std::size_t kChunkSlots = std::size_t{1} << 14;
  Slot& Append();
  void GrowIndex();
  std::vector<std::unique_ptr<Slot[]>> chunks_;
  std::vector<std::uint32_t> index_;  // position + 1; 0 = empty
  std::size_t size_ = 0;
  bool overflowed_ = false;
};

// A (provider, billing account, billing period) triple: what one ingest replaces.
struct CubeScope {
  std::string provider;
  std::string billing_account_id;
  Date billing_period;
  friend auto operator<=>(const CubeScope&, const CubeScope&) = default;
};

class CubeAccumulator;

// A thread's map from strings to the cube's ids: open addressing over XXH3 hashes, the keys'
// bytes in one arena. Faster than a node-based map for the millions of lookups per file.
class StringIdCache {
 public:
  // The id of `text`, or kNone.
  static constexpr std::uint32_t kNone = 0xFFFFFFFFU;
  [[nodiscard]] std::uint32_t Find(std::string_view text, std::uint64_t hash) const;
  void Insert(std::string_view text, std::uint64_t hash, std::uint32_t id);
  [[nodiscard]] static std::uint64_t Hash(std::string_view text);

 private:
  struct Entry {
    std::uint64_t hash = 0;
    std::uint64_t offset = 0;
    std::uint32_t length = 0;
    std::uint32_t id = kNone;
  };
  void Grow();
  std::vector<Entry> entries_;
  std::string arena_;
  std::size_t size_ = 0;
};

class DailyCube {
 public:
  DailyCube() = default;
  DailyCube(const DailyCube&) = delete;
  DailyCube& operator=(const DailyCube&) = delete;
  ~DailyCube() = default;

  // An accumulator for one thread; call its Flush (or destroy it) before reading the cube.
  [[nodiscard]] std::unique_ptr<CubeAccumulator> NewAccumulator();

  [[nodiscard]] std::size_t cell_count() const;
  [[nodiscard]] std::int64_t line_items() const;
  // True when a cell's money sum overflowed: the cube must not be stored.
  [[nodiscard]] bool overflowed() const;
  // Sums over all cells and currencies (saturating at the int64 range).
  [[nodiscard]] Money billed_total() const;
  [[nodiscard]] Money effective_total() const;
  [[nodiscard]] std::vector<CubeScope> Scopes() const;
  [[nodiscard]] std::vector<Date> BillingPeriods() const;

  // Streams the cells as CubeRows, `max_rows` at a time: fills `chunk` (cleared first) and returns
  // false when no rows are left. Cells come in table order.
  class RowReader {
   public:
    bool Next(std::vector<CubeRow>& chunk, std::size_t max_rows);

   private:
    friend class DailyCube;
    explicit RowReader(const DailyCube& cube) : cube_(cube) {}
    const DailyCube& cube_;
    std::size_t position_ = 0;
  };
  [[nodiscard]] RowReader Reader() const { return RowReader(*this); }
  // All rows at once; for small cubes and tests.
  [[nodiscard]] std::vector<CubeRow> Rows() const;

 private:
  friend class CubeAccumulator;
  struct ComboHash {
    std::size_t operator()(const Combo& combo) const;
  };

  std::uint32_t InternString(std::string_view text);            // takes mutex_
  std::uint32_t InternCombo(const Combo& combo);                // takes mutex_
  void Merge(const CellTable& table, std::int64_t line_items);  // takes mutex_
  [[nodiscard]] CubeRow MakeRow(const CellTable::Slot& slot) const;

  mutable std::mutex mutex_;
  std::deque<std::string> strings_;
  std::unordered_map<std::string_view, std::uint32_t, TransparentStringHash, std::equal_to<>>
      string_ids_;
  std::vector<Combo> combos_;
  std::unordered_map<Combo, std::uint32_t, ComboHash> combo_ids_;
  CellTable cells_;
  std::int64_t line_items_ = 0;
  bool overflowed_ = false;
};

class CubeAccumulator {
 public:
  static constexpr std::size_t kFlushCells = std::size_t{1} << 15;

  explicit CubeAccumulator(DailyCube& cube) : cube_(cube) {}
  CubeAccumulator(const CubeAccumulator&) = delete;
  CubeAccumulator& operator=(const CubeAccumulator&) = delete;
  ~CubeAccumulator() { Flush(); }

  void Add(const LineItem& item);
  // Merges the local table into the cube.
  void Flush();
  // Billing periods of the line items added (for the per-file summary).
  [[nodiscard]] const std::set<std::int32_t>& billing_periods() const { return periods_; }

 private:
  static constexpr std::size_t kSlots = kComboDimensions + 2;  // + resource, tags
  std::uint32_t Intern(std::size_t slot, std::string_view text);

  DailyCube& cube_;
  CellTable table_;
  std::int64_t line_items_ = 0;
  // Local caches of the cube's dictionary: the last value per slot, then a map.
  std::array<std::string, kSlots> last_text_;
  std::array<std::uint32_t, kSlots> last_id_{};
  std::array<bool, kSlots> has_last_{};
  StringIdCache ids_;
  Combo last_combo_{};
  std::uint32_t last_combo_id_ = 0;
  bool has_last_combo_ = false;
  std::unordered_map<Combo, std::uint32_t, DailyCube::ComboHash> combo_ids_;
  std::set<std::int32_t> periods_;
  std::int32_t last_period_ = 0;
  bool has_last_period_ = false;
};

}  // namespace costwise::ingest
