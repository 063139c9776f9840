#pragma once
// The handlers of right-sizing recommendations: GET /api/ml/recommendations (filters, paging),
// GET /api/ml/recommendations/{id} (with utilization and apply requests), and POST
// /api/ml/recommendations/{id}/dismiss, /snooze, /reopen and /apply.
#include "api/http.h"

namespace costwise::api {

void ListRecommendations(Context& context, const httplib::Request& request,
                         httplib::Response& response, const Caller& caller);
void GetRecommendation(Context& context, const httplib::Request& request,
                       httplib::Response& response, const Caller& caller);
void DismissRecommendation(Context& context, const httplib::Request& request,
                           httplib::Response& response, const Caller& caller);
void SnoozeRecommendation(Context& context, const httplib::Request& request,
                          httplib::Response& response, const Caller& caller);
void ReopenRecommendation(Context& context, const httplib::Request& request,
                          httplib::Response& response, const Caller& caller);
void ApplyRecommendation(Context& context, const httplib::Request& request,
                         httplib::Response& response, const Caller& caller);

}  // namespace costwise::api
