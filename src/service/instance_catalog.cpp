#include "service/instance_catalog.h"

#include <cmath>
#include <optional>
#include <vector>

#include <fmt/format.h>

#include "core/money.h"
#include "ingest/csv_file.h"

namespace costwise::service {

extern const std::string_view kBuiltInCatalogCsv;

namespace {

using Visitor = std::function<Status(const ingest::CsvRecord&)>;
using Reader = std::function<Status(const Visitor&)>;

Result<rightsizing::InstanceCatalog> ParseCatalog(std::string_view name, const Reader& read) {
  std::optional<ingest::CsvHeader> header;
  std::vector<rightsizing::CatalogRow> rows;
  const Status status = read([&](const ingest::CsvRecord& record) -> Status {
    const auto fail = [&](const std::string& reason) {
      return MakeError(ErrorCode::kInvalidInput,
                       fmt::format("{}:{}: {}", name, record.line, reason));
    };
    if (!header) {
      header.emplace(record);
      return header->Require(
          {"instance_type", "vcpu", "memory_gib", "region", "price_per_hour_ondemand_linux_usd"},
          name);
    }
    if (ingest::IsBlankRecord(record)) return {};
    const auto text = [&](std::string_view column) { return header->Field(record, column); };
    // An optional number: empty means absent (0).
    std::optional<std::string> bad;
    const auto number = [&](std::string_view column) -> double {
      const std::string_view value = text(column);
      if (value.empty()) return 0;
      const std::optional<double> parsed = ParseDouble(value);
      if (!parsed || !std::isfinite(*parsed)) {
        if (!bad) bad = fmt::format("{} is not a number: '{}'", column, value.substr(0, 40));
        return 0;
      }
      return *parsed;
    };
    rightsizing::CatalogRow row;
    row.type.name = std::string(text("instance_type"));
    row.type.family = std::string(text("family"));
    row.type.vcpu = static_cast<int>(number("vcpu"));
    row.type.memory_gib = number("memory_gib");
    row.type.architecture = text("arch") == "arm64" ? rightsizing::Architecture::kArm64
                                                    : rightsizing::Architecture::kX86_64;
    row.type.cpu_manufacturer = std::string(text("cpu_manufacturer"));
    row.type.gpus = static_cast<int>(number("gpu_count"));
    row.type.gpu_name = std::string(text("gpu_name"));
    row.type.gpu_memory_gib = number("gpu_memory_gib");
    row.type.accelerators = static_cast<int>(number("accelerator_count"));
    row.type.generation = static_cast<int>(number("generation"));
    row.type.network_mbps = number("network_bandwidth_mbps");
    row.type.local_nvme_gib = number("local_nvme_gib");
    row.region = std::string(text("region"));
    if (text("price_per_hour_ondemand_linux_usd").empty()) return fail("no price");
    row.hourly_usd = number("price_per_hour_ondemand_linux_usd");
    if (bad) return fail(*bad);
    rows.push_back(std::move(row));
    return {};
  });
  if (!status) return unexpected(status.error());
  if (rows.empty()) {
    return MakeError(ErrorCode::kInvalidInput, fmt::format("{}: no instance types", name));
  }
  auto catalog = rightsizing::InstanceCatalog::Create(rows);
  if (!catalog) {
    return MakeError(ErrorCode::kInvalidInput,
                     fmt::format("{}: {}", name, catalog.error().message));
  }
  return catalog;
}

}  // namespace

Result<rightsizing::InstanceCatalog> BuiltInInstanceCatalog() {
  return ParseCatalog("built-in catalog", [](const Visitor& visit) {
    return ingest::ForEachCsvRecordInText(kBuiltInCatalogCsv, "built-in catalog", visit);
  });
}

Result<rightsizing::InstanceCatalog> ReadInstanceCatalog(const std::string& path) {
  return ParseCatalog(path,
                      [&](const Visitor& visit) { return ingest::ForEachCsvRecord(path, visit); });
}

Result<rightsizing::PerformanceTable> ReadPerformanceTable(const std::string& path) {
  rightsizing::PerformanceTable table = rightsizing::PerformanceTable::Default();
  std::optional<ingest::CsvHeader> header;
  const Status status = ingest::ForEachCsvRecord(path, [&](const ingest::CsvRecord& record) {
    if (!header) {
      header.emplace(record);
      return header->Require({"cpu_manufacturer", "generation", "factor"}, path);
    }
    if (ingest::IsBlankRecord(record)) return Status{};
    const std::string_view maker = header->Field(record, "cpu_manufacturer");
    const std::string_view generation_text = header->Field(record, "generation");
    const std::string_view factor_text = header->Field(record, "factor");
    const std::optional<double> generation = ParseDouble(generation_text);
    const std::optional<double> factor = ParseDouble(factor_text);
    std::string reason;
    if (maker.empty()) {
      reason = "cpu_manufacturer is empty";
    } else if (!generation || *generation != std::floor(*generation) || *generation < 0 ||
               *generation > 100) {
      reason = fmt::format("generation is not a whole number: '{}'", generation_text.substr(0, 40));
    } else if (!factor || !std::isfinite(*factor) || *factor <= 0) {
      reason = fmt::format("factor is not a positive number: '{}'", factor_text.substr(0, 40));
    }
    if (!reason.empty()) {
      return Status(
          MakeError(ErrorCode::kInvalidInput, fmt::format("{}:{}: {}", path, record.line, reason)));
    }
    table.Set(maker, static_cast<int>(*generation), *factor);
    return Status{};
  });
  if (!status) return unexpected(status.error());
  if (!header) {
    return MakeError(ErrorCode::kInvalidInput, fmt::format("{}: the file is empty", path));
  }
  return table;
}

}  // namespace costwise::service
