#include "api/ml_handlers.h"

#include <charconv>
#include <optional>
#include <string>
#include <system_error>

#include <fmt/format.h>

#include "api/forecast_render.h"
#include "api/metrics.h"
#include "api/ml_render.h"
#include "service/cost_forecast.h"
#include "service/model_registry.h"

namespace costwise::api {
namespace {

constexpr int kDefaultHorizon = 30;

// The horizon given as text ("" = the default); InvalidInput when it is not a whole number (the
// service checks it is 30, 60 or 90).
Result<int> HorizonOf(const std::string& text) {
  if (text.empty()) return kDefaultHorizon;
  int horizon = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), horizon);
  if (error != std::errc() || end != text.data() + text.size()) {
    return MakeError(ErrorCode::kInvalidInput, "horizon must be 30, 60 or 90 (days)");
  }
  return horizon;
}

}  // namespace

void GetForecast(Context& context, const httplib::Request& request, httplib::Response& response,
                 const Caller& caller) {
  const Result<int> horizon = HorizonOf(request.get_param_value("horizon"));
  if (!horizon) return SendError(response, horizon.error());
  const std::string group_by = request.get_param_value("group_by");
  // The same question at the same forecasts revision has the same answer.
  const Result<std::int64_t> revision =
      context.repository->ForecastsRevision(caller.principal.tenant_id);
  if (!revision) return SendError(response, revision.error());
  const std::string key = fmt::format("{}|{}|{}", caller.principal.tenant_id, *horizon, group_by);
  if (std::optional<std::string> cached = context.forecast_answers.Find(key, *revision)) {
    response.set_content(std::move(*cached), "application/json");
    return;
  }
  auto run = service::LatestCostForecast(*context.repository, caller.principal.tenant_name,
                                         group_by, *horizon);
  if (!run) return SendError(response, run.error());
  if (!*run) {
    return SendError(response,
                     Error{ErrorCode::kNotFound, "no forecast yet: POST /api/ml/forecast"});
  }
  SendJson(response, 200, StoredForecastToJson(caller.principal.tenant_name, **run));
  context.forecast_answers.Store(key, *revision, response.body);
}

void RunForecast(Context& context, const httplib::Request& request, httplib::Response& response,
                 const Caller& caller) {
  service::CostForecastOptions options;
  if (!request.body.empty()) {
    Result<nlohmann::json> body = JsonBody(request);
    if (!body) return SendError(response, body.error());
    const auto horizon = body->find("horizon");
    if (horizon != body->end() && !horizon->is_null()) {
      if (!horizon->is_number_integer()) {
        return SendError(
            response, Error{ErrorCode::kInvalidInput, "\"horizon\" must be 30, 60 or 90 (days)"});
      }
      options.horizon = horizon->get<int>();
    }
    Result<std::string> group_by = StringMember(*body, "group_by");
    if (!group_by) return SendError(response, group_by.error());
    options.group_by = std::move(*group_by);
  }
  options.now = Now();
  const std::lock_guard lock(context.mutex);
  SendResult(response, 201,
             TimePrediction("forecast",
                            [&] {
                              return service::ForecastCosts(*context.repository,
                                                            caller.principal.tenant_name, options);
                            }),
             CostForecastToJson);
}

void ListModels(Context& context, const httplib::Request& /*request*/, httplib::Response& response,
                const Caller& caller) {
  SendResult(response, 200, service::ListModels(*context.repository, caller.principal.tenant_name),
             ModelListToJson);
}

void GetModel(Context& context, const httplib::Request& request, httplib::Response& response,
              const Caller& caller) {
  const Result<std::int64_t> id = PathId(request, 1, "model");
  if (!id) return SendError(response, id.error());
  SendResult(response, 200,
             service::GetModel(*context.repository, caller.principal.tenant_name, *id),
             ModelToJson);
}

}  // namespace costwise::api
