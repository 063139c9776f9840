#include "cli/inventory_commands.h"

#include <optional>

#include <fmt/format.h>

#include "cli/output.h"
#include "service/rightsizing_tenant.h"
#include "store/repository.h"

namespace costwise::cli {
namespace {

std::string_view KindText(ingest::InventoryKind kind) {
  switch (kind) {
    case ingest::InventoryKind::kInstances:
      return "instances";
    case ingest::InventoryKind::kVolumes:
      return "volumes";
    case ingest::InventoryKind::kAddresses:
      return "addresses";
  }
  return "unknown";
}

// "instances 5 (2 added, 1 changed, 2 unchanged, 0 removed)", or "" for a kind not imported.
std::string ChangesText(std::string_view kind, const std::optional<store::InventoryChanges>& c) {
  if (!c) return "";
  return fmt::format("{} {} ({} added, {} changed, {} unchanged, {} removed)", kind,
                     c->added + c->changed + c->unchanged, c->added, c->changed, c->unchanged,
                     c->removed);
}

}  // namespace

InventoryCommands::InventoryCommands(CLI::App& app) {
  CLI::App* inventory = app.add_subcommand(
      "inventory", "a tenant's EC2 inventory in the store (instances, volumes, addresses)");
  inventory->require_subcommand(1);
  inventory_import_ = inventory->add_subcommand(
      "import",
      "replace the tenant's instances, volumes or addresses with those of the files (the kind of "
      "each file from its header; files of one kind add up), in one transaction");
  inventory_import_->add_option("--tenant", tenant_, "tenant (organisation) name")->required();
  inventory_import_
      ->add_option("files", files_,
                   "CSV files as `costwise rightsize` reads them: instances "
                   "(instance_id,instance_type,region,...), volumes (volume_id,volume_type,"
                   "size_gib,...) or addresses (allocation_id,public_ip,region,association_id,...)")
      ->required()
      ->check(CLI::ExistingFile);

  CLI::App* metrics = app.add_subcommand("metrics", "a tenant's CloudWatch metrics in the store");
  metrics->require_subcommand(1);
  metrics_import_ = metrics->add_subcommand(
      "import",
      "store the samples of a metrics file (a sample already stored takes the file's value), in "
      "one transaction");
  metrics_import_->add_option("--tenant", tenant_, "tenant (organisation) name")->required();
  metrics_import_
      ->add_option("file", metrics_file_,
                   "CSV instance_id,timestamp,metric,value (CPUUtilization, mem_used_percent, "
                   "NetworkIn, NetworkOut)")
      ->required()
      ->check(CLI::ExistingFile);
}

bool InventoryCommands::Parsed() const {
  return inventory_import_->parsed() || metrics_import_->parsed();
}

int InventoryCommands::Run(const std::string& database) const {
  return inventory_import_->parsed() ? RunInventory(database) : RunMetrics(database);
}

int InventoryCommands::RunInventory(const std::string& database) const {
  auto repository = store::OpenRepository(database);
  if (!repository) return Fail(repository.error());
  auto summary = service::ImportInventory(**repository, tenant_, files_);
  if (!summary) return Fail(summary.error());
  for (const service::ImportedInventoryFile& file : summary->files) {
    fmt::print("{}: {}, {} rows\n", file.path, KindText(file.kind), file.rows);
  }
  std::string changes;
  for (const std::string& part : {ChangesText("instances", summary->changes.instances),
                                  ChangesText("volumes", summary->changes.volumes),
                                  ChangesText("addresses", summary->changes.addresses)}) {
    if (part.empty()) continue;
    if (!changes.empty()) changes += "; ";
    changes += part;
  }
  fmt::print("imported the inventory of tenant '{}': {}\n", tenant_, changes);
  return 0;
}

int InventoryCommands::RunMetrics(const std::string& database) const {
  auto repository = store::OpenRepository(database);
  if (!repository) return Fail(repository.error());
  auto summary = service::ImportMetrics(**repository, tenant_, metrics_file_);
  if (!summary) return Fail(summary.error());
  const store::MetricUpsertSummary& s = summary->samples;
  fmt::print(
      "imported {} samples of {} instances from {} for tenant '{}': {} new, {} updated, {} "
      "unchanged\n",
      s.samples, summary->instances, summary->path, tenant_, s.added, s.updated,
      s.samples - s.added - s.updated);
  return 0;
}

}  // namespace costwise::cli
