#pragma once
// The sample workspace (docs/web.md, "Sample workspace"): a tenant filled from the public
// samples the project bundles in data/samples (see its SOURCE.md): the FOCUS 1.0 sample and an
// anonymized legacy CUR as billing data, six real Bitbrains VMs as EC2 instances with their
// 5-minute CPU, memory and network; then detection, a forecast and right-sizing run on them,
// so every page has something real to show.
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "core/error.h"
#include "service/anomaly_service.h"
#include "service/auth.h"
#include "service/ingest_service.h"
#include "service/model_store.h"
#include "store/repository.h"

namespace costwise::service {

// The bundled files, by name inside the samples folder.
inline constexpr std::string_view kSampleFocusFile = "focus_1.0_sample_1000.csv";
inline constexpr std::string_view kSampleCurFile = "legacy_cur_anonymized_2023-11.csv";
inline constexpr std::string_view kSampleInventoryFile = "vm-inventory.csv";
inline constexpr std::string_view kSampleMetricsFile = "vm-metrics.csv.gz";

struct SampleLoadOptions {
  std::filesystem::path samples_dir = "data/samples";
  ModelStore* models = nullptr;  // where detection keeps the detector's state; null = none
  std::int64_t now = 0;          // Unix seconds; 0 = the clock
};

struct SampleLoadSummary {
  std::string tenant;
  IngestSummary ingest;
  std::int64_t instances = 0;
  std::int64_t metric_samples = 0;
  AnomalyDetectionSummary detection;
  std::size_t forecast_series = 0;
  std::size_t recommendations = 0;
};

// Loads the samples into the tenant (created when missing) and runs detection, a 30-day
// forecast and right-sizing. Safe to run again: the ingest replaces the samples' billing
// periods and the imports keep what is there. NotFound naming the folder and the file when a
// sample file is missing; the steps' own errors otherwise (what is stored stays stored).
[[nodiscard]] Result<SampleLoadSummary> LoadSampleData(store::Repository& repository,
                                                       std::string_view tenant,
                                                       const SampleLoadOptions& options);

// The caller's sample workspace: the organisation "Sample data (<email>)" made for them, filled
// by LoadSampleData when it has no cost data yet, and a session in it (the current session is
// revoked, as when switching organisations). InvalidInput without a browser session (API tokens
// belong to one organisation).
struct SampleWorkspace {
  NewSession session;
  bool loaded = false;        // the samples were loaded now (false: the workspace had them already)
  SampleLoadSummary summary;  // when loaded
};
[[nodiscard]] Result<SampleWorkspace> OpenSampleWorkspace(store::Repository& repository,
                                                          const Principal& principal,
                                                          std::string_view session_token,
                                                          const SampleLoadOptions& options,
                                                          const AuthOptions& auth = {});

}  // namespace costwise::service
