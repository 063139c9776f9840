#pragma once
// The handlers of cost anomalies: GET /api/ml/anomalies (filters, paging), POST
// /api/ml/anomalies/detect, GET /api/ml/anomalies/{id} (with its series) and POST
// /api/ml/anomalies/{id}/feedback.
#include "api/http.h"

namespace costwise::api {

// GET /api/ml/metric-anomalies?limit=: anomalies of synced CloudWatch series.
void ListMetricAnomalies(Context& context, const httplib::Request& request,
                         httplib::Response& response, const Caller& caller);
void ListAnomalies(Context& context, const httplib::Request& request, httplib::Response& response,
                   const Caller& caller);
void DetectAnomalies(Context& context, const httplib::Request& request, httplib::Response& response,
                     const Caller& caller);
void GetAnomaly(Context& context, const httplib::Request& request, httplib::Response& response,
                const Caller& caller);
void SendAnomalyFeedback(Context& context, const httplib::Request& request,
                         httplib::Response& response, const Caller& caller);

}  // namespace costwise::api
