#pragma once
// Anomaly detection on one time series (a cost monitor, a CloudWatch metric), online: the result
// for a point depends only on that point and the points before it, so the same code serves a
// backfill and a real-time alert, and appending data never changes an earlier answer.
//
// How a point is scored:
//  1. A robust seasonal-trend baseline predicts it from the past: level = median of recent
//     deseasonalised values plus a damped robust slope; seasonality = per-phase medians of past
//     cycles (daily and weekly for sub-daily data, weekly for daily data), each used only while a
//     leave-one-out test shows it explains the data. A sustained move to a new level is a level
//     shift: the baseline re-anchors, so the shift is reported once and then becomes the norm.
//  2. The residual gets a robust z-score: against the median absolute deviation of recent
//     residuals and against the 99th percentile of a longer span (heavy tails are normal for some
//     series).
//  3. Routine deviations are discounted: a residual counts in full only when it is twice the
//     largest one seen at the same time of day (day of week, for daily data) in the last seven
//     cycles, so a nightly batch job is not an anomaly every night.
//  4. An isolation forest over each point's context (residual, change from the recent level,
//     recent volatility against the usual, long-run position, phase in the day and week, trend),
//     refitted on the past as the series grows, scales the deviation up in contexts it finds
//     isolated and down in routine ones.
//  5. The score is the deviation's rank among the series' own deviations of the last five weeks
//     (a conformal calibration, so scores mean the same on every series), records ranked by their
//     margin; a point no more surprising than one in the previous 12 hours is damped, since it
//     brings no news.
// A point is an anomaly (an alarm) when its score is in the top 0.5% of the series' recent past
// (a record, on short histories) and its robust z-score is at least half the z threshold; an
// excursion alarms once, its later points are `ongoing`. Sub-daily data also alarms when the
// metric repeats one value for longer than it ever has (and over an hour): a stuck metric.
#include <cstdint>
#include <deque>
#include <iosfwd>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "core/error.h"

namespace costwise::anomaly {

struct SeriesDetectorOptions {
  // Robust z-score at which the statistical score reaches 0.5; an anomaly needs half of it.
  double z_threshold = 4.5;
  // How strongly the forest scales deviations: by exp(weight * (forest score - 0.5)).
  // 0 = statistical detector only.
  double forest_weight = 1.0;
  // Points of history needed before any point is scored (earlier points score 0).
  int warmup_points = 0;  // 0 = automatic: two seasonal cycles for daily data, one day otherwise
  std::uint64_t seed = 1;
};

// The detector's answer for one point.
struct SeriesPoint {
  double expected = 0;  // the baseline's prediction before seeing the point
  double lower = 0;     // the band outside which a point is anomalous on its own
  double upper = 0;
  double z = 0;                  // robust z-score of the residual (signed)
  double score = 0;              // calibrated ensemble score in [0, 1]
  double statistical_score = 0;  // from the z-score alone: 0.5 at the z threshold
  double forest_score = 0;       // the forest's view of the context, 0 = routine, 1 = isolated
  bool is_anomaly = false;       // an alarm: the first anomalous point of an excursion
  bool ongoing = false;      // a later point of an excursion that already alarmed, still outside
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
  StreamingDetector(const StreamingDetector& other);
  StreamingDetector& operator=(const StreamingDetector& other);
  StreamingDetector(StreamingDetector&&) noexcept;
  StreamingDetector& operator=(StreamingDetector&&) noexcept;

  // Scores the next point, then learns from it. Timestamps must not decrease.
  SeriesPoint Push(std::int64_t timestamp, double value);

  // The whole state, so that a detector saved after point N and loaded later gives points N+1..
  // exactly (bit for bit) what an uninterrupted detector would. Binary, little-endian, each value
  // as its bytes (doubles exactly): the magic "CWSTREAM", a format version (1), then
  //  - options (z threshold, forest weight, warm-up points, seed), cadence, configured flag, and
  //    the points held until the cadence is known (a count, then time/value pairs);
  //  - warm-up, level points, level-shift points;
  //  - the daily then the weekly season: period, cycle and offset seconds, smoothing, useful
  //    flag, one window per phase, then the window of the last cycle's values;
  //  - which seasons the last baseline used; the adjusted, slope, residual, tail and value
  //    windows; the tail quantile's level and value; the resolution;
  //  - the previous value (a presence flag, then the value) and its time, the stuck-run and
  //    same-side-run trackers, the excursion, the point count;
  //  - the routine cycle and half width; deviations, calibration (in time order, then sorted)
  //    and recent surprises, each a count then its entries;
  //  - the forest's feature rows (a count, then 7 values a row), a presence flag then the forest
  //    in IsolationForest's own format, the rows since the last fit and the number of fits.
  // A window is its capacity, its count, then its values. Sizes and counts are uint64, flags one
  // byte, other integers int32 or int64 as in the detector.
  void Save(std::ostream& out) const;
  // InvalidInput when the data is not such a state, is of another format version, is truncated
  // or holds sizes out of range; the message names the part that is wrong.
  [[nodiscard]] static Result<StreamingDetector> Load(std::istream& in);

 private:
  struct State;
  void Configure(SeriesCadence cadence);
  SeriesPoint Learn(std::int64_t timestamp, double value);
  // |residual|, discounted when the same time of day (or week) often deviates as much.
  [[nodiscard]] double RoutineAdjusted(std::int64_t timestamp, double deviation) const;
  // The rank of a deviation among the past ones, in [0, 1); records rank by their margin.
  [[nodiscard]] double Surprise(double deviation) const;
  // The surprise, damped when a recent point was at least as surprising.
  double Damped(std::int64_t timestamp, double surprise);
  void Calibrate(std::int64_t timestamp, double deviation);

  std::unique_ptr<State> state_;
};

// Runs the streaming detector over a whole series. InvalidInput for mismatched lengths,
// decreasing timestamps or values that are not finite.
[[nodiscard]] Result<std::vector<SeriesPoint>> DetectSeriesAnomalies(
    std::span<const std::int64_t> timestamps, std::span<const double> values,
    const SeriesDetectorOptions& options = {});

}  // namespace costwise::anomaly
