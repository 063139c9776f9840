#include "engines/rightsizing/performance.h"

#include <cstdlib>
#include <limits>

namespace costwise::rightsizing {
namespace {

// Burstable families are numbered apart from the processors they run on: a t3 is a Skylake /
// Cascade Lake Intel like an m5, a t3a an EPYC like an m5a, a t4g a Graviton2 like an m6g, a t2
// a Haswell / Broadwell like an m4.
int ProcessorGeneration(const InstanceType& type) {
  if (type.family == "t2") return 4;
  if (type.family == "t3" || type.family == "t3a") return 5;
  if (type.family == "t4g") return 6;
  return type.generation;
}

}  // namespace

PerformanceTable PerformanceTable::Default() {
  PerformanceTable table;
  // Intel: Sandy/Ivy Bridge (3), Haswell/Broadwell (4), Skylake/Cascade Lake (5), Ice Lake (6),
  // Sapphire Rapids (7), Granite Rapids (8).
  table.Set("intel", 3, 0.75);
  table.Set("intel", 4, 0.85);
  table.Set("intel", 5, 1.0);
  table.Set("intel", 6, 1.15);
  table.Set("intel", 7, 1.3);
  table.Set("intel", 8, 1.45);
  // AMD: Naples/Rome (5, m5a), Milan (6), Genoa with one core per vCPU (7), Turin (8).
  table.Set("amd", 5, 0.9);
  table.Set("amd", 6, 1.05);
  table.Set("amd", 7, 1.55);
  table.Set("amd", 8, 1.75);
  // AWS Graviton, one core per vCPU: Graviton (1, a1), Graviton2 (6), Graviton3 (7),
  // Graviton4 (8).
  table.Set("aws", 1, 0.6);
  table.Set("aws", 6, 1.0);
  table.Set("aws", 7, 1.25);
  table.Set("aws", 8, 1.5);
  return table;
}

void PerformanceTable::Set(std::string_view manufacturer, int generation, double factor) {
  auto found = factors_.find(manufacturer);
  if (found == factors_.end())
    found = factors_.emplace(std::string(manufacturer), std::map<int, double>{}).first;
  found->second[generation] = factor;
}

double PerformanceTable::Relative(const InstanceType& type) const {
  const auto found = factors_.find(type.cpu_manufacturer);
  if (found == factors_.end() || found->second.empty()) return 1.0;
  const int generation_of_type = ProcessorGeneration(type);
  const auto exact = found->second.find(generation_of_type);
  if (exact != found->second.end()) return exact->second;
  double best = 1.0;
  int distance = std::numeric_limits<int>::max();
  for (const auto& [generation, factor] : found->second) {
    const int gap = std::abs(generation - generation_of_type);
    if (gap < distance) {  // ties go to the older generation: the conservative estimate
      distance = gap;
      best = factor;
    }
  }
  return best;
}

}  // namespace costwise::rightsizing
