#include "api/routes.h"

#include "api/auth_handlers.h"
#include "api/cost_handlers.h"
#include "api/job_handlers.h"
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
      // Uploads and background jobs.
      {"POST", "/api/uploads", Access::kWrite, UploadFiles},
      {"GET", "/api/jobs", Access::kRead, ListJobs},
      {"POST", "/api/jobs", Access::kWrite, SubmitJob},
      {"GET", R"(/api/jobs/(\d+))", Access::kRead, GetJob},
      {"POST", R"(/api/jobs/(\d+)/cancel)", Access::kWrite, CancelJob},
  };
  return kRoutes;
}

}  // namespace costwise::api
