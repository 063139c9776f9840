#include "api/recommendation_handlers.h"

#include <optional>

#include "api/ml_render.h"
#include "api/query_params.h"
#include "api/recommendation_render.h"
#include "service/recommendation_apply.h"

namespace costwise::api {
namespace {

Result<service::RecommendationQuery> RecommendationQueryOf(const httplib::Request& request) {
  service::RecommendationQuery query;
  auto status =
      NamedParam(request, "status", ParseRecommendationStatus, "open, applied, dismissed, snoozed");
  if (!status) return unexpected(std::move(status.error()));
  query.status = *status;
  auto kind = NamedParam(request, "kind", ParseRecommendationKind, "instance, volume, address");
  if (!kind) return unexpected(std::move(kind.error()));
  query.kind = *kind;
  query.finding = request.get_param_value("finding");
  auto min_savings = MoneyParam(request, "min_savings");
  if (!min_savings) return unexpected(std::move(min_savings.error()));
  query.min_savings = *min_savings;
  if (Status page = ReadPage(request, query); !page) return unexpected(std::move(page.error()));
  return query;
}

}  // namespace

void ListRecommendations(Context& context, const httplib::Request& request,
                         httplib::Response& response, const Caller& caller) {
  auto query = RecommendationQueryOf(request);
  if (!query) return SendError(response, query.error());
  SendResult(
      response, 200,
      service::FindRecommendations(*context.repository, caller.principal.tenant_name, *query),
      [&](const service::RecommendationPage& page) {
        return RecommendationPageToJson(page, query->limit, query->offset);
      });
}

void GetRecommendation(Context& context, const httplib::Request& request,
                       httplib::Response& response, const Caller& caller) {
  const Result<std::int64_t> id = PathId(request, 1, "recommendation");
  if (!id) return SendError(response, id.error());
  SendResult(
      response, 200,
      service::GetRecommendationDetail(*context.repository, caller.principal.tenant_name, *id),
      RecommendationDetailToJson);
}

void DismissRecommendation(Context& context, const httplib::Request& request,
                           httplib::Response& response, const Caller& caller) {
  const Result<std::int64_t> id = PathId(request, 1, "recommendation");
  if (!id) return SendError(response, id.error());
  SendResult(
      response, 200,
      service::DismissRecommendation(*context.repository, caller.principal.tenant_name, *id, Now()),
      RecommendationToJson);
}

void SnoozeRecommendation(Context& context, const httplib::Request& request,
                          httplib::Response& response, const Caller& caller) {
  const Result<std::int64_t> id = PathId(request, 1, "recommendation");
  if (!id) return SendError(response, id.error());
  auto fields = StringMembers<1>(request, {"until"});
  if (!fields) return SendError(response, fields.error());
  const std::optional<Date> until = Date::Parse((*fields)[0]);
  if (!until) {
    return SendError(response,
                     Error{ErrorCode::kInvalidInput, "\"until\" must be a date YYYY-MM-DD"});
  }
  SendResult(response, 200,
             service::SnoozeRecommendation(*context.repository, caller.principal.tenant_name, *id,
                                           *until, Now()),
             RecommendationToJson);
}

void ReopenRecommendation(Context& context, const httplib::Request& request,
                          httplib::Response& response, const Caller& caller) {
  const Result<std::int64_t> id = PathId(request, 1, "recommendation");
  if (!id) return SendError(response, id.error());
  SendResult(
      response, 200,
      service::ReopenRecommendation(*context.repository, caller.principal.tenant_name, *id, Now()),
      RecommendationToJson);
}

void ApplyRecommendation(Context& context, const httplib::Request& request,
                         httplib::Response& response, const Caller& caller) {
  const Result<std::int64_t> id = PathId(request, 1, "recommendation");
  if (!id) return SendError(response, id.error());
  Result<nlohmann::json> body = JsonBody(request);
  if (!body) return SendError(response, body.error());
  const auto dry_run = body->find("dry_run");
  if (dry_run == body->end() || !dry_run->is_boolean()) {
    return SendError(response,
                     Error{ErrorCode::kInvalidInput, "\"dry_run\" must be given, true or false"});
  }
  auto plan = service::ApplyRecommendation(*context.repository, caller.principal, *id,
                                          dry_run->get<bool>(), Now(), &context.aws,
                                          context.apply);
  // A real apply through AWS is queued as a job: 202, and the runner starts it now.
  const bool queued = plan && plan->job_id != 0;
  if (queued && context.jobs != nullptr) context.jobs->Wake();
  SendResult(response, queued ? 202 : 200, plan, ApplyPlanToJson);
}

}  // namespace costwise::api
