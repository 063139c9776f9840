#include "api/routes.h"

#include "api/alert_handlers.h"
#include "api/anomaly_handlers.h"
#include "api/auth_handlers.h"
#include "api/cloud_account_handlers.h"
#include "api/cost_handlers.h"
#include "api/job_handlers.h"
#include "api/member_handlers.h"
#include "api/ml_handlers.h"
#include "api/openapi.h"
#include "api/recommendation_handlers.h"
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
      {"POST", "/api/sample-workspace", Access::kRead, OpenSampleWorkspace},
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
      {"POST", R"(/api/cloud-accounts/(\d+)/test)", Access::kWrite, TestCloudAccount},
      {"DELETE", R"(/api/cloud-accounts/(\d+))", Access::kWrite, DeleteCloudAccount},
      // Costs.
      {"GET", "/api/costs", Access::kRead, GetCosts},
      // ML: anomalies, recommendations, forecasts and the model registry.
      {"GET", "/api/ml/anomalies", Access::kRead, ListAnomalies},
      {"GET", "/api/ml/metric-anomalies", Access::kRead, ListMetricAnomalies},
      {"POST", "/api/ml/anomalies/detect", Access::kWrite, DetectAnomalies},
      {"GET", R"(/api/ml/anomalies/(\d+))", Access::kRead, GetAnomaly},
      {"POST", R"(/api/ml/anomalies/(\d+)/feedback)", Access::kWrite, SendAnomalyFeedback},
      {"GET", "/api/ml/recommendations", Access::kRead, ListRecommendations},
      {"GET", R"(/api/ml/recommendations/(\d+))", Access::kRead, GetRecommendation},
      {"POST", R"(/api/ml/recommendations/(\d+)/dismiss)", Access::kWrite, DismissRecommendation},
      {"POST", R"(/api/ml/recommendations/(\d+)/snooze)", Access::kWrite, SnoozeRecommendation},
      {"POST", R"(/api/ml/recommendations/(\d+)/reopen)", Access::kWrite, ReopenRecommendation},
      {"POST", R"(/api/ml/recommendations/(\d+)/apply)", Access::kWrite, ApplyRecommendation},
      {"GET", "/api/ml/forecast", Access::kRead, GetForecast},
      {"POST", "/api/ml/forecast", Access::kWrite, RunForecast},
      {"GET", "/api/ml/models", Access::kRead, ListModels},
      {"GET", R"(/api/ml/models/(\d+))", Access::kRead, GetModel},
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
