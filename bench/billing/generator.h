#pragma once
// Walks the billing period hour by hour and turns the fleet's plan into line items, handing each
// to a RowWriter. Rows come out in time order: monthly RI lines first, then per day the daily
// lines (00:00) and per hour the Savings Plan fees and the hourly usage, then taxes and support
// fees at the end.
#include <array>
#include <cstdint>

#include "billing/fleet.h"
#include "billing/output_sink.h"
#include "billing/row_writer.h"

namespace costwise::bench {

struct GenerateStats {
  std::int64_t rows = 0;
  std::array<std::int64_t, 9> rows_by_type{};  // indexed by LineType
  std::int64_t description_newlines = 0;
  std::int64_t resource_ids = 0;  // distinct non-empty resource ids written
  std::int64_t usage_types = 0;   // distinct lineItem/UsageType values written
  std::int64_t accounts = 0;      // distinct usage accounts written
  std::int64_t payers = 0;
  std::int64_t services = 0;      // distinct product codes written
  std::int64_t regions = 0;       // distinct regions (not counting global)
  std::int64_t tag_sets = 0;      // distinct tag sets written (untagged included)
  std::int64_t billed_total = 0;  // sum of unblended / billed cost, 10 decimals
  std::int64_t effective_total = 0;
};

[[nodiscard]] GenerateStats Generate(const Fleet& fleet, RowWriter& writer, OutputSink& sink);

}  // namespace costwise::bench
