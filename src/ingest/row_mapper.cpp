#include "ingest/row_mapper.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <unordered_map>

#include <fmt/format.h>

#include "ingest/tag_parser.h"
#include "ingest/text.h"

namespace costwise::ingest {
namespace {

constexpr std::string_view kNullToken = "NULL";
constexpr std::size_t kReasonFieldLimit = 60;
constexpr std::size_t kMaxCachedTagMaps = 4096;

// Canonical spellings of enum-like values, so "usage" and "Usage" land in one cube cell.
constexpr std::array<std::string_view, 22> kKnownCategories = {
    // FOCUS ChargeCategory
    "Usage", "Purchase", "Tax", "Credit", "Adjustment",
    // AWS CUR lineItem/LineItemType
    "Fee", "Refund", "RIFee", "DiscountedUsage", "SavingsPlanCoveredUsage", "SavingsPlanNegation",
    "SavingsPlanUpfrontFee", "SavingsPlanRecurringFee", "BundledDiscount", "EdpDiscount",
    "PrivateRateDiscount", "Discount", "DistributorDiscount", "SppDiscount", "FreeTier",
    "SavingsPlanCoveredUsageNegation", "Rounding"};

std::string_view CanonicalCategory(std::string_view value) {
  for (const std::string_view known : kKnownCategories) {
    if (EqualsIgnoreCase(known, value)) return known;
  }
  return value;
}

std::string Shorten(std::string_view text) {
  if (text.size() <= kReasonFieldLimit) return std::string(text);
  return std::string(text.substr(0, kReasonFieldLimit)) + "...";
}

class HeaderIndex {
 public:
  explicit HeaderIndex(const std::vector<std::string_view>& header) {
    for (std::size_t i = 0; i < header.size(); ++i) {
      std::string_view name = header[i];
      if (i == 0 && name.starts_with("\xEF\xBB\xBF")) name.remove_prefix(3);  // UTF-8 BOM
      index_.emplace(LowerAscii(name), static_cast<int>(i));
    }
  }
  [[nodiscard]] int Find(std::string_view name) const {
    const auto it = index_.find(LowerAscii(name));
    return it == index_.end() ? -1 : it->second;
  }
  [[nodiscard]] int FindAny(std::initializer_list<std::string_view> names) const {
    for (const std::string_view name : names) {
      const int index = Find(name);
      if (index >= 0) return index;
    }
    return -1;
  }
  [[nodiscard]] bool Has(std::string_view name) const { return Find(name) >= 0; }

 private:
  std::unordered_map<std::string, int> index_;
};

struct CurNames {
  std::string_view usage_start, billing_period_start, payer, usage_account, product_name,
      product_code, region_code, region, usage_type, line_item_type, resource_id, currency,
      unblended_cost, public_on_demand_cost, usage_amount, sp_effective_cost, sp_total_commitment,
      sp_used_commitment, ri_effective_cost, ri_unused_amortized_upfront, ri_unused_recurring,
      ri_arn, tag_prefix;
};

constexpr CurNames kLegacyCur = {"lineItem/UsageStartDate",
                                 "bill/BillingPeriodStartDate",
                                 "bill/PayerAccountId",
                                 "lineItem/UsageAccountId",
                                 "product/ProductName",
                                 "lineItem/ProductCode",
                                 "product/regionCode",
                                 "product/region",
                                 "lineItem/UsageType",
                                 "lineItem/LineItemType",
                                 "lineItem/ResourceId",
                                 "lineItem/CurrencyCode",
                                 "lineItem/UnblendedCost",
                                 "pricing/publicOnDemandCost",
                                 "lineItem/UsageAmount",
                                 "savingsPlan/SavingsPlanEffectiveCost",
                                 "savingsPlan/TotalCommitmentToDate",
                                 "savingsPlan/UsedCommitment",
                                 "reservation/EffectiveCost",
                                 "reservation/UnusedAmortizedUpfrontFeeForBillingPeriod",
                                 "reservation/UnusedRecurringFee",
                                 "reservation/ReservationARN",
                                 "resourceTags/"};

constexpr CurNames kCur2 = {"line_item_usage_start_date",
                            "bill_billing_period_start_date",
                            "bill_payer_account_id",
                            "line_item_usage_account_id",
                            "product_product_name",
                            "line_item_product_code",
                            "product_region_code",
                            "product_region",
                            "line_item_usage_type",
                            "line_item_line_item_type",
                            "line_item_resource_id",
                            "line_item_currency_code",
                            "line_item_unblended_cost",
                            "pricing_public_on_demand_cost",
                            "line_item_usage_amount",
                            "savings_plan_savings_plan_effective_cost",
                            "savings_plan_total_commitment_to_date",
                            "savings_plan_used_commitment",
                            "reservation_effective_cost",
                            "reservation_unused_amortized_upfront_fee_for_billing_period",
                            "reservation_unused_recurring_fee",
                            "reservation_reservation_a_r_n",
                            "resource_tags_"};

// Tag keys as people name them: user-defined tags lose the export's "user:" / "user_" prefix.
std::string NormaliseTagKey(std::string_view key) {
  if (key.starts_with("user:") || key.starts_with("user_")) key.remove_prefix(5);
  return std::string(key);
}

// Appends a tag key or value to the canonical tag text; the two separator characters cannot
// appear inside one, so they become spaces.
void AppendTagText(std::string& out, std::string_view text) {
  const std::size_t start = out.size();
  out.append(text);
  for (std::size_t i = start; i < out.size(); ++i) {
    if (out[i] == kTagKeyValueSeparator || out[i] == kTagSeparator) out[i] = ' ';
  }
}

}  // namespace

Result<RowMapper> RowMapper::ForHeader(const std::vector<std::string_view>& header,
                                       std::string_view source) {
  const HeaderIndex index(header);
  RowMapper mapper;
  mapper.column_count_ = header.size();
  for (const std::string_view name : header) mapper.header_.emplace_back(name);
  Columns& c = mapper.columns_;
  std::vector<std::string_view> required;

  const bool legacy = index.Has("lineItem/UnblendedCost") || index.Has("lineItem/UsageStartDate");
  const bool cur2 =
      index.Has("line_item_unblended_cost") || index.Has("line_item_usage_start_date");
  const bool focus = index.Has("BilledCost") || index.Has("ChargePeriodStart");
  if (legacy || cur2) {
    const CurNames& n = legacy ? kLegacyCur : kCur2;
    mapper.format_ = legacy ? BillingFormat::kCurLegacy : BillingFormat::kCur2;
    mapper.format_name_ = legacy ? "cur-legacy" : "cur-2.0";
    required = {n.usage_start, n.billing_period_start, n.unblended_cost};
    c.usage_start = index.Find(n.usage_start);
    c.billing_period_start = index.Find(n.billing_period_start);
    c.billing_account = index.Find(n.payer);
    c.sub_account = index.Find(n.usage_account);
    c.service_name = index.Find(n.product_name);
    c.product_code = index.Find(n.product_code);
    c.product_map = legacy ? kMissing : index.Find("product");
    c.region = index.Find(n.region_code);
    c.region_fallback = index.Find(n.region);
    c.usage_type = index.Find(n.usage_type);
    c.charge_category = index.Find(n.line_item_type);
    c.resource_id = index.Find(n.resource_id);
    c.currency = index.Find(n.currency);
    c.billed_cost = index.Find(n.unblended_cost);
    c.list_cost = index.Find(n.public_on_demand_cost);
    c.usage_quantity = index.Find(n.usage_amount);
    c.sp_effective_cost = index.Find(n.sp_effective_cost);
    c.sp_total_commitment = index.Find(n.sp_total_commitment);
    c.sp_used_commitment = index.Find(n.sp_used_commitment);
    c.ri_effective_cost = index.Find(n.ri_effective_cost);
    c.ri_unused_amortized_upfront = index.Find(n.ri_unused_amortized_upfront);
    c.ri_unused_recurring = index.Find(n.ri_unused_recurring);
    c.ri_arn = index.Find(n.ri_arn);
    if (!legacy) c.tags_map = index.Find("resource_tags");
    // Tag columns: resourceTags/user:team (legacy), resource_tags_user_team (Athena's CUR).
    const std::string prefix = LowerAscii(n.tag_prefix);
    for (std::size_t i = 0; i < header.size(); ++i) {
      if (static_cast<int>(i) == c.tags_map) continue;
      const std::string lower = LowerAscii(header[i]);
      if (lower.size() > prefix.size() && lower.starts_with(prefix)) {
        mapper.tag_columns_.push_back(
            TagColumn{static_cast<int>(i), NormaliseTagKey(header[i].substr(prefix.size()))});
      }
    }
    std::stable_sort(mapper.tag_columns_.begin(), mapper.tag_columns_.end(),
                     [](const TagColumn& a, const TagColumn& b) { return a.key < b.key; });
  } else if (focus) {
    mapper.format_ = BillingFormat::kFocus;
    const bool v12 = index.Has("BillingAccountType") || index.Has("InvoiceId") ||
                     index.Has("PricingCurrency") || index.Has("ServiceProviderName");
    const bool v11 = index.Has("ServiceSubcategory") || index.Has("CapacityReservationId") ||
                     index.Has("CommitmentDiscountQuantity") || index.Has("SkuMeter");
    mapper.format_name_ = v12 ? "focus-1.2" : v11 ? "focus-1.1" : "focus-1.0";
    required = {"BilledCost", "ChargePeriodStart", "BillingPeriodStart"};
    c.usage_start = index.Find("ChargePeriodStart");
    c.billing_period_start = index.Find("BillingPeriodStart");
    c.provider = index.FindAny({"ProviderName", "ServiceProviderName", "InvoiceIssuerName"});
    c.billing_account = index.Find("BillingAccountId");
    c.sub_account = index.Find("SubAccountId");
    c.service_name = index.Find("ServiceName");
    c.region = index.Find("RegionId");
    c.region_fallback = index.Find("RegionName");
    c.usage_type = index.Find("x_UsageType");
    c.usage_type_fallback = index.Find("ChargeDescription");
    c.usage_type_fallback2 = index.Find("SkuId");
    c.charge_category = index.Find("ChargeCategory");
    c.resource_id = index.Find("ResourceId");
    c.currency = index.Find("BillingCurrency");
    c.billed_cost = index.Find("BilledCost");
    c.effective_cost = index.Find("EffectiveCost");
    c.list_cost = index.Find("ListCost");
    c.usage_quantity = index.Find("ConsumedQuantity");
    c.tags_map = index.Find("Tags");
  } else {
    return MakeError(
        ErrorCode::kInvalidInput,
        fmt::format("{}: not a billing export costwise knows: the header matches none of legacy "
                    "AWS CUR (lineItem/UsageStartDate, lineItem/UnblendedCost, ...), AWS CUR 2.0 "
                    "(line_item_usage_start_date, line_item_unblended_cost, ...) or FOCUS 1.0 to "
                    "1.2 (ChargePeriodStart, BilledCost, ...); its first columns are: {}",
                    source, Shorten(fmt::format("{}", fmt::join(header, ",")))));
  }
  std::vector<std::string_view> missing;
  for (const std::string_view name : required) {
    if (!index.Has(name)) missing.push_back(name);
  }
  if (!missing.empty()) {
    return MakeError(ErrorCode::kInvalidInput,
                     fmt::format("{}: looks like {} but lacks required column(s): {}", source,
                                 mapper.format_name_, fmt::join(missing, ", ")));
  }
  return mapper;
}

namespace {

bool IsNull(const CsvRecord& record, int index) {
  if (index < 0) return true;
  const std::string_view field = record.fields[static_cast<std::size_t>(index)];
  return field.empty() ||
         (record.quoted[static_cast<std::size_t>(index)] == 0 && field == kNullToken);
}

std::string_view Text(const CsvRecord& record, int index) {
  return IsNull(record, index) ? std::string_view()
                               : record.fields[static_cast<std::size_t>(index)];
}

}  // namespace

bool RowMapper::Map(const CsvRecord& record, LineItem& item, std::string& reason) {
  if (record.fields.size() != column_count_) {
    reason = fmt::format("expected {} fields as in the header, found {}", column_count_,
                         record.fields.size());
    return false;
  }
  if (!DateOf(record, columns_.usage_start, usage_start_cache_, item.date, reason) ||
      !DateOf(record, columns_.billing_period_start, billing_period_cache_, item.billing_period,
              reason)) {
    return false;
  }
  item.billing_account_id = Text(record, columns_.billing_account);
  item.sub_account_id = Text(record, columns_.sub_account);
  item.region = IsNull(record, columns_.region) ? Text(record, columns_.region_fallback)
                                                : Text(record, columns_.region);
  item.charge_category = CanonicalCategory(Text(record, columns_.charge_category));
  item.resource_id = Text(record, columns_.resource_id);
  item.currency = Text(record, columns_.currency);
  if (!BuildTags(record, item, reason)) return false;
  return format_ == BillingFormat::kFocus ? MapFocus(record, item, reason)
                                          : MapCur(record, item, reason);
}

bool RowMapper::DateOf(const CsvRecord& record, int index, DateCache& cache, Date& out,
                       std::string& reason) {
  const std::string_view text = Text(record, index);
  if (cache.valid && cache.text == text) {
    out = cache.date;
    return true;
  }
  const std::optional<std::int64_t> seconds = ParseTimestamp(text);
  if (!seconds) {
    reason = text.empty() ? fmt::format("{} is empty", header_[static_cast<std::size_t>(index)])
                          : fmt::format("{} is not a timestamp: '{}'",
                                        header_[static_cast<std::size_t>(index)], Shorten(text));
    return false;
  }
  out = DateOfTimestamp(*seconds);
  cache.text.assign(text);
  cache.date = out;
  cache.valid = true;
  return true;
}

namespace {

// Parses a money column; null means zero. False (with a reason) when the text is not a number.
bool MoneyOf(const CsvRecord& record, int index, const std::vector<std::string>& header, Money& out,
             std::string& reason) {
  const std::string_view text = Text(record, index);
  if (text.empty()) {
    out = Money();
    return true;
  }
  const std::optional<Money> value = Money::Parse(text);
  if (!value) {
    reason = fmt::format("{} is not a number: '{}'", header[static_cast<std::size_t>(index)],
                         Shorten(text));
    return false;
  }
  out = *value;
  return true;
}

bool QuantityOf(const CsvRecord& record, int index, const std::vector<std::string>& header,
                double& out, std::string& reason) {
  const std::string_view text = Text(record, index);
  if (text.empty()) {
    out = 0;
    return true;
  }
  const std::optional<double> value = ParseDouble(text);
  if (!value) {
    reason = fmt::format("{} is not a number: '{}'", header[static_cast<std::size_t>(index)],
                         Shorten(text));
    return false;
  }
  out = *value;
  return true;
}

}  // namespace

bool RowMapper::MapFocus(const CsvRecord& record, LineItem& item, std::string& reason) {
  item.provider = Text(record, columns_.provider);
  item.service = Text(record, columns_.service_name);
  item.usage_type = Text(record, columns_.usage_type);
  if (item.usage_type.empty()) item.usage_type = Text(record, columns_.usage_type_fallback);
  if (item.usage_type.empty()) item.usage_type = Text(record, columns_.usage_type_fallback2);
  if (IsNull(record, columns_.billed_cost)) {
    reason = "BilledCost is null";
    return false;
  }
  if (!MoneyOf(record, columns_.billed_cost, header_, item.billed_cost, reason) ||
      !MoneyOf(record, columns_.effective_cost, header_, item.effective_cost, reason) ||
      !QuantityOf(record, columns_.usage_quantity, header_, item.usage_quantity, reason)) {
    return false;
  }
  item.has_list_cost = !IsNull(record, columns_.list_cost);
  if (!MoneyOf(record, columns_.list_cost, header_, item.list_cost, reason)) return false;
  return true;
}

std::string_view RowMapper::CurService(const CsvRecord& record) {
  if (!IsNull(record, columns_.service_name)) return Text(record, columns_.service_name);
  const std::string_view code = Text(record, columns_.product_code);
  if (IsNull(record, columns_.product_map)) return code;
  // CUR 2.0 keeps product_name inside the "product" map. The name is a function of the map's
  // text alone (so of the row alone, whatever thread reads it); the text repeats from row to
  // row, so the last one's answer is kept.
  const std::string_view map_text = Text(record, columns_.product_map);
  if (service_map_valid_ && map_text == service_map_text_) {
    return service_name_.empty() ? code : std::string_view(service_name_);
  }
  service_storage_.clear();
  service_storage_.reserve(map_text.size() + 1);
  tag_pairs_.clear();
  service_name_.clear();
  if (ParseTagMap(map_text, service_storage_, tag_pairs_)) {
    for (const auto& [key, value] : tag_pairs_) {
      if (key == "product_name" && !value.empty()) service_name_.assign(value);
    }
  }
  tag_pairs_.clear();
  service_map_text_.assign(map_text);
  service_map_valid_ = true;
  return service_name_.empty() ? code : std::string_view(service_name_);
}

bool RowMapper::MapCur(const CsvRecord& record, LineItem& item, std::string& reason) {
  item.provider = "AWS";
  if (item.billing_account_id.empty()) item.billing_account_id = item.sub_account_id;
  item.service = CurService(record);
  item.usage_type = Text(record, columns_.usage_type);
  if (IsNull(record, columns_.billed_cost)) {
    reason = fmt::format("{} is empty", header_[static_cast<std::size_t>(columns_.billed_cost)]);
    return false;
  }
  if (!MoneyOf(record, columns_.billed_cost, header_, item.billed_cost, reason) ||
      !QuantityOf(record, columns_.usage_quantity, header_, item.usage_quantity, reason)) {
    return false;
  }
  item.has_list_cost = !IsNull(record, columns_.list_cost);
  if (!MoneyOf(record, columns_.list_cost, header_, item.list_cost, reason)) return false;

  // Amortised (effective) cost, as AWS defines it for the CUR's line item types.
  const std::string_view type = item.charge_category;
  const auto need = [&](int index, std::string_view what, Money& out) {
    if (index < 0) {
      reason = fmt::format("a {} line item needs the {} column, which the file lacks", type, what);
      return false;
    }
    return MoneyOf(record, index, header_, out, reason);
  };
  Money a;
  Money b;
  if (type == "SavingsPlanCoveredUsage") {
    if (!need(columns_.sp_effective_cost, "SavingsPlanEffectiveCost", a)) return false;
    item.effective_cost = a;
  } else if (type == "SavingsPlanRecurringFee") {
    if (!need(columns_.sp_total_commitment, "TotalCommitmentToDate", a) ||
        !need(columns_.sp_used_commitment, "UsedCommitment", b)) {
      return false;
    }
    const std::optional<Money> unused = Money::CheckedSubtract(a, b);
    if (!unused) {
      reason = "TotalCommitmentToDate - UsedCommitment is out of range";
      return false;
    }
    item.effective_cost = *unused;
  } else if (type == "SavingsPlanNegation" || type == "SavingsPlanUpfrontFee") {
    item.effective_cost = Money();
  } else if (type == "DiscountedUsage") {
    if (!need(columns_.ri_effective_cost, "reservation EffectiveCost", a)) return false;
    item.effective_cost = a;
  } else if (type == "RIFee") {
    if (!need(columns_.ri_unused_amortized_upfront, "UnusedAmortizedUpfrontFeeForBillingPeriod",
              a) ||
        !need(columns_.ri_unused_recurring, "UnusedRecurringFee", b)) {
      return false;
    }
    const std::optional<Money> unused = Money::CheckedAdd(a, b);
    if (!unused) {
      reason = "UnusedAmortizedUpfrontFeeForBillingPeriod + UnusedRecurringFee is out of range";
      return false;
    }
    item.effective_cost = *unused;
  } else if (type == "Fee" && !IsNull(record, columns_.ri_arn)) {
    item.effective_cost = Money();  // RI upfront fee: amortised over the term instead
  } else {
    item.effective_cost = item.billed_cost;
  }
  return true;
}

bool RowMapper::BuildTags(const CsvRecord& record, LineItem& item, std::string& reason) {
  if (tag_columns_.empty()) {
    // Only a map column: the same text as the previous row gives the same tags.
    const std::string_view raw = Text(record, columns_.tags_map);
    if (last_tags_valid_ && raw == last_tags_raw_) {
      item.tags = tag_text_;
      return true;
    }
    last_tags_valid_ = false;
    // Tag maps come from a few hundred distinct sets: remember each one's canonical text.
    if (const auto it = canonical_tags_.find(raw); it != canonical_tags_.end()) {
      tag_text_ = it->second;
    } else {
      if (!BuildTagsUncached(record, item, reason)) return false;
      if (canonical_tags_.size() >= kMaxCachedTagMaps) canonical_tags_.clear();
      canonical_tags_.emplace(std::string(raw), tag_text_);
    }
    item.tags = tag_text_;
    last_tags_raw_.assign(raw);
    last_tags_valid_ = true;
    return true;
  }
  return BuildTagsUncached(record, item, reason);
}

bool RowMapper::BuildTagsUncached(const CsvRecord& record, LineItem& item, std::string& reason) {
  tag_text_.clear();
  tag_pairs_.clear();
  tag_storage_.clear();
  if (!IsNull(record, columns_.tags_map)) {
    const std::string_view text = Text(record, columns_.tags_map);
    tag_storage_.reserve(text.size() * 2 + 16);
    if (!ParseTagMap(text, tag_storage_, tag_pairs_)) {
      reason = fmt::format("{} is not a JSON object of tags: '{}'",
                           header_[static_cast<std::size_t>(columns_.tags_map)], Shorten(text));
      return false;
    }
    const bool strip_user_prefix = format_ != BillingFormat::kFocus;
    for (auto& [key, value] : tag_pairs_) {
      if (strip_user_prefix && (key.starts_with("user_") || key.starts_with("user:"))) {
        key.remove_prefix(5);
      }
    }
  }
  for (const TagColumn& column : tag_columns_) {
    const std::string_view value = Text(record, column.index);
    if (!value.empty()) tag_pairs_.emplace_back(column.key, value);
  }
  if (tag_pairs_.empty()) {
    item.tags = {};
    return true;
  }
  std::stable_sort(tag_pairs_.begin(), tag_pairs_.end(),
                   [](const auto& x, const auto& y) { return x.first < y.first; });
  for (std::size_t i = 0; i < tag_pairs_.size(); ++i) {
    const auto& [key, value] = tag_pairs_[i];
    // Keep the last value of a repeated key; skip empty keys and values.
    if (i + 1 < tag_pairs_.size() && tag_pairs_[i + 1].first == key) continue;
    if (key.empty() || value.empty()) continue;
    AppendTagText(tag_text_, key);
    tag_text_.push_back(kTagKeyValueSeparator);
    AppendTagText(tag_text_, value);
    tag_text_.push_back(kTagSeparator);
  }
  item.tags = tag_text_;
  return true;
}

}  // namespace costwise::ingest
