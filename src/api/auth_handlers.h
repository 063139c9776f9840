#pragma once
// The handlers of sign-up, log-in, log-out, the caller's identity and API tokens
// (docs/service.md, "Auth and tenancy").
#include "api/http.h"

namespace costwise::api {

constexpr char kSessionCookie[] = "costwise_session";
constexpr char kCsrfHeader[] = "X-CSRF-Token";

// The caller of a route, from an `Authorization: Bearer` API token or the session cookie (whose
// mutating requests must carry the session's CSRF token).
[[nodiscard]] Result<Caller> Authenticate(Context& context, const httplib::Request& request);

// Sets the session cookie and answers the session (SessionToJson) with the status, or the error.
void SendSession(Context& context, httplib::Response& response, int status,
                 const Result<service::NewSession>& session);

void SignUp(Context& context, const httplib::Request& request, httplib::Response& response,
            const Caller& caller);
void LogIn(Context& context, const httplib::Request& request, httplib::Response& response,
           const Caller& caller);
void LogOut(Context& context, const httplib::Request& request, httplib::Response& response,
            const Caller& caller);
void Me(Context& context, const httplib::Request& request, httplib::Response& response,
        const Caller& caller);
void CreateToken(Context& context, const httplib::Request& request, httplib::Response& response,
                 const Caller& caller);
void ListTokens(Context& context, const httplib::Request& request, httplib::Response& response,
                const Caller& caller);
void RevokeToken(Context& context, const httplib::Request& request, httplib::Response& response,
                 const Caller& caller);

}  // namespace costwise::api
