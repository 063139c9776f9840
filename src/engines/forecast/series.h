#pragma once
// What every forecasting model takes in and hands back. A model sees a regular series: one value
// per step from a start time, NaN where a point is missing, with optional per-point weights (0 =
// ignore the point, as for a known anomaly). A forecast is the mean path plus one interval per
// requested level.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/error.h"

namespace costwise::forecast {

// The spacing of a series: a fixed number of seconds (hourly, daily, weekly, ...) or a number of
// calendar months (monthly, quarterly, yearly data, whose steps differ in seconds).
struct Frequency {
  std::int64_t seconds = 0;  // > 0 for fixed steps
  int months = 0;            // > 0 for calendar steps
  bool month_end = false;    // calendar steps land on the last day of each month

  [[nodiscard]] bool IsDaily() const { return seconds == 86'400; }
  [[nodiscard]] bool IsSubDaily() const { return seconds > 0 && seconds < 86'400; }
  // "hourly", "daily", "5min", "monthly", "quarterly", "3600s", ...
  [[nodiscard]] std::string Name() const;
  friend bool operator==(const Frequency&, const Frequency&) = default;
};

// The frequency of strictly increasing timestamps (seconds since the epoch, UTC): calendar months
// when every timestamp has the first one's time of day and falls on its day of month (or on
// month ends), a whole number of months apart; otherwise the most common gap. InvalidInput with
// fewer than two points or timestamps that do not increase, naming the point.
[[nodiscard]] Result<Frequency> DetectFrequency(std::span<const std::int64_t> timestamps);

// The timestamp `steps` steps after `start` (calendar months keep the day of month, clamped to
// the month's length).
[[nodiscard]] std::int64_t StepForward(std::int64_t start, const Frequency& frequency,
                                       std::int64_t steps);

struct RegularSeries {
  std::int64_t start = 0;  // timestamp of values[0]
  Frequency frequency;
  std::vector<double> values;   // NaN = missing
  std::vector<double> weights;  // empty = all 1; otherwise one per value, >= 0

  [[nodiscard]] std::size_t size() const { return values.size(); }
  [[nodiscard]] std::int64_t TimeAt(std::int64_t index) const {
    return StepForward(start, frequency, index);
  }
  [[nodiscard]] double WeightAt(std::size_t index) const {
    return weights.empty() ? 1.0 : weights[index];
  }
  // Points with a value and a positive weight.
  [[nodiscard]] std::size_t CountObserved() const;
};

// Puts points on a regular grid of `frequency` from the first timestamp: gaps become NaN, as do
// NaN values. InvalidInput when timestamps do not increase, fall off the grid, or a value is
// infinite;
// the message names the point (1-based).
[[nodiscard]] Result<RegularSeries> Regularize(std::span<const std::int64_t> timestamps,
                                               std::span<const double> values,
                                               const Frequency& frequency);

// The seasonal periods (in steps) a frequency has: hourly -> {24, 168}, daily -> {7, 365.25},
// 15 minutes -> {96, 672}, weekly -> {52.18}, monthly -> {12}, quarterly -> {4}; none otherwise.
[[nodiscard]] std::vector<double> SeasonalPeriods(const Frequency& frequency);

// One prediction interval: `level` percent of future values should fall in [lower, upper].
struct Interval {
  double level = 0;
  std::vector<double> lower;
  std::vector<double> upper;
};

struct ForecastResult {
  std::vector<double> mean;         // one per horizon step
  std::vector<Interval> intervals;  // in the order the levels were requested
  std::string model;                // which model produced it, e.g. "ets(A,Ad,A)"
};

// The standard normal quantile: z with P(N(0,1) <= z) = p, for p in (0, 1).
[[nodiscard]] double NormalQuantile(double p);

// Levels such as {80, 95} checked: each in (0, 100). InvalidInput names the bad one.
[[nodiscard]] Status CheckLevels(std::span<const double> levels);

}  // namespace costwise::forecast
