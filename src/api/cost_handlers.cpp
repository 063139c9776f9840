#include "api/cost_handlers.h"

#include <optional>
#include <string>

#include "api/cost_render.h"
#include "service/cost_service.h"

namespace costwise::api {

void GetCosts(Context& context, const httplib::Request& request, httplib::Response& response,
              const Caller& caller) {
  service::CostQueryText text;
  text.from = request.get_param_value("from");
  text.to = request.get_param_value("to");
  text.group_by = request.get_param_value("group_by");
  text.granularity = request.get_param_value("granularity");
  const std::size_t filters = request.get_param_value_count("filter");
  for (std::size_t i = 0; i < filters; ++i) {
    text.filters.push_back(request.get_param_value("filter", i));
  }
  auto query = service::ParseCostQuery(text, Today());
  if (!query) return SendError(response, query.error());
  const std::string format = request.get_param_value("format");
  if (!format.empty() && format != "json" && format != "csv") {
    return SendError(response, Error{ErrorCode::kInvalidInput, "format must be json or csv"});
  }
  // The same question at the same cube version has the same answer.
  const Result<std::int64_t> version = context.repository->CubeVersion(caller.principal.tenant_id);
  if (!version) return SendError(response, version.error());
  const bool csv = format == "csv";
  const std::string key =
      service::CostQueryKey(caller.principal.tenant_id, *query) + (csv ? "|csv" : "|json");
  std::optional<std::string> body = context.cost_answers.Find(key, *version);
  if (!body) {
    const Result<service::CostReport> report = service::QueryCostsOfTenant(
        *context.repository, caller.principal.tenant_id, caller.principal.tenant_name, *query);
    if (!report) return SendError(response, report.error());
    body = csv ? CostReportToCsv(*report)
               : CostReportToJson(*report).dump(-1, ' ', false,
                                                nlohmann::json::error_handler_t::replace);
    context.cost_answers.Store(key, *version, *body);
  }
  if (csv) response.set_header("Content-Disposition", "attachment; filename=\"costs.csv\"");
  response.set_content(std::move(*body), csv ? "text/csv" : "application/json");
}

}  // namespace costwise::api
