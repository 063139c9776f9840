#pragma once
// The handlers of organisations, members and invitations (docs/service.md, "Organisations and
// members").
#include "api/http.h"

namespace costwise::api {

void ListOrganisations(Context& context, const httplib::Request& request,
                       httplib::Response& response, const Caller& caller);
void SwitchOrganisation(Context& context, const httplib::Request& request,
                        httplib::Response& response, const Caller& caller);
// POST /api/sample-workspace: the caller's sample workspace, filled from the bundled samples the
// first time, and a session in it.
void OpenSampleWorkspace(Context& context, const httplib::Request& request,
                         httplib::Response& response, const Caller& caller);
void ListMembers(Context& context, const httplib::Request& request, httplib::Response& response,
                 const Caller& caller);
void ChangeMemberRole(Context& context, const httplib::Request& request,
                      httplib::Response& response, const Caller& caller);
void RemoveMember(Context& context, const httplib::Request& request, httplib::Response& response,
                  const Caller& caller);
void ListInvitations(Context& context, const httplib::Request& request, httplib::Response& response,
                     const Caller& caller);
void CreateInvitation(Context& context, const httplib::Request& request,
                      httplib::Response& response, const Caller& caller);
void RevokeInvitation(Context& context, const httplib::Request& request,
                      httplib::Response& response, const Caller& caller);
void AcceptInvitation(Context& context, const httplib::Request& request,
                      httplib::Response& response, const Caller& caller);

}  // namespace costwise::api
