#include "engines/anomaly/series_detector.h"

#include <algorithm>
#include <cmath>
#include <istream>
#include <numbers>
#include <ostream>
#include <string>
#include <string_view>

#include <Eigen/Core>

#include "core/binary_io.h"
#include "engines/anomaly/isolation_forest.h"

namespace costwise::anomaly {
namespace {

constexpr std::int64_t kDay = 86'400;
constexpr std::int64_t kWeek = 7 * kDay;
constexpr std::int64_t kEpochToMonday = 3 * kDay;  // 1970-01-01 was a Thursday
constexpr double kMadToSigma = 1.4826;
constexpr int kCadenceSample = 1000;
// Without a given cadence, the detector infers it from this many first points.
constexpr int kCadenceProbe = 9;

// Seasonal estimates: how many past cycles each phase remembers.
constexpr int kSeasonCycles = 5;
// The reference level for seasonal deviations: the median of the last cycle, at most this long.
constexpr int kCycleLevelMax = 2016;
// A seasonal component is used only when it cuts the typical deviation by this factor.
constexpr double kSeasonGain = 0.9;

// The forest: feature rows kept, refit cadence, size.
constexpr int kForestFeatures = 7;
constexpr int kForestHistory = 2048;
constexpr int kForestMinRows = 128;
constexpr int kForestRefitEvery = 64;
constexpr int kForestTrees = 100;
constexpr int kForestSampleSize = 64;
// Forest scores between these map to 0..1 in the ensemble (about 0.5 is routine).
constexpr double kForestRoutine = 0.5;
constexpr double kForestIsolated = 0.75;
constexpr double kClip = 50;
// How fast the statistical score rises with the z-score around the threshold.
constexpr double kZSteepness = 3;
// Routine deviations: the same time of day (or day of week, for daily data) in the previous
// kRoutineCycles cycles, within kRoutineHalfWidthSeconds (sub-daily data); a deviation counts in
// full only when it is kRoutineFactor times the largest seen there.
constexpr int kRoutineCycles = 7;
constexpr std::int64_t kRoutineHalfWidthSeconds = 30 * 60;
constexpr double kRoutineFactor = 2;
// Calibration: a point's surprise is the rank of its deviation among the past ones of the last
// five weeks (recent behaviour is the norm: levels and volatility change), at most this many.
constexpr std::int64_t kCalibrationSeconds = 35 * kDay;
constexpr std::size_t kCalibrationPoints = 8064;
constexpr std::size_t kCalibrationMin = 20;
// A point that is no more surprising than one in the last kRepeatSeconds brings no news: its
// score is damped by kRepeatFactor.
constexpr std::int64_t kRepeatSeconds = 12 * 3600;
constexpr double kRepeatFactor = 0.3;
// The decision: a deviation in the top kDecisionTail of the series' own past ones.
constexpr double kDecisionTail = 0.005;
// The tail scale: this quantile of recent absolute residuals, over as many normal sigmas.
constexpr int kTailPoints = 2016;
constexpr double kTailQuantile = 0.99;
constexpr double kTailExcluded = 4;  // largest residuals never counted in the tail quantile
constexpr int kTailMinPoints = 20;
// A stuck metric (sub-daily data): the same value repeated for longer than any run of equal
// values before, and at least this long.
constexpr std::int64_t kStuckMinSeconds = 3600;

// The saved state: see StreamingDetector::Save.
constexpr std::string_view kMagic = "CWSTREAM";
constexpr std::uint32_t kFormatVersion = 1;
// Limits on what Load accepts: no count above kMaxCount; seasons of at most a week, with at most
// one point a second.
constexpr std::size_t kMaxCount = 50'000'000;
constexpr std::int64_t kMaxCycleSeconds = kWeek;
constexpr int kMaxPeriod = static_cast<int>(kWeek);

using binary::Read;
using binary::ReadCount;
using binary::Write;
using binary::WriteCount;

// Flags are one byte, 0 or 1 (reading any other byte into a bool would be undefined).
void WriteFlag(std::ostream& out, bool flag) { Write<std::uint8_t>(out, flag ? 1 : 0); }

[[nodiscard]] bool ReadFlag(std::istream& in, bool& flag) {
  std::uint8_t byte = 0;
  if (!Read(in, byte) || byte > 1) return false;
  flag = byte == 1;
  return true;
}

// The error for a part of a saved state that Load could not read: truncated when the stream ran
// out, otherwise a value out of range.
unexpected<Error> LoadError(const std::istream& in, std::string_view part) {
  return MakeError(ErrorCode::kInvalidInput, std::string("streaming detector state: ") +
                                                 (in.good() ? "invalid " : "truncated at ") +
                                                 std::string(part));
}

// (time, value) pairs: a count, then each pair. Containers are filled value by value, so that a
// count larger than the data allocates no more than the data holds.
template <typename Container>
void WriteTimed(std::ostream& out, const Container& entries) {
  WriteCount(out, entries.size());
  for (const auto& [time, value] : entries) {
    Write(out, time);
    Write(out, value);
  }
}

template <typename Container>
[[nodiscard]] bool ReadTimed(std::istream& in, std::size_t limit, Container& entries) {
  std::size_t count = 0;
  if (!ReadCount(in, limit, count)) return false;
  entries.clear();
  for (std::size_t i = 0; i < count; ++i) {
    std::int64_t time = 0;
    double value = 0;
    if (!Read(in, time) || !Read(in, value)) return false;
    entries.emplace_back(time, value);
  }
  return true;
}

double Median(std::vector<double>& scratch) {
  if (scratch.empty()) return 0;
  const auto mid = scratch.begin() + static_cast<std::ptrdiff_t>(scratch.size() / 2);
  std::nth_element(scratch.begin(), mid, scratch.end());
  const double upper = *mid;
  if (scratch.size() % 2 == 1) return upper;
  const double lower = *std::max_element(scratch.begin(), mid);
  return (lower + upper) / 2;
}

template <typename Range>
double MedianOf(const Range& range, std::vector<double>& scratch) {
  scratch.assign(range.begin(), range.end());
  return Median(scratch);
}

// Median absolute deviation from the median, scaled to a normal sigma.
template <typename Range>
double RobustSigma(const Range& range, std::vector<double>& scratch) {
  const double center = MedianOf(range, scratch);
  for (double& value : scratch) value = std::abs(value - center);
  return kMadToSigma * Median(scratch);
}

// A fixed-capacity window of the most recent values.
class Window {
 public:
  explicit Window(std::size_t capacity = 1) : capacity_(std::max<std::size_t>(capacity, 1)) {}
  void Push(double value) {
    values_.push_back(value);
    if (values_.size() > capacity_) values_.pop_front();
  }
  [[nodiscard]] std::size_t size() const { return values_.size(); }
  [[nodiscard]] bool empty() const { return values_.empty(); }
  [[nodiscard]] auto begin() const { return values_.begin(); }
  [[nodiscard]] auto end() const { return values_.end(); }
  [[nodiscard]] double back() const { return values_.back(); }
  void Clear() { values_.clear(); }
  // The last n values (or all of them).
  [[nodiscard]] std::vector<double> Last(std::size_t n) const {
    n = std::min(n, values_.size());
    return {values_.end() - static_cast<std::ptrdiff_t>(n), values_.end()};
  }

  // The capacity, the count, then the values.
  void Save(std::ostream& out) const {
    WriteCount(out, capacity_);
    WriteCount(out, values_.size());
    for (const double value : values_) Write(out, value);
  }
  // False on a short read, a capacity of 0 or above kMaxCount, or more values than the capacity.
  [[nodiscard]] bool Load(std::istream& in) {
    std::size_t count = 0;
    if (!ReadCount(in, kMaxCount, capacity_) || capacity_ == 0 ||
        !ReadCount(in, capacity_, count)) {
      return false;
    }
    values_.clear();
    for (std::size_t i = 0; i < count; ++i) {
      double value = 0;
      if (!Read(in, value)) return false;
      values_.push_back(value);
    }
    return true;
  }

 private:
  std::size_t capacity_;
  std::deque<double> values_;
};

// One seasonal component: per phase, the deviations from the level seen in recent cycles; its
// estimate for a phase is the median over neighbouring phases, so it is smooth and robust.
class Season {
 public:
  Season() = default;
  Season(int period, std::int64_t cycle_seconds, std::int64_t offset_seconds, int smoothing)
      : period_(period),
        cycle_seconds_(cycle_seconds),
        offset_seconds_(offset_seconds),
        smoothing_(smoothing),
        phases_(static_cast<std::size_t>(period), Window(kSeasonCycles)),
        cycle_values_(static_cast<std::size_t>(std::min(period, kCycleLevelMax))) {}

  [[nodiscard]] bool active() const { return period_ > 0; }

  [[nodiscard]] int Phase(std::int64_t timestamp) const {
    const std::int64_t position =
        ((timestamp + offset_seconds_) % cycle_seconds_ + cycle_seconds_) % cycle_seconds_;
    return static_cast<int>(position * period_ / cycle_seconds_);
  }

  // Estimate for a phase, or 0 until two cycles have been seen there.
  [[nodiscard]] double Estimate(int phase, std::vector<double>& scratch) const {
    if (phases_[static_cast<std::size_t>(phase)].size() < 2) return 0;
    scratch = Pool(phase);
    return Median(scratch);
  }

  // Learns from a value net of the other components: its deviation from the median of the last
  // cycle (which no phase biases), clamped to `limit` so one outlier cannot bend the shape.
  void Learn(int phase, double value, double limit, std::vector<double>& scratch) {
    if (cycle_values_.size() * 2 >= static_cast<std::size_t>(std::min(period_, kCycleLevelMax))) {
      const double deviation = value - MedianOf(cycle_values_, scratch);
      phases_[static_cast<std::size_t>(phase)].Push(std::clamp(deviation, -limit, limit));
    }
    cycle_values_.Push(value);
  }

  // Whether the component explains the data: the deviations it remembers, each predicted from
  // the others of its phase (leave one out), must be closer to their predictions than to their
  // overall median by kSeasonGain. Re-judged every few points.
  void Judge(std::int64_t count, std::vector<double>& scratch) {
    if (count % std::max(1, period_ / 8) != 0) return;
    std::vector<double> all;
    double with = 0;
    for (int phase = 0; phase < period_; ++phase) {
      const std::vector<double> pool = Pool(phase);
      const Window& own = phases_[static_cast<std::size_t>(phase)];
      if (own.size() < 2) continue;
      for (const double value : own) {
        scratch = pool;
        // Always there, unless a NaN got in (a NaN pushed, or a corrupt saved state).
        const auto own_value = std::find(scratch.begin(), scratch.end(), value);
        if (own_value != scratch.end()) scratch.erase(own_value);
        with += std::abs(value - Median(scratch));
        all.push_back(value);
      }
    }
    if (all.size() < static_cast<std::size_t>(period_)) {
      useful_ = false;
      return;
    }
    scratch = all;
    const double center = Median(scratch);
    double without = 0;
    for (const double value : all) without += std::abs(value - center);
    useful_ = with < kSeasonGain * without;
  }
  [[nodiscard]] bool Useful() const { return useful_; }

  // The parameters, the useful flag, each phase's window, then the last cycle's values.
  void Save(std::ostream& out) const {
    Write<std::int32_t>(out, period_);
    Write<std::int64_t>(out, cycle_seconds_);
    Write<std::int64_t>(out, offset_seconds_);
    Write<std::int32_t>(out, smoothing_);
    WriteFlag(out, useful_);
    for (const Window& phase : phases_) phase.Save(out);
    cycle_values_.Save(out);
  }
  // False on a short read or parameters out of range.
  [[nodiscard]] bool Load(std::istream& in) {
    if (!Read<std::int32_t>(in, period_) || !Read(in, cycle_seconds_) ||
        !Read(in, offset_seconds_) || !Read<std::int32_t>(in, smoothing_) ||
        !ReadFlag(in, useful_) || period_ < 0 || period_ > kMaxPeriod || cycle_seconds_ < 1 ||
        cycle_seconds_ > kMaxCycleSeconds || offset_seconds_ < 0 ||
        offset_seconds_ >= cycle_seconds_ || smoothing_ < 0 || smoothing_ > kMaxPeriod) {
      return false;
    }
    phases_.clear();
    for (int phase = 0; phase < period_; ++phase) {
      Window window;
      if (!window.Load(in)) return false;
      phases_.push_back(std::move(window));
    }
    return cycle_values_.Load(in);
  }

 private:
  // The deviations remembered at a phase and its neighbours.
  [[nodiscard]] std::vector<double> Pool(int phase) const {
    std::vector<double> pool;
    for (int offset = -smoothing_; offset <= smoothing_; ++offset) {
      const Window& window = phases_[static_cast<std::size_t>(Wrap(phase + offset))];
      pool.insert(pool.end(), window.begin(), window.end());
    }
    return pool;
  }

  [[nodiscard]] int Wrap(int phase) const { return ((phase % period_) + period_) % period_; }

  int period_ = 0;
  std::int64_t cycle_seconds_ = 1;
  std::int64_t offset_seconds_ = 0;
  int smoothing_ = 0;
  std::vector<Window> phases_;
  Window cycle_values_;  // the last cycle's values, for the reference level
  bool useful_ = false;
};

// x^k / (x^k + 1): 0 at 0, 0.5 at 1, towards 1 for large x; keeps large values apart.
double Rises(double x, double k) {
  const double power = std::pow(std::max(x, 0.0), k);
  return power / (power + 1);
}

// q such that P(|N(0,1)| <= q) = p, by bisection on erf.
double HalfNormalQuantile(double p) {
  double low = 0;
  double high = 10;
  for (int i = 0; i < 60; ++i) {
    const double mid = (low + high) / 2;
    (std::erf(mid / std::numbers::sqrt2) < p ? low : high) = mid;
  }
  return (low + high) / 2;
}

}  // namespace

SeriesCadence InferCadence(std::span<const std::int64_t> timestamps) {
  SeriesCadence cadence;
  const std::size_t n = std::min<std::size_t>(timestamps.size(), kCadenceSample);
  if (n < 2) return cadence;
  std::vector<double> steps;
  for (std::size_t i = 1; i < n; ++i) {
    const std::int64_t step = timestamps[i] - timestamps[i - 1];
    if (step > 0) steps.push_back(static_cast<double>(step));
  }
  if (steps.empty()) return cadence;
  cadence.step_seconds = std::llround(Median(steps));
  const std::int64_t step = cadence.step_seconds;
  if (step <= kDay / 4) {  // at least four points a day: daily and weekly cycles
    cadence.daily_period = static_cast<int>(std::llround(static_cast<double>(kDay) / step));
    cadence.weekly_period = cadence.daily_period * 7;
  } else if (step >= kDay * 5 / 6 && step <= kDay * 7 / 6) {  // daily data: the week
    cadence.weekly_period = 7;
  }
  return cadence;
}

struct StreamingDetector::State {
  SeriesCadence cadence;
  SeriesDetectorOptions options;
  bool configured = false;
  std::vector<std::pair<std::int64_t, double>> probe;  // points seen before the cadence is known
  int warmup = 0;
  int level_points = 0;
  int shift_points = 0;

  Season daily;
  Season weekly;
  bool daily_used = false;  // whether the last point's baseline included each component
  bool weekly_used = false;
  Window adjusted;         // deseasonalised values, for the level
  Window slope_window;     // deseasonalised values, for the slope
  Window residuals;        // clipped residuals, for the scale
  Window tail;             // absolute residuals over a longer span, for how heavy the tails are
  Window values;           // raw values, for the long-run scale
  double tail_level = -1;  // the tail quantile's level, and the normal quantile it maps to
  double tail_quantile = 1;
  double resolution = 0;  // smallest non-zero change seen between consecutive values
  std::optional<double> previous;
  std::int64_t previous_time = 0;
  std::int64_t stuck_since = 0;     // when the current run of equal values started
  std::int64_t longest_stuck = -1;  // seconds: the longest finished run, -1 = none yet
  bool stuck_alarmed = false;
  int same_side_run = 0;
  int run_sign = 0;
  int excursion_sign = 0;          // side of the current run of large residuals, 0 = none
  bool excursion_alarmed = false;  // whether that run has already raised an alarm
  std::int64_t count = 0;

  // Deviations with their times, for routine patterns; sorted past deviations, for calibration.
  std::int64_t routine_cycle = 0;  // seconds; 0 = no cycle
  std::int64_t routine_half_width = 0;
  std::deque<std::pair<std::int64_t, double>> deviations;
  std::deque<std::pair<std::int64_t, double>> calibration_order;  // (time, deviation)
  std::vector<double> calibration_sorted;
  std::deque<std::pair<std::int64_t, double>> recent_surprise;

  // The forest over context features.
  std::deque<std::array<double, kForestFeatures>> features;
  std::optional<IsolationForest> forest;
  std::int64_t rows_since_fit = 0;
  std::int64_t fits = 0;

  std::vector<double> scratch;
};

StreamingDetector::StreamingDetector(SeriesDetectorOptions options)
    : state_(std::make_unique<State>()) {
  state_->options = options;
}

StreamingDetector::StreamingDetector(SeriesCadence cadence, SeriesDetectorOptions options)
    : StreamingDetector(options) {
  Configure(cadence);
}

void StreamingDetector::Configure(SeriesCadence cadence) {
  State& s = *state_;
  s.cadence = cadence;
  s.configured = true;
  if (cadence.daily_period > 0) {
    const int per_hour = std::max(1, cadence.daily_period / 24);
    s.daily = Season(cadence.daily_period, kDay, 0, std::max(0, per_hour / 2));
    s.weekly = Season(cadence.weekly_period, kWeek, kEpochToMonday, per_hour);
    s.level_points = std::max(5, 4 * per_hour);  // four hours
    s.shift_points = std::max(3, per_hour / 2);
    s.warmup = cadence.daily_period;
  } else if (cadence.weekly_period > 0) {
    s.weekly = Season(cadence.weekly_period, kWeek, kEpochToMonday, 0);
    s.level_points = 7;
    s.shift_points = 4;  // a three-day spike (a weekend job) is not a new level
    s.warmup = 14;
  } else {
    s.level_points = 5;
    s.shift_points = 3;
    s.warmup = 10;
  }
  if (cadence.daily_period > 0) {
    s.routine_cycle = kDay;
    s.routine_half_width = kRoutineHalfWidthSeconds;
  } else if (cadence.weekly_period > 0) {
    s.routine_cycle = kWeek;
    s.routine_half_width = cadence.step_seconds / 2;
  }
  if (s.options.warmup_points > 0) s.warmup = s.options.warmup_points;
  s.warmup = std::max(s.warmup, kCadenceProbe);
  const int scale_points = std::max({30, cadence.daily_period, 4 * s.level_points});
  s.adjusted = Window(static_cast<std::size_t>(s.level_points));
  s.slope_window = Window(static_cast<std::size_t>(4 * s.level_points));
  s.residuals = Window(static_cast<std::size_t>(scale_points));
  s.tail = Window(static_cast<std::size_t>(
      cadence.daily_period > 0 ? std::min(kTailPoints, cadence.weekly_period) : kTailPoints / 16));
  s.values = Window(static_cast<std::size_t>(std::max(scale_points, 4 * s.level_points) * 4));
}

StreamingDetector::~StreamingDetector() = default;
StreamingDetector::StreamingDetector(const StreamingDetector& other)
    : state_(other.state_ ? std::make_unique<State>(*other.state_) : nullptr) {}
StreamingDetector& StreamingDetector::operator=(const StreamingDetector& other) {
  if (this != &other) *this = StreamingDetector(other);
  return *this;
}
StreamingDetector::StreamingDetector(StreamingDetector&&) noexcept = default;
StreamingDetector& StreamingDetector::operator=(StreamingDetector&&) noexcept = default;

SeriesPoint StreamingDetector::Push(std::int64_t timestamp, double value) {
  State& s = *state_;
  if (!s.configured) {
    // The cadence comes from the first few points; they are then replayed. Points before that
    // are inside the warm-up, so they score 0 either way.
    s.probe.emplace_back(timestamp, value);
    if (s.probe.size() < static_cast<std::size_t>(kCadenceProbe)) return {value, value, value};
    std::vector<std::int64_t> times;
    for (const auto& [t, v] : s.probe) times.push_back(t);
    Configure(InferCadence(times));
    std::vector<std::pair<std::int64_t, double>> probe = std::move(s.probe);
    SeriesPoint last;
    for (const auto& [t, v] : probe) last = Learn(t, v);
    return last;
  }
  return Learn(timestamp, value);
}

SeriesPoint StreamingDetector::Learn(std::int64_t timestamp, double value) {
  State& s = *state_;
  SeriesPoint point;

  // The baseline, from the past only.
  const int daily_phase = s.daily.active() ? s.daily.Phase(timestamp) : 0;
  const int weekly_phase = s.weekly.active() ? s.weekly.Phase(timestamp) : 0;
  const double daily_raw = s.daily.active() ? s.daily.Estimate(daily_phase, s.scratch) : 0;
  const double weekly_raw = s.weekly.active() ? s.weekly.Estimate(weekly_phase, s.scratch) : 0;
  const bool daily_useful = s.daily.Useful();
  const bool weekly_useful = s.weekly.Useful();
  if (daily_useful != s.daily_used || weekly_useful != s.weekly_used) {
    // The baseline changed form: residuals of the old form say nothing about the new one.
    s.residuals.Clear();
    s.tail.Clear();
    s.daily_used = daily_useful;
    s.weekly_used = weekly_useful;
  }
  const double daily_effect = daily_useful ? daily_raw : 0;
  const double weekly_effect = weekly_useful ? weekly_raw : 0;
  const double seasonal = daily_effect + weekly_effect;

  double level = value;
  double slope = 0;
  if (!s.adjusted.empty()) {
    level = MedianOf(s.adjusted, s.scratch);
    if (s.slope_window.size() >= static_cast<std::size_t>(4 * s.level_points)) {
      const std::vector<double> all = s.slope_window.Last(s.slope_window.size());
      const std::size_t half = all.size() / 2;
      std::vector<double> older(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(half));
      std::vector<double> newer(all.begin() + static_cast<std::ptrdiff_t>(half), all.end());
      // Per point, damped: a trend is believed only halfway.
      slope = 0.5 * (Median(newer) - Median(older)) / static_cast<double>(half);
    }
  }
  const double lag = (static_cast<double>(s.adjusted.size()) + 1) / 2;
  point.expected = level + slope * lag + seasonal;

  const double residual = value - point.expected;
  double sigma = s.residuals.size() >= 4 ? RobustSigma(s.residuals, s.scratch) : 0;
  const double long_sigma = s.values.size() >= 4 ? RobustSigma(s.values, s.scratch) : 0;
  // Heavy tails: a series that often jumps by some amount is not anomalous when it does again.
  double tail_sigma = 0;
  if (s.tail.size() >= kTailMinPoints) {
    // The 99th percentile, or lower on short histories so that a few outliers never set it.
    const double n = static_cast<double>(s.tail.size());
    const double level_p = std::min(kTailQuantile, 1 - kTailExcluded / n);
    s.scratch.assign(s.tail.begin(), s.tail.end());
    const auto rank = static_cast<std::ptrdiff_t>(level_p * (n - 1));
    std::nth_element(s.scratch.begin(), s.scratch.begin() + rank, s.scratch.end());
    if (level_p != s.tail_level) {  // constant once the window is full: solve only on change
      s.tail_level = level_p;
      s.tail_quantile = HalfNormalQuantile(level_p);
    }
    tail_sigma = s.scratch[static_cast<std::size_t>(rank)] / s.tail_quantile;
  }
  sigma = std::max({sigma, tail_sigma, 0.05 * long_sigma, 0.01 * std::abs(point.expected),
                    0.5 * s.resolution, 1e-9});
  point.z = residual / sigma;
  const double band = s.options.z_threshold * sigma;
  point.lower = point.expected - band;
  point.upper = point.expected + band;

  const bool ready = s.count >= s.warmup;
  // 0.5 at the z threshold, rising smoothly so that larger residuals still rank higher.
  const double statistical = Rises(std::abs(point.z) / s.options.z_threshold, kZSteepness);

  // Context features for the forest.
  std::array<double, kForestFeatures> feature{};
  {
    std::vector<double> recent = s.adjusted.Last(2);
    recent.push_back(value - seasonal);
    const double short_level = Median(recent);
    const std::vector<double> last_residuals = s.residuals.Last(6);
    double volatility = 0;
    for (double r : last_residuals) volatility += std::abs(r);
    volatility =
        last_residuals.empty() ? 0 : volatility / static_cast<double>(last_residuals.size());
    const double long_center = s.values.empty() ? value : MedianOf(s.values, s.scratch);
    const double day_angle = s.daily.active() ? 2 * std::numbers::pi * daily_phase /
                                                    static_cast<double>(s.cadence.daily_period)
                                              : 0;
    const double week_angle = s.weekly.active() ? 2 * std::numbers::pi * weekly_phase /
                                                      static_cast<double>(s.cadence.weekly_period)
                                                : 0;
    feature = {std::clamp(point.z, -kClip, kClip),
               std::clamp((short_level - level) / sigma, -kClip, kClip),
               std::log1p(volatility / sigma),
               std::clamp((value - long_center) / std::max(long_sigma, sigma), -kClip, kClip),
               std::cos(day_angle) + std::cos(week_angle),
               std::sin(day_angle) + std::sin(week_angle),
               std::clamp(slope * lag / sigma, -kClip, kClip)};
  }
  double forest_score = 0;
  if (s.forest) {
    const Eigen::Map<const Eigen::Matrix<double, 1, kForestFeatures>> row(feature.data());
    const double raw = s.forest->Score(row, 1)(0);
    forest_score =
        std::clamp((raw - kForestRoutine) / (kForestIsolated - kForestRoutine), 0.0, 1.0);
  }
  // The forest scales the deviation: up in a context it finds isolated, down in a routine one.
  const double forest_factor =
      s.forest ? std::exp(s.options.forest_weight * (forest_score - 0.5)) : 1.0;
  const double deviation = RoutineAdjusted(timestamp, std::abs(residual)) * forest_factor;
  if (ready) {
    point.statistical_score = statistical;
    point.forest_score = forest_score;
    const double surprise = Surprise(deviation);
    point.score = Damped(timestamp, surprise);
    // An excursion (a run of residuals on one side, beyond half the z threshold) alarms once:
    // its later points are `ongoing`, not new alarms.
    const int side = std::abs(point.z) >= s.options.z_threshold / 2 ? (residual > 0 ? 1 : -1) : 0;
    const bool continuing = side != 0 && side == s.excursion_sign && s.excursion_alarmed;
    if (side != s.excursion_sign) {
      s.excursion_sign = side;
      s.excursion_alarmed = false;
    }
    // Surprising among the series' own past (a record, on short histories) and clearly outside
    // its noise.
    const double past = static_cast<double>(s.calibration_sorted.size());
    const double bar = 1 - std::max(kDecisionTail, 1.5 / (past + 1));
    point.is_anomaly = past >= kCalibrationMin && point.score >= bar &&
                       std::abs(point.z) >= s.options.z_threshold / 2 && !continuing;
    point.ongoing = continuing;
    if (point.is_anomaly) s.excursion_alarmed = true;
    // A stuck metric: repeating one value for longer than it ever has. Invisible to residuals
    // when the value is also a usual one (a disk that writes nothing, a counter stuck at zero).
    const bool stuck = s.cadence.daily_period > 0 && s.previous && *s.previous == value &&
                       s.longest_stuck >= 0 &&
                       timestamp - s.stuck_since > std::max(s.longest_stuck, kStuckMinSeconds);
    if (stuck && past >= kCalibrationMin) {
      if (!s.stuck_alarmed) {
        point.is_anomaly = true;
        point.score = std::max(point.score, 1 - 0.25 / (past + 1));
        s.stuck_alarmed = true;
      } else if (!point.is_anomaly) {
        point.ongoing = true;
      }
    }
  }

  // Learn from the point. Anomalous residuals are clipped so one spike does not widen the band.
  const double clipped = std::clamp(residual, -band, band);
  s.residuals.Push(clipped);
  s.tail.Push(std::abs(residual));
  const int sign = std::abs(point.z) >= s.options.z_threshold / 2 ? (residual > 0 ? 1 : -1) : 0;
  if (sign != 0 && sign == s.run_sign) {
    ++s.same_side_run;
  } else {
    s.run_sign = sign;
    s.same_side_run = sign != 0 ? 1 : 0;
  }
  const double deseasonalised = value - seasonal;
  if (s.same_side_run >= s.shift_points) {
    // A level shift: re-anchor the level on the points since the move.
    const std::vector<double> moved = s.adjusted.Last(static_cast<std::size_t>(s.shift_points - 1));
    s.adjusted.Clear();
    s.slope_window.Clear();
    for (double v : moved) {
      s.adjusted.Push(v);
      s.slope_window.Push(v);
    }
    point.level_shift = true;
    s.same_side_run = 0;
    s.run_sign = 0;
  }
  s.adjusted.Push(deseasonalised);
  s.slope_window.Push(deseasonalised);
  // Seasonal components learn from the value net of the other component.
  if (s.daily.active()) {
    s.daily.Learn(daily_phase, value - weekly_effect, band * 2, s.scratch);
  }
  if (s.weekly.active()) {
    s.weekly.Learn(weekly_phase, value - daily_effect, band * 2, s.scratch);
  }
  if (!s.previous) s.stuck_since = timestamp;
  if (s.previous && *s.previous != value) {
    const double change = std::abs(value - *s.previous);
    s.resolution = s.resolution == 0 ? change : std::min(s.resolution, change);
    s.longest_stuck = std::max(s.longest_stuck, s.previous_time - s.stuck_since);
    s.stuck_since = timestamp;
    s.stuck_alarmed = false;
  }
  s.previous = value;
  s.previous_time = timestamp;
  s.values.Push(value);
  s.deviations.emplace_back(timestamp, std::abs(residual));
  while (s.deviations.size() > 1 &&
         s.deviations.front().first < timestamp - kRoutineCycles * s.routine_cycle - kDay) {
    s.deviations.pop_front();
  }
  if (ready) Calibrate(timestamp, deviation);
  ++s.count;
  if (s.daily.active()) s.daily.Judge(s.count, s.scratch);
  if (s.weekly.active()) s.weekly.Judge(s.count, s.scratch);

  if (ready) {
    s.features.push_back(feature);
    if (s.features.size() > static_cast<std::size_t>(kForestHistory)) s.features.pop_front();
    ++s.rows_since_fit;
    if (s.features.size() >= static_cast<std::size_t>(kForestMinRows) &&
        (!s.forest || s.rows_since_fit >= kForestRefitEvery)) {
      Eigen::MatrixXd rows(static_cast<Eigen::Index>(s.features.size()), kForestFeatures);
      for (std::size_t i = 0; i < s.features.size(); ++i) {
        for (int j = 0; j < kForestFeatures; ++j) {
          rows(static_cast<Eigen::Index>(i), j) = s.features[i][static_cast<std::size_t>(j)];
        }
      }
      IsolationForestOptions forest_options;
      forest_options.num_trees = kForestTrees;
      forest_options.sample_size = kForestSampleSize;
      forest_options.seed = s.options.seed + static_cast<std::uint64_t>(s.fits);
      forest_options.threads = 1;
      if (auto fitted = IsolationForest::Fit(rows, forest_options)) {
        s.forest = std::move(*fitted);
        ++s.fits;
      }
      s.rows_since_fit = 0;
    }
  }
  return point;
}

double StreamingDetector::RoutineAdjusted(std::int64_t timestamp, double deviation) const {
  const State& s = *state_;
  if (s.routine_cycle == 0) return deviation;
  double routine = 0;
  for (int cycle = 1; cycle <= kRoutineCycles; ++cycle) {
    const std::int64_t center = timestamp - cycle * s.routine_cycle;
    auto it =
        std::lower_bound(s.deviations.begin(), s.deviations.end(), center - s.routine_half_width,
                         [](const std::pair<std::int64_t, double>& entry, std::int64_t t) {
                           return entry.first < t;
                         });
    for (; it != s.deviations.end() && it->first <= center + s.routine_half_width; ++it) {
      routine = std::max(routine, it->second);
    }
  }
  const double bar = kRoutineFactor * routine;
  return deviation >= bar || bar == 0 ? deviation : deviation * (deviation / bar);
}

double StreamingDetector::Surprise(double deviation) const {
  const State& s = *state_;
  const std::vector<double>& past = s.calibration_sorted;
  if (past.size() < kCalibrationMin) return 0;
  const auto n = static_cast<double>(past.size());
  const auto below =
      static_cast<double>(std::lower_bound(past.begin(), past.end(), deviation) - past.begin());
  if (below < n) return below / (n + 1);
  // A record: the further above the largest past deviation, the closer to 1.
  return 1 - 0.5 / (n + 1) * (deviation > 0 ? past.back() / deviation : 1);
}

double StreamingDetector::Damped(std::int64_t timestamp, double surprise) {
  State& s = *state_;
  while (!s.recent_surprise.empty() &&
         s.recent_surprise.front().first < timestamp - kRepeatSeconds) {
    s.recent_surprise.pop_front();
  }
  double previous = 0;
  for (const auto& [t, value] : s.recent_surprise) previous = std::max(previous, value);
  s.recent_surprise.emplace_back(timestamp, surprise);
  return surprise > previous ? surprise : surprise * kRepeatFactor;
}

void StreamingDetector::Calibrate(std::int64_t timestamp, double deviation) {
  State& s = *state_;
  std::vector<double>& sorted = s.calibration_sorted;
  sorted.insert(std::upper_bound(sorted.begin(), sorted.end(), deviation), deviation);
  s.calibration_order.emplace_back(timestamp, deviation);
  while (s.calibration_order.size() > kCalibrationPoints ||
         s.calibration_order.front().first <= timestamp - kCalibrationSeconds) {
    const double oldest = s.calibration_order.front().second;
    s.calibration_order.pop_front();
    // Always there, unless a NaN got in (a NaN pushed, or a corrupt saved state).
    const auto stored = std::lower_bound(sorted.begin(), sorted.end(), oldest);
    if (stored != sorted.end()) sorted.erase(stored);
  }
}

void StreamingDetector::Save(std::ostream& out) const {
  const State& s = *state_;
  out.write(kMagic.data(), static_cast<std::streamsize>(kMagic.size()));
  Write(out, kFormatVersion);
  Write(out, s.options.z_threshold);
  Write(out, s.options.forest_weight);
  Write<std::int32_t>(out, s.options.warmup_points);
  Write(out, s.options.seed);
  Write(out, s.cadence.step_seconds);
  Write<std::int32_t>(out, s.cadence.daily_period);
  Write<std::int32_t>(out, s.cadence.weekly_period);
  WriteFlag(out, s.configured);
  WriteTimed(out, s.probe);
  Write<std::int32_t>(out, s.warmup);
  Write<std::int32_t>(out, s.level_points);
  Write<std::int32_t>(out, s.shift_points);
  s.daily.Save(out);
  s.weekly.Save(out);
  WriteFlag(out, s.daily_used);
  WriteFlag(out, s.weekly_used);
  for (const Window* window : {&s.adjusted, &s.slope_window, &s.residuals, &s.tail, &s.values}) {
    window->Save(out);
  }
  Write(out, s.tail_level);
  Write(out, s.tail_quantile);
  Write(out, s.resolution);
  WriteFlag(out, s.previous.has_value());
  Write(out, s.previous.value_or(0.0));
  Write(out, s.previous_time);
  Write(out, s.stuck_since);
  Write(out, s.longest_stuck);
  WriteFlag(out, s.stuck_alarmed);
  Write<std::int32_t>(out, s.same_side_run);
  Write<std::int32_t>(out, s.run_sign);
  Write<std::int32_t>(out, s.excursion_sign);
  WriteFlag(out, s.excursion_alarmed);
  Write(out, s.count);
  Write(out, s.routine_cycle);
  Write(out, s.routine_half_width);
  WriteTimed(out, s.deviations);
  WriteTimed(out, s.calibration_order);
  WriteCount(out, s.calibration_sorted.size());
  for (const double deviation : s.calibration_sorted) Write(out, deviation);
  WriteTimed(out, s.recent_surprise);
  WriteCount(out, s.features.size());
  for (const auto& row : s.features) {
    for (const double feature : row) Write(out, feature);
  }
  WriteFlag(out, s.forest.has_value());
  if (s.forest) s.forest->Save(out);
  Write(out, s.rows_since_fit);
  Write(out, s.fits);
}

Result<StreamingDetector> StreamingDetector::Load(std::istream& in) {
  std::string magic(kMagic.size(), '\0');
  if (!in.read(magic.data(), static_cast<std::streamsize>(magic.size())) || magic != kMagic) {
    return MakeError(ErrorCode::kInvalidInput, "not a streaming detector state (bad magic)");
  }
  std::uint32_t version = 0;
  if (!Read(in, version)) return LoadError(in, "format version");
  if (version != kFormatVersion) {
    return MakeError(ErrorCode::kInvalidInput, "streaming detector state format version " +
                                                   std::to_string(version) + " is not supported");
  }
  StreamingDetector detector;
  State& s = *detector.state_;
  if (!Read(in, s.options.z_threshold) || !Read(in, s.options.forest_weight) ||
      !Read<std::int32_t>(in, s.options.warmup_points) || !Read(in, s.options.seed)) {
    return LoadError(in, "options");
  }
  if (!Read(in, s.cadence.step_seconds) || !Read<std::int32_t>(in, s.cadence.daily_period) ||
      !Read<std::int32_t>(in, s.cadence.weekly_period)) {
    return LoadError(in, "cadence");
  }
  // The first points are held only until there are kCadenceProbe of them.
  if (!ReadFlag(in, s.configured) || !ReadTimed(in, kCadenceProbe - 1, s.probe)) {
    return LoadError(in, "first points");
  }
  if (!Read<std::int32_t>(in, s.warmup) || !Read<std::int32_t>(in, s.level_points) ||
      !Read<std::int32_t>(in, s.shift_points)) {
    return LoadError(in, "warm-up and level parameters");
  }
  if (!s.daily.Load(in)) return LoadError(in, "daily season");
  if (!s.weekly.Load(in)) return LoadError(in, "weekly season");
  if (!ReadFlag(in, s.daily_used) || !ReadFlag(in, s.weekly_used)) {
    return LoadError(in, "seasons used");
  }
  const std::pair<Window*, std::string_view> windows[] = {{&s.adjusted, "level window"},
                                                          {&s.slope_window, "slope window"},
                                                          {&s.residuals, "residual window"},
                                                          {&s.tail, "tail window"},
                                                          {&s.values, "value window"}};
  for (const auto& [window, part] : windows) {
    if (!window->Load(in)) return LoadError(in, part);
  }
  if (!Read(in, s.tail_level) || !Read(in, s.tail_quantile) || !Read(in, s.resolution)) {
    return LoadError(in, "scale");
  }
  bool has_previous = false;
  double previous = 0;
  if (!ReadFlag(in, has_previous) || !Read(in, previous) || !Read(in, s.previous_time)) {
    return LoadError(in, "previous value");
  }
  if (has_previous) s.previous = previous;
  if (!Read(in, s.stuck_since) || !Read(in, s.longest_stuck) || !ReadFlag(in, s.stuck_alarmed)) {
    return LoadError(in, "stuck run");
  }
  if (!Read<std::int32_t>(in, s.same_side_run) || !Read<std::int32_t>(in, s.run_sign) ||
      !Read<std::int32_t>(in, s.excursion_sign) || !ReadFlag(in, s.excursion_alarmed) ||
      !Read(in, s.count)) {
    return LoadError(in, "runs and count");
  }
  if (!Read(in, s.routine_cycle) || !Read(in, s.routine_half_width) ||
      !ReadTimed(in, kMaxCount, s.deviations)) {
    return LoadError(in, "routine deviations");
  }
  // The sorted deviations must be those in time order, or Calibrate would erase ones that are
  // not there.
  std::size_t sorted_count = 0;
  if (!ReadTimed(in, kCalibrationPoints, s.calibration_order) ||
      !ReadCount(in, s.calibration_order.size(), sorted_count)) {
    return LoadError(in, "calibration");
  }
  for (std::size_t i = 0; i < sorted_count; ++i) {
    double deviation = 0;
    if (!Read(in, deviation)) return LoadError(in, "calibration");
    s.calibration_sorted.push_back(deviation);
  }
  std::vector<double> in_order;
  for (const auto& [time, deviation] : s.calibration_order) {
    if (std::isnan(deviation)) return LoadError(in, "calibration");
    in_order.push_back(deviation);
  }
  std::sort(in_order.begin(), in_order.end());
  if (in_order != s.calibration_sorted) return LoadError(in, "calibration");
  if (!ReadTimed(in, kMaxCount, s.recent_surprise)) return LoadError(in, "recent surprises");
  std::size_t rows = 0;
  if (!ReadCount(in, kForestHistory, rows)) return LoadError(in, "forest features");
  for (std::size_t i = 0; i < rows; ++i) {
    std::array<double, kForestFeatures> row{};
    for (double& feature : row) {
      if (!Read(in, feature)) return LoadError(in, "forest features");
    }
    s.features.push_back(row);
  }
  bool has_forest = false;
  if (!ReadFlag(in, has_forest)) return LoadError(in, "forest");
  if (has_forest) {
    auto forest = IsolationForest::Load(in);
    if (!forest) {
      return MakeError(ErrorCode::kInvalidInput,
                       "streaming detector state: " + forest.error().message);
    }
    if (forest->num_features() != kForestFeatures) return LoadError(in, "forest");
    s.forest = std::move(*forest);
  }
  if (!Read(in, s.rows_since_fit) || !Read(in, s.fits)) return LoadError(in, "forest fits");
  return detector;
}

Result<std::vector<SeriesPoint>> DetectSeriesAnomalies(std::span<const std::int64_t> timestamps,
                                                       std::span<const double> values,
                                                       const SeriesDetectorOptions& options) {
  if (timestamps.size() != values.size()) {
    return MakeError(ErrorCode::kInvalidInput, "series has " + std::to_string(timestamps.size()) +
                                                   " timestamps but " +
                                                   std::to_string(values.size()) + " values");
  }
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i])) {
      return MakeError(ErrorCode::kInvalidInput,
                       "point " + std::to_string(i + 1) + " has a value that is not a number");
    }
    if (i > 0 && timestamps[i] < timestamps[i - 1]) {
      return MakeError(ErrorCode::kInvalidInput,
                       "point " + std::to_string(i + 1) + " is earlier than the point before it");
    }
  }
  StreamingDetector detector(options);
  std::vector<SeriesPoint> points;
  points.reserve(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    points.push_back(detector.Push(timestamps[i], values[i]));
  }
  return points;
}

}  // namespace costwise::anomaly
