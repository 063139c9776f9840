// costwise_gen_billing: writes a large, realistic, seeded billing file (legacy CUR, CUR 2.0 or
// FOCUS 1.0 CSV, plain or gzip) for the ingest benchmark, and prints one JSON line of statistics.
//
//   costwise_gen_billing --format cur-legacy|cur2|focus --rows N --seed S [--gzip]
//                        [--gzip-level L] [--month YYYY-MM] --output PATH
//
// The same arguments always produce the same bytes. See bench/README.md for what the files hold.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "billing/csv_text.h"
#include "billing/fleet.h"
#include "billing/generator.h"
#include "billing/line_item.h"
#include "billing/output_sink.h"
#include "billing/row_writer.h"

namespace {

constexpr int kDefaultGzipLevel = 1;  // 6 is 21% smaller and 2.3 times slower to write
constexpr std::string_view kUsage =
    "usage: costwise_gen_billing --format cur-legacy|cur2|focus --rows N --seed S [--gzip]\n"
    "                            [--gzip-level 1-9 (default 1)] [--month YYYY-MM] --output PATH\n";

struct Arguments {
  std::string format;
  std::int64_t rows = -1;
  std::uint64_t seed = 1;
  bool gzip = false;
  int gzip_level = kDefaultGzipLevel;
  int year = 2024;
  int month = 9;
  std::string output;
};

// A 10-decimal amount as exact text, e.g. "521313.5090459415".
std::string Decimal(std::int64_t value) {
  char buffer[64];
  char* end = costwise::bench::PutFixedDecimals(buffer, value, 10);
  return std::string(buffer, end);
}

[[noreturn]] void Fail(std::string_view message) {
  std::fprintf(stderr, "costwise_gen_billing: %.*s\n%.*s", static_cast<int>(message.size()),
               message.data(), static_cast<int>(kUsage.size()), kUsage.data());
  std::exit(2);
}

std::int64_t ParseInteger(std::string_view name, const char* text) {
  char* end = nullptr;
  const long long value = std::strtoll(text, &end, 10);
  if (end == text || *end != '\0' || value < 0)
    Fail(fmt::format("{} needs a non-negative integer", name));
  return value;
}

Arguments Parse(int argc, char** argv) {
  Arguments args;
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    const auto value = [&]() -> const char* {
      if (i + 1 >= argc) Fail(fmt::format("{} needs a value", flag));
      return argv[++i];
    };
    if (flag == "--format") {
      args.format = value();
    } else if (flag == "--rows") {
      args.rows = ParseInteger(flag, value());
    } else if (flag == "--seed") {
      args.seed = static_cast<std::uint64_t>(ParseInteger(flag, value()));
    } else if (flag == "--gzip") {
      args.gzip = true;
    } else if (flag == "--gzip-level") {
      args.gzip_level = static_cast<int>(ParseInteger(flag, value()));
      if (args.gzip_level < 1 || args.gzip_level > 9) Fail("--gzip-level must be 1 to 9");
    } else if (flag == "--month") {
      const std::string text = value();
      if (std::sscanf(text.c_str(), "%4d-%2d", &args.year, &args.month) != 2 || args.month < 1 ||
          args.month > 12) {
        Fail("--month needs YYYY-MM");
      }
    } else if (flag == "--output") {
      args.output = value();
    } else if (flag == "--help" || flag == "-h") {
      std::fputs(kUsage.data(), stdout);
      std::exit(0);
    } else {
      Fail(fmt::format("unknown argument {}", flag));
    }
  }
  if (args.format != "cur-legacy" && args.format != "cur2" && args.format != "focus") {
    Fail("--format must be cur-legacy, cur2 or focus");
  }
  if (args.rows < 1000) Fail("--rows must be at least 1000");
  if (args.output.empty()) Fail("--output is required");
  return args;
}

}  // namespace

int main(int argc, char** argv) {
  using costwise::bench::LineType;
  const Arguments args = Parse(argc, argv);
  try {
    const auto started = std::chrono::steady_clock::now();
    const costwise::bench::Fleet fleet = costwise::bench::BuildFleet(
        {.rows = args.rows, .seed = args.seed, .year = args.year, .month = args.month});
    const auto built = std::chrono::steady_clock::now();
    const auto writer = costwise::bench::MakeRowWriter(args.format, fleet);
    costwise::bench::OutputSink sink(args.output, args.gzip, args.gzip_level);
    const costwise::bench::GenerateStats stats = costwise::bench::Generate(fleet, *writer, sink);
    sink.Finish();
    const auto done = std::chrono::steady_clock::now();
    const double seconds = std::chrono::duration<double>(done - started).count();
    const auto by_type = [&](LineType type) {
      return stats.rows_by_type[static_cast<std::size_t>(type)];
    };
    fmt::print(
        "{{\"format\":\"{}\",\"rows\":{},\"seed\":{},\"month\":\"{:04}-{:02}\",\"gzip\":{},\"gzip_"
        "level\":{},"
        "\"output\":\"{}\",\"csv_bytes\":{},\"file_bytes\":{},\"seconds\":{:.3f},\"fleet_seconds\":"
        "{:.3f},"
        "\"rows_per_second\":{:.0f},"
        "\"cardinality\":{{\"payer_accounts\":{},\"usage_accounts\":{},\"services\":{},\"regions\":"
        "{},"
        "\"usage_types\":{},\"resource_ids\":{},\"tag_sets\":{}}},"
        "\"line_types\":{{\"Usage\":{},\"DiscountedUsage\":{},\"SavingsPlanCoveredUsage\":{},"
        "\"SavingsPlanNegation\":{},\"SavingsPlanRecurringFee\":{},\"RIFee\":{},\"Fee\":{},\"Tax\":"
        "{},"
        "\"Credit\":{}}},\"description_newlines\":{},\"billed_total\":\"{}\",\"effective_total\":"
        "\"{}\"}}\n",
        args.format, stats.rows, args.seed, args.year, args.month, args.gzip,
        args.gzip ? args.gzip_level : 0, args.output, sink.raw_bytes(), sink.file_bytes(), seconds,
        std::chrono::duration<double>(built - started).count(),
        static_cast<double>(stats.rows) / seconds, stats.payers, stats.accounts, stats.services,
        stats.regions, stats.usage_types, stats.resource_ids, stats.tag_sets,
        by_type(LineType::kUsage), by_type(LineType::kDiscountedUsage),
        by_type(LineType::kSavingsPlanCoveredUsage), by_type(LineType::kSavingsPlanNegation),
        by_type(LineType::kSavingsPlanRecurringFee), by_type(LineType::kRiFee),
        by_type(LineType::kFee), by_type(LineType::kTax), by_type(LineType::kCredit),
        stats.description_newlines, Decimal(stats.billed_total), Decimal(stats.effective_total));
  } catch (const std::exception& error) {
    std::fprintf(stderr, "costwise_gen_billing: %s\n", error.what());
    return 1;
  }
  return 0;
}
