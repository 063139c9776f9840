#include "store/recommendation_store.h"

#include <map>
#include <string>
#include <tuple>
#include <utility>

#include <fmt/format.h>

#include "store/soci_includes.h"

namespace costwise::store {
namespace {

constexpr char kCommandSeparator = '\n';

std::string JoinCommands(const std::vector<std::string>& commands) {
  std::string text;
  for (const std::string& command : commands) {
    if (!text.empty()) text.push_back(kCommandSeparator);
    text += command;
  }
  return text;
}

std::vector<std::string> SplitCommands(std::string_view text) {
  std::vector<std::string> commands;
  while (!text.empty()) {
    const std::size_t end = text.find(kCommandSeparator);
    commands.emplace_back(text.substr(0, end));
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
  }
  return commands;
}

// The content columns of a recommendations row (what a run writes), in their stored types.
struct ContentColumns {
  std::string kind;
  std::string resource_id;
  std::string region;
  std::string finding;
  std::string action;
  std::string current_type;
  std::string recommended_type;
  std::string summary;
  std::string options;
  int risk = 0;
  soci::indicator risk_indicator = soci::i_null;
  long long current_cost = 0;
  long long savings = 0;
  double confidence = 0;
  long long model_id = 0;
  soci::indicator model_indicator = soci::i_null;
  std::string aws_cli;
  std::string terraform;

  void Fill(const ResourceRecommendation& r) {
    kind = RecommendationKindName(r.kind);
    resource_id = r.resource_id;
    region = r.region;
    finding = r.finding;
    action = r.action;
    current_type = r.current_type;
    recommended_type = r.recommended_type;
    summary = r.summary;
    options = r.options_json;
    risk = r.performance_risk.value_or(0);
    risk_indicator = r.performance_risk ? soci::i_ok : soci::i_null;
    current_cost = r.current_monthly_cost.nanos();
    savings = r.monthly_savings.nanos();
    confidence = r.confidence;
    model_id = r.model_id;
    model_indicator = r.model_id != 0 ? soci::i_ok : soci::i_null;
    aws_cli = JoinCommands(r.aws_cli);
    terraform = r.terraform;
  }
};

// The status columns of a row.
struct StatusColumns {
  std::string status;
  long long snoozed_until = 0;
  soci::indicator snoozed_indicator = soci::i_null;

  void Set(RecommendationStatus value, std::optional<std::int64_t> until) {
    status = RecommendationStatusName(value);
    snoozed_until = until.value_or(0);
    snoozed_indicator = until ? soci::i_ok : soci::i_null;
  }
};

// What identifies a recommendation across runs (SameRecommendedAction).
using ActionKey = std::tuple<std::string, std::string, std::string, std::string>;

ActionKey KeyOf(const ContentColumns& row) {
  return {row.kind, row.resource_id, row.action, row.recommended_type};
}

struct StoredState {
  long long id = 0;
  StatusColumns status;
  bool matched = false;
};

std::map<ActionKey, StoredState> ReadStoredStates(soci::session& session, long long tenant,
                                                  std::vector<StoredState>& duplicates) {
  ContentColumns key;
  StoredState state;
  soci::statement select =
      (session.prepare << "SELECT id, kind, resource_id, recommended_action, "
                          "recommended_instance_type, status, snoozed_until FROM recommendations "
                          "WHERE tenant_id = :tenant ORDER BY id",
       soci::use(tenant, "tenant"), soci::into(state.id), soci::into(key.kind),
       soci::into(key.resource_id), soci::into(key.action), soci::into(key.recommended_type),
       soci::into(state.status.status),
       soci::into(state.status.snoozed_until, state.status.snoozed_indicator));
  select.execute();
  std::map<ActionKey, StoredState> states;
  while (select.fetch()) {
    // The oldest row of a key stands for it; a younger open duplicate (only rows from before
    // schema version 4 can be one) is left unmatched, so the run deletes it.
    if (!states.emplace(KeyOf(key), state).second) duplicates.push_back(state);
  }
  return states;
}

}  // namespace

std::vector<std::int64_t> MergeRecommendations(
    soci::session& session, std::int64_t tenant_id,
    std::span<const ResourceRecommendation> recommendations, std::int64_t now) {
  const long long tenant = tenant_id;
  const long long at = now;
  std::vector<StoredState> duplicates;
  std::map<ActionKey, StoredState> stored = ReadStoredStates(session, tenant, duplicates);

  ContentColumns row;
  StatusColumns status;
  long long id = 0;
  const auto content = [&](soci::details::prepare_temp_type& prepared) {
    prepared, soci::use(row.kind, "kind"), soci::use(row.resource_id, "resource"),
        soci::use(row.region, "region"), soci::use(row.finding, "finding"),
        soci::use(row.action, "action"), soci::use(row.current_type, "current_type"),
        soci::use(row.recommended_type, "recommended_type"), soci::use(row.summary, "summary"),
        soci::use(row.options, "options"), soci::use(row.risk, row.risk_indicator, "risk"),
        soci::use(row.current_cost, "current_cost"), soci::use(row.savings, "savings"),
        soci::use(row.confidence, "confidence"),
        soci::use(row.model_id, row.model_indicator, "model_id"), soci::use(row.aws_cli, "aws_cli"),
        soci::use(row.terraform, "terraform"), soci::use(status.status, "status"),
        soci::use(status.snoozed_until, status.snoozed_indicator, "snoozed_until"),
        soci::use(at, "updated_at");
  };
  soci::details::prepare_temp_type insert_sql =
      session.prepare
      << "INSERT INTO recommendations (tenant_id, kind, resource_id, region, finding, "
         "recommended_action, current_instance_type, recommended_instance_type, summary, "
         "options, performance_risk, current_monthly_cost, monthly_savings, confidence_score, "
         "model_id, aws_cli, terraform, status, snoozed_until, created_at, updated_at) VALUES "
         "(:tenant, :kind, :resource, :region, :finding, :action, :current_type, "
         ":recommended_type, :summary, :options, :risk, :current_cost, :savings, :confidence, "
         ":model_id, :aws_cli, :terraform, :status, :snoozed_until, :created_at, :updated_at) "
         "RETURNING id";
  insert_sql, soci::use(tenant, "tenant"), soci::use(at, "created_at");
  content(insert_sql);
  insert_sql, soci::into(id);
  soci::statement insert(insert_sql);

  soci::details::prepare_temp_type update_sql =
      session.prepare
      << "UPDATE recommendations SET kind = :kind, resource_id = :resource, region = :region, "
         "finding = :finding, recommended_action = :action, current_instance_type = "
         ":current_type, recommended_instance_type = :recommended_type, summary = :summary, "
         "options = :options, performance_risk = :risk, current_monthly_cost = :current_cost, "
         "monthly_savings = :savings, confidence_score = :confidence, model_id = :model_id, "
         "aws_cli = :aws_cli, terraform = :terraform, status = :status, snoozed_until = "
         ":snoozed_until, updated_at = :updated_at WHERE id = :id";
  content(update_sql);
  update_sql, soci::use(id, "id");
  soci::statement update(update_sql);

  std::vector<std::int64_t> ids;
  ids.reserve(recommendations.size());
  for (const ResourceRecommendation& recommendation : recommendations) {
    row.Fill(recommendation);
    const auto found = stored.find(KeyOf(row));
    if (found == stored.end()) {
      status.Set(RecommendationStatus::kOpen, std::nullopt);
      insert.execute(true);
    } else {
      found->second.matched = true;
      status = found->second.status;
      // A snooze that has ended reopens the recommendation the run makes again.
      if (status.status == RecommendationStatusName(RecommendationStatus::kSnoozed) &&
          status.snoozed_indicator == soci::i_ok && status.snoozed_until <= at) {
        status.Set(RecommendationStatus::kOpen, std::nullopt);
      }
      id = found->second.id;
      update.execute(true);
    }
    ids.push_back(id);
  }

  const auto open = [](const StoredState& state) {
    return state.status.status == RecommendationStatusName(RecommendationStatus::kOpen);
  };
  std::vector<long long> stale_ids;
  for (const auto& [key, state] : stored) {
    if (!state.matched && open(state)) stale_ids.push_back(state.id);
  }
  for (const StoredState& duplicate : duplicates) {
    if (open(duplicate)) stale_ids.push_back(duplicate.id);
  }
  long long stale = 0;
  soci::statement remove =
      (session.prepare << "DELETE FROM recommendations WHERE id = :id", soci::use(stale, "id"));
  for (const long long stale_id : stale_ids) {
    stale = stale_id;
    remove.execute(true);
  }
  return ids;
}

Result<std::vector<ResourceRecommendation>> ReadRecommendations(
    soci::session& session, std::int64_t tenant_id, const RecommendationSelection& selection) {
  const long long tenant = tenant_id;
  const long long wanted_id = selection.id.value_or(0);
  const std::string wanted_status =
      selection.status ? std::string(RecommendationStatusName(*selection.status)) : std::string();
  std::string sql =
      "SELECT r.id, r.kind, r.resource_id, r.region, r.finding, r.recommended_action, "
      "r.current_instance_type, r.recommended_instance_type, r.summary, r.options, "
      "r.performance_risk, r.current_monthly_cost, r.monthly_savings, r.confidence_score, "
      "r.model_id, r.aws_cli, r.terraform, r.status, r.snoozed_until, r.created_at, "
      "r.updated_at, COALESCE(m.model_type || '/' || CAST(m.version AS TEXT), '') "
      "FROM recommendations r LEFT JOIN ml_models m ON m.id = r.model_id "
      "WHERE r.tenant_id = :tenant";
  if (selection.id) sql += " AND r.id = :id";
  if (selection.status) sql += " AND r.status = :status";
  sql += " ORDER BY r.monthly_savings DESC, r.id";

  long long id = 0;
  ContentColumns row;
  StatusColumns status;
  long long created_at = 0;
  long long updated_at = 0;
  std::string model_version;
  soci::details::prepare_temp_type prepared = session.prepare << sql;
  prepared, soci::use(tenant, "tenant");
  if (selection.id) prepared, soci::use(wanted_id, "id");
  if (selection.status) prepared, soci::use(wanted_status, "status");
  prepared, soci::into(id), soci::into(row.kind), soci::into(row.resource_id),
      soci::into(row.region), soci::into(row.finding), soci::into(row.action),
      soci::into(row.current_type), soci::into(row.recommended_type), soci::into(row.summary),
      soci::into(row.options), soci::into(row.risk, row.risk_indicator),
      soci::into(row.current_cost), soci::into(row.savings), soci::into(row.confidence),
      soci::into(row.model_id, row.model_indicator), soci::into(row.aws_cli),
      soci::into(row.terraform), soci::into(status.status),
      soci::into(status.snoozed_until, status.snoozed_indicator), soci::into(created_at),
      soci::into(updated_at), soci::into(model_version);
  soci::statement select(prepared);
  select.execute();
  std::vector<ResourceRecommendation> recommendations;
  while (select.fetch()) {
    const std::optional<RecommendationKind> kind = ParseRecommendationKind(row.kind);
    const std::optional<RecommendationStatus> parsed = ParseRecommendationStatus(status.status);
    if (!kind || !parsed) {
      return MakeError(ErrorCode::kInternal,
                       fmt::format("stored recommendation {} has an unknown kind '{}' or status "
                                   "'{}'",
                                   id, row.kind, status.status));
    }
    ResourceRecommendation r;
    r.id = id;
    r.kind = *kind;
    r.resource_id = row.resource_id;
    r.region = row.region;
    r.finding = row.finding;
    r.action = row.action;
    r.current_type = row.current_type;
    r.recommended_type = row.recommended_type;
    r.summary = row.summary;
    r.options_json = row.options;
    if (row.risk_indicator == soci::i_ok) r.performance_risk = row.risk;
    r.current_monthly_cost = Money::FromNanos(row.current_cost);
    r.monthly_savings = Money::FromNanos(row.savings);
    r.confidence = row.confidence;
    r.model_id = row.model_indicator == soci::i_ok ? row.model_id : 0;
    r.model_version = model_version;
    r.aws_cli = SplitCommands(row.aws_cli);
    r.terraform = row.terraform;
    r.status = *parsed;
    if (status.snoozed_indicator == soci::i_ok) r.snoozed_until = status.snoozed_until;
    r.created_at = created_at;
    r.updated_at = updated_at;
    recommendations.push_back(std::move(r));
  }
  return recommendations;
}

bool WriteRecommendationStatus(soci::session& session, std::int64_t tenant_id,
                               std::int64_t recommendation_id, RecommendationStatus status,
                               std::optional<std::int64_t> snoozed_until, std::int64_t at) {
  const long long tenant = tenant_id;
  const long long id = recommendation_id;
  const long long updated_at = at;
  StatusColumns columns;
  columns.Set(status, snoozed_until);
  soci::statement update =
      (session.prepare << "UPDATE recommendations SET status = :status, snoozed_until = :until, "
                          "updated_at = :at WHERE id = :id AND tenant_id = :tenant",
       soci::use(columns.status, "status"),
       soci::use(columns.snoozed_until, columns.snoozed_indicator, "until"),
       soci::use(updated_at, "at"), soci::use(id, "id"), soci::use(tenant, "tenant"));
  update.execute(true);
  return update.get_affected_rows() > 0;
}

}  // namespace costwise::store

namespace costwise::store {

std::optional<std::int64_t> InsertRecommendationAction(soci::session& session,
                                                       std::int64_t tenant_id,
                                                       const RecommendationActionRecord& action) {
  const long long tenant = tenant_id;
  const long long recommendation = action.recommendation_id;
  int found = 0;
  session << "SELECT COUNT(*) FROM recommendations WHERE tenant_id = :tenant AND id = :id",
      soci::use(tenant, "tenant"), soci::use(recommendation, "id"), soci::into(found);
  if (found == 0) return std::nullopt;
  const long long user = action.user_id;
  soci::indicator user_indicator = action.user_id != 0 ? soci::i_ok : soci::i_null;
  const long long requested_at = action.requested_at;
  const int dry_run = action.dry_run ? 1 : 0;
  long long id = 0;
  session << "INSERT INTO recommendation_actions (tenant_id, recommendation_id, user_id, "
             "requested_at, dry_run, plan, outcome) VALUES (:tenant, :recommendation, :user, "
             ":at, :dry_run, :plan, :outcome) RETURNING id",
      soci::use(tenant, "tenant"), soci::use(recommendation, "recommendation"),
      soci::use(user, user_indicator, "user"), soci::use(requested_at, "at"),
      soci::use(dry_run, "dry_run"), soci::use(action.plan, "plan"),
      soci::use(action.outcome, "outcome"), soci::into(id);
  return id;
}

bool UpdateRecommendationActionRow(soci::session& session, std::int64_t tenant_id,
                                   std::int64_t action_id, const std::string& plan,
                                   const std::string& outcome) {
  const long long tenant = tenant_id;
  const long long id = action_id;
  soci::statement update =
      (session.prepare << "UPDATE recommendation_actions SET plan = :plan, outcome = :outcome "
                          "WHERE id = :id AND tenant_id = :tenant",
       soci::use(plan, "plan"), soci::use(outcome, "outcome"), soci::use(id, "id"),
       soci::use(tenant, "tenant"));
  update.execute(true);
  return update.get_affected_rows() > 0;
}

std::vector<RecommendationActionRecord> ReadRecommendationActions(soci::session& session,
                                                                  std::int64_t tenant_id,
                                                                  std::int64_t recommendation_id) {
  const long long tenant = tenant_id;
  const long long recommendation = recommendation_id;
  long long id = 0;
  long long user = 0;
  soci::indicator user_indicator = soci::i_null;
  std::string email;
  soci::indicator email_indicator = soci::i_null;
  long long requested_at = 0;
  int dry_run = 0;
  std::string plan;
  std::string outcome;
  soci::statement select =
      (session.prepare << "SELECT a.id, a.user_id, u.email, a.requested_at, a.dry_run, a.plan, "
                          "a.outcome FROM recommendation_actions a LEFT JOIN users u ON u.id = "
                          "a.user_id WHERE a.tenant_id = :tenant AND a.recommendation_id = :id "
                          "ORDER BY a.requested_at DESC, a.id DESC",
       soci::use(tenant, "tenant"), soci::use(recommendation, "id"), soci::into(id),
       soci::into(user, user_indicator), soci::into(email, email_indicator),
       soci::into(requested_at), soci::into(dry_run), soci::into(plan), soci::into(outcome));
  select.execute();
  std::vector<RecommendationActionRecord> actions;
  while (select.fetch()) {
    RecommendationActionRecord action;
    action.id = id;
    action.recommendation_id = recommendation_id;
    action.user_id = user_indicator == soci::i_ok ? user : 0;
    action.user_email = email_indicator == soci::i_ok ? email : "";
    action.requested_at = requested_at;
    action.dry_run = dry_run != 0;
    action.plan = plan;
    action.outcome = outcome;
    actions.push_back(std::move(action));
  }
  return actions;
}

}  // namespace costwise::store
