#pragma once
// The cost-anomaly use case: run the series detector over every cost monitor of a tenant, turn
// runs of anomalous days into stored anomalies with their impact and root causes, extend the
// ongoing ones, and take feedback. docs/anomalies.md describes monitors, fields, severity, the
// root-cause math and the feedback rule.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/cost_anomaly.h"
#include "core/error.h"
#include "engines/anomaly/series_detector.h"
#include "service/model_store.h"
#include "service/root_causes.h"
#include "store/repository.h"

namespace costwise::service {

// The detector anomalies record: each tenant's versions of it are ml_models rows of this type
// (model_registry.h; rendered "series-detector/N"). The engine version is part of the params:
// bump it when the detector's behaviour changes.
inline constexpr std::string_view kSeriesDetectorModelType = "series-detector";
inline constexpr std::string_view kSeriesDetectorEngine = "series-detector/1";

// Severity from the impact, in the monitor's currency: at least `medium`, `high` or `critical`
// gives that level, less is low. A detection whose highest score stays below `confident_score`
// is one level lower (never below low).
struct SeverityThresholds {
  Money medium = Money::FromNanos(10 * Money::kNanosPerUnit);
  Money high = Money::FromNanos(100 * Money::kNanosPerUnit);
  Money critical = Money::FromNanos(1000 * Money::kNanosPerUnit);
  double confident_score = 0.75;
};

struct AnomalyDetectionOptions {
  int lookback_days = 90;   // days scanned, ending at `end`
  std::optional<Date> end;  // default: the latest day in the tenant's cube
  int top_values = 5000;    // monitors per dimension and per tag key, by spend in the window
  Money min_impact = Money::FromNanos(Money::kNanosPerUnit);  // smaller new anomalies are dropped
  int baseline_days = 14;  // days before an anomaly whose spend is the root-cause baseline
  RootCauseOptions root_causes;
  // A no/planned verdict suppresses later anomalies of the same monitor whose impact is within
  // this fraction of the judged anomaly's impact (0.5: from half to one and a half times it).
  double suppression_tolerance = 0.5;
  // Charges left out of every monitor: not spend that daily usage drives. Taxes, credits and
  // refunds; and lump charges billed once a month or once (AWS CUR "Fee": upfront reservation
  // payments, support and Marketplace subscriptions; FOCUS "Purchase"; Savings Plans upfront
  // fees), which a daily detector with a weekly cycle would flag on every first of the month.
  std::vector<std::string> excluded_charge_categories = {
      "Tax", "Credit", "Refund", "Fee", "Purchase", "SavingsPlanUpfrontFee"};
  SeverityThresholds severity;
  anomaly::SeriesDetectorOptions detector;
  std::int64_t now = 0;  // Unix seconds written to detected_at/updated_at; 0 = the clock
  // Where the detector's state is saved between runs (docs/service.md, "Model artifacts"); null
  // = none: every run rescans its whole window. With it, a run continues each monitor from the
  // state the last run of the same detector version saved, feeding it only the new days, and
  // its window keeps that run's first day; once the window is `retrain_days` longer than the
  // lookback, the run trains a new version on the latest `lookback_days` (the retraining
  // schedule), as it does after feedback.
  ModelStore* models = nullptr;
  int retrain_days = 7;
};

struct AnomalyDetectionSummary {
  std::string tenant;
  std::optional<Date> from;  // the days scanned; empty when the tenant has no cost data
  std::optional<Date> to;
  std::int64_t monitors = 0;  // daily series scanned
  int new_anomalies = 0;      // stored for the first time and alerting
  int extended = 0;           // stored ones whose days grew
  int updated = 0;            // stored ones whose amounts or status changed otherwise
  int unchanged = 0;
  int suppressed = 0;  // newly suppressed by feedback (not alerting)
  int closed = 0;      // open ones that ended
  std::string model;   // the detector version that ran: "series-detector/3"
  // Monitors continued from the saved state (the others were scanned from the window's start:
  // new monitors, restated spend, no usable state).
  std::int64_t resumed_monitors = 0;
  // Why this run trained a new version: "feedback", "schedule"; empty when it did not.
  std::string retrained;
  std::vector<std::string> warnings;  // what went wrong without failing the run
  // What this run found, as stored, largest impact first.
  std::vector<CostAnomaly> anomalies;
};

// InvalidInput for options out of range; NotFound when the tenant does not exist. A tenant
// without cost data scans nothing.
[[nodiscard]] Result<AnomalyDetectionSummary> DetectCostAnomalies(
    store::Repository& repository, std::string_view tenant, const AnomalyDetectionOptions& options);

// The tenant's anomalies, newest first; all of them when `status` is empty.
[[nodiscard]] Result<std::vector<CostAnomaly>> ListCostAnomalies(
    store::Repository& repository, std::string_view tenant, std::optional<AnomalyStatus> status);

// NotFound when the tenant has no anomaly with that id (another tenant's included).
[[nodiscard]] Result<CostAnomaly> GetCostAnomaly(store::Repository& repository,
                                                 std::string_view tenant, std::int64_t id);

// Which of a tenant's anomalies to list, and which page of them.
struct AnomalyQuery {
  std::optional<AnomalyStatus> status;
  std::optional<AnomalySeverity> severity;
  std::optional<Date> from;  // anomalies that end on or after this day
  std::optional<Date> to;    // and start on or before this one
  std::optional<Money> min_impact;
  std::size_t limit = 50;
  std::size_t offset = 0;
};

struct AnomalyPage {
  std::string tenant;
  std::size_t total = 0;               // anomalies that match, on every page
  std::vector<CostAnomaly> anomalies;  // this page, largest impact first (then newest, then id)
};

// The tenant's anomalies that match the query. InvalidInput for a limit of 0 or over 1,000, or
// `from` after `to`.
[[nodiscard]] Result<AnomalyPage> FindCostAnomalies(store::Repository& repository,
                                                    std::string_view tenant,
                                                    const AnomalyQuery& query);

// One day of an anomaly's monitor as the detector saw it.
struct AnomalySeriesDay {
  Date day;
  Money actual;
  Money expected;  // the baseline's prediction, never below zero
  Money lower;     // the band outside which a day is anomalous on its own
  Money upper;
  double score = 0;         // [0, 1]
  bool in_anomaly = false;  // within the anomaly's days
};

struct AnomalyDetail {
  CostAnomaly anomaly;
  // The monitor's days over the detection window (extended back to before the anomaly when it
  // is older); empty when the monitor is no longer among the scanned ones.
  std::vector<AnomalySeriesDay> series;
};

// The anomaly with its monitor's series, rescanned with the options' detector and window as a
// detection would. NotFound as GetCostAnomaly.
[[nodiscard]] Result<AnomalyDetail> GetCostAnomalyDetail(store::Repository& repository,
                                                         std::string_view tenant, std::int64_t id,
                                                         const AnomalyDetectionOptions& options);

// Records yes, no or planned (InvalidInput for none) with a note; `now` 0 = the clock. "no" and
// "planned" suppress the same pattern in later detections (see Suppresses). Any verdict marks
// the tenant's detector for retraining: the next detection records a new version of it.
[[nodiscard]] Result<CostAnomaly> SetAnomalyFeedback(store::Repository& repository,
                                                     std::string_view tenant, std::int64_t id,
                                                     AnomalyFeedback verdict, std::string_view note,
                                                     std::int64_t now = 0);

// The severity rule above.
[[nodiscard]] AnomalySeverity SeverityOf(Money impact, double max_score,
                                         const SeverityThresholds& thresholds);

// The feedback rule: `judged` (feedback no or planned) suppresses `candidate` when they are
// different anomalies of the same monitor, the candidate starts after the judged one ended, and
// the candidate's impact is within `tolerance` (a fraction) of the judged one's positive impact.
[[nodiscard]] bool Suppresses(const CostAnomaly& judged, const CostAnomaly& candidate,
                              double tolerance);

}  // namespace costwise::service
