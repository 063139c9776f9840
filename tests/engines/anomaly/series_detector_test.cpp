#include "engines/anomaly/series_detector.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <random>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

namespace costwise::anomaly {
namespace {

constexpr std::int64_t kDay = 86'400;
constexpr std::int64_t kMonday = 4 * kDay;  // 1970-01-05

struct Series {
  std::vector<std::int64_t> timestamps;
  std::vector<double> values;
};

// Daily spend: a weekday/weekend pattern, a gentle trend and 3% noise.
Series DailySpend(int days, std::uint32_t seed) {
  std::mt19937 random(seed);
  std::normal_distribution<double> noise(0.0, 0.03);
  Series series;
  for (int day = 0; day < days; ++day) {
    const bool weekend = day % 7 >= 5;
    const double base = (weekend ? 600.0 : 1000.0) * (1 + 0.001 * day);
    series.timestamps.push_back(kMonday + day * kDay);
    series.values.push_back(base * (1 + noise(random)));
  }
  return series;
}

// A 5-minute metric with a daily cycle and noise.
Series FiveMinuteMetric(int points, std::uint32_t seed) {
  std::mt19937 random(seed);
  std::normal_distribution<double> noise(0.0, 1.0);
  Series series;
  for (int i = 0; i < points; ++i) {
    const double hour = (i % 288) / 12.0;
    series.timestamps.push_back(kMonday + i * 300);
    series.values.push_back(50 + 20 * std::sin(2 * M_PI * hour / 24) + noise(random));
  }
  return series;
}

std::vector<SeriesPoint> DetectOrDie(const Series& series,
                                     const SeriesDetectorOptions& options = {}) {
  auto points = DetectSeriesAnomalies(series.timestamps, series.values, options);
  EXPECT_TRUE(points) << points.error().message;
  return points ? *points : std::vector<SeriesPoint>{};
}

// The anomalous points, for failure messages: "index (z, score)".
std::string Describe(const std::vector<SeriesPoint>& points) {
  std::string text;
  for (std::size_t i = 0; i < points.size(); ++i) {
    if (!points[i].is_anomaly) continue;
    text += std::to_string(i) + " (z " + std::to_string(points[i].z) + ", score " +
            std::to_string(points[i].score) + ") ";
  }
  return text;
}

// Anomalies among points[from..].
int CountAnomalies(const std::vector<SeriesPoint>& points, std::size_t from = 0) {
  return static_cast<int>(
      std::count_if(points.begin() + static_cast<std::ptrdiff_t>(std::min(from, points.size())),
                    points.end(), [](const SeriesPoint& point) { return point.is_anomaly; }));
}

TEST(InferCadenceTest, FindsDailyAndSubDailyCycles) {
  const SeriesCadence five_minutes = InferCadence(FiveMinuteMetric(100, 1).timestamps);
  EXPECT_EQ(five_minutes.step_seconds, 300);
  EXPECT_EQ(five_minutes.daily_period, 288);
  EXPECT_EQ(five_minutes.weekly_period, 2016);
  const SeriesCadence daily = InferCadence(DailySpend(30, 1).timestamps);
  EXPECT_EQ(daily.step_seconds, kDay);
  EXPECT_EQ(daily.daily_period, 0);
  EXPECT_EQ(daily.weekly_period, 7);
  const std::vector<std::int64_t> monthly = {0, 31 * kDay, 59 * kDay, 90 * kDay};
  EXPECT_EQ(InferCadence(monthly).weekly_period, 0);
}

TEST(SeriesDetectorTest, QuietSeriesRaisesFewAlarms) {
  const std::vector<SeriesPoint> points = DetectOrDie(DailySpend(200, 7));
  EXPECT_LE(CountAnomalies(points), 2) << Describe(points);
  for (const SeriesPoint& point : points) {
    EXPECT_GE(point.score, 0.0);
    EXPECT_LE(point.score, 1.0);
  }
}

TEST(SeriesDetectorTest, FindsASpikeAndExpectsTheUsualSpend) {
  Series series = DailySpend(120, 3);
  const double usual = series.values[100];
  series.values[100] *= 2.5;
  const std::vector<SeriesPoint> points = DetectOrDie(series);
  EXPECT_TRUE(points[100].is_anomaly);
  EXPECT_GT(points[100].score, 0.9);
  EXPECT_NEAR(points[100].expected, usual, 0.1 * usual);
  EXPECT_GT(points[100].z, 0);
  EXPECT_LT(points[100].upper, series.values[100]);
  EXPECT_LE(CountAnomalies(points, 101), 1);  // the spike does not leave a trail of alarms
}

TEST(SeriesDetectorTest, AnExcursionAlarmsOnceThenIsOngoing) {
  Series series = DailySpend(120, 31);
  for (std::size_t day = 100; day < 103; ++day) series.values[day] *= 3;
  const std::vector<SeriesPoint> points = DetectOrDie(series);
  EXPECT_TRUE(points[100].is_anomaly);
  EXPECT_FALSE(points[100].ongoing);
  for (std::size_t day = 101; day < 103; ++day) {
    EXPECT_FALSE(points[day].is_anomaly) << day;
    EXPECT_TRUE(points[day].ongoing) << day;
  }
  // A three-day spike is not a new level: the days after it are normal again.
  for (std::size_t day = 103; day < 110; ++day) {
    EXPECT_FALSE(points[day].is_anomaly || points[day].ongoing) << day;
    EXPECT_FALSE(points[day].level_shift) << day;
  }
}

TEST(SeriesDetectorTest, KnowsTheWeekendIsCheaper) {
  // A weekend day at weekday spend is an anomaly only because of the weekly pattern.
  Series series = DailySpend(120, 5);
  ASSERT_EQ(103 % 7, 5);
  series.values[103] = series.values[102] * 1.25;  // Saturday at 1.25 x Friday's spend
  const std::vector<SeriesPoint> points = DetectOrDie(series);
  EXPECT_TRUE(points[103].is_anomaly);
  EXPECT_LT(points[103 - 7].expected, 0.8 * points[102].expected);
}

TEST(SeriesDetectorTest, ReportsALevelShiftOnceThenAdapts) {
  Series series = DailySpend(150, 11);
  for (std::size_t day = 100; day < series.values.size(); ++day) series.values[day] *= 1.6;
  const std::vector<SeriesPoint> points = DetectOrDie(series);
  EXPECT_TRUE(points[100].is_anomaly);
  bool shifted = false;
  for (std::size_t day = 100; day < 110; ++day) shifted |= points[day].level_shift;
  EXPECT_TRUE(shifted);
  EXPECT_LE(CountAnomalies(points, 110), 1);  // the new level is the new normal
  EXPECT_NEAR(points[140].expected, series.values[140], 0.1 * series.values[140]);
}

TEST(SeriesDetectorTest, FollowsTheDailyCycleOfSubDailyData) {
  Series series = FiveMinuteMetric(288 * 6, 13);
  const std::size_t noon = 288 * 5 + 144;  // the cycle's low point is 70 at 06:00, 30 at 18:00
  const std::size_t evening = 288 * 5 + 216;
  series.values[evening] = 55;  // normal at noon, 25 above the evening low
  const std::vector<SeriesPoint> points = DetectOrDie(series);
  EXPECT_TRUE(points[evening].is_anomaly);
  EXPECT_FALSE(points[noon].is_anomaly);
  EXPECT_NEAR(points[evening].expected, 30, 5);
  EXPECT_LE(CountAnomalies(points), 4);
}

TEST(SeriesDetectorTest, HeavyTailedSeriesDoesNotAlarmOnItsUsualJumps) {
  // Mostly 0.134 with frequent dips to 0.066: quantised CPU, as in real CloudWatch data.
  std::mt19937 random(17);
  std::bernoulli_distribution dip(0.03);
  Series series;
  for (int i = 0; i < 3000; ++i) {
    series.timestamps.push_back(kMonday + i * 300);
    series.values.push_back(dip(random) ? 0.066 : 0.134);
  }
  series.values[2500] = 2.5;
  const std::vector<SeriesPoint> points = DetectOrDie(series);
  EXPECT_TRUE(points[2500].is_anomaly);
  EXPECT_LE(CountAnomalies(points), 6);
}

// Disk writes: bursts of activity between idle stretches of zeros, up to three hours long.
Series IdleAndBusyDisk(std::uint32_t seed) {
  std::mt19937 random(seed);
  std::uniform_int_distribution<int> idle(6, 36);
  std::uniform_int_distribution<int> busy(3, 20);
  std::lognormal_distribution<double> bytes(15, 1);
  Series series;
  while (series.values.size() < 288 * 6) {
    for (int i = idle(random); i > 0; --i) series.values.push_back(0);
    for (int i = busy(random); i > 0; --i) series.values.push_back(bytes(random));
  }
  for (std::size_t i = 0; i < series.values.size(); ++i) {
    series.timestamps.push_back(kMonday + static_cast<std::int64_t>(i) * 300);
  }
  return series;
}

TEST(SeriesDetectorTest, FindsAMetricStuckForLongerThanEverBefore) {
  Series series = IdleAndBusyDisk(29);
  const std::size_t normal = series.values.size();
  const std::vector<SeriesPoint> before = DetectOrDie(series);
  // Then the disk writes nothing for ten hours: every value is a usual one, only the run is not.
  for (int i = 0; i < 120; ++i) {
    series.timestamps.push_back(series.timestamps.back() + 300);
    series.values.push_back(0);
  }
  const std::vector<SeriesPoint> points = DetectOrDie(series);
  const auto first = static_cast<std::size_t>(
      std::find_if(points.begin() + static_cast<std::ptrdiff_t>(normal), points.end(),
                   [](const SeriesPoint& point) { return point.is_anomaly; }) -
      points.begin());
  ASSERT_LT(first, points.size()) << "no alarm for the stuck disk";
  // The longest idle stretch before was at most three hours: the alarm comes right after that.
  EXPECT_LE(first - normal, 37U);
  EXPECT_GE(points[first].score, 0.99);
  EXPECT_EQ(CountAnomalies(points, first + 1), 0) << Describe(points);
  EXPECT_TRUE(points.back().ongoing);
  // Before it, the usual idle stretches raise few stuck alarms (alarms with a small residual):
  // only a record of at least an hour after the first day can, and records become rare.
  const auto stuck_alarms = std::count_if(before.begin(), before.end(), [](const SeriesPoint& p) {
    return p.is_anomaly && std::abs(p.z) < SeriesDetectorOptions{}.z_threshold / 2;
  });
  EXPECT_LE(stuck_alarms, 2) << Describe(before);
}

TEST(SeriesDetectorTest, AConstantSeriesIsNeverStuck) {
  // A metric that never varied (or a fixed daily fee) has no run to compare with.
  Series series;
  for (int i = 0; i < 288 * 3; ++i) {
    series.timestamps.push_back(kMonday + i * 300);
    series.values.push_back(12.5);
  }
  EXPECT_EQ(CountAnomalies(DetectOrDie(series)), 0);
  Series daily = DailySpend(120, 31);
  for (int day = 60; day < 120; ++day) daily.values[static_cast<std::size_t>(day)] = 800;
  const std::vector<SeriesPoint> points = DetectOrDie(daily);
  // The move to a flat 800 is a level shift, reported once; its length is no news for daily data.
  EXPECT_LE(CountAnomalies(points, 61), 1) << Describe(points);
}

TEST(SeriesDetectorTest, IsOnlineAPointDependsOnlyOnItsPast) {
  Series series = FiveMinuteMetric(900, 19);
  series.values[700] += 40;
  const std::vector<SeriesPoint> full = DetectOrDie(series);
  for (const std::size_t cut : {3UL, 9UL, 10UL, 300UL, 650UL, 701UL}) {
    const Series prefix{{series.timestamps.begin(), series.timestamps.begin() + cut},
                        {series.values.begin(), series.values.begin() + cut}};
    const std::vector<SeriesPoint> part = DetectOrDie(prefix);
    ASSERT_EQ(part.size(), cut);
    for (std::size_t i = 0; i < cut; ++i) {
      EXPECT_EQ(part[i].score, full[i].score) << "cut " << cut << " point " << i;
      EXPECT_EQ(part[i].expected, full[i].expected) << "cut " << cut << " point " << i;
      EXPECT_EQ(part[i].is_anomaly, full[i].is_anomaly);
    }
  }
}

TEST(SeriesDetectorTest, StreamingAndBatchAgree) {
  const Series series = DailySpend(80, 23);
  const std::vector<SeriesPoint> batch = DetectOrDie(series);
  StreamingDetector detector;
  for (std::size_t i = 0; i < series.values.size(); ++i) {
    const SeriesPoint point = detector.Push(series.timestamps[i], series.values[i]);
    EXPECT_EQ(point.score, batch[i].score);
    EXPECT_EQ(point.expected, batch[i].expected);
  }
}

TEST(SeriesDetectorTest, WarmUpPointsScoreZero) {
  const std::vector<SeriesPoint> points = DetectOrDie(DailySpend(20, 29));
  for (std::size_t i = 0; i < 14; ++i) EXPECT_EQ(points[i].score, 0.0);
}

TEST(SeriesDetectorTest, RejectsBadInput) {
  const std::vector<std::int64_t> times = {0, kDay, 2 * kDay};
  const std::vector<double> short_values = {1, 2};
  EXPECT_FALSE(DetectSeriesAnomalies(times, short_values));
  const std::vector<double> nan_values = {1, std::nan(""), 3};
  auto nan = DetectSeriesAnomalies(times, nan_values);
  ASSERT_FALSE(nan);
  EXPECT_NE(nan.error().message.find("point 2"), std::string::npos);
  const std::vector<std::int64_t> backwards = {0, 2 * kDay, kDay};
  const std::vector<double> values = {1, 2, 3};
  EXPECT_FALSE(DetectSeriesAnomalies(backwards, values));
  EXPECT_TRUE(DetectSeriesAnomalies({}, {}));
}

// Persistence and copies: a detector saved (or copied) after any point continues exactly as one
// that never stopped.

// A daily spend series long enough for the forest to be fitted and refitted, with a spike.
Series DailyWithSpike() {
  Series series = DailySpend(240, 37);
  series.values[170] *= 2.5;
  return series;
}

// Three days of a 5-minute metric (daily and weekly seasons, the forest refitted many times),
// with a spike on the third day.
Series FiveMinuteWithSpike() {
  Series series = FiveMinuteMetric(288 * 3, 41);
  series.values[288 * 2 + 100] += 40;
  return series;
}

std::vector<SeriesPoint> PushRange(StreamingDetector& detector, const Series& series,
                                   std::size_t begin, std::size_t end) {
  std::vector<SeriesPoint> points;
  for (std::size_t i = begin; i < end; ++i) {
    points.push_back(detector.Push(series.timestamps[i], series.values[i]));
  }
  return points;
}

// Every field equal (==, not near): points[i] is the answer for point `first + i`.
void ExpectIdentical(const std::vector<SeriesPoint>& points, const std::vector<SeriesPoint>& full,
                     std::size_t first, const std::string& what) {
  ASSERT_EQ(first + points.size(), full.size()) << what;
  for (std::size_t i = 0; i < points.size(); ++i) {
    const SeriesPoint& a = points[i];
    const SeriesPoint& b = full[first + i];
    const std::string where = what + ", point " + std::to_string(first + i);
    EXPECT_EQ(a.expected, b.expected) << where;
    EXPECT_EQ(a.lower, b.lower) << where;
    EXPECT_EQ(a.upper, b.upper) << where;
    EXPECT_EQ(a.z, b.z) << where;
    EXPECT_EQ(a.score, b.score) << where;
    EXPECT_EQ(a.statistical_score, b.statistical_score) << where;
    EXPECT_EQ(a.forest_score, b.forest_score) << where;
    EXPECT_EQ(a.is_anomaly, b.is_anomaly) << where;
    EXPECT_EQ(a.ongoing, b.ongoing) << where;
    EXPECT_EQ(a.level_shift, b.level_shift) << where;
  }
}

std::string Saved(const StreamingDetector& detector) {
  std::ostringstream out;
  detector.Save(out);
  return out.str();
}

Result<StreamingDetector> LoadBytes(const std::string& bytes) {
  std::istringstream in(bytes);
  return StreamingDetector::Load(in);
}

// The state after the first `points` points of a series.
std::string SavedAfter(const Series& series, std::size_t points) {
  StreamingDetector detector;
  PushRange(detector, series, 0, points);
  return Saved(detector);
}

// For each cut k: run the first k points, save, load, push the rest; the pushed points must be
// those of the uninterrupted run, and the loaded state must save to the same bytes. Returns the
// uninterrupted run.
std::vector<SeriesPoint> ExpectResumesExactly(const Series& series,
                                              const std::vector<std::size_t>& cuts) {
  StreamingDetector uninterrupted;
  std::vector<SeriesPoint> full = PushRange(uninterrupted, series, 0, series.values.size());
  for (const std::size_t cut : cuts) {
    const std::string bytes = SavedAfter(series, cut);
    auto loaded = LoadBytes(bytes);
    EXPECT_TRUE(loaded) << "cut " << cut << ": " << loaded.error().message;
    if (!loaded) continue;
    EXPECT_EQ(Saved(*loaded), bytes) << "cut " << cut;
    const std::vector<SeriesPoint> rest = PushRange(*loaded, series, cut, series.values.size());
    ExpectIdentical(rest, full, cut, "cut " + std::to_string(cut));
  }
  return full;
}

// Whether the forest scored any point from `from` on (it is fitted and in use).
bool ForestInUse(const std::vector<SeriesPoint>& points, std::size_t from) {
  return std::any_of(points.begin() + static_cast<std::ptrdiff_t>(from), points.end(),
                     [](const SeriesPoint& point) { return point.forest_score > 0; });
}

TEST(StreamingDetectorStateTest, DailySeriesResumesExactlyAfterLoad) {
  const Series series = DailyWithSpike();
  // Still probing the cadence (< 9 points), just configured, in the warm-up (14 points), scoring
  // without a forest, at the spike, with the forest fitted (128 rows, from point 141) and refitted.
  const std::vector<SeriesPoint> full =
      ExpectResumesExactly(series, {0, 1, 5, 8, 9, 12, 60, 140, 170, 171, 180, 230});
  EXPECT_TRUE(full[170].is_anomaly);
  EXPECT_TRUE(ForestInUse(full, 141));
}

TEST(StreamingDetectorStateTest, FiveMinuteSeriesResumesExactlyAfterLoad) {
  const Series series = FiveMinuteWithSpike();
  // Probing, in the warm-up (one day), without a forest, with it fitted (from point 415), at the
  // spike, after several refits.
  const std::vector<SeriesPoint> full =
      ExpectResumesExactly(series, {3, 8, 100, 300, 450, 576 + 100, 576 + 101, 800});
  EXPECT_TRUE(full[576 + 100].is_anomaly);
  EXPECT_TRUE(ForestInUse(full, 415));
}

TEST(StreamingDetectorStateTest, ACopyContinuesLikeTheOriginalAndIsIndependent) {
  const Series series = FiveMinuteWithSpike();
  const std::size_t middle = 500;  // after the forest is fitted
  StreamingDetector uninterrupted;
  const std::vector<SeriesPoint> full = PushRange(uninterrupted, series, 0, series.values.size());

  StreamingDetector original;
  PushRange(original, series, 0, middle);
  StreamingDetector copy(original);
  // The copy learns something else; the original must not notice.
  StreamingDetector mutated(copy);
  for (int i = 0; i < 50; ++i) mutated.Push(series.timestamps[middle] + i, 1e6 * (i + 1));
  ExpectIdentical(PushRange(copy, series, middle, series.values.size()), full, middle, "copy");
  ExpectIdentical(PushRange(original, series, middle, series.values.size()), full, middle,
                  "original");

  // Copy assignment replaces a detector that has state of its own.
  StreamingDetector assigned;
  PushRange(assigned, DailyWithSpike(), 0, 100);
  StreamingDetector source;
  PushRange(source, series, 0, middle);
  assigned = source;
  for (int i = 0; i < 10; ++i) source.Push(series.timestamps[middle] + i, -1e6);
  ExpectIdentical(PushRange(assigned, series, middle, series.values.size()), full, middle,
                  "assigned");
}

TEST(StreamingDetectorStateTest, RefusesWhatIsNotAState) {
  auto empty = LoadBytes("");
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().code, ErrorCode::kInvalidInput);
  EXPECT_NE(empty.error().message.find("bad magic"), std::string::npos);

  const std::string valid = SavedAfter(DailyWithSpike(), 20);
  std::string magic = valid;
  magic[0] = 'X';
  auto bad_magic = LoadBytes(magic);
  ASSERT_FALSE(bad_magic);
  EXPECT_NE(bad_magic.error().message.find("bad magic"), std::string::npos);

  std::string version = valid;
  const std::uint32_t future = 2;
  std::memcpy(version.data() + 8, &future, sizeof future);
  auto bad_version = LoadBytes(version);
  ASSERT_FALSE(bad_version);
  EXPECT_NE(bad_version.error().message.find("format version 2 is not supported"),
            std::string::npos)
      << bad_version.error().message;
}

// Proper prefixes of `bytes` (every `stride`-th length and the one without the last byte) are
// refused as truncated, or as bad magic when they end inside the magic.
void ExpectPrefixesRefused(const std::string& bytes, std::size_t stride) {
  constexpr std::size_t kMagicSize = 8;
  const auto expect_refused = [&](std::size_t length) {
    auto loaded = LoadBytes(bytes.substr(0, length));
    ASSERT_FALSE(loaded) << "prefix of " << length << " of " << bytes.size() << " bytes";
    EXPECT_NE(loaded.error().message.find(length < kMagicSize ? "bad magic" : "truncated"),
              std::string::npos)
        << loaded.error().message;
  };
  for (std::size_t length = 0; length < bytes.size(); length += stride) expect_refused(length);
  expect_refused(bytes.size() - 1);
}

TEST(StreamingDetectorStateTest, RefusesEveryTruncation) {
  // Small: daily data in the warm-up, every length. Big: daily data with a refitted forest, every
  // 97th length (most of it is the forest), and 5-minute data (seasons of 288 and 2016 phases,
  // slower to load) every 997th.
  ExpectPrefixesRefused(SavedAfter(DailyWithSpike(), 20), 1);
  ExpectPrefixesRefused(SavedAfter(DailyWithSpike(), 230), 97);
  ExpectPrefixesRefused(SavedAfter(FiveMinuteWithSpike(), 600), 997);
}

std::uint64_t WordAt(const std::string& bytes, std::size_t offset) {
  std::uint64_t word = 0;
  std::memcpy(&word, bytes.data() + offset, sizeof word);
  return word;
}

std::string WithWord(std::string bytes, std::size_t offset, std::uint64_t word) {
  std::array<char, sizeof word> raw{};
  std::memcpy(raw.data(), &word, sizeof word);
  bytes.replace(offset, raw.size(), raw.data(), raw.size());
  return bytes;
}

TEST(StreamingDetectorStateTest, RefusesHugeSizes) {
  // A detector with a given daily cadence and no points: after magic 8, version 4, options 28,
  // cadence 16 and configured 1, the count of first points is at offset 57; after it and the
  // parameters (12) comes the daily season, inactive (25 bytes, no phases), then its window of
  // cycle values: capacity at offset 102, count at 110.
  const std::string bytes =
      Saved(StreamingDetector(SeriesCadence{.step_seconds = kDay, .weekly_period = 7}, {}));
  constexpr std::size_t kFirstPoints = 57;
  constexpr std::size_t kCapacity = 102;
  constexpr std::size_t kCount = 110;
  ASSERT_EQ(WordAt(bytes, kFirstPoints), 0U);
  ASSERT_EQ(WordAt(bytes, kCapacity), 1U);
  ASSERT_EQ(WordAt(bytes, kCount), 0U);
  for (const std::uint64_t huge :
       {std::uint64_t{50'000'001}, std::uint64_t{1} << 62, ~std::uint64_t{0}}) {
    for (const std::size_t offset : {kFirstPoints, kCapacity, kCount}) {
      auto loaded = LoadBytes(WithWord(bytes, offset, huge));
      ASSERT_FALSE(loaded) << offset;
      EXPECT_NE(loaded.error().message.find("invalid"), std::string::npos)
          << loaded.error().message;
    }
  }
  // A count the limits allow but the data does not hold: truncated, not allocated up front.
  const std::string lying = WithWord(WithWord(bytes, kCapacity, 40'000'000), kCount, 40'000'000);
  auto loaded = LoadBytes(lying);
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().message, "streaming detector state: truncated at daily season");
}

TEST(SeriesDetectorTest, ANaNPushedDoesNotCorruptMemory) {
  // Push does not check values (DetectSeriesAnomalies does): a NaN must not make a season or the
  // calibration erase a value they cannot find (run under the sanitizers).
  Series series = DailyWithSpike();
  series.values[60] = std::nan("");
  StreamingDetector detector;
  EXPECT_EQ(PushRange(detector, series, 0, series.values.size()).size(), series.values.size());
  Series sub_daily = FiveMinuteWithSpike();
  sub_daily.values[400] = std::nan("");
  StreamingDetector sub_daily_detector;
  PushRange(sub_daily_detector, sub_daily, 0, sub_daily.values.size());
}

TEST(StreamingDetectorStateTest, SurvivesCorruptionAnywhere) {
  // Any 8 bytes overwritten with a huge or an all-ones value: Load refuses or accepts, and a
  // detector it accepts can go on (no crash, no unbounded allocation; run under the sanitizers).
  const Series series = DailyWithSpike();
  const std::string bytes = SavedAfter(series, 20);
  for (const std::uint64_t value : {std::uint64_t{1} << 40, ~std::uint64_t{0}}) {
    for (std::size_t offset = 0; offset + sizeof value <= bytes.size(); ++offset) {
      std::string changed = bytes;
      std::memcpy(changed.data() + offset, &value, sizeof value);
      auto loaded = LoadBytes(changed);
      if (loaded) PushRange(*loaded, series, 20, 23);
    }
  }
}

}  // namespace
}  // namespace costwise::anomaly
