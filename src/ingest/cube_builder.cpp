#include "ingest/cube_builder.h"

#include <algorithm>
#include <tuple>

namespace costwise::ingest {
namespace {

constexpr std::uint64_t kHashMultiplier = 0x9E3779B97F4A7C15ULL;

std::uint64_t Mix(std::uint64_t h, std::uint64_t v) {
  h ^= v + kHashMultiplier + (h << 6) + (h >> 2);
  return h;
}

Tags ParseCanonicalTags(std::string_view text) {
  Tags tags;
  while (!text.empty()) {
    const std::size_t end = text.find(kTagSeparator);
    const std::string_view entry = text.substr(0, end);
    const std::size_t split = entry.find(kTagKeyValueSeparator);
    tags.push_back(Tag{std::string(entry.substr(0, split)), std::string(entry.substr(split + 1))});
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return tags;
}

}  // namespace

std::size_t CubeBuilder::KeyHash::operator()(const Key& key) const {
  std::uint64_t h = static_cast<std::uint32_t>(key.date);
  h = Mix(h, static_cast<std::uint32_t>(key.billing_period));
  for (const std::uint32_t id : key.ids) h = Mix(h, id);
  return static_cast<std::size_t>(h * kHashMultiplier);
}

std::uint32_t CubeBuilder::Intern(std::string_view text) {
  const auto it = ids_.find(text);
  if (it != ids_.end()) return it->second;
  const auto id = static_cast<std::uint32_t>(strings_.size());
  strings_.emplace_back(text);
  ids_.emplace(strings_.back(), id);
  return id;
}

std::uint32_t CubeBuilder::InternCached(std::size_t slot, std::string_view text) {
  // Consecutive rows mostly repeat the previous row's account, service, region, ...
  if (has_last_[slot] && strings_[last_id_[slot]] == text) return last_id_[slot];
  const std::uint32_t id = Intern(text);
  last_id_[slot] = id;
  has_last_[slot] = true;
  return id;
}

void CubeBuilder::AddCell(const Key& key, const Cell& cell) {
  Cell& target = cells_[key];
  target.billed += cell.billed;
  target.effective += cell.effective;
  target.list += cell.list;
  target.has_list = target.has_list || cell.has_list;
  target.usage += cell.usage;
  target.line_items += cell.line_items;
}

void CubeBuilder::Add(const LineItem& item) {
  Key key;
  key.date = item.date.days();
  key.billing_period = item.billing_period.days();
  const std::array<std::string_view, kDimensions> values = {
      item.provider,       item.billing_account_id, item.sub_account_id, item.service,
      item.region,         item.usage_type,         item.charge_category, item.resource_id,
      item.currency,       item.tags};
  for (std::size_t i = 0; i < kDimensions; ++i) key.ids[i] = InternCached(i, values[i]);
  Cell cell;
  cell.billed = item.billed_cost.nanos();
  cell.effective = item.effective_cost.nanos();
  cell.has_list = item.has_list_cost;
  cell.list = item.has_list_cost ? item.list_cost.nanos() : 0;
  cell.usage = item.usage_quantity;
  cell.line_items = 1;
  AddCell(key, cell);
  ++line_items_;
}

void CubeBuilder::Merge(const CubeBuilder& other) {
  std::vector<std::uint32_t> translate(other.strings_.size());
  for (std::size_t id = 0; id < other.strings_.size(); ++id) {
    translate[id] = Intern(other.strings_[id]);
  }
  for (const auto& [key, cell] : other.cells_) {
    Key mapped = key;
    for (std::uint32_t& id : mapped.ids) id = translate[id];
    AddCell(mapped, cell);
  }
  line_items_ += other.line_items_;
}

std::vector<Date> CubeBuilder::BillingPeriods() const {
  std::vector<Date> periods;
  for (const auto& [key, cell] : cells_) periods.push_back(Date::FromDays(key.billing_period));
  std::sort(periods.begin(), periods.end());
  periods.erase(std::unique(periods.begin(), periods.end()), periods.end());
  return periods;
}

std::vector<CubeRow> CubeBuilder::Rows() const {
  std::vector<const std::pair<const Key, Cell>*> order;
  order.reserve(cells_.size());
  for (const auto& entry : cells_) order.push_back(&entry);
  const auto text_key = [this](const Key& key) {
    std::array<std::string_view, kDimensions> texts;
    for (std::size_t i = 0; i < kDimensions; ++i) texts[i] = strings_[key.ids[i]];
    return std::tuple(key.date, key.billing_period, texts);
  };
  std::sort(order.begin(), order.end(), [&](const auto* a, const auto* b) {
    return text_key(a->first) < text_key(b->first);
  });
  std::vector<CubeRow> rows;
  rows.reserve(order.size());
  for (const auto* entry : order) {
    const Key& key = entry->first;
    const Cell& cell = entry->second;
    CubeRow row;
    row.date = Date::FromDays(key.date);
    row.billing_period = Date::FromDays(key.billing_period);
    row.provider = strings_[key.ids[0]];
    row.billing_account_id = strings_[key.ids[1]];
    row.sub_account_id = strings_[key.ids[2]];
    row.service = strings_[key.ids[3]];
    row.region = strings_[key.ids[4]];
    row.usage_type = strings_[key.ids[5]];
    row.charge_category = strings_[key.ids[6]];
    row.resource_id = strings_[key.ids[7]];
    row.currency = strings_[key.ids[8]];
    row.tags = ParseCanonicalTags(strings_[key.ids[9]]);
    row.billed_cost = Money::FromNanos(cell.billed);
    row.effective_cost = Money::FromNanos(cell.effective);
    row.list_cost = Money::FromNanos(cell.list);
    row.has_list_cost = cell.has_list;
    row.usage_quantity = cell.usage;
    row.line_items = cell.line_items;
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace costwise::ingest
