#pragma once
// The EC2 instance catalog right-sizing uses: the snapshot compiled into the binary
// (data/ec2-catalog/, prices of 2026-07-20, see its SOURCE.md) or a file with the same columns.
#include <string>

#include "core/error.h"
#include "engines/rightsizing/catalog.h"
#include "engines/rightsizing/performance.h"
#include "ingest/aws/pricing.h"

namespace costwise::service {

// Where the built-in catalog comes from and how old its prices are, for reports.
inline constexpr std::string_view kBuiltInCatalogSource =
    "built-in EC2 catalog (Karpenter AWS provider snapshot, on-demand Linux prices of 2026-07-20)";

[[nodiscard]] Result<rightsizing::InstanceCatalog> BuiltInInstanceCatalog();

// A CSV with the header of data/ec2-catalog/ec2_instances_ondemand_linux.csv (instance_type,
// vcpu, memory_gib, region and price_per_hour_ondemand_linux_usd are required; family, arch,
// gpu_count, gpu_name, gpu_memory_gib, accelerator_count, cpu_manufacturer, generation,
// network_bandwidth_mbps and local_nvme_gib are read when present). InvalidInput "path:line:
// reason" for a missing column or a bad value; NotFound for a missing file.
[[nodiscard]] Result<rightsizing::InstanceCatalog> ReadInstanceCatalog(const std::string& path);

// The catalog with the Price List API's prices set over it (docs/aws.md): a type the base knows
// keeps its shape and takes the new price; a type it does not know gets the shape the price list
// gives (vCPUs, memory, architecture, GPUs; the maker from the processor). Regions and types the
// prices do not cover keep the base's prices.
[[nodiscard]] Result<rightsizing::InstanceCatalog> WithPrices(
    const rightsizing::InstanceCatalog& base, const std::vector<aws::Ec2Price>& prices);

// Writes the catalog as the CSV ReadInstanceCatalog reads (every column), through a temporary
// file renamed over `path`, so a reader never sees half a file.
[[nodiscard]] Status WriteInstanceCatalog(const rightsizing::InstanceCatalog& catalog,
                                          const std::string& path);

// The relative per-vCPU performance table: the built-in estimates with a CSV's rows set over
// them (header cpu_manufacturer,generation,factor; e.g. "aws,7,1.4" from one's own benchmark).
// InvalidInput "path:line: reason" for a missing column, an empty manufacturer, a generation
// that is not a whole number or a factor that is not a positive number; NotFound for a missing
// file.
[[nodiscard]] Result<rightsizing::PerformanceTable> ReadPerformanceTable(const std::string& path);

}  // namespace costwise::service
