#pragma once
// Anomaly detection on one time series (a cost monitor, a CloudWatch metric), online: the result
// for a point depends only on that point and the points before it, so the same code serves a
// backfill and a real-time alert, and appending data never changes an earlier answer.
//
// Two detectors are combined:
//  - a statistical one: a robust seasonal-trend baseline (level = median of recent deseasonalised
//    values plus a robust slope; seasonality = per-phase medians of past cycles, daily and weekly
//    for sub-daily data, weekly for daily data, used only when it explains the data), and a robust
//    z-score of the residual against the median absolute deviation of recent residuals. A
//    sustained move to a new level is recognised as a level shift: the baseline re-anchors so the
//    shift is reported once, not for as long as the old level is remembered;
//  - an isolation forest over each point's context (residual, change from the recent level,
//    recent volatility against the usual, phase in the day and the week), refitted on the past as
//    the series grows, which learns which contexts are routine for this series.
// The ensemble score is in [0, 1]; a point is an anomaly when the score reaches 0.5.
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "core/error.h"

namespace costwise::anomaly {

struct SeriesDetectorOptions {
  // Robust z-score at which the statistical score reaches 0.5 (the decision point).
  double z_threshold = 4.5;
  // The forest's weight in the ensemble, in [0, 1]; 0 = statistical detector only.
  double forest_weight = 0.4;
  // Points of history needed before any point is scored (earlier points score 0).
  int warmup_points = 0;  // 0 = automatic: two seasonal cycles for daily data, one day otherwise
  std::uint64_t seed = 1;
};

// The detector's answer for one point.
struct SeriesPoint {
  double expected = 0;  // the baseline's prediction before seeing the point
  double lower = 0;     // the band outside which a point is anomalous on its own
  double upper = 0;
  double z = 0;      // robust z-score of the residual (signed)
  double score = 0;  // ensemble anomaly score in [0, 1]
  bool is_anomaly = false;
  bool level_shift = false;  // the baseline re-anchored at this point
};

// The sampling step and seasonal periods inferred from timestamps (seconds since the epoch).
struct SeriesCadence {
  std::int64_t step_seconds = 0;
  int daily_period = 0;   // points per day (sub-daily data), else 0
  int weekly_period = 0;  // points per week, 0 when the step does not divide a week
};
[[nodiscard]] SeriesCadence InferCadence(std::span<const std::int64_t> timestamps);

class StreamingDetector final {
 public:
  // The cadence is inferred from the first points (all within the warm-up).
  explicit StreamingDetector(SeriesDetectorOptions options = {});
  StreamingDetector(SeriesCadence cadence, SeriesDetectorOptions options);
  ~StreamingDetector();
  StreamingDetector(StreamingDetector&&) noexcept;
  StreamingDetector& operator=(StreamingDetector&&) noexcept;

  // Scores the next point, then learns from it. Timestamps must not decrease.
  SeriesPoint Push(std::int64_t timestamp, double value);

 private:
  struct State;
  void Configure(SeriesCadence cadence);
  SeriesPoint Learn(std::int64_t timestamp, double value);

  std::unique_ptr<State> state_;
};

// Runs the streaming detector over a whole series. InvalidInput for mismatched lengths,
// decreasing timestamps or values that are not finite.
[[nodiscard]] Result<std::vector<SeriesPoint>> DetectSeriesAnomalies(
    std::span<const std::int64_t> timestamps, std::span<const double> values,
    const SeriesDetectorOptions& options = {});

}  // namespace costwise::anomaly
