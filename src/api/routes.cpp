#include "api/routes.h"

#include "api/auth_handlers.h"
#include "api/cloud_account_handlers.h"
#include "api/cost_handlers.h"
#include "api/member_handlers.h"
#include "api/openapi.h"
#include "api/system_handlers.h"

namespace costwise::api {

const std::vector<Route>& Routes() {
  static const std::vector<Route> kRoutes = {
      // The server itself.
      {"GET", "/healthz", Access::kPublic, Healthz},
      {"GET", "/readyz", Access::kPublic, Readyz},
      {"GET", "/metrics", Access::kPublic, GetMetrics},
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
      // Organisations, members and invitations.
      {"GET", "/api/organisations", Access::kRead, ListOrganisations},
      {"POST", "/api/auth/switch", Access::kRead, SwitchOrganisation},
      {"GET", "/api/members", Access::kRead, ListMembers},
      {"PATCH", R"(/api/members/(\d+))", Access::kManageMembers, ChangeMemberRole},
      {"DELETE", R"(/api/members/(\d+))", Access::kRead, RemoveMember},
      {"GET", "/api/invitations", Access::kManageMembers, ListInvitations},
      {"POST", "/api/invitations", Access::kManageMembers, CreateInvitation},
      {"POST", "/api/invitations/accept", Access::kPublic, AcceptInvitation},
      {"DELETE", R"(/api/invitations/(\d+))", Access::kManageMembers, RevokeInvitation},
      // Cloud accounts (onboarding).
      {"POST", "/api/cloud-accounts", Access::kWrite, CreateCloudAccount},
      {"GET", "/api/cloud-accounts", Access::kRead, ListCloudAccounts},
      {"GET", R"(/api/cloud-accounts/(\d+))", Access::kRead, GetCloudAccount},
      {"GET", R"(/api/cloud-accounts/(\d+)/policies)", Access::kRead, GetCloudAccountPolicies},
      {"PUT", R"(/api/cloud-accounts/(\d+))", Access::kWrite, ConfigureCloudAccount},
      {"DELETE", R"(/api/cloud-accounts/(\d+))", Access::kWrite, DeleteCloudAccount},
      // Costs.
      {"GET", "/api/costs", Access::kRead, GetCosts},
  };
  return kRoutes;
}

}  // namespace costwise::api
