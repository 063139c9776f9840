#pragma once
// The handlers of the cost cube: GET /api/costs (group-by, filters, granularity, CSV export).
#include "api/http.h"

namespace costwise::api {

void GetCosts(Context& context, const httplib::Request& request, httplib::Response& response,
              const Caller& caller);

}  // namespace costwise::api
