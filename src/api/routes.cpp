#include "api/routes.h"

#include "api/alert_handlers.h"
#include "api/auth_handlers.h"
#include "api/cost_handlers.h"
#include "api/openapi.h"
#include "api/system_handlers.h"

namespace costwise::api {

const std::vector<Route>& Routes() {
  static const std::vector<Route> kRoutes = {
      // The server itself.
      {"GET", "/healthz", Access::kPublic, Healthz},
      {"GET", R"(/api/openapi\.json)", Access::kPublic, GetOpenApi},
      {"GET", "/api/docs", Access::kPublic, GetApiDocs},
      // Auth and API tokens.
      {"POST", "/api/auth/signup", Access::kPublic, SignUp},
      {"POST", "/api/auth/login", Access::kPublic, LogIn},
      {"POST", "/api/auth/logout", Access::kRead, LogOut},
      {"GET", "/api/auth/me", Access::kRead, Me},
      {"POST", "/api/tokens", Access::kRead, CreateToken},
      {"GET", "/api/tokens", Access::kRead, ListTokens},
      {"DELETE", R"(/api/tokens/(\d+))", Access::kRead, RevokeToken},
      // Costs.
      {"GET", "/api/costs", Access::kRead, GetCosts},
      // Alerts: channels, rules and the delivery log.
      {"GET", "/api/alerts/channels", Access::kRead, ListAlertChannels},
      {"POST", "/api/alerts/channels", Access::kWrite, CreateAlertChannel},
      {"GET", R"(/api/alerts/channels/(\d+))", Access::kRead, GetAlertChannel},
      {"PUT", R"(/api/alerts/channels/(\d+))", Access::kWrite, UpdateAlertChannel},
      {"DELETE", R"(/api/alerts/channels/(\d+))", Access::kWrite, DeleteAlertChannel},
      {"POST", R"(/api/alerts/channels/(\d+)/test)", Access::kWrite, TestAlertChannel},
      {"GET", "/api/alerts/rules", Access::kRead, ListAlertRules},
      {"POST", "/api/alerts/rules", Access::kWrite, CreateAlertRule},
      {"GET", R"(/api/alerts/rules/(\d+))", Access::kRead, GetAlertRule},
      {"PUT", R"(/api/alerts/rules/(\d+))", Access::kWrite, UpdateAlertRule},
      {"DELETE", R"(/api/alerts/rules/(\d+))", Access::kWrite, DeleteAlertRule},
      {"GET", "/api/alerts/deliveries", Access::kRead, ListAlertDeliveries},
  };
  return kRoutes;
}

}  // namespace costwise::api
