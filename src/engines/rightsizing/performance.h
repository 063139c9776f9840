#pragma once
// Relative per-vCPU performance across CPU manufacturers and generations, so that "2 vCPUs of an
// m5 at 60%" can be placed on an m7g or an m6a. 1.0 is a vCPU of Intel's fifth-generation
// instances (m5, c5, r5: Skylake / Cascade Lake). The defaults are estimates from AWS's published
// generation-over-generation claims (m6i about 15% over m5, m7i about 15% over m6i, Graviton3
// about 25% over Graviton2, m7a about 50% over m6a, whose vCPUs are whole cores) and are meant to
// be replaced with measurements of one's own workload: every entry is configurable.
#include <map>
#include <string>
#include <string_view>

#include "engines/rightsizing/catalog.h"

namespace costwise::rightsizing {

class PerformanceTable final {
 public:
  // The built-in estimates (docs/rightsizing.md lists them).
  [[nodiscard]] static PerformanceTable Default();

  // Sets the factor for a manufacturer ("intel", "amd", "aws") and generation.
  void Set(std::string_view manufacturer, int generation, double factor);
  // The type's factor: its manufacturer and generation, else the nearest generation of that
  // manufacturer, else 1.
  [[nodiscard]] double Relative(const InstanceType& type) const;
  // vCPUs times the factor: the type's capacity in baseline vCPUs.
  [[nodiscard]] double Capacity(const InstanceType& type) const {
    return type.vcpu * Relative(type);
  }

 private:
  std::map<std::string, std::map<int, double>, std::less<>> factors_;
};

}  // namespace costwise::rightsizing
