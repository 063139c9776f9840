#pragma once
// One generated billing line, format-neutral: the writers turn it into a CUR (legacy or 2.0) or a
// FOCUS row. Amounts are exact decimals with 10 decimals (see fixed10.h).
#include <cstdint>
#include <string_view>

namespace costwise::bench {

enum class LineType : std::uint8_t {
  kUsage,
  kDiscountedUsage,  // covered by a Reserved Instance
  kSavingsPlanCoveredUsage,
  kSavingsPlanNegation,      // CUR only: offsets the on-demand cost of covered usage
  kSavingsPlanRecurringFee,  // hourly Savings Plan commitment
  kRiFee,                    // monthly Reserved Instance recurring fee
  kFee,                      // RI upfront fee (with an ARN) or a support fee
  kTax,
  kCredit,
};

[[nodiscard]] constexpr std::string_view LineTypeName(LineType type) {
  switch (type) {
    case LineType::kUsage:
      return "Usage";
    case LineType::kDiscountedUsage:
      return "DiscountedUsage";
    case LineType::kSavingsPlanCoveredUsage:
      return "SavingsPlanCoveredUsage";
    case LineType::kSavingsPlanNegation:
      return "SavingsPlanNegation";
    case LineType::kSavingsPlanRecurringFee:
      return "SavingsPlanRecurringFee";
    case LineType::kRiFee:
      return "RIFee";
    case LineType::kFee:
      return "Fee";
    case LineType::kTax:
      return "Tax";
    case LineType::kCredit:
      return "Credit";
  }
  return "Usage";
}

struct LineItem {
  LineType type = LineType::kUsage;
  std::int64_t row_number = 0;    // 1-based
  std::string_view line_item_id;  // 52 base32 characters
  int product = 0;
  int account = 0;
  int resource = -1;             // -1: no resource of the fleet
  std::string_view resource_id;  // the resource's id, an ARN of a commitment, or empty
  int tag_set = 0;               // 0 = untagged
  int start_hour = 0;            // hour boundaries of the billing period
  int end_hour = 1;
  std::string_view description;      // empty: the product's description
  bool description_newline = false;  // a rare line break inside the quoted description

  std::int64_t amount = 0;
  bool has_rate = false;
  std::int64_t rate = 0;  // unblended rate
  std::int64_t cost = 0;  // unblended cost
  bool has_public = false;
  std::int64_t public_rate = 0;
  std::int64_t public_cost = 0;
  std::int64_t effective = 0;  // amortized cost, as costwise defines it

  int reservation = -1;
  std::int64_t ri_upfront_for_usage = 0;
  std::int64_t ri_recurring_for_usage = 0;
  std::int64_t ri_effective_cost = 0;
  std::int64_t ri_reserved_units = 0;  // RIFee: reserved hours in the period
  std::int64_t ri_amortized_upfront_period = 0;
  std::int64_t ri_unused_quantity = 0;
  std::int64_t ri_unused_upfront = 0;
  std::int64_t ri_unused_recurring = 0;

  int savings_plan = -1;
  std::int64_t sp_rate = 0;
  std::int64_t sp_effective_cost = 0;
  std::int64_t sp_total_commitment = 0;
  std::int64_t sp_used_commitment = 0;
  std::int64_t sp_recurring_period = 0;
};

}  // namespace costwise::bench
