#include "api/member_render.h"

#include "api/json_values.h"

namespace costwise::api {

nlohmann::json OrganisationsToJson(const std::vector<store::Membership>& memberships,
                                   std::int64_t current_tenant_id) {
  nlohmann::json list = nlohmann::json::array();
  for (const store::Membership& membership : memberships) {
    list.push_back({{"id", membership.tenant_id},
                    {"name", membership.tenant_name},
                    {"role", store::RoleName(membership.role)},
                    {"current", membership.tenant_id == current_tenant_id},
                    {"sample", membership.sample}});
  }
  return {{"organisations", list}};
}

nlohmann::json MembersToJson(const std::vector<store::MemberRecord>& members) {
  nlohmann::json list = nlohmann::json::array();
  for (const store::MemberRecord& member : members) {
    list.push_back({{"user", {{"id", member.user_id}, {"email", member.email}}},
                    {"role", store::RoleName(member.role)},
                    {"joined_at", TimeJson(member.joined_at)}});
  }
  return {{"members", list}};
}

nlohmann::json NewInvitationToJson(const service::NewInvitation& invitation) {
  return {{"id", invitation.id},
          {"email", invitation.email},
          {"role", store::RoleName(invitation.role)},
          {"token", invitation.token},
          {"expires_at", TimeJson(invitation.expires_at)}};
}

nlohmann::json InvitationsToJson(const std::vector<store::InvitationRecord>& list,
                                 std::int64_t now) {
  nlohmann::json items = nlohmann::json::array();
  for (const store::InvitationRecord& invitation : list) {
    items.push_back(
        {{"id", invitation.id},
         {"email", invitation.email},
         {"role", store::RoleName(invitation.role)},
         {"invited_by", invitation.invited_by == 0 ? nlohmann::json(nullptr)
                                                   : nlohmann::json(invitation.invited_by)},
         {"created_at", TimeJson(invitation.created_at)},
         {"expires_at", TimeJson(invitation.expires_at)},
         {"expired", invitation.expires_at <= now}});
  }
  return {{"invitations", items}};
}

}  // namespace costwise::api
