#pragma once
// The saved state of a tenant's cost-anomaly detector (docs/service.md, "Model artifacts"): per
// monitor, the daily spend the detector has seen since the window's first day, its answer for
// each of those days, and the streaming detector itself having learnt them. The next detection
// loads it and feeds each monitor only the days after it; since the detector is online, that
// gives exactly the answers a rescan from the same first day would.
#include <cstdint>
#include <istream>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "core/date.h"
#include "core/error.h"
#include "engines/anomaly/series_detector.h"

namespace costwise::service {

// One monitor's state.
struct MonitorState {
  std::string id;                            // the monitor's label and currency (MonitorId)
  std::vector<std::int64_t> actual;          // nanos per day, from the artifact's first day
  std::vector<anomaly::SeriesPoint> points;  // the detector's answer for each of those days
  anomaly::StreamingDetector detector;       // having learnt every one of them
};

struct DetectorArtifact {
  std::int64_t tenant_id = 0;
  std::int64_t model_id = 0;           // the ml_models row (one version of the detector)
  std::int64_t trained_at = 0;         // the row's trained_at at the run that wrote the state
  std::string params;                  // the row's params: the detector configuration
  std::int64_t cube_version = 0;       // the tenant's cube version read before the run loaded it
  Date first_day;                      // the window's first day: every monitor's day 0
  std::int32_t days = 0;               // days seen, ending at last_day()
  std::vector<MonitorState> monitors;  // by id, ascending

  [[nodiscard]] Date last_day() const { return first_day.AddDays(days - 1); }
  // The monitor's state; null when the artifact has none.
  [[nodiscard]] const MonitorState* Find(std::string_view id) const;
};

// Binary, little-endian: the magic "CWDETECT", a format version (1), the header fields above
// (tenant, model, trained_at, params, cube version, first day, days),
// the monitor count, then per monitor its id, its days' spend and answers (seven doubles and a
// flags byte per day) and the detector's own Save.
void SaveDetectorArtifact(const DetectorArtifact& artifact, std::ostream& out);
// InvalidInput naming what is wrong for a truncated, foreign or inconsistent file.
[[nodiscard]] Result<DetectorArtifact> LoadDetectorArtifact(std::istream& in);

}  // namespace costwise::service
