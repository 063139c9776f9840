#include "store/anomaly_store.h"

#include <string>
#include <unordered_map>
#include <utility>

#include <fmt/format.h>

#include "store/revisions.h"
#include "store/soci_includes.h"

namespace costwise::store {
namespace {

constexpr std::string_view kTotalDimension = "total";
constexpr std::string_view kTagDimension = "tag";
constexpr std::string_view kServiceDimension = "service";
// anomalies.anomaly_type of the rows the anomaly service writes.
constexpr std::string_view kCostIncreaseType = "cost-increase";

// How a monitor is spelled in the monitor_dimension, monitor_key and monitor_value columns:
// ("total", "", ""), ("service", "", "Amazon EC2"), ("tag", "team", "web").
struct MonitorColumns {
  std::string dimension;
  std::string key;
  std::string value;
};

MonitorColumns ColumnsOf(const AnomalyMonitor& monitor) {
  if (!monitor.dimension) return {std::string(kTotalDimension), "", ""};
  if (monitor.dimension->dimension == CostDimension::kTag) {
    return {std::string(kTagDimension), monitor.dimension->tag_key, monitor.value};
  }
  return {DimensionName(*monitor.dimension), "", monitor.value};
}

Result<std::optional<DimensionRef>> DimensionOf(const MonitorColumns& columns, long long id) {
  if (columns.dimension == kTotalDimension) return std::optional<DimensionRef>();
  if (columns.dimension == kTagDimension) {
    return std::optional<DimensionRef>(DimensionRef{CostDimension::kTag, columns.key});
  }
  const std::optional<DimensionRef> dimension = ParseDimension(columns.dimension);
  if (!dimension || dimension->dimension == CostDimension::kTag) {
    return MakeError(ErrorCode::kInternal,
                     fmt::format("stored anomaly {} has an unknown monitor dimension '{}'", id,
                                 columns.dimension));
  }
  return dimension;
}

// The service the anomaly is on, or the service that contributed most to it.
std::string AffectedService(const CostAnomaly& anomaly) {
  if (anomaly.monitor.dimension &&
      anomaly.monitor.dimension->dimension == CostDimension::kService) {
    return anomaly.monitor.value;
  }
  for (const RootCause& cause : anomaly.root_causes) {
    if (cause.dimension == kServiceDimension) return cause.value;
  }
  return "";
}

// The columns of an anomalies row that are both written and read, in their stored types, and
// the conversions between them and a CostAnomaly that need no parsing.
struct AnomalyColumns {
  long long id = 0;
  MonitorColumns monitor;
  std::string currency;
  long long start = 0;
  long long end = 0;
  long long actual = 0;
  long long expected = 0;
  long long impact = 0;
  double impact_percent = 0;
  soci::indicator impact_percent_indicator = soci::i_null;
  double max_score = 0;
  double latest_score = 0;
  std::string severity;
  std::string status;
  long long model_id = 0;
  soci::indicator model_indicator = soci::i_null;
  long long suppressed_by = 0;
  soci::indicator suppressed_indicator = soci::i_null;
  long long detected_at = 0;
  long long updated_at = 0;

  void Fill(const CostAnomaly& anomaly) {
    id = anomaly.id;
    monitor = ColumnsOf(anomaly.monitor);
    currency = anomaly.monitor.currency;
    start = anomaly.start_date.days();
    end = anomaly.end_date.days();
    actual = anomaly.actual_spend.nanos();
    expected = anomaly.expected_spend.nanos();
    impact = anomaly.impact.nanos();
    impact_percent = anomaly.impact_percent.value_or(0);
    impact_percent_indicator = anomaly.impact_percent ? soci::i_ok : soci::i_null;
    max_score = anomaly.max_score;
    latest_score = anomaly.latest_score;
    severity = SeverityName(anomaly.severity);
    status = StatusName(anomaly.status);
    model_id = anomaly.model_id;
    model_indicator = anomaly.model_id != 0 ? soci::i_ok : soci::i_null;
    suppressed_by = anomaly.suppressed_by;
    suppressed_indicator = anomaly.suppressed_by != 0 ? soci::i_ok : soci::i_null;
    detected_at = anomaly.detected_at;
    updated_at = anomaly.updated_at;
  }

  // Everything but the monitor, severity and status, which the reader parses.
  void CopyTo(CostAnomaly& anomaly) const {
    anomaly.id = id;
    anomaly.start_date = Date::FromDays(static_cast<std::int32_t>(start));
    anomaly.end_date = Date::FromDays(static_cast<std::int32_t>(end));
    anomaly.actual_spend = Money::FromNanos(actual);
    anomaly.expected_spend = Money::FromNanos(expected);
    anomaly.impact = Money::FromNanos(impact);
    if (impact_percent_indicator == soci::i_ok) anomaly.impact_percent = impact_percent;
    anomaly.max_score = max_score;
    anomaly.latest_score = latest_score;
    anomaly.model_id = model_indicator == soci::i_ok ? model_id : 0;
    anomaly.suppressed_by = suppressed_indicator == soci::i_ok ? suppressed_by : 0;
    anomaly.detected_at = detected_at;
    anomaly.updated_at = updated_at;
  }
};

// The values bound to the INSERT and UPDATE statements, refilled for each anomaly.
struct AnomalyBinding : AnomalyColumns {
  long long tenant = 0;
  std::string type{kCostIncreaseType};
  std::string affected_service;

  void Fill(const CostAnomaly& anomaly) {
    AnomalyColumns::Fill(anomaly);
    affected_service = AffectedService(anomaly);
  }
};

// Conflict when a stored anomaly of the same monitor overlaps or touches the new one.
Status CheckNoOverlap(soci::session& session, const AnomalyBinding& row,
                      const CostAnomaly& anomaly) {
  const long long start_minus_one = row.start - 1;
  const long long end_plus_one = row.end + 1;
  long long id = 0;
  long long start = 0;
  long long end = 0;
  session << "SELECT id, start_date, end_date FROM anomalies WHERE tenant_id = :tenant "
             "AND monitor_dimension = :dimension AND monitor_key = :key "
             "AND monitor_value = :value AND currency = :currency "
             "AND start_date <= :end_plus_one AND end_date >= :start_minus_one "
             "ORDER BY id LIMIT 1",
      soci::use(row.tenant, "tenant"), soci::use(row.monitor.dimension, "dimension"),
      soci::use(row.monitor.key, "key"), soci::use(row.monitor.value, "value"),
      soci::use(row.currency, "currency"), soci::use(end_plus_one, "end_plus_one"),
      soci::use(start_minus_one, "start_minus_one"), soci::into(id), soci::into(start),
      soci::into(end);
  if (!session.got_data()) return {};
  return MakeError(
      ErrorCode::kConflict,
      fmt::format("a new anomaly of monitor {} ({} .. {}) overlaps or touches stored anomaly {} "
                  "({} .. {}): extend that one instead (another detection may have run at the "
                  "same time; run it again)",
                  MonitorLabel(anomaly.monitor), anomaly.start_date.ToString(),
                  anomaly.end_date.ToString(), id,
                  Date::FromDays(static_cast<std::int32_t>(start)).ToString(),
                  Date::FromDays(static_cast<std::int32_t>(end)).ToString()));
}

void WriteRootCauses(soci::session& session, long long anomaly_id,
                     std::span<const RootCause> causes) {
  session << "DELETE FROM anomaly_root_causes WHERE anomaly_id = :id", soci::use(anomaly_id, "id");
  int ordinal = 0;
  RootCause cause;
  long long impact = 0;
  soci::statement insert =
      (session.prepare << "INSERT INTO anomaly_root_causes (anomaly_id, ordinal, dimension, "
                          "value, impact) VALUES (:id, :ordinal, :dimension, :value, :impact)",
       soci::use(anomaly_id, "id"), soci::use(ordinal, "ordinal"),
       soci::use(cause.dimension, "dimension"), soci::use(cause.value, "value"),
       soci::use(impact, "impact"));
  for (const RootCause& next : causes) {
    cause = next;
    impact = next.impact.nanos();
    insert.execute(true);
    ++ordinal;
  }
}

constexpr std::string_view kSelectAnomalies =
    "SELECT a.id, a.monitor_dimension, a.monitor_key, a.monitor_value, a.currency, "
    "a.start_date, a.end_date, a.actual_spend, a.expected_spend, a.estimated_impact, "
    "a.impact_percent, a.anomaly_score, a.latest_score, a.severity, a.model_id, "
    "COALESCE(m.model_type || '/' || CAST(m.version AS TEXT), ''), a.detected_at, a.updated_at, "
    "a.status, a.suppressed_by, a.feedback, a.feedback_note, a.feedback_at "
    "FROM anomalies a LEFT JOIN ml_models m ON m.id = a.model_id";

constexpr std::string_view kSelectRootCauses =
    "SELECT r.anomaly_id, r.dimension, r.value, r.impact FROM anomaly_root_causes r "
    "JOIN anomalies a ON a.id = r.anomaly_id";

// The WHERE clause of a selection, with its parameters bound by name.
std::string WhereOf(const AnomalySelection& selection) {
  std::string where = " WHERE a.tenant_id = :tenant";
  if (selection.id) where += " AND a.id = :id";
  if (selection.status) where += " AND a.status = :status";
  return where;
}

// Parameters of WhereOf, kept alive while the statement runs.
struct SelectionParams {
  long long tenant = 0;
  long long id = 0;
  std::string status;

  void Bind(soci::statement& statement, const AnomalySelection& selection) {
    statement.exchange(soci::use(tenant, "tenant"));
    if (selection.id) statement.exchange(soci::use(id, "id"));
    if (selection.status) statement.exchange(soci::use(status, "status"));
  }
};

// One fetched anomalies row before it becomes a CostAnomaly.
struct AnomalyFetch : AnomalyColumns {
  std::string model_version;
  std::string feedback;
  std::string feedback_note;
  long long feedback_at = 0;
  soci::indicator feedback_at_indicator = soci::i_ok;

  void Bind(soci::statement& statement) {
    statement.exchange(soci::into(id));
    statement.exchange(soci::into(monitor.dimension));
    statement.exchange(soci::into(monitor.key));
    statement.exchange(soci::into(monitor.value));
    statement.exchange(soci::into(currency));
    statement.exchange(soci::into(start));
    statement.exchange(soci::into(end));
    statement.exchange(soci::into(actual));
    statement.exchange(soci::into(expected));
    statement.exchange(soci::into(impact));
    statement.exchange(soci::into(impact_percent, impact_percent_indicator));
    statement.exchange(soci::into(max_score));
    statement.exchange(soci::into(latest_score));
    statement.exchange(soci::into(severity));
    statement.exchange(soci::into(model_id, model_indicator));
    statement.exchange(soci::into(model_version));
    statement.exchange(soci::into(detected_at));
    statement.exchange(soci::into(updated_at));
    statement.exchange(soci::into(status));
    statement.exchange(soci::into(suppressed_by, suppressed_indicator));
    statement.exchange(soci::into(feedback));
    statement.exchange(soci::into(feedback_note));
    statement.exchange(soci::into(feedback_at, feedback_at_indicator));
  }

  [[nodiscard]] Error Unknown(std::string_view what, std::string_view text) const {
    return Error{ErrorCode::kInternal,
                 fmt::format("stored anomaly {} has an unknown {} '{}'", id, what, text)};
  }

  [[nodiscard]] Result<CostAnomaly> ToAnomaly() const {
    auto dimension = DimensionOf(monitor, id);
    if (!dimension) return unexpected(std::move(dimension.error()));
    const std::optional<AnomalySeverity> parsed_severity = ParseSeverity(severity);
    if (!parsed_severity) return unexpected(Unknown("severity", severity));
    const std::optional<AnomalyStatus> parsed_status = ParseStatus(status);
    if (!parsed_status) return unexpected(Unknown("status", status));
    const std::optional<AnomalyFeedback> parsed_feedback = ParseFeedback(feedback);
    if (!parsed_feedback) return unexpected(Unknown("feedback", feedback));
    CostAnomaly anomaly;
    CopyTo(anomaly);
    anomaly.monitor = AnomalyMonitor{*dimension, monitor.value, currency};
    anomaly.severity = *parsed_severity;
    anomaly.model_version = model_version;
    anomaly.status = *parsed_status;
    anomaly.feedback = *parsed_feedback;
    anomaly.feedback_note = feedback_note;
    anomaly.feedback_at = feedback_at_indicator == soci::i_ok ? feedback_at : 0;
    return anomaly;
  }
};

void AttachRootCauses(soci::session& session, std::int64_t tenant_id,
                      const AnomalySelection& selection, std::vector<CostAnomaly>& anomalies) {
  std::unordered_map<std::int64_t, std::size_t> index;
  for (std::size_t i = 0; i < anomalies.size(); ++i) index.emplace(anomalies[i].id, i);
  SelectionParams params{tenant_id, selection.id.value_or(0),
                         selection.status ? std::string(StatusName(*selection.status)) : ""};
  long long anomaly_id = 0;
  RootCause cause;
  long long impact = 0;
  soci::statement statement(session);
  params.Bind(statement, selection);
  statement.exchange(soci::into(anomaly_id));
  statement.exchange(soci::into(cause.dimension));
  statement.exchange(soci::into(cause.value));
  statement.exchange(soci::into(impact));
  statement.alloc();
  statement.prepare(std::string(kSelectRootCauses) + WhereOf(selection) +
                    " ORDER BY r.anomaly_id, r.ordinal");
  statement.define_and_bind();
  statement.execute();
  while (statement.fetch()) {
    const auto it = index.find(anomaly_id);
    if (it == index.end()) continue;
    cause.impact = Money::FromNanos(impact);
    anomalies[it->second].root_causes.push_back(cause);
  }
}

}  // namespace

Result<std::vector<std::int64_t>> WriteAnomalies(soci::session& session, std::int64_t tenant_id,
                                                 std::span<const CostAnomaly> anomalies) {
  AnomalyBinding row;
  row.tenant = tenant_id;
  long long new_id = 0;
  soci::statement insert =
      (session.prepare
           << "INSERT INTO anomalies (tenant_id, detected_at, updated_at, anomaly_score, "
              "anomaly_type, affected_service, estimated_impact, start_date, end_date, status, "
              "model_id, monitor_dimension, monitor_key, monitor_value, currency, actual_spend, "
              "expected_spend, impact_percent, latest_score, severity, suppressed_by) VALUES "
              "(:tenant, :detected_at, :updated_at, :max_score, :type, :service, :impact, "
              ":start_date, :end_date, :status, :model_id, :dimension, :key, :value, :currency, "
              ":actual, :expected, :impact_percent, :latest_score, :severity, :suppressed_by) "
              "RETURNING id",
       soci::use(row.tenant, "tenant"), soci::use(row.detected_at, "detected_at"),
       soci::use(row.updated_at, "updated_at"), soci::use(row.max_score, "max_score"),
       soci::use(row.type, "type"), soci::use(row.affected_service, "service"),
       soci::use(row.impact, "impact"), soci::use(row.start, "start_date"),
       soci::use(row.end, "end_date"), soci::use(row.status, "status"),
       soci::use(row.model_id, row.model_indicator, "model_id"),
       soci::use(row.monitor.dimension, "dimension"), soci::use(row.monitor.key, "key"),
       soci::use(row.monitor.value, "value"), soci::use(row.currency, "currency"),
       soci::use(row.actual, "actual"), soci::use(row.expected, "expected"),
       soci::use(row.impact_percent, row.impact_percent_indicator, "impact_percent"),
       soci::use(row.latest_score, "latest_score"), soci::use(row.severity, "severity"),
       soci::use(row.suppressed_by, row.suppressed_indicator, "suppressed_by"), soci::into(new_id));
  soci::statement update =
      (session.prepare
           << "UPDATE anomalies SET updated_at = :updated_at, anomaly_score = :max_score, "
              "affected_service = :service, estimated_impact = :impact, "
              "start_date = :start_date, end_date = :end_date, status = :status, "
              "model_id = :model_id, actual_spend = :actual, expected_spend = :expected, "
              "impact_percent = :impact_percent, latest_score = :latest_score, "
              "severity = :severity, suppressed_by = :suppressed_by "
              "WHERE id = :id AND tenant_id = :tenant",
       soci::use(row.updated_at, "updated_at"), soci::use(row.max_score, "max_score"),
       soci::use(row.affected_service, "service"), soci::use(row.impact, "impact"),
       soci::use(row.start, "start_date"), soci::use(row.end, "end_date"),
       soci::use(row.status, "status"), soci::use(row.model_id, row.model_indicator, "model_id"),
       soci::use(row.actual, "actual"), soci::use(row.expected, "expected"),
       soci::use(row.impact_percent, row.impact_percent_indicator, "impact_percent"),
       soci::use(row.latest_score, "latest_score"), soci::use(row.severity, "severity"),
       soci::use(row.suppressed_by, row.suppressed_indicator, "suppressed_by"),
       soci::use(row.id, "id"), soci::use(row.tenant, "tenant"));
  std::vector<std::int64_t> ids;
  ids.reserve(anomalies.size());
  for (const CostAnomaly& anomaly : anomalies) {
    row.Fill(anomaly);
    if (anomaly.id == 0) {
      if (Status free = CheckNoOverlap(session, row, anomaly); !free) {
        return unexpected(std::move(free.error()));
      }
      insert.execute(true);
      row.id = new_id;
    } else {
      update.execute(true);
      if (update.get_affected_rows() == 0) {
        return MakeError(ErrorCode::kNotFound,
                         fmt::format("tenant {} has no anomaly {}", tenant_id, anomaly.id));
      }
    }
    WriteRootCauses(session, row.id, anomaly.root_causes);
    ids.push_back(row.id);
  }
  if (!ids.empty()) RaiseRevision(session, tenant_id, Revision::kAnomalies);
  return ids;
}

Result<std::vector<CostAnomaly>> ReadAnomalies(soci::session& session, std::int64_t tenant_id,
                                               const AnomalySelection& selection) {
  SelectionParams params{tenant_id, selection.id.value_or(0),
                         selection.status ? std::string(StatusName(*selection.status)) : ""};
  AnomalyFetch fetched;
  soci::statement statement(session);
  params.Bind(statement, selection);
  fetched.Bind(statement);
  statement.alloc();
  statement.prepare(std::string(kSelectAnomalies) + WhereOf(selection) +
                    " ORDER BY a.start_date DESC, a.id DESC");
  statement.define_and_bind();
  statement.execute();
  std::vector<CostAnomaly> anomalies;
  while (statement.fetch()) {
    Result<CostAnomaly> anomaly = fetched.ToAnomaly();
    if (!anomaly) return unexpected(std::move(anomaly.error()));
    anomalies.push_back(std::move(*anomaly));
  }
  AttachRootCauses(session, tenant_id, selection, anomalies);
  return anomalies;
}

bool WriteAnomalyFeedback(soci::session& session, std::int64_t tenant_id, std::int64_t anomaly_id,
                          AnomalyFeedback feedback, std::string_view note, std::int64_t at) {
  const std::string verdict(FeedbackName(feedback));
  const std::string text(note);
  const long long feedback_at = at;
  const long long id = anomaly_id;
  const long long tenant = tenant_id;
  soci::statement update =
      (session.prepare << "UPDATE anomalies SET feedback = :feedback, feedback_note = :note, "
                          "feedback_at = :at WHERE id = :id AND tenant_id = :tenant",
       soci::use(verdict, "feedback"), soci::use(text, "note"), soci::use(feedback_at, "at"),
       soci::use(id, "id"), soci::use(tenant, "tenant"));
  update.execute(true);
  if (update.get_affected_rows() == 0) return false;
  RaiseRevision(session, tenant_id, Revision::kAnomalies);
  return true;
}

}  // namespace costwise::store
