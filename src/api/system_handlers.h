#pragma once
// The handlers about the server itself: liveness.
#include "api/http.h"

namespace costwise::api {

void Healthz(Context& context, const httplib::Request& request, httplib::Response& response,
             const Caller& caller);

}  // namespace costwise::api
