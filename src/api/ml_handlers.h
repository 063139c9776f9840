#pragma once
// The handlers of cost forecasts and the model registry: GET and POST /api/ml/forecast, GET
// /api/ml/models and /api/ml/models/{id}.
#include "api/http.h"

namespace costwise::api {

void GetForecast(Context& context, const httplib::Request& request, httplib::Response& response,
                 const Caller& caller);
void RunForecast(Context& context, const httplib::Request& request, httplib::Response& response,
                 const Caller& caller);
void ListModels(Context& context, const httplib::Request& request, httplib::Response& response,
                const Caller& caller);
void GetModel(Context& context, const httplib::Request& request, httplib::Response& response,
              const Caller& caller);

}  // namespace costwise::api
