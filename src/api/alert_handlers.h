#pragma once
// The handlers of alert channels, rules and the delivery log (docs/service.md, "Alerts"):
// viewers read, admins write; always the caller's organisation.
#include "api/http.h"

namespace costwise::api {

void ListAlertChannels(Context& context, const httplib::Request& request,
                       httplib::Response& response, const Caller& caller);
void CreateAlertChannel(Context& context, const httplib::Request& request,
                        httplib::Response& response, const Caller& caller);
void GetAlertChannel(Context& context, const httplib::Request& request, httplib::Response& response,
                     const Caller& caller);
void UpdateAlertChannel(Context& context, const httplib::Request& request,
                        httplib::Response& response, const Caller& caller);
void DeleteAlertChannel(Context& context, const httplib::Request& request,
                        httplib::Response& response, const Caller& caller);
void TestAlertChannel(Context& context, const httplib::Request& request,
                      httplib::Response& response, const Caller& caller);
void ListAlertRules(Context& context, const httplib::Request& request, httplib::Response& response,
                    const Caller& caller);
void CreateAlertRule(Context& context, const httplib::Request& request, httplib::Response& response,
                     const Caller& caller);
void GetAlertRule(Context& context, const httplib::Request& request, httplib::Response& response,
                  const Caller& caller);
void UpdateAlertRule(Context& context, const httplib::Request& request, httplib::Response& response,
                     const Caller& caller);
void DeleteAlertRule(Context& context, const httplib::Request& request, httplib::Response& response,
                     const Caller& caller);
void ListAlertDeliveries(Context& context, const httplib::Request& request,
                         httplib::Response& response, const Caller& caller);

}  // namespace costwise::api
