#pragma once
// Sums line items into daily cube cells. Each parser thread owns one builder; builders of all
// threads and files are merged at the end. Strings are interned once per builder, so a cell key is
// a handful of integers and memory grows with the number of distinct cells, not with the file.
#include <array>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/cost_cube.h"
#include "ingest/line_item.h"

namespace costwise::ingest {

class CubeBuilder {
 public:
  CubeBuilder() = default;
  CubeBuilder(const CubeBuilder&) = delete;
  CubeBuilder& operator=(const CubeBuilder&) = delete;
  CubeBuilder(CubeBuilder&&) = default;
  CubeBuilder& operator=(CubeBuilder&&) = default;
  ~CubeBuilder() = default;

  void Add(const LineItem& item);
  // Adds every cell of `other` into this builder.
  void Merge(const CubeBuilder& other);

  [[nodiscard]] std::size_t cell_count() const { return cells_.size(); }
  [[nodiscard]] std::int64_t line_items() const { return line_items_; }
  // The cells as cube rows, sorted by date and then by their dimensions (deterministic output).
  [[nodiscard]] std::vector<CubeRow> Rows() const;
  // The distinct billing periods of the cells, ascending.
  [[nodiscard]] std::vector<Date> BillingPeriods() const;

 private:
  static constexpr std::size_t kDimensions = 10;  // the 9 string dimensions and the tag set
  struct Key {
    std::int32_t date = 0;
    std::int32_t billing_period = 0;
    std::array<std::uint32_t, kDimensions> ids{};
    friend bool operator==(const Key&, const Key&) = default;
  };
  struct KeyHash {
    std::size_t operator()(const Key& key) const;
  };
  struct Cell {
    std::int64_t billed = 0;
    std::int64_t effective = 0;
    std::int64_t list = 0;
    bool has_list = false;
    double usage = 0;
    std::int64_t line_items = 0;
  };
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const {
      return std::hash<std::string_view>{}(text);
    }
  };

  std::uint32_t Intern(std::string_view text);
  std::uint32_t InternCached(std::size_t slot, std::string_view text);
  void AddCell(const Key& key, const Cell& cell);

  std::deque<std::string> strings_;  // id -> text; deque keeps addresses stable
  std::unordered_map<std::string_view, std::uint32_t, StringHash, std::equal_to<>> ids_;
  std::array<std::uint32_t, kDimensions> last_id_{};
  std::array<bool, kDimensions> has_last_{};
  std::unordered_map<Key, Cell, KeyHash> cells_;
  std::int64_t line_items_ = 0;
};

}  // namespace costwise::ingest
