#pragma once
// One billing line item after column mapping, in the cube's terms. Views point into the CSV block
// or the mapper's scratch space and live until the next row is mapped.
#include <string_view>

#include "core/date.h"
#include "core/money.h"

namespace costwise::ingest {

struct LineItem {
  Date date;
  Date billing_period;
  std::string_view provider;
  std::string_view billing_account_id;
  std::string_view sub_account_id;
  std::string_view service;
  std::string_view region;
  std::string_view usage_type;
  std::string_view charge_category;
  std::string_view resource_id;
  std::string_view currency;
  // Canonical tag text: "key\x1fvalue\x1e" per tag, keys sorted; empty when untagged.
  std::string_view tags;
  Money billed_cost;
  Money effective_cost;
  Money list_cost;
  bool has_list_cost = false;
  double usage_quantity = 0;
};

inline constexpr char kTagKeyValueSeparator = '\x1f';
inline constexpr char kTagSeparator = '\x1e';

}  // namespace costwise::ingest
