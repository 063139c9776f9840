#include "ingest/cube_builder.h"

#include <xxhash.h>

#include <algorithm>
#include <limits>

namespace costwise::ingest {
namespace {

constexpr std::uint64_t kMultiplier = 0x9E3779B97F4A7C15ULL;
constexpr std::size_t kInitialSlots = 1024;
// StringIdCache grows past 80% full: linear probing stays short below that with a good hash.
constexpr std::size_t kLoadNumerator = 4;
constexpr std::size_t kLoadDenominator = 5;

std::uint64_t Mix(std::uint64_t x) {
  x ^= x >> 33;
  x *= 0xFF51AFD7ED558CCDULL;
  x ^= x >> 33;
  x *= 0xC4CEB9FE1A85EC53ULL;
  x ^= x >> 33;
  return x;
}

std::uint64_t HashKey(const CellKey& key) {
  const std::uint64_t a = (static_cast<std::uint64_t>(static_cast<std::uint32_t>(key.date)) << 32) |
                          static_cast<std::uint32_t>(key.billing_period);
  const std::uint64_t b = (static_cast<std::uint64_t>(key.combo) << 32) | key.resource;
  return Mix(a ^ Mix(b ^ (static_cast<std::uint64_t>(key.tags) * kMultiplier)));
}

// The tag set as interned: "key\x1fvalue\x1e..." (see LineItem::tags).
Tags ParseCanonicalTags(std::string_view text) {
  Tags tags;
  while (!text.empty()) {
    const std::size_t end = text.find(kTagSeparator);
    const std::string_view entry = text.substr(0, end);
    const std::size_t split = entry.find(kTagKeyValueSeparator);
    if (split != std::string_view::npos) {
      tags.push_back(
          Tag{std::string(entry.substr(0, split)), std::string(entry.substr(split + 1))});
    }
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return tags;
}

}  // namespace

// ---- CellTable ----

CellTable::Slot& CellTable::Append() {
  const std::size_t chunk = size_ / kChunkSlots;
  if (chunk == chunks_.size())
    chunks_.push_back(std::make_unique_for_overwrite<Slot[]>(kChunkSlots));
  return chunks_[chunk][size_++ % kChunkSlots];
}

void CellTable::Add(const CellKey& key, const CellValue& value) {
  if ((size_ + 1) * 2 > index_.size()) GrowIndex();
  const std::size_t mask = index_.size() - 1;
  for (std::size_t i = HashKey(key) & mask;; i = (i + 1) & mask) {
    const std::uint32_t position = index_[i];
    if (position == 0) {
      Slot& slot = Append();
      slot.key = key;
      slot.value = value;
      index_[i] = static_cast<std::uint32_t>(size_);
      return;
    }
    Slot& slot = chunks_[(position - 1) / kChunkSlots][(position - 1) % kChunkSlots];
    if (slot.key == key) {
      if (!slot.value.Add(value)) overflowed_ = true;
      return;
    }
  }
}

void CellTable::GrowIndex() {
  index_.assign(index_.empty() ? kInitialSlots : index_.size() * 2, 0);
  const std::size_t mask = index_.size() - 1;
  for (std::size_t position = 0; position < size_; ++position) {
    std::size_t i = HashKey(at(position).key) & mask;
    while (index_[i] != 0) i = (i + 1) & mask;
    index_[i] = static_cast<std::uint32_t>(position + 1);
  }
}

void CellTable::Clear() {
  std::fill(index_.begin(), index_.end(), 0);
  size_ = 0;
  overflowed_ = false;
}

// ---- DailyCube ----

std::size_t DailyCube::ComboHash::operator()(const Combo& combo) const {
  std::uint64_t h = 0;
  for (const std::uint32_t id : combo) h = Mix(h ^ (id + kMultiplier));
  return static_cast<std::size_t>(h);
}

std::unique_ptr<CubeAccumulator> DailyCube::NewAccumulator() {
  return std::make_unique<CubeAccumulator>(*this);
}

std::uint32_t DailyCube::InternString(std::string_view text) {
  const std::lock_guard lock(mutex_);
  const auto it = string_ids_.find(text);
  if (it != string_ids_.end()) return it->second;
  const auto id = static_cast<std::uint32_t>(strings_.size());
  strings_.emplace_back(text);
  string_ids_.emplace(strings_.back(), id);
  return id;
}

std::uint32_t DailyCube::InternCombo(const Combo& combo) {
  const std::lock_guard lock(mutex_);
  const auto [it, inserted] =
      combo_ids_.try_emplace(combo, static_cast<std::uint32_t>(combos_.size()));
  if (inserted) combos_.push_back(combo);
  return it->second;
}

void DailyCube::Merge(const CellTable& table, std::int64_t line_items) {
  const std::lock_guard lock(mutex_);
  overflowed_ = overflowed_ || table.overflowed();
  for (std::size_t i = 0; i < table.size(); ++i) cells_.Add(table.at(i).key, table.at(i).value);
  line_items_ += line_items;
  overflowed_ = overflowed_ || cells_.overflowed();
}

bool DailyCube::overflowed() const {
  const std::lock_guard lock(mutex_);
  return overflowed_;
}

std::size_t DailyCube::cell_count() const {
  const std::lock_guard lock(mutex_);
  return cells_.size();
}

std::int64_t DailyCube::line_items() const {
  const std::lock_guard lock(mutex_);
  return line_items_;
}

namespace {

__extension__ using Int128 = __int128;  // GCC and Clang; a sum of 2^64 cells cannot overflow it

Money SaturatedSum(const CellTable& cells, std::int64_t CellValue::*field) {
  Int128 total = 0;
  for (std::size_t i = 0; i < cells.size(); ++i) total += cells.at(i).value.*field;
  constexpr Int128 kMax = std::numeric_limits<std::int64_t>::max();
  constexpr Int128 kMin = std::numeric_limits<std::int64_t>::min();
  return Money::FromNanos(static_cast<std::int64_t>(std::clamp(total, kMin, kMax)));
}

}  // namespace

Money DailyCube::billed_total() const {
  const std::lock_guard lock(mutex_);
  return SaturatedSum(cells_, &CellValue::billed);
}

Money DailyCube::effective_total() const {
  const std::lock_guard lock(mutex_);
  return SaturatedSum(cells_, &CellValue::effective);
}

std::vector<CubeScope> DailyCube::Scopes() const {
  const std::lock_guard lock(mutex_);
  std::set<std::pair<std::uint32_t, std::int32_t>> seen;  // (combo, period)
  for (std::size_t i = 0; i < cells_.size(); ++i) {
    seen.emplace(cells_.at(i).key.combo, cells_.at(i).key.billing_period);
  }
  std::set<CubeScope> scopes;
  for (const auto& [combo, period] : seen) {
    const Combo& ids = combos_[combo];
    scopes.insert(CubeScope{strings_[ids[0]], strings_[ids[1]], Date::FromDays(period)});
  }
  return {scopes.begin(), scopes.end()};
}

std::vector<Date> DailyCube::BillingPeriods() const {
  const std::lock_guard lock(mutex_);
  std::set<std::int32_t> periods;
  for (std::size_t i = 0; i < cells_.size(); ++i) periods.insert(cells_.at(i).key.billing_period);
  std::vector<Date> out;
  for (const std::int32_t period : periods) out.push_back(Date::FromDays(period));
  return out;
}

CubeRow DailyCube::MakeRow(const CellTable::Slot& slot) const {
  const Combo& ids = combos_[slot.key.combo];
  CubeRow row;
  row.date = Date::FromDays(slot.key.date);
  row.billing_period = Date::FromDays(slot.key.billing_period);
  row.provider = strings_[ids[0]];
  row.billing_account_id = strings_[ids[1]];
  row.sub_account_id = strings_[ids[2]];
  row.service = strings_[ids[3]];
  row.region = strings_[ids[4]];
  row.usage_type = strings_[ids[5]];
  row.charge_category = strings_[ids[6]];
  row.currency = strings_[ids[7]];
  row.resource_id = strings_[slot.key.resource];
  row.tags = ParseCanonicalTags(strings_[slot.key.tags]);
  row.billed_cost = Money::FromNanos(slot.value.billed);
  row.effective_cost = Money::FromNanos(slot.value.effective);
  row.list_cost = Money::FromNanos(slot.value.list);
  row.has_list_cost = slot.value.has_list != 0;
  row.usage_quantity = slot.value.usage;
  row.line_items = slot.value.line_items;
  return row;
}

bool DailyCube::RowReader::Next(std::vector<CubeRow>& chunk, std::size_t max_rows) {
  chunk.clear();
  const std::lock_guard lock(cube_.mutex_);
  const CellTable& cells = cube_.cells_;
  while (position_ < cells.size() && chunk.size() < max_rows) {
    chunk.push_back(cube_.MakeRow(cells.at(position_++)));
  }
  return !chunk.empty();
}

std::vector<CubeRow> DailyCube::Rows() const {
  std::vector<CubeRow> rows;
  RowReader reader = Reader();
  std::vector<CubeRow> chunk;
  while (reader.Next(chunk, kInitialSlots)) {
    std::move(chunk.begin(), chunk.end(), std::back_inserter(rows));
  }
  return rows;
}

// ---- StringIdCache ----

std::uint64_t StringIdCache::Hash(std::string_view text) {
  return XXH3_64bits(text.data(), text.size());
}

std::uint32_t StringIdCache::Find(std::string_view text, std::uint64_t hash) const {
  if (entries_.empty()) return kNone;
  const std::size_t mask = entries_.size() - 1;
  for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
    const Entry& entry = entries_[i];
    if (entry.id == kNone) return kNone;
    if (entry.hash == hash && entry.length == text.size() &&
        std::string_view(arena_).substr(entry.offset, entry.length) == text) {
      return entry.id;
    }
  }
}

void StringIdCache::Insert(std::string_view text, std::uint64_t hash, std::uint32_t id) {
  if ((size_ + 1) * kLoadDenominator > entries_.size() * kLoadNumerator) Grow();
  const std::size_t mask = entries_.size() - 1;
  std::size_t i = hash & mask;
  while (entries_[i].id != kNone) i = (i + 1) & mask;
  entries_[i] = Entry{hash, arena_.size(), static_cast<std::uint32_t>(text.size()), id};
  arena_.append(text);
  ++size_;
}

void StringIdCache::Grow() {
  std::vector<Entry> old = std::move(entries_);
  entries_.assign(old.empty() ? kInitialSlots : old.size() * 2, Entry{});
  const std::size_t mask = entries_.size() - 1;
  for (const Entry& entry : old) {
    if (entry.id == kNone) continue;
    std::size_t i = entry.hash & mask;
    while (entries_[i].id != kNone) i = (i + 1) & mask;
    entries_[i] = entry;
  }
}

// ---- CubeAccumulator ----

std::uint32_t CubeAccumulator::Intern(std::size_t slot, std::string_view text) {
  // Consecutive rows mostly repeat the previous row's account, service, region, ...
  if (has_last_[slot] && last_text_[slot] == text) return last_id_[slot];
  const std::uint64_t hash = StringIdCache::Hash(text);
  std::uint32_t id = ids_.Find(text, hash);
  if (id == StringIdCache::kNone) {
    id = cube_.InternString(text);
    ids_.Insert(text, hash, id);
  }
  last_text_[slot].assign(text);
  last_id_[slot] = id;
  has_last_[slot] = true;
  return id;
}

void CubeAccumulator::Add(const LineItem& item) {
  const std::array<std::string_view, kComboDimensions> texts = {
      item.provider, item.billing_account_id, item.sub_account_id,  item.service,
      item.region,   item.usage_type,         item.charge_category, item.currency};
  Combo combo;
  for (std::size_t i = 0; i < kComboDimensions; ++i) combo[i] = Intern(i, texts[i]);
  if (!has_last_combo_ || combo != last_combo_) {
    const auto it = combo_ids_.find(combo);
    if (it != combo_ids_.end()) {
      last_combo_id_ = it->second;
    } else {
      last_combo_id_ = cube_.InternCombo(combo);
      combo_ids_.emplace(combo, last_combo_id_);
    }
    last_combo_ = combo;
    has_last_combo_ = true;
  }
  CellKey key;
  key.date = item.date.days();
  key.billing_period = item.billing_period.days();
  key.combo = last_combo_id_;
  key.resource = Intern(kComboDimensions, item.resource_id);
  key.tags = Intern(kComboDimensions + 1, item.tags);
  CellValue value;
  value.billed = item.billed_cost.nanos();
  value.effective = item.effective_cost.nanos();
  value.list = item.has_list_cost ? item.list_cost.nanos() : 0;
  value.has_list = item.has_list_cost ? 1 : 0;
  value.usage = item.usage_quantity;
  value.line_items = 1;
  table_.Add(key, value);
  ++line_items_;
  if (!has_last_period_ || key.billing_period != last_period_) {
    periods_.insert(key.billing_period);
    last_period_ = key.billing_period;
    has_last_period_ = true;
  }
  if (table_.size() >= kFlushCells) Flush();
}

void CubeAccumulator::Flush() {
  if (table_.size() == 0 && line_items_ == 0) return;
  cube_.Merge(table_, line_items_);
  table_.Clear();
  line_items_ = 0;
}

}  // namespace costwise::ingest
