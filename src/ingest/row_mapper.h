#pragma once
// Recognises a billing export from its header row and maps each of its rows to a LineItem:
//   legacy AWS CUR ("lineItem/UnblendedCost", resourceTags/user:* columns),
//   CUR 2.0 ("line_item_unblended_cost", resource_tags map column; also Athena's flattened CUR),
//   FOCUS 1.0 to 1.2 ("BilledCost", "ChargePeriodStart", Tags JSON).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/error.h"
#include "core/string_hash.h"
#include "ingest/csv_parser.h"
#include "ingest/line_item.h"

namespace costwise::ingest {

enum class BillingFormat { kCurLegacy, kCur2, kFocus };

class RowMapper {
 public:
  // InvalidInput naming the known formats when the header is none of them. `source` names the
  // file in messages.
  [[nodiscard]] static Result<RowMapper> ForHeader(const std::vector<std::string_view>& header,
                                                   std::string_view source);

  [[nodiscard]] BillingFormat format() const { return format_; }
  // "cur-legacy", "cur-2.0", "focus-1.0", "focus-1.1", "focus-1.2".
  [[nodiscard]] const std::string& format_name() const { return format_name_; }
  [[nodiscard]] std::size_t column_count() const { return column_count_; }

  // Maps one data row. On a bad row returns false and sets `reason` (what and which column).
  bool Map(const CsvRecord& record, LineItem& item, std::string& reason);

 private:
  static constexpr int kMissing = -1;
  struct Columns {
    int usage_start = kMissing;
    int billing_period_start = kMissing;
    int provider = kMissing;
    int billing_account = kMissing;
    int sub_account = kMissing;
    int service_name = kMissing;  // product/ProductName, ServiceName
    int product_code = kMissing;  // lineItem/ProductCode (fallback service)
    int product_map = kMissing;   // CUR 2.0 "product" map column
    int region = kMissing;
    int region_fallback = kMissing;
    int usage_type = kMissing;
    int usage_type_fallback = kMissing;
    int usage_type_fallback2 = kMissing;
    int charge_category = kMissing;
    int resource_id = kMissing;
    int currency = kMissing;
    int billed_cost = kMissing;
    int effective_cost = kMissing;  // FOCUS
    int list_cost = kMissing;
    int usage_quantity = kMissing;
    int tags_map = kMissing;  // FOCUS Tags, CUR 2.0 resource_tags
    // CUR amortisation inputs.
    int sp_effective_cost = kMissing;
    int sp_total_commitment = kMissing;
    int sp_used_commitment = kMissing;
    int ri_effective_cost = kMissing;
    int ri_unused_amortized_upfront = kMissing;
    int ri_unused_recurring = kMissing;
    int ri_arn = kMissing;
  };
  struct TagColumn {
    int index = kMissing;
    std::string key;  // normalised: "user:" / "user_" prefixes dropped
  };

  RowMapper() = default;
  bool MapCur(const CsvRecord& record, LineItem& item, std::string& reason);
  bool MapFocus(const CsvRecord& record, LineItem& item, std::string& reason);
  bool BuildTags(const CsvRecord& record, LineItem& item, std::string& reason);
  bool BuildTagsUncached(const CsvRecord& record, LineItem& item, std::string& reason);
  std::string_view CurService(const CsvRecord& record);

  // Timestamps and tag maps repeat from row to row: remember the last text and its result.
  struct DateCache {
    std::string text;
    Date date;
    bool valid = false;
  };
  bool DateOf(const CsvRecord& record, int index, DateCache& cache, Date& out, std::string& reason);

  BillingFormat format_ = BillingFormat::kFocus;
  DateCache usage_start_cache_;
  DateCache billing_period_cache_;
  std::string last_tags_raw_;
  bool last_tags_valid_ = false;
  std::unordered_map<std::string, std::string, TransparentStringHash, std::equal_to<>>
      canonical_tags_;
  std::string format_name_;
  std::size_t column_count_ = 0;
  std::vector<std::string> header_;
  Columns columns_;
  std::vector<TagColumn> tag_columns_;  // sorted by key
  std::string tag_storage_;
  std::string tag_text_;
  std::vector<std::pair<std::string_view, std::string_view>> tag_pairs_;
  std::string service_storage_;
  std::string service_map_text_;  // CUR 2.0: the last product map and the name found in it
  std::string service_name_;
  bool service_map_valid_ = false;
};

}  // namespace costwise::ingest
