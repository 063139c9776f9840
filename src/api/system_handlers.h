#pragma once
// The handlers about the server itself: liveness, readiness and metrics.
#include "api/http.h"

namespace costwise::api {

void Healthz(Context& context, const httplib::Request& request, httplib::Response& response,
             const Caller& caller);
// 200 when the database answers, 503 otherwise.
void Readyz(Context& context, const httplib::Request& request, httplib::Response& response,
            const Caller& caller);
// The metrics registry (api/metrics.h) in the Prometheus text format.
void GetMetrics(Context& context, const httplib::Request& request, httplib::Response& response,
                const Caller& caller);

}  // namespace costwise::api
