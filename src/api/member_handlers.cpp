#include "api/member_handlers.h"

#include "api/auth_handlers.h"
#include "api/member_render.h"
#include "service/members.h"
#include "service/sample_workspace.h"

namespace costwise::api {
namespace {

void SendStatus(httplib::Response& response, const Status& status) {
  if (!status) return SendError(response, status.error());
  response.status = 204;
}

}  // namespace

void ListOrganisations(Context& context, const httplib::Request& /*request*/,
                       httplib::Response& response, const Caller& caller) {
  SendResult(response, 200, service::ListOrganisations(*context.repository, caller.principal),
             [&](const std::vector<store::Membership>& memberships) {
               return OrganisationsToJson(memberships, caller.principal.tenant_id);
             });
}

void SwitchOrganisation(Context& context, const httplib::Request& request,
                        httplib::Response& response, const Caller& caller) {
  auto fields = StringMembers<1>(request, {"organisation"});
  if (!fields) return SendError(response, fields.error());
  SendSession(context, response, 200,
              service::SwitchOrganisation(*context.repository, caller.principal,
                                          caller.session_token, (*fields)[0], Now(), context.auth));
}

void OpenSampleWorkspace(Context& context, const httplib::Request& /*request*/,
                         httplib::Response& response, const Caller& caller) {
  service::SampleLoadOptions options;
  options.samples_dir = context.samples_dir;
  options.models = context.models;
  options.now = Now();
  // Loading runs detection, which the server runs one at a time.
  const std::lock_guard lock(context.mutex);
  auto workspace = service::OpenSampleWorkspace(*context.repository, caller.principal,
                                                caller.session_token, options, context.auth);
  if (!workspace) return SendError(response, workspace.error());
  SendSession(context, response, 200, workspace->session);
}

void ListMembers(Context& context, const httplib::Request& /*request*/, httplib::Response& response,
                 const Caller& caller) {
  SendResult(response, 200, service::ListMembers(*context.repository, caller.principal),
             MembersToJson);
}

void ChangeMemberRole(Context& context, const httplib::Request& request,
                      httplib::Response& response, const Caller& caller) {
  const Result<std::int64_t> user_id = PathId(request, 1, "member");
  if (!user_id) return SendError(response, user_id.error());
  auto fields = StringMembers<1>(request, {"role"});
  if (!fields) return SendError(response, fields.error());
  const Result<store::Role> role = service::RoleFromName((*fields)[0]);
  if (!role) return SendError(response, role.error());
  SendStatus(response,
             service::ChangeMemberRole(*context.repository, caller.principal, *user_id, *role));
}

void RemoveMember(Context& context, const httplib::Request& request, httplib::Response& response,
                  const Caller& caller) {
  const Result<std::int64_t> user_id = PathId(request, 1, "member");
  if (!user_id) return SendError(response, user_id.error());
  SendStatus(response,
             service::RemoveMember(*context.repository, caller.principal, *user_id, Now()));
}

void ListInvitations(Context& context, const httplib::Request& /*request*/,
                     httplib::Response& response, const Caller& caller) {
  SendResult(response, 200, service::ListInvitations(*context.repository, caller.principal),
             [](const std::vector<store::InvitationRecord>& list) {
               return InvitationsToJson(list, Now());
             });
}

void CreateInvitation(Context& context, const httplib::Request& request,
                      httplib::Response& response, const Caller& caller) {
  auto fields = StringMembers<2>(request, {"email", "role"});
  if (!fields) return SendError(response, fields.error());
  const auto& [email, role_name] = *fields;
  const Result<store::Role> role = service::RoleFromName(role_name.empty() ? "viewer" : role_name);
  if (!role) return SendError(response, role.error());
  SendResult(
      response, 201,
      service::Invite(*context.repository, caller.principal, email, *role, Now(), context.auth),
      NewInvitationToJson);
}

void RevokeInvitation(Context& context, const httplib::Request& request,
                      httplib::Response& response, const Caller& caller) {
  const Result<std::int64_t> id = PathId(request, 1, "invitation");
  if (!id) return SendError(response, id.error());
  SendStatus(response, service::RevokeInvitation(*context.repository, caller.principal, *id));
}

void AcceptInvitation(Context& context, const httplib::Request& request,
                      httplib::Response& response, const Caller& /*caller*/) {
  auto fields = StringMembers<2>(request, {"token", "password"});
  if (!fields) return SendError(response, fields.error());
  const auto& [token, password] = *fields;
  SendSession(
      context, response, 200,
      service::AcceptInvitationToken(*context.repository, token, password, Now(), context.auth));
}

}  // namespace costwise::api
