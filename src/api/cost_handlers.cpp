#include "api/cost_handlers.h"

#include "api/cost_render.h"

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
  const Result<service::CostReport> report = context.cost_reports.Query(
      *context.repository, caller.principal.tenant_id, caller.principal.tenant_name, *query);
  if (!report) return SendError(response, report.error());
  if (format == "csv") {
    response.set_header("Content-Disposition", "attachment; filename=\"costs.csv\"");
    response.set_content(CostReportToCsv(*report), "text/csv");
    return;
  }
  SendJson(response, 200, CostReportToJson(*report));
}

}  // namespace costwise::api
