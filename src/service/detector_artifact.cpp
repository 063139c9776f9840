#include "service/detector_artifact.h"

#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "core/binary_io.h"

namespace costwise::service {
namespace {

constexpr std::array<char, 8> kMagic = {'C', 'W', 'D', 'E', 'T', 'E', 'C', 'T'};
constexpr std::uint32_t kFormatVersion = 1;
// Bounds on what a file may claim before anything is allocated for it.
constexpr std::size_t kMaxText = 1 << 20;
constexpr std::size_t kMaxMonitors = 10'000'000;
constexpr std::int32_t kMaxDays = 100'000;

enum PointFlags : std::uint8_t { kAnomaly = 1, kOngoing = 2, kLevelShift = 4 };

void WritePoint(std::ostream& out, const anomaly::SeriesPoint& point) {
  for (const double value : {point.expected, point.lower, point.upper, point.z, point.score,
                             point.statistical_score, point.forest_score}) {
    binary::Write(out, value);
  }
  const auto flags =
      static_cast<std::uint8_t>((point.is_anomaly ? kAnomaly : 0) | (point.ongoing ? kOngoing : 0) |
                                (point.level_shift ? kLevelShift : 0));
  binary::Write(out, flags);
}

bool ReadPoint(std::istream& in, anomaly::SeriesPoint& point) {
  std::uint8_t flags = 0;
  for (double* value : {&point.expected, &point.lower, &point.upper, &point.z, &point.score,
                        &point.statistical_score, &point.forest_score}) {
    if (!binary::Read(in, *value)) return false;
  }
  if (!binary::Read(in, flags)) return false;
  point.is_anomaly = (flags & kAnomaly) != 0;
  point.ongoing = (flags & kOngoing) != 0;
  point.level_shift = (flags & kLevelShift) != 0;
  return true;
}

unexpected<Error> Broken(std::string_view what) {
  return MakeError(ErrorCode::kInvalidInput, fmt::format("detector artifact: {}", what));
}

Result<MonitorState> ReadMonitor(std::istream& in, std::int32_t days, std::size_t index) {
  MonitorState state;
  const auto truncated = [&](std::string_view field) {
    return Broken(fmt::format("truncated at monitor {}'s {}", index + 1, field));
  };
  if (!binary::ReadString(in, kMaxText, state.id)) return truncated("id");
  if (!binary::ReadVector(in, static_cast<std::size_t>(days), state.actual)) {
    return truncated("daily spend");
  }
  state.points.resize(state.actual.size());
  for (anomaly::SeriesPoint& point : state.points) {
    if (!ReadPoint(in, point)) return truncated("answers");
  }
  auto detector = anomaly::StreamingDetector::Load(in);
  if (!detector) {
    return Broken(fmt::format("monitor {}'s detector: {}", index + 1, detector.error().message));
  }
  state.detector = std::move(*detector);
  return state;
}

}  // namespace

const MonitorState* DetectorArtifact::Find(std::string_view id) const {
  const auto found = std::lower_bound(
      monitors.begin(), monitors.end(), id,
      [](const MonitorState& state, std::string_view key) { return state.id < key; });
  return found != monitors.end() && found->id == id ? &*found : nullptr;
}

void SaveDetectorArtifact(const DetectorArtifact& artifact, std::ostream& out) {
  binary::WriteArray(out, kMagic.data(), kMagic.size());
  binary::Write(out, kFormatVersion);
  binary::Write(out, artifact.tenant_id);
  binary::Write(out, artifact.model_id);
  binary::Write(out, artifact.trained_at);
  binary::WriteString(out, artifact.params);
  binary::Write(out, artifact.cube_version);
  binary::Write(out, artifact.first_day.days());
  binary::Write(out, artifact.days);
  binary::WriteCount(out, artifact.monitors.size());
  for (const MonitorState& state : artifact.monitors) {
    binary::WriteString(out, state.id);
    binary::WriteVector(out, state.actual);
    for (const anomaly::SeriesPoint& point : state.points) WritePoint(out, point);
    state.detector.Save(out);
  }
}

Result<DetectorArtifact> LoadDetectorArtifact(std::istream& in) {
  std::array<char, kMagic.size()> magic{};
  if (!binary::ReadArray(in, magic.data(), magic.size()) || magic != kMagic) {
    return Broken("not a costwise detector artifact (no CWDETECT magic)");
  }
  std::uint32_t version = 0;
  if (!binary::Read(in, version)) return Broken("truncated at the format version");
  if (version != kFormatVersion) {
    return Broken(fmt::format("format version {} is not supported (this build reads {})", version,
                              kFormatVersion));
  }
  DetectorArtifact artifact;
  std::int32_t first_day = 0;
  std::size_t monitors = 0;
  if (!binary::Read(in, artifact.tenant_id) || !binary::Read(in, artifact.model_id) ||
      !binary::Read(in, artifact.trained_at) ||
      !binary::ReadString(in, kMaxText, artifact.params) ||
      !binary::Read(in, artifact.cube_version) || !binary::Read(in, first_day) ||
      !binary::Read(in, artifact.days) || !binary::ReadCount(in, kMaxMonitors, monitors)) {
    return Broken("truncated in the header");
  }
  if (artifact.days < 1 || artifact.days > kMaxDays) {
    return Broken(fmt::format("{} days is out of range", artifact.days));
  }
  artifact.first_day = Date::FromDays(first_day);
  for (std::size_t i = 0; i < monitors; ++i) {
    auto state = ReadMonitor(in, artifact.days, i);
    if (!state) return unexpected(std::move(state.error()));
    if (!artifact.monitors.empty() && !(artifact.monitors.back().id < state->id)) {
      return Broken(fmt::format("monitor {} is out of order", i + 1));
    }
    artifact.monitors.push_back(std::move(*state));
  }
  if (in.peek() != std::istream::traits_type::eof()) {
    return Broken("unexpected bytes after the last monitor");
  }
  return artifact;
}

}  // namespace costwise::service
