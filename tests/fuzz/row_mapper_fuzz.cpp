// libFuzzer target for the CUR and FOCUS readers: RowMapper recognises the header, then maps every
// record to a line item, which is summed into a cube as the ingest does. The first input byte
// picks a real header to put in front of the rest, so that mutations go to the rows and reach the
// money, date, tag and amortisation rules (byte % 4: 0 none, the input has its own header;
// 1 legacy CUR; 2 FOCUS 1.0; 3 CUR 2.0). Besides memory errors and undefined behaviour it checks
// that the known headers are recognised, that a rejected row always says why, and that the
// cube's cells, counts and totals agree.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "billing_headers.h"
#include "fuzz_check.h"
#include "ingest/csv_parser.h"
#include "ingest/cube_builder.h"
#include "ingest/row_mapper.h"

namespace costwise::fuzz {
namespace {

constexpr int kModes = 4;

std::string_view HeaderFor(int mode) {
  switch (mode) {
    case 1:
      return kLegacyCurHeader;
    case 2:
      return kFocusHeader;
    case 3:
      return kCur2Header;
    default:
      return {};
  }
}

std::string_view FormatFor(int mode) {
  switch (mode) {
    case 1:
      return "cur-legacy";
    case 2:
      return "focus-1.0";
    default:
      return "cur-2.0";
  }
}

}  // namespace
}  // namespace costwise::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using costwise::ingest::CsvParser;
  if (size == 0) return 0;
  const int mode = data[0] % costwise::fuzz::kModes;
  const std::string_view header = costwise::fuzz::HeaderFor(mode);
  const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);

  // Header and rows in one heap block of exactly their size, so reads past the end are caught.
  const std::size_t length = header.empty() ? rest.size() : header.size() + 1 + rest.size();
  const auto buffer = std::make_unique<char[]>(length);
  char* out = buffer.get();
  if (!header.empty()) {
    out = std::copy(header.begin(), header.end(), out);
    *out++ = '\n';
  }
  std::copy(rest.begin(), rest.end(), out);
  const std::string_view text(buffer.get(), length);

  CsvParser parser(text, 1);
  costwise::ingest::CsvRecord record;
  if (parser.Next(record) != CsvParser::Status::kRecord) {
    COSTWISE_FUZZ_CHECK(header.empty());
    return 0;
  }
  auto recognised = costwise::ingest::RowMapper::ForHeader(record.fields, "fuzz.csv");
  if (!header.empty()) {
    COSTWISE_FUZZ_CHECK(recognised.has_value());
    COSTWISE_FUZZ_CHECK(recognised->format_name() == costwise::fuzz::FormatFor(mode));
  }
  if (!recognised) {
    COSTWISE_FUZZ_CHECK(!recognised.error().message.empty());
    return 0;
  }
  COSTWISE_FUZZ_CHECK(recognised->column_count() == record.fields.size());
  // The ingest maps with per-thread copies of the mapper built from the header.
  costwise::ingest::RowMapper mapper = *recognised;

  costwise::ingest::DailyCube cube;
  const std::unique_ptr<costwise::ingest::CubeAccumulator> accumulator = cube.NewAccumulator();
  costwise::ingest::LineItem item;
  std::string reason;
  std::int64_t mapped = 0;
  while (true) {
    const CsvParser::Status status = parser.Next(record);
    if (status == CsvParser::Status::kEnd) break;
    if (status == CsvParser::Status::kMalformed) continue;
    reason.clear();
    if (!mapper.Map(record, item, reason)) {
      COSTWISE_FUZZ_CHECK(!reason.empty());
      continue;
    }
    COSTWISE_FUZZ_CHECK(item.tags.empty() || item.tags.back() == costwise::ingest::kTagSeparator);
    accumulator->Add(item);  // copies every view of the item
    ++mapped;
  }
  accumulator->Flush();
  COSTWISE_FUZZ_CHECK(cube.line_items() == mapped);
  const std::vector<costwise::CubeRow> rows = cube.Rows();
  COSTWISE_FUZZ_CHECK(rows.size() == cube.cell_count());
  std::int64_t line_items = 0;
  costwise::Money billed;
  costwise::Money effective;
  for (const costwise::CubeRow& row : rows) {
    line_items += row.line_items;
    billed += row.billed_cost;
    effective += row.effective_cost;
  }
  COSTWISE_FUZZ_CHECK(line_items == mapped);
  COSTWISE_FUZZ_CHECK(billed == cube.billed_total());
  COSTWISE_FUZZ_CHECK(effective == cube.effective_total());
  const std::vector<costwise::Date> periods = cube.BillingPeriods();
  COSTWISE_FUZZ_CHECK(std::is_sorted(periods.begin(), periods.end()));
  COSTWISE_FUZZ_CHECK(rows.empty() || !cube.Scopes().empty());
  return 0;
}
