#pragma once
// The daily cost cube: billing line items summed per day and per combination of the dimensions
// FinOps teams slice by. Cells are FOCUS-shaped whatever the source format (legacy CUR, CUR 2.0,
// FOCUS), so every later stage reads one schema.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/date.h"
#include "core/money.h"
#include "core/tags.h"

namespace costwise {

struct CubeRow {
  Date date;                       // UTC day of ChargePeriodStart / lineItem/UsageStartDate
  Date billing_period;             // first day of the billing period the row was invoiced in
  std::string provider;            // "AWS", "Microsoft", "Google Cloud", "Oracle", ...
  std::string billing_account_id;  // payer account, billing account, ...
  std::string sub_account_id;      // usage (linked) account, subscription, project
  std::string service;             // ServiceName, or lineItem/ProductCode's product name
  std::string region;              // region code, "" when global
  std::string usage_type;          // lineItem/UsageType, or SkuId/ChargeDescription for FOCUS
  std::string charge_category;     // Usage, Tax, Credit, Purchase, Adjustment, ... (or CUR type)
  std::string resource_id;
  std::string currency;
  Tags tags;
  Money billed_cost;     // unblended / BilledCost
  Money effective_cost;  // amortized / EffectiveCost
  Money list_cost;       // public on-demand / ListCost; meaningful when has_list_cost
  bool has_list_cost = false;
  double usage_quantity = 0;
  std::int64_t line_items = 0;  // source rows summed into this cell
};

// Dimensions a cost query can group or filter by.
enum class CostDimension {
  kProvider,
  kBillingAccount,
  kAccount,  // sub account: AWS usage account, Azure subscription, GCP project
  kService,
  kRegion,
  kUsageType,
  kResource,
  kChargeCategory,
  kTag,
};

// A dimension with its tag key when it is kTag ("tag:team").
struct DimensionRef {
  CostDimension dimension = CostDimension::kService;
  std::string tag_key;
};

// Parses "service", "account", "billing-account", "region", "usage-type", "resource",
// "charge-category", "provider" or "tag:KEY"; empty when unknown.
[[nodiscard]] std::optional<DimensionRef> ParseDimension(std::string_view text);
[[nodiscard]] std::string DimensionName(const DimensionRef& dimension);
// The names ParseDimension accepts, for error messages and help.
[[nodiscard]] std::string_view KnownDimensionNames();

enum class Granularity { kDay, kMonth };

struct CostFilter {
  DimensionRef dimension;
  std::vector<std::string> values;  // any of
};

struct CostQuery {
  Date from;  // inclusive
  Date to;    // inclusive
  std::optional<DimensionRef> group_by;
  Granularity granularity = Granularity::kDay;
  std::vector<CostFilter> filters;
};

// One row of a cost query answer: one period, one group value, one currency.
struct CostGroupRow {
  std::string period;  // "YYYY-MM-DD" (day) or "YYYY-MM" (month)
  std::string group;   // the group-by value; "" when no group-by or the value is absent
  std::string currency;
  Money billed_cost;
  Money effective_cost;
  Money list_cost;
  double usage_quantity = 0;
  std::int64_t line_items = 0;
};

}  // namespace costwise
