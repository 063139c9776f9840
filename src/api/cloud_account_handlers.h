#pragma once
// The handlers of cloud accounts (docs/service.md, "Onboarding an AWS account").
#include "api/http.h"

namespace costwise::api {

void CreateCloudAccount(Context& context, const httplib::Request& request,
                        httplib::Response& response, const Caller& caller);
void ListCloudAccounts(Context& context, const httplib::Request& request,
                       httplib::Response& response, const Caller& caller);
void GetCloudAccount(Context& context, const httplib::Request& request, httplib::Response& response,
                     const Caller& caller);
void GetCloudAccountPolicies(Context& context, const httplib::Request& request,
                             httplib::Response& response, const Caller& caller);
void ConfigureCloudAccount(Context& context, const httplib::Request& request,
                           httplib::Response& response, const Caller& caller);
// POST /api/cloud-accounts/{id}/test: the connection test; queues the first sync when it passes.
void TestCloudAccount(Context& context, const httplib::Request& request,
                      httplib::Response& response, const Caller& caller);
void DeleteCloudAccount(Context& context, const httplib::Request& request,
                        httplib::Response& response, const Caller& caller);

}  // namespace costwise::api
