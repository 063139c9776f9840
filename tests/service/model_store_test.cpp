// Detector artifacts and the model store: files that round-trip exactly (a loaded state goes on
// as the saved one would), damaged or foreign files refused with the reason, and the loaded
// models kept in memory, least recently used dropped first.
#include "service/model_store.h"

#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "test_files.h"

namespace costwise::service {
namespace {

using ::testing::HasSubstr;

constexpr std::int64_t kDay = 86'400;
constexpr std::int64_t kTenant = 7;
const Date kFirstDay = *Date::Parse("2024-03-04");

double SpendOn(int day, int monitor) {
  return 100.0 * (monitor + 1) + (day % 7 >= 5 ? -30.0 : 0.0) + 5 * std::sin(day * 1.3 + monitor);
}

std::int64_t Timestamp(int day) { return (kFirstDay.days() + day) * kDay; }

// `days` days of `monitors` monitors, each scanned by its own detector.
DetectorArtifact MakeArtifact(std::int64_t model_id, int days, int monitors) {
  DetectorArtifact artifact;
  artifact.tenant_id = kTenant;
  artifact.model_id = model_id;
  artifact.trained_at = 1'700'000'000 + model_id;
  artifact.params = R"({"engine":"series-detector/1"})";
  artifact.cube_version = 12;
  artifact.first_day = kFirstDay;
  artifact.days = days;
  for (int m = 0; m < monitors; ++m) {
    MonitorState state;
    state.id = "monitor-" + std::to_string(m) + "\nUSD";
    for (int day = 0; day < days; ++day) {
      const double spend = SpendOn(day, m);
      state.actual.push_back(std::llround(spend * 1e9));
      state.points.push_back(state.detector.Push(Timestamp(day), spend));
    }
    artifact.monitors.push_back(std::move(state));
  }
  return artifact;
}

store::TenantModel ModelRow(std::int64_t id, const DetectorArtifact& artifact) {
  store::TenantModel model;
  model.id = id;
  model.model_type = "series-detector";
  model.version = static_cast<int>(id);
  model.trained_at = artifact.trained_at;
  model.params = artifact.params;
  return model;
}

std::string Bytes(const DetectorArtifact& artifact) {
  std::ostringstream out;
  SaveDetectorArtifact(artifact, out);
  return out.str();
}

void ExpectSamePoint(const anomaly::SeriesPoint& a, const anomaly::SeriesPoint& b) {
  EXPECT_EQ(a.expected, b.expected);
  EXPECT_EQ(a.lower, b.lower);
  EXPECT_EQ(a.upper, b.upper);
  EXPECT_EQ(a.score, b.score);
  EXPECT_EQ(a.is_anomaly, b.is_anomaly);
  EXPECT_EQ(a.ongoing, b.ongoing);
}

TEST(DetectorArtifactTest, RoundTripsAndALoadedDetectorGoesOnAsTheSavedOne) {
  const DetectorArtifact saved = MakeArtifact(1, 40, 3);
  std::istringstream in(Bytes(saved));
  auto loaded = LoadDetectorArtifact(in);
  ASSERT_TRUE(loaded) << loaded.error().message;
  EXPECT_EQ(loaded->tenant_id, kTenant);
  EXPECT_EQ(loaded->cube_version, 12);
  EXPECT_EQ(loaded->first_day, kFirstDay);
  EXPECT_EQ(loaded->last_day(), kFirstDay.AddDays(39));
  ASSERT_EQ(loaded->monitors.size(), 3U);
  for (std::size_t m = 0; m < 3; ++m) {
    const MonitorState& original = saved.monitors[m];
    const MonitorState* state = loaded->Find(original.id);
    ASSERT_NE(state, nullptr);
    EXPECT_EQ(state->actual, original.actual);
    ASSERT_EQ(state->points.size(), original.points.size());
    for (std::size_t i = 0; i < state->points.size(); ++i) {
      ExpectSamePoint(state->points[i], original.points[i]);
    }
    // Both detectors see the same next days and answer alike, spike included.
    anomaly::StreamingDetector again = state->detector;
    anomaly::StreamingDetector reference = original.detector;
    for (int day = 40; day < 60; ++day) {
      const double spend = SpendOn(day, static_cast<int>(m)) * (day == 50 ? 6 : 1);
      ExpectSamePoint(again.Push(Timestamp(day), spend), reference.Push(Timestamp(day), spend));
    }
  }
  EXPECT_EQ(loaded->Find("no such monitor"), nullptr);
}

TEST(DetectorArtifactTest, RefusesForeignTruncatedAndTrailingBytesWithTheReason) {
  const std::string bytes = Bytes(MakeArtifact(1, 20, 2));
  for (std::size_t length = 0; length < bytes.size(); ++length) {
    std::istringstream in(bytes.substr(0, length));
    auto loaded = LoadDetectorArtifact(in);
    ASSERT_FALSE(loaded) << "loaded from the first " << length << " bytes";
    EXPECT_EQ(loaded.error().code, ErrorCode::kInvalidInput);
    EXPECT_THAT(loaded.error().message, HasSubstr("detector artifact"));
  }
  std::istringstream foreign("CWIFOREST and more");
  EXPECT_THAT(LoadDetectorArtifact(foreign).error().message, HasSubstr("magic"));
  std::string newer = bytes;
  newer[8] = 9;  // the format version
  std::istringstream future(newer);
  EXPECT_THAT(LoadDetectorArtifact(future).error().message, HasSubstr("format version 9"));
  std::istringstream trailing(bytes + "x");
  EXPECT_THAT(LoadDetectorArtifact(trailing).error().message, HasSubstr("after the last"));
}

TEST(ModelStoreTest, SavesUnderTheTenantAndLoadsFromDiskAfterARestart) {
  const testing::TempDir dir;
  const auto artifact = std::make_shared<const DetectorArtifact>(MakeArtifact(3, 30, 2));
  store::TenantModel model = ModelRow(3, *artifact);
  ModelStore first(dir.path() / "models", 4);
  auto path = first.SaveDetector(kTenant, model, artifact);
  ASSERT_TRUE(path) << path.error().message;
  EXPECT_EQ(*path, dir.path() / "models" / "7" / "series-detector-v3.bin");
  EXPECT_TRUE(std::filesystem::exists(*path));
  // No temporary file is left beside it.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(path->parent_path()),
                          std::filesystem::directory_iterator()),
            1);
  model.artifact_path = path->string();
  // The saving process has it loaded.
  auto cached = first.LoadDetector(kTenant, model);
  ASSERT_TRUE(cached) << cached.error().message;
  EXPECT_EQ(cached->get(), artifact.get());
  EXPECT_EQ(first.stats().hits, 1U);

  ModelStore restarted(dir.path() / "models", 4);
  auto loaded = restarted.LoadDetector(kTenant, model);
  ASSERT_TRUE(loaded) << loaded.error().message;
  ASSERT_NE(*loaded, nullptr);
  EXPECT_EQ((*loaded)->monitors.size(), 2U);
  EXPECT_EQ((*loaded)->monitors[0].actual, artifact->monitors[0].actual);
  EXPECT_EQ(restarted.stats().misses, 1U);
  // Kept loaded: the next load reads nothing.
  auto again = restarted.LoadDetector(kTenant, model);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->get(), loaded->get());
  EXPECT_EQ(restarted.stats().hits, 1U);
  EXPECT_EQ(restarted.stats().entries, 1U);
}

TEST(ModelStoreTest, DropsTheLeastRecentlyUsedModelWhenFull) {
  const testing::TempDir dir;
  ModelStore models(dir.path(), 2);
  std::vector<store::TenantModel> rows;
  for (std::int64_t id = 1; id <= 3; ++id) {
    const auto artifact = std::make_shared<const DetectorArtifact>(MakeArtifact(id, 15, 1));
    store::TenantModel model = ModelRow(id, *artifact);
    auto path = models.SaveDetector(kTenant, model, artifact);
    ASSERT_TRUE(path) << path.error().message;
    model.artifact_path = path->string();
    rows.push_back(model);
    if (id == 2) {
      ASSERT_TRUE(models.LoadDetector(kTenant, rows[0]));  // 1 used after 2
    }
  }
  // Saving 3 dropped 2, the least recently used.
  EXPECT_EQ(models.stats().evictions, 1U);
  EXPECT_EQ(models.stats().entries, 2U);
  const std::size_t hits = models.stats().hits;
  const std::size_t misses = models.stats().misses;
  ASSERT_TRUE(models.LoadDetector(kTenant, rows[0]));
  ASSERT_TRUE(models.LoadDetector(kTenant, rows[2]));
  EXPECT_EQ(models.stats().hits, hits + 2);
  auto reread = models.LoadDetector(kTenant, rows[1]);  // from its file
  ASSERT_TRUE(reread) << reread.error().message;
  ASSERT_NE(*reread, nullptr);
  EXPECT_EQ((*reread)->model_id, 2);
  EXPECT_EQ(models.stats().misses, misses + 1);
  EXPECT_EQ(models.stats().evictions, 2U);
}

TEST(ModelStoreTest, AMissingFileIsNoStateAndADamagedOrForeignOneIsAnError) {
  const testing::TempDir dir;
  ModelStore models(dir.path(), 4);
  const auto artifact = std::make_shared<const DetectorArtifact>(MakeArtifact(5, 15, 1));
  store::TenantModel model = ModelRow(5, *artifact);
  auto none = models.LoadDetector(kTenant, model);  // no artifact recorded
  ASSERT_TRUE(none);
  EXPECT_EQ(*none, nullptr);
  model.artifact_path = (dir.path() / "gone.bin").string();
  none = models.LoadDetector(kTenant, model);
  ASSERT_TRUE(none);
  EXPECT_EQ(*none, nullptr);

  model.artifact_path = dir.Write("damaged.bin", Bytes(*artifact).substr(0, 100));
  auto damaged = models.LoadDetector(kTenant, model);
  ASSERT_FALSE(damaged);
  EXPECT_EQ(damaged.error().code, ErrorCode::kInvalidInput);
  EXPECT_THAT(damaged.error().message, HasSubstr("damaged.bin"));
  EXPECT_THAT(damaged.error().message, HasSubstr("truncated"));

  // Model 5's file named as model 6's, or as another tenant's.
  model.artifact_path = dir.Write("five.bin", Bytes(*artifact));
  store::TenantModel other = model;
  other.id = 6;
  EXPECT_THAT(models.LoadDetector(kTenant, other).error().message, HasSubstr("not model 6"));
  EXPECT_FALSE(models.LoadDetector(kTenant + 1, model));
  EXPECT_TRUE(models.LoadDetector(kTenant, model));
}

TEST(ModelStoreTest, SaysWhyWhenTheFolderCannotBeWritten) {
  const testing::TempDir dir;
  const std::string blocker = dir.Write("not-a-folder", "x");
  ModelStore models(blocker, 4);
  const auto artifact = std::make_shared<const DetectorArtifact>(MakeArtifact(1, 15, 1));
  auto path = models.SaveDetector(kTenant, ModelRow(1, *artifact), artifact);
  ASSERT_FALSE(path);
  EXPECT_EQ(path.error().code, ErrorCode::kUnavailable);
  EXPECT_THAT(path.error().message, HasSubstr("not-a-folder"));
  EXPECT_EQ(models.stats().entries, 0U);
}

}  // namespace
}  // namespace costwise::service
