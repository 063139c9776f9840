#include "service/anomaly_service.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <set>
#include <tuple>
#include <unordered_map>

#include <fmt/format.h>

#include "core/clock.h"
#include "service/anomaly_cells.h"
#include "service/anomaly_monitors.h"
#include "service/model_registry.h"

namespace costwise::service {
namespace {

constexpr std::int64_t kSecondsPerDay = 86'400;
constexpr double kNanosPerUnit = 1e9;
constexpr double kPercent = 100;
constexpr double kPercentDecimals = 1e4;  // impact percent kept to 4 decimals
constexpr double kScoreTolerance = 1e-12;
// Root-cause contributors are keyed by (dimension code, value id); codes from this one on are
// tag keys (code - kFirstTagCode = the key's string id).
constexpr std::uint64_t kFirstTagCode = kCellDimensions;

Status ValidateOptions(const AnomalyDetectionOptions& options) {
  const auto positive = [](std::string_view name, int value) -> Status {
    if (value > 0) return {};
    return MakeError(ErrorCode::kInvalidInput,
                     fmt::format("anomaly detection: {} must be at least 1, got {}", name, value));
  };
  for (const auto& [name, value] :
       {std::pair<std::string_view, int>{"lookback days", options.lookback_days},
        {"top values", options.top_values},
        {"baseline days", options.baseline_days},
        {"root causes per dimension", options.root_causes.per_dimension}}) {
    if (Status valid = positive(name, value); !valid) return valid;
  }
  if (options.retrain_days < 0) {
    return MakeError(ErrorCode::kInvalidInput,
                     fmt::format("anomaly detection: retrain days must not be negative, got {}",
                                 options.retrain_days));
  }
  if (!(options.suppression_tolerance >= 0)) {
    return MakeError(ErrorCode::kInvalidInput,
                     "anomaly detection: the suppression tolerance must not be negative");
  }
  return {};
}

// The detector configuration as ml_models.params.
std::string DetectorParams(const anomaly::SeriesDetectorOptions& detector) {
  return fmt::format(R"({{"z_threshold":{},"forest_weight":{},"warmup_points":{},"seed":{}}})",
                     detector.z_threshold, detector.forest_weight, detector.warmup_points,
                     detector.seed);
}

// The detector's record of feedback: how many of the tenant's anomalies were judged real ("yes"),
// not anomalies ("no") or planned; its accuracy is the precision yes / (yes + no), once any were
// judged either way.
void SetFeedbackMetrics(std::span<const CostAnomaly> anomalies, ModelTraining& training) {
  int yes = 0;
  int no = 0;
  int planned = 0;
  for (const CostAnomaly& anomaly : anomalies) {
    if (anomaly.feedback == AnomalyFeedback::kYes) ++yes;
    if (anomaly.feedback == AnomalyFeedback::kNo) ++no;
    if (anomaly.feedback == AnomalyFeedback::kPlanned) ++planned;
  }
  training.metrics =
      fmt::format(R"({{"anomalies":{},"feedback_yes":{},"feedback_no":{},"feedback_planned":{}}})",
                  anomalies.size(), yes, no, planned);
  if (yes + no > 0) training.accuracy = static_cast<double>(yes) / (yes + no);
}

// Identifies a monitor across runs: its label and currency.
std::string MonitorId(const AnomalyMonitor& monitor) {
  return MonitorLabel(monitor) + '\n' + monitor.currency;
}

// The detector's view of one monitor over the window.
struct MonitorScan {
  std::vector<std::int64_t> actual;    // nanos per day
  std::vector<std::int64_t> expected;  // nanos per day, floored at zero: spend is not negative
  std::vector<anomaly::SeriesPoint> points;
};

// The detector's expected spend in nanos, floored at zero: spend is not negative.
std::int64_t ExpectedNanos(const anomaly::SeriesPoint& point) {
  return std::max<std::int64_t>(0, std::llround(point.expected * kNanosPerUnit));
}

// A monitor's scan and the detector having learnt all of it.
struct ResumableScan {
  MonitorScan scan;
  anomaly::StreamingDetector detector;
  bool resumed = false;  // continued from a saved state
};

// Scans the monitor's days (timestamps[i] is day i), continuing from its saved state when that
// saw the same spend on the days it covers: the detector is online, so the answers are those of
// a scan from day 0. Restated spend (or no state) means a scan from day 0.
ResumableScan ScanMonitor(std::span<const std::int64_t> timestamps, std::vector<std::int64_t> daily,
                          const MonitorState* saved,
                          const anomaly::SeriesDetectorOptions& options) {
  ResumableScan result{{}, anomaly::StreamingDetector(options), false};
  MonitorScan& scan = result.scan;
  std::size_t start = 0;
  if (saved != nullptr && saved->actual.size() <= daily.size() &&
      std::equal(saved->actual.begin(), saved->actual.end(), daily.begin())) {
    result.detector = saved->detector;
    scan.points = saved->points;
    start = saved->actual.size();
    result.resumed = true;
  }
  scan.points.reserve(daily.size());
  for (std::size_t i = start; i < daily.size(); ++i) {
    scan.points.push_back(
        result.detector.Push(timestamps[i], static_cast<double>(daily[i]) / kNanosPerUnit));
  }
  scan.expected.resize(daily.size());
  for (std::size_t i = 0; i < daily.size(); ++i) scan.expected[i] = ExpectedNanos(scan.points[i]);
  scan.actual = std::move(daily);
  return result;
}

struct DayRun {
  std::int32_t first = 0;  // window day indices, inclusive
  std::int32_t last = 0;
};

// Maximal runs of days the detector flags (an alarm, then the days the excursion goes on) on
// which spend rose above the expected spend.
std::vector<DayRun> CostIncreaseRuns(const MonitorScan& scan) {
  std::vector<DayRun> runs;
  for (std::size_t i = 0; i < scan.points.size(); ++i) {
    const anomaly::SeriesPoint& point = scan.points[i];
    if (!(point.is_anomaly || point.ongoing) || scan.actual[i] <= scan.expected[i]) continue;
    const auto day = static_cast<std::int32_t>(i);
    if (!runs.empty() && runs.back().last == day - 1) {
      runs.back().last = day;
    } else {
      runs.push_back(DayRun{day, day});
    }
  }
  return runs;
}

// An anomaly being formed: a monitor, its days, and the stored anomaly it extends (if any).
struct Candidate {
  std::size_t monitor = 0;
  Date start;
  Date end;
  const CostAnomaly* stored = nullptr;
};

bool OverlapsOrTouches(Date start, Date end, const CostAnomaly& stored) {
  return start.days() <= stored.end_date.days() + 1 && end.days() >= stored.start_date.days() - 1;
}

// Turns a monitor's runs into candidates: a run overlapping or touching a stored anomaly of the
// monitor extends it (several runs may extend the same one); any other run is new.
void MatchRuns(const CubeCells& cube, std::size_t monitor, std::span<const DayRun> runs,
               std::span<const CostAnomaly* const> stored, std::vector<Candidate>& candidates) {
  std::map<const CostAnomaly*, std::size_t> claimed;
  for (const DayRun& run : runs) {
    const Date start = cube.DateOf(run.first);
    const Date end = cube.DateOf(run.last);
    const auto match = std::find_if(stored.begin(), stored.end(), [&](const CostAnomaly* anomaly) {
      return OverlapsOrTouches(start, end, *anomaly);
    });
    if (match == stored.end()) {
      candidates.push_back(Candidate{monitor, start, end, nullptr});
      continue;
    }
    const auto [it, first_claim] = claimed.try_emplace(*match, candidates.size());
    if (first_claim) {
      candidates.push_back(Candidate{monitor, (*match)->start_date, (*match)->end_date, *match});
    }
    Candidate& candidate = candidates[it->second];
    candidate.start = std::min(candidate.start, start);
    candidate.end = std::max(candidate.end, end);
  }
}

// The candidate's days that lie in the window, as window day indices.
DayRun WindowDays(const CubeCells& cube, const Candidate& candidate) {
  const std::int32_t first = std::max(0, candidate.start.days() - cube.first_day.days());
  const std::int32_t last = std::min(cube.days - 1, candidate.end.days() - cube.first_day.days());
  return DayRun{first, last};
}

// Amounts, scores and severity over the candidate's days in the window.
CostAnomaly Measure(const CubeCells& cube, const Candidate& candidate, const MonitorScan& scan,
                    const AnomalyMonitor& monitor, const AnomalyDetectionOptions& options) {
  CostAnomaly anomaly;
  anomaly.id = candidate.stored != nullptr ? candidate.stored->id : 0;
  anomaly.monitor = monitor;
  anomaly.start_date = candidate.start;
  anomaly.end_date = candidate.end;
  const DayRun days = WindowDays(cube, candidate);
  std::int64_t actual = 0;
  std::int64_t expected = 0;
  for (std::int32_t day = days.first; day <= days.last; ++day) {
    const auto i = static_cast<std::size_t>(day);
    actual += scan.actual[i];
    expected += scan.expected[i];
    anomaly.max_score = std::max(anomaly.max_score, scan.points[i].score);
  }
  anomaly.latest_score = scan.points[static_cast<std::size_t>(days.last)].score;
  anomaly.actual_spend = Money::FromNanos(actual);
  anomaly.expected_spend = Money::FromNanos(expected);
  anomaly.impact = Money::FromNanos(actual - expected);
  if (expected > 0) {
    const double percent =
        kPercent * static_cast<double>(actual - expected) / static_cast<double>(expected);
    anomaly.impact_percent = std::round(percent * kPercentDecimals) / kPercentDecimals;
  }
  anomaly.severity = SeverityOf(anomaly.impact, anomaly.max_score, options.severity);
  return anomaly;
}

// What the root-cause pass accumulates for one candidate.
struct Attribution {
  std::int32_t baseline_first = 0;
  DayRun days;
  MonitorKey monitor;
  SliceSpend total;
  std::unordered_map<std::uint64_t, SliceSpend> values;  // (dimension code << 32 | value id)
};

void AddSpend(SliceSpend& spend, bool in_anomaly, std::int64_t cost) {
  (in_anomaly ? spend.actual : spend.baseline) += cost;
}

// Adds one cell to an attribution, under every dimension but the monitor's own.
void Accumulate(const CubeCells& cube, const Cell& cell, Attribution& attribution) {
  if (cell.day < attribution.baseline_first || cell.day > attribution.days.last) return;
  const bool in_anomaly = cell.day >= attribution.days.first;
  AddSpend(attribution.total, in_anomaly, cell.cost);
  const MonitorKey& monitor = attribution.monitor;
  for (const CellDimension dimension : kAllCellDimensions) {
    const bool own = monitor.kind != MonitorKind::kTotal && monitor.kind != MonitorKind::kTag &&
                     CellDimensionOfKind(monitor.kind) == dimension;
    if (own) continue;
    const auto code = static_cast<std::uint64_t>(dimension);
    const std::uint32_t value = cell.values[static_cast<std::size_t>(dimension)];
    AddSpend(attribution.values[code << 32 | value], in_anomaly, cell.cost);
  }
  for (const TagPair& tag : cube.tag_sets[cell.tag_set]) {
    if (monitor.kind == MonitorKind::kTag && monitor.tag_key == tag.key) continue;
    AddSpend(attribution.values[(kFirstTagCode + tag.key) << 32 | tag.value], in_anomaly,
             cell.cost);
  }
}

SliceBreakdown ToBreakdown(const CubeCells& cube, const Attribution& attribution) {
  SliceBreakdown breakdown;
  breakdown.total = attribution.total;
  for (const auto& [packed, spend] : attribution.values) {
    const std::uint64_t code = packed >> 32;
    const auto value = static_cast<std::uint32_t>(packed & 0xffffffffU);
    std::string dimension =
        code < kFirstTagCode
            ? std::string(CellDimensionName(static_cast<CellDimension>(code)))
            : "tag:" + cube.strings.Text(static_cast<std::uint32_t>(code - kFirstTagCode));
    breakdown.values[{std::move(dimension), cube.strings.Text(value)}] = spend;
  }
  return breakdown;
}

// Fills every anomaly's root causes in one pass over the cells.
void AttributeRootCauses(const CubeCells& cube, std::span<const MonitorKey> monitors,
                         std::span<const Candidate> candidates, std::vector<CostAnomaly>& anomalies,
                         const AnomalyDetectionOptions& options) {
  std::vector<Attribution> attributions(candidates.size());
  std::unordered_map<std::size_t, std::vector<std::size_t>> by_monitor;
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    Attribution& attribution = attributions[i];
    attribution.days = WindowDays(cube, candidates[i]);
    attribution.baseline_first = std::max(0, attribution.days.first - options.baseline_days);
    attribution.monitor = monitors[candidates[i].monitor];
    by_monitor[candidates[i].monitor].push_back(i);
  }
  const MonitorIndex index(monitors);
  for (const Cell& cell : cube.cells) {
    ForEachMonitorOf(cube, cell, [&](const MonitorKey& key) {
      const int position = index.Find(key);
      if (position < 0) return;
      const auto found = by_monitor.find(static_cast<std::size_t>(position));
      if (found == by_monitor.end()) return;
      for (const std::size_t i : found->second) Accumulate(cube, cell, attributions[i]);
    });
  }
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    anomalies[i].root_causes = AttributeImpact(ToBreakdown(cube, attributions[i]),
                                               anomalies[i].expected_spend, options.root_causes);
  }
}

// Everything a detection run works from.
struct DetectionInput {
  const CubeCells& cube;
  std::span<const MonitorKey> monitors;
  std::span<const CostAnomaly> existing;
  const AnomalyDetectionOptions& options;
  const DetectorArtifact* saved = nullptr;      // the last run's state of this detector version
  std::vector<MonitorState>* states = nullptr;  // receives this run's, when saving
  std::int64_t now = 0;  // the run's time: detected_at, updated_at (and the model's trained_at)
};

// The stored anomalies of each monitor, by MonitorId, earliest first.
std::map<std::string, std::vector<const CostAnomaly*>> StoredByMonitor(
    std::span<const CostAnomaly> existing) {
  std::map<std::string, std::vector<const CostAnomaly*>> stored;
  for (const CostAnomaly& anomaly : existing)
    stored[MonitorId(anomaly.monitor)].push_back(&anomaly);
  for (auto& [id, list] : stored) {
    std::sort(list.begin(), list.end(), [](const CostAnomaly* a, const CostAnomaly* b) {
      return a->start_date < b->start_date;
    });
  }
  return stored;
}

// What the detector found: candidates and their measured anomalies side by side.
struct Candidates {
  std::vector<Candidate> candidates;
  std::vector<CostAnomaly> anomalies;
  std::int64_t resumed = 0;  // monitors continued from the saved state
};

// Runs the detector on every monitor and measures each candidate anomaly.
Candidates FindCandidates(const DetectionInput& input) {
  const CubeCells& cube = input.cube;
  std::vector<std::int64_t> timestamps(static_cast<std::size_t>(cube.days));
  for (std::size_t i = 0; i < timestamps.size(); ++i) {
    timestamps[i] = (cube.first_day.days() + static_cast<std::int64_t>(i)) * kSecondsPerDay;
  }
  const auto stored = StoredByMonitor(input.existing);
  std::vector<std::vector<std::int64_t>> series = BuildDailySeries(cube, input.monitors);
  std::vector<Candidate> candidates;
  std::vector<CostAnomaly> anomalies;
  std::int64_t resumed = 0;
  for (std::size_t m = 0; m < input.monitors.size(); ++m) {
    const AnomalyMonitor monitor = ToAnomalyMonitor(cube, input.monitors[m]);
    std::string id = MonitorId(monitor);
    ResumableScan scanned =
        ScanMonitor(timestamps, std::move(series[m]), input.saved ? input.saved->Find(id) : nullptr,
                    input.options.detector);
    if (scanned.resumed) ++resumed;
    const MonitorScan& scan = scanned.scan;
    const std::vector<DayRun> runs = CostIncreaseRuns(scan);
    if (!runs.empty()) {
      const auto it = stored.find(id);
      const std::size_t first = candidates.size();
      MatchRuns(cube, m, runs,
                it == stored.end() ? std::span<const CostAnomaly* const>() : it->second,
                candidates);
      for (std::size_t c = first; c < candidates.size(); ++c) {
        anomalies.push_back(Measure(cube, candidates[c], scan, monitor, input.options));
      }
    }
    if (input.states != nullptr) {
      input.states->push_back(MonitorState{std::move(id), std::move(scanned.scan.actual),
                                           std::move(scanned.scan.points),
                                           std::move(scanned.detector)});
    }
  }
  return Candidates{std::move(candidates), std::move(anomalies), resumed};
}

// Suppressed when feedback on an earlier anomaly says so; otherwise open while it reaches the
// last day scanned, closed once a later day was normal.
void SetStatus(CostAnomaly& anomaly, std::span<const CostAnomaly> existing, Date last_day,
               double tolerance) {
  const CostAnomaly* judge = nullptr;
  for (const CostAnomaly& judged : existing) {
    if (!Suppresses(judged, anomaly, tolerance)) continue;
    if (judge == nullptr || judged.end_date > judge->end_date) judge = &judged;
  }
  anomaly.suppressed_by = judge != nullptr ? judge->id : 0;
  if (judge != nullptr) {
    anomaly.status = AnomalyStatus::kSuppressed;
  } else {
    anomaly.status = anomaly.end_date >= last_day ? AnomalyStatus::kOpen : AnomalyStatus::kClosed;
  }
}

bool Near(double a, double b) { return std::abs(a - b) <= kScoreTolerance; }

// True when storing `found` over `stored` would change nothing.
bool SameDetection(const CostAnomaly& found, const CostAnomaly& stored) {
  const bool same_percent =
      found.impact_percent.has_value() == stored.impact_percent.has_value() &&
      (!found.impact_percent || Near(*found.impact_percent, *stored.impact_percent));
  return found.start_date == stored.start_date && found.end_date == stored.end_date &&
         found.actual_spend == stored.actual_spend &&
         found.expected_spend == stored.expected_spend && found.impact == stored.impact &&
         same_percent && Near(found.max_score, stored.max_score) &&
         Near(found.latest_score, stored.latest_score) && found.severity == stored.severity &&
         found.root_causes == stored.root_causes && found.status == stored.status &&
         found.suppressed_by == stored.suppressed_by && found.model_id == stored.model_id;
}

// The rows to write and the summary's counts.
struct Changes {
  std::vector<CostAnomaly> writes;
  std::vector<std::int64_t> found_ids;  // of stored anomalies found again
  std::size_t first_new = 0;            // writes from here on are new rows
};

// Sorts found anomalies into new rows and updates of stored ones, and counts them.
Changes Reconcile(std::span<const Candidate> candidates, std::vector<CostAnomaly>& found,
                  const AnomalyDetectionOptions& options, std::int64_t now,
                  AnomalyDetectionSummary& summary) {
  Changes changes;
  std::vector<CostAnomaly> fresh;
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    CostAnomaly& anomaly = found[i];
    const CostAnomaly* stored = candidates[i].stored;
    if (stored == nullptr) {
      if (anomaly.impact < options.min_impact) continue;
      anomaly.detected_at = now;
      anomaly.updated_at = now;
      if (anomaly.status == AnomalyStatus::kSuppressed) {
        ++summary.suppressed;
      } else {
        ++summary.new_anomalies;
      }
      fresh.push_back(std::move(anomaly));
      continue;
    }
    changes.found_ids.push_back(stored->id);
    if (SameDetection(anomaly, *stored)) {
      ++summary.unchanged;
      continue;
    }
    anomaly.updated_at = now;
    if (anomaly.start_date != stored->start_date || anomaly.end_date != stored->end_date) {
      ++summary.extended;
    } else if (anomaly.status == AnomalyStatus::kSuppressed &&
               stored->status != AnomalyStatus::kSuppressed) {
      ++summary.suppressed;
    } else if (anomaly.status == AnomalyStatus::kClosed && stored->status == AnomalyStatus::kOpen) {
      ++summary.closed;
    } else {
      ++summary.updated;
    }
    changes.writes.push_back(std::move(anomaly));
  }
  changes.first_new = changes.writes.size();
  for (CostAnomaly& anomaly : fresh) changes.writes.push_back(std::move(anomaly));
  return changes;
}

// Stored open anomalies of scanned monitors that no run extended and that ended before the last
// day scanned: they are over.
void CloseEnded(const DetectionInput& input, Date last_day, std::int64_t now, Changes& changes,
                AnomalyDetectionSummary& summary) {
  std::set<std::string> scanned;
  for (const MonitorKey& key : input.monitors) {
    scanned.insert(MonitorId(ToAnomalyMonitor(input.cube, key)));
  }
  const std::set<std::int64_t> found(changes.found_ids.begin(), changes.found_ids.end());
  for (const CostAnomaly& stored : input.existing) {
    if (stored.status != AnomalyStatus::kOpen || stored.end_date >= last_day) continue;
    if (found.contains(stored.id) || !scanned.contains(MonitorId(stored.monitor))) continue;
    CostAnomaly closed = stored;
    closed.status = AnomalyStatus::kClosed;
    closed.updated_at = now;
    changes.writes.insert(changes.writes.begin() + static_cast<std::ptrdiff_t>(changes.first_new),
                          std::move(closed));
    ++changes.first_new;
    ++summary.closed;
  }
}

// The anomalies with the given ids, as stored, largest impact first.
Result<std::vector<CostAnomaly>> ReadBack(store::Repository& repository, std::int64_t tenant_id,
                                          const std::set<std::int64_t>& ids) {
  auto all = repository.ListAnomalies(tenant_id, std::nullopt);
  if (!all) return unexpected(std::move(all.error()));
  std::vector<CostAnomaly> picked;
  for (CostAnomaly& anomaly : *all) {
    if (ids.contains(anomaly.id)) picked.push_back(std::move(anomaly));
  }
  std::stable_sort(picked.begin(), picked.end(),
                   [](const CostAnomaly& a, const CostAnomaly& b) { return a.impact > b.impact; });
  return picked;
}

// Runs the detection over the loaded window and stores what changed.
Status DetectAndStore(store::Repository& repository, std::int64_t tenant_id,
                      const DetectionInput& input, std::int64_t model_id,
                      AnomalyDetectionSummary& summary) {
  Candidates candidates = FindCandidates(input);
  summary.resumed_monitors = candidates.resumed;
  const std::vector<Candidate>& found_candidates = candidates.candidates;
  std::vector<CostAnomaly>& found = candidates.anomalies;
  AttributeRootCauses(input.cube, input.monitors, found_candidates, found, input.options);
  const Date last_day = input.cube.DateOf(input.cube.days - 1);
  for (CostAnomaly& anomaly : found) {
    anomaly.model_id = model_id;
    SetStatus(anomaly, input.existing, last_day, input.options.suppression_tolerance);
  }
  Changes changes = Reconcile(found_candidates, found, input.options, input.now, summary);
  CloseEnded(input, last_day, input.now, changes, summary);
  auto ids = repository.UpsertAnomalies(tenant_id, changes.writes);
  if (!ids) return unexpected(std::move(ids.error()));
  std::set<std::int64_t> reported(changes.found_ids.begin(), changes.found_ids.end());
  for (std::size_t i = changes.first_new; i < ids->size(); ++i) reported.insert((*ids)[i]);
  auto stored = ReadBack(repository, tenant_id, reported);
  if (!stored) return unexpected(std::move(stored.error()));
  summary.anomalies = std::move(*stored);
  return {};
}

struct DayWindow {
  Date from;
  Date to;
};

// The tenant's active version of the detector with these (registry) params; empty when none.
Result<std::optional<store::TenantModel>> ActiveDetector(store::Repository& repository,
                                                         std::int64_t tenant_id,
                                                         const std::string& params) {
  auto models = repository.ListTenantModels(tenant_id);
  if (!models) return unexpected(std::move(models.error()));
  for (store::TenantModel& model : *models) {
    if (model.model_type == kSeriesDetectorModelType && model.params == params &&
        model.status == "active") {
      return std::optional(std::move(model));
    }
  }
  return std::optional<store::TenantModel>();
}

// The state the last run of the tenant's active detector version (these params) saved, when the
// run can continue it: the version is not marked for retraining, the state ends no later than
// the window, and it starts no later than the window would (no history left out) and at most
// `retrain_days` earlier; when it starts earlier than that, the version is marked for retraining
// (the schedule). Null otherwise. A damaged artifact is a warning and a rescan.
Result<std::shared_ptr<const DetectorArtifact>> SavedState(
    store::Repository& repository, std::int64_t tenant_id, const std::string& params,
    DayWindow window, const AnomalyDetectionOptions& options, std::int64_t now,
    AnomalyDetectionSummary& summary) {
  auto active = ActiveDetector(repository, tenant_id, params);
  if (!active) return unexpected(std::move(active.error()));
  if (!*active) return nullptr;
  const store::TenantModel& model = **active;
  if (model.retrain_requested_at) {
    summary.retrained = "feedback";
    return nullptr;
  }
  if (options.models == nullptr) return nullptr;
  auto loaded = options.models->LoadDetector(tenant_id, model);
  if (!loaded) {
    summary.warnings.push_back(loaded.error().message + "; every monitor was rescanned");
    return nullptr;
  }
  const std::shared_ptr<const DetectorArtifact>& saved = *loaded;
  if (!saved || saved->last_day() > window.to || saved->first_day > window.from) return nullptr;
  if (saved->first_day < window.from.AddDays(-options.retrain_days)) {
    auto marked = repository.RequestModelRetraining(tenant_id, kSeriesDetectorModelType, now);
    if (!marked) return unexpected(std::move(marked.error()));
    summary.retrained = "schedule";
    return nullptr;
  }
  return saved;
}

struct TenantCube {
  std::int64_t tenant_id = 0;
  std::int64_t cube_version = 0;  // read before the run loaded the cube
};

// Saves the run's state as the model's artifact and records its path; a failure is a warning
// (the anomalies are stored; the next run rescans).
void SaveState(store::Repository& repository, TenantCube tenant, const store::TenantModel& model,
               const CubeCells& cube, std::vector<MonitorState> states, ModelStore& models,
               AnomalyDetectionSummary& summary) {
  std::sort(states.begin(), states.end(),
            [](const MonitorState& a, const MonitorState& b) { return a.id < b.id; });
  states.erase(
      std::unique(states.begin(), states.end(),
                  [](const MonitorState& a, const MonitorState& b) { return a.id == b.id; }),
      states.end());
  auto artifact = std::make_shared<DetectorArtifact>();
  artifact->tenant_id = tenant.tenant_id;
  artifact->model_id = model.id;
  artifact->trained_at = model.trained_at;
  artifact->params = model.params;
  artifact->cube_version = tenant.cube_version;
  artifact->first_day = cube.first_day;
  artifact->days = cube.days;
  artifact->monitors = std::move(states);
  auto path = models.SaveDetector(tenant.tenant_id, model, std::move(artifact));
  if (!path) {
    summary.warnings.push_back(path.error().message);
    return;
  }
  if (path->string() == model.artifact_path) return;
  if (Status recorded = repository.SetModelArtifact(tenant.tenant_id, model.id, path->string());
      !recorded) {
    summary.warnings.push_back(recorded.error().message);
  }
}

Error WithTenant(Error error, std::string_view tenant, std::int64_t id) {
  if (error.code == ErrorCode::kNotFound) {
    error.message = fmt::format("tenant '{}' has no anomaly {}", tenant, id);
  }
  return error;
}

}  // namespace

AnomalySeverity SeverityOf(Money impact, double max_score, const SeverityThresholds& thresholds) {
  int level = 0;
  if (impact >= thresholds.critical) {
    level = 3;
  } else if (impact >= thresholds.high) {
    level = 2;
  } else if (impact >= thresholds.medium) {
    level = 1;
  }
  if (level > 0 && max_score < thresholds.confident_score) --level;
  return static_cast<AnomalySeverity>(level);
}

bool Suppresses(const CostAnomaly& judged, const CostAnomaly& candidate, double tolerance) {
  if (judged.feedback != AnomalyFeedback::kNo && judged.feedback != AnomalyFeedback::kPlanned) {
    return false;
  }
  if (judged.id == candidate.id || !SameMonitor(judged.monitor, candidate.monitor)) return false;
  if (candidate.start_date <= judged.end_date || judged.impact.nanos() <= 0) return false;
  const double reference = static_cast<double>(judged.impact.nanos());
  const double difference = std::abs(static_cast<double>(candidate.impact.nanos()) - reference);
  return difference <= tolerance * reference;
}

Result<AnomalyDetectionSummary> DetectCostAnomalies(store::Repository& repository,
                                                    std::string_view tenant,
                                                    const AnomalyDetectionOptions& options) {
  if (Status valid = ValidateOptions(options); !valid) return unexpected(valid.error());
  auto tenant_row = repository.FindTenant(tenant);
  if (!tenant_row) return unexpected(tenant_row.error());
  AnomalyDetectionSummary summary;
  summary.tenant = std::string(tenant);
  auto range = repository.CostDayRange(tenant_row->id);
  if (!range) return unexpected(range.error());
  if (!*range) return summary;
  // The window ends at the latest day and starts no earlier than the data: the days before the
  // first bill are unknown, not free, and the first bill is no cost increase.
  const Date to = options.end.value_or((*range)->last);
  const Date full_from = std::max(to.AddDays(-(options.lookback_days - 1)), (*range)->first);
  if (to < full_from) {
    return MakeError(ErrorCode::kInvalidInput,
                     fmt::format("anomaly detection: the end day {} is before the first day of "
                                 "cost data of tenant '{}' ({})",
                                 to.ToString(), tenant, (*range)->first.ToString()));
  }
  const std::int64_t now = options.now != 0 ? options.now : UnixSecondsNow();
  const std::string params = DetectorParams(options.detector);
  auto saved = SavedState(repository, tenant_row->id, RegistryParams(kSeriesDetectorEngine, params),
                          {full_from, to}, options, now, summary);
  if (!saved) return unexpected(std::move(saved.error()));
  // A continued state keeps its window's first day (a rescan from there gives the same answers).
  const Date from = *saved ? (*saved)->first_day : full_from;
  summary.from = from;
  summary.to = to;
  // Read before the cube: a saved state never claims data newer than it saw.
  auto cube_version = repository.CubeVersion(tenant_row->id);
  if (!cube_version) return unexpected(std::move(cube_version.error()));
  auto cube =
      LoadCubeCells(repository, tenant_row->id, from, to, options.excluded_charge_categories);
  if (!cube) return unexpected(cube.error());
  const std::vector<MonitorKey> monitors = ChooseMonitors(*cube, options.top_values);
  summary.monitors = static_cast<std::int64_t>(monitors.size());
  auto existing = repository.ListAnomalies(tenant_row->id, std::nullopt);
  if (!existing) return unexpected(existing.error());
  ModelTraining training;
  training.model_type = kSeriesDetectorModelType;
  training.engine = kSeriesDetectorEngine;
  training.params = params;
  training.data_from = from;
  training.data_to = to;
  training.now = now;
  SetFeedbackMetrics(*existing, training);
  auto model = RecordTraining(repository, tenant_row->id, training);
  if (!model) return unexpected(model.error());
  summary.model = ModelVersionLabel(*model);
  std::vector<MonitorState> states;
  DetectionInput input{*cube, monitors, *existing, options};
  input.now = now;
  // The saved state belongs to the version that continued; a new version starts afresh.
  if (*saved && (*saved)->model_id == model->id) input.saved = saved->get();
  if (options.models != nullptr) input.states = &states;
  if (Status done = DetectAndStore(repository, tenant_row->id, input, model->id, summary); !done) {
    return unexpected(done.error());
  }
  if (options.models != nullptr) {
    SaveState(repository, {tenant_row->id, *cube_version}, *model, *cube, std::move(states),
              *options.models, summary);
  }
  return summary;
}

Result<std::vector<CostAnomaly>> ListCostAnomalies(store::Repository& repository,
                                                   std::string_view tenant,
                                                   std::optional<AnomalyStatus> status) {
  auto tenant_row = repository.FindTenant(tenant);
  if (!tenant_row) return unexpected(tenant_row.error());
  return repository.ListAnomalies(tenant_row->id, status);
}

Result<CostAnomaly> GetCostAnomaly(store::Repository& repository, std::string_view tenant,
                                   std::int64_t id) {
  auto tenant_row = repository.FindTenant(tenant);
  if (!tenant_row) return unexpected(tenant_row.error());
  auto anomaly = repository.GetAnomaly(tenant_row->id, id);
  if (!anomaly) return unexpected(WithTenant(anomaly.error(), tenant, id));
  return anomaly;
}

Result<CostAnomaly> SetAnomalyFeedback(store::Repository& repository, std::string_view tenant,
                                       std::int64_t id, AnomalyFeedback verdict,
                                       std::string_view note, std::int64_t now) {
  if (verdict == AnomalyFeedback::kNone) {
    return MakeError(ErrorCode::kInvalidInput,
                     fmt::format("feedback on anomaly {} must be yes, no or planned", id));
  }
  auto tenant_row = repository.FindTenant(tenant);
  if (!tenant_row) return unexpected(tenant_row.error());
  const std::int64_t at = now != 0 ? now : UnixSecondsNow();
  auto anomaly = repository.SetAnomalyFeedback(tenant_row->id, id, verdict, note, at);
  if (!anomaly) return unexpected(WithTenant(anomaly.error(), tenant, id));
  // The next detection trains a new version of the detector with the feedback.
  auto marked = repository.RequestModelRetraining(tenant_row->id, kSeriesDetectorModelType, at);
  if (!marked) return unexpected(std::move(marked.error()));
  return anomaly;
}

namespace {

constexpr std::size_t kMaxPageSize = 1000;
// Days shown before an anomaly that starts before the detection window.
constexpr int kDaysBeforeOldAnomaly = 28;

bool Matches(const CostAnomaly& anomaly, const AnomalyQuery& query) {
  if (query.status && anomaly.status != *query.status) return false;
  if (query.severity && anomaly.severity != *query.severity) return false;
  if (query.from && anomaly.end_date < *query.from) return false;
  if (query.to && anomaly.start_date > *query.to) return false;
  return !query.min_impact || anomaly.impact >= *query.min_impact;
}

Money MoneyOfUnits(double units) { return Money::FromNanos(std::llround(units * kNanosPerUnit)); }

AnomalySeriesDay SeriesDay(Date day, std::int64_t actual, const anomaly::SeriesPoint& point,
                           const CostAnomaly& anomaly) {
  AnomalySeriesDay series_day;
  series_day.day = day;
  series_day.actual = Money::FromNanos(actual);
  series_day.expected = Money::FromNanos(ExpectedNanos(point));
  series_day.lower = MoneyOfUnits(std::max(0.0, point.lower));
  series_day.upper = MoneyOfUnits(point.upper);
  series_day.score = point.score;
  series_day.in_anomaly = day >= anomaly.start_date && day <= anomaly.end_date;
  return series_day;
}

// The anomaly's monitor from `window.from` as the last detection saw it, from the detector's
// saved state, when that state is current (the cube has not changed since it was saved), ends at
// `window.to` and covers the anomaly. Empty otherwise (the caller rescans), a damaged artifact
// included.
Result<std::optional<std::vector<AnomalySeriesDay>>> SavedSeries(
    store::Repository& repository, std::int64_t tenant_id, const CostAnomaly& anomaly,
    DayWindow window, const AnomalyDetectionOptions& options) {
  using Series = std::optional<std::vector<AnomalySeriesDay>>;
  auto active =
      ActiveDetector(repository, tenant_id,
                     RegistryParams(kSeriesDetectorEngine, DetectorParams(options.detector)));
  if (!active) return unexpected(std::move(active.error()));
  if (!*active) return Series();
  auto loaded = options.models->LoadDetector(tenant_id, **active);
  if (!loaded || !*loaded) return Series();
  const DetectorArtifact& saved = **loaded;
  auto version = repository.CubeVersion(tenant_id);
  if (!version) return unexpected(std::move(version.error()));
  const MonitorState* state = saved.Find(MonitorId(anomaly.monitor));
  // The state of the version's last run (trained_at) on the cube as it is now.
  if (state == nullptr || saved.trained_at != (*active)->trained_at ||
      saved.cube_version != *version || saved.last_day() != window.to ||
      saved.first_day > anomaly.start_date) {
    return Series();
  }
  std::vector<AnomalySeriesDay> series;
  for (std::int32_t i = std::max(0, window.from.days() - saved.first_day.days());
       i < static_cast<std::int32_t>(state->points.size()); ++i) {
    const auto at = static_cast<std::size_t>(i);
    series.push_back(
        SeriesDay(saved.first_day.AddDays(i), state->actual[at], state->points[at], anomaly));
  }
  return Series(std::move(series));
}

}  // namespace

Result<AnomalyPage> FindCostAnomalies(store::Repository& repository, std::string_view tenant,
                                      const AnomalyQuery& query) {
  if (query.limit == 0 || query.limit > kMaxPageSize) {
    return MakeError(ErrorCode::kInvalidInput,
                     fmt::format("limit must be from 1 to {}", kMaxPageSize));
  }
  if (query.from && query.to && *query.from > *query.to) {
    return MakeError(
        ErrorCode::kInvalidInput,
        fmt::format("from ({}) is after to ({})", query.from->ToString(), query.to->ToString()));
  }
  auto all = ListCostAnomalies(repository, tenant, std::nullopt);
  if (!all) return unexpected(std::move(all.error()));
  AnomalyPage page{std::string(tenant), 0, {}};
  std::vector<CostAnomaly> matching;
  for (CostAnomaly& anomaly : *all) {
    if (Matches(anomaly, query)) matching.push_back(std::move(anomaly));
  }
  std::sort(matching.begin(), matching.end(), [](const CostAnomaly& a, const CostAnomaly& b) {
    return std::tuple(b.impact, b.start_date, b.id) < std::tuple(a.impact, a.start_date, a.id);
  });
  page.total = matching.size();
  const std::size_t first = std::min(query.offset, matching.size());
  const std::size_t last = std::min(matching.size(), first + query.limit);
  page.anomalies.assign(
      std::make_move_iterator(matching.begin() + static_cast<std::ptrdiff_t>(first)),
      std::make_move_iterator(matching.begin() + static_cast<std::ptrdiff_t>(last)));
  return page;
}

Result<AnomalyDetail> GetCostAnomalyDetail(store::Repository& repository, std::string_view tenant,
                                           std::int64_t id,
                                           const AnomalyDetectionOptions& options) {
  if (Status valid = ValidateOptions(options); !valid) return unexpected(valid.error());
  auto tenant_row = repository.FindTenant(tenant);
  if (!tenant_row) return unexpected(tenant_row.error());
  auto anomaly = repository.GetAnomaly(tenant_row->id, id);
  if (!anomaly) return unexpected(WithTenant(anomaly.error(), tenant, id));
  AnomalyDetail detail{std::move(*anomaly), {}};
  auto range = repository.CostDayRange(tenant_row->id);
  if (!range) return unexpected(range.error());
  if (!*range) return detail;
  const Date to = std::max(options.end.value_or((*range)->last), detail.anomaly.end_date);
  const Date from = std::max(std::min(to.AddDays(-(options.lookback_days - 1)),
                                      detail.anomaly.start_date.AddDays(-kDaysBeforeOldAnomaly)),
                             (*range)->first);
  if (options.models != nullptr) {
    auto saved = SavedSeries(repository, tenant_row->id, detail.anomaly, {from, to}, options);
    if (!saved) return unexpected(std::move(saved.error()));
    if (*saved) {
      detail.series = std::move(**saved);
      return detail;
    }
  }
  auto cube =
      LoadCubeCells(repository, tenant_row->id, from, to, options.excluded_charge_categories);
  if (!cube) return unexpected(cube.error());
  std::vector<MonitorKey> keys;
  for (const MonitorKey& key : ChooseMonitors(*cube, options.top_values)) {
    if (SameMonitor(ToAnomalyMonitor(*cube, key), detail.anomaly.monitor)) {
      keys.push_back(key);
      break;
    }
  }
  if (keys.empty() || cube->days <= 0) return detail;
  std::vector<std::int64_t> timestamps(static_cast<std::size_t>(cube->days));
  for (std::size_t i = 0; i < timestamps.size(); ++i) {
    timestamps[i] = (cube->first_day.days() + static_cast<std::int64_t>(i)) * kSecondsPerDay;
  }
  std::vector<std::vector<std::int64_t>> daily = BuildDailySeries(*cube, keys);
  const MonitorScan scan =
      ScanMonitor(timestamps, std::move(daily.front()), nullptr, options.detector).scan;
  for (std::size_t i = 0; i < scan.points.size(); ++i) {
    detail.series.push_back(SeriesDay(cube->DateOf(static_cast<std::int32_t>(i)), scan.actual[i],
                                      scan.points[i], detail.anomaly));
  }
  return detail;
}

}  // namespace costwise::service
