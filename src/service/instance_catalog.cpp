#include "service/instance_catalog.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
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

Result<rightsizing::InstanceCatalog> WithPrices(const rightsizing::InstanceCatalog& base,
                                                const std::vector<aws::Ec2Price>& prices) {
  // (type, region) -> row, the base's first.
  std::map<std::pair<std::string, std::string>, rightsizing::CatalogRow> rows;
  for (const std::string& region : base.Regions()) {
    for (const rightsizing::InstanceType* type : base.TypesIn(region)) {
      rows[{type->name, region}] =
          rightsizing::CatalogRow{*type, region, *base.HourlyPrice(type->name, region)};
    }
  }
  for (const aws::Ec2Price& price : prices) {
    if (price.region_code.empty() || price.usd_per_hour <= 0) continue;
    rightsizing::CatalogRow row;
    if (const rightsizing::InstanceType* known = base.Find(price.instance_type)) {
      row.type = *known;
    } else {
      auto split = rightsizing::SplitTypeName(price.instance_type);
      if (!split || price.vcpu <= 0 || price.memory_gib <= 0) continue;
      row.type.name = price.instance_type;
      row.type.vcpu = price.vcpu;
      row.type.memory_gib = price.memory_gib;
      row.type.gpus = static_cast<int>(price.gpus);
      row.type.architecture = price.architecture == "arm64" ? rightsizing::Architecture::kArm64
                                                            : rightsizing::Architecture::kX86_64;
      const std::string& family = split->first;
      row.type.cpu_manufacturer = price.architecture == "arm64"              ? "aws"
                                  : family.find('a', 1) != std::string::npos ? "amd"
                                                                             : "intel";
    }
    row.region = price.region_code;
    row.hourly_usd = price.usd_per_hour;
    rows[{price.instance_type, price.region_code}] = std::move(row);
  }
  std::vector<rightsizing::CatalogRow> all;
  all.reserve(rows.size());
  for (auto& [key, row] : rows) all.push_back(std::move(row));
  return rightsizing::InstanceCatalog::Create(all);
}

Status WriteInstanceCatalog(const rightsizing::InstanceCatalog& catalog, const std::string& path) {
  std::string text =
      "instance_type,family,vcpu,memory_gib,arch,gpu_count,gpu_name,gpu_memory_gib,"
      "accelerator_count,cpu_manufacturer,generation,network_bandwidth_mbps,local_nvme_gib,"
      "region,price_per_hour_ondemand_linux_usd\n";
  for (const std::string& region : catalog.Regions()) {
    for (const rightsizing::InstanceType* type : catalog.TypesIn(region)) {
      text +=
          fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{},{:.6f}\n", type->name,
                      type->family, type->vcpu, type->memory_gib,
                      type->architecture == rightsizing::Architecture::kArm64 ? "arm64" : "x86_64",
                      type->gpus, type->gpu_name, type->gpu_memory_gib, type->accelerators,
                      type->cpu_manufacturer, type->generation, type->network_mbps,
                      type->local_nvme_gib, region, *catalog.HourlyPrice(type->name, region));
    }
  }
  const std::filesystem::path target(path);
  std::error_code error;
  if (target.has_parent_path()) std::filesystem::create_directories(target.parent_path(), error);
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out) {
      return MakeError(ErrorCode::kUnavailable, fmt::format("{}: cannot write", temporary));
    }
  }
  std::filesystem::rename(temporary, target, error);
  if (error) {
    return MakeError(ErrorCode::kUnavailable,
                     fmt::format("{}: cannot replace it: {}", path, error.message()));
  }
  return {};
}

}  // namespace costwise::service
