#include "api/cloud_account_handlers.h"

#include <optional>
#include <string>

#include "api/cloud_account_render.h"
#include "service/cloud_accounts.h"

namespace costwise::api {

void CreateCloudAccount(Context& context, const httplib::Request& request,
                        httplib::Response& response, const Caller& caller) {
  auto fields = StringMembers<2>(request, {"name", "account_id"});
  if (!fields) return SendError(response, fields.error());
  const auto& [name, account_id] = *fields;
  SendResult(
      response, 201,
      service::CreateCloudAccount(*context.repository, caller.principal, name, account_id, Now()),
      CloudAccountToJson);
}

void ListCloudAccounts(Context& context, const httplib::Request& /*request*/,
                       httplib::Response& response, const Caller& caller) {
  SendResult(response, 200, service::ListCloudAccounts(*context.repository, caller.principal),
             CloudAccountsToJson);
}

void GetCloudAccount(Context& context, const httplib::Request& request, httplib::Response& response,
                     const Caller& caller) {
  const Result<std::int64_t> id = PathId(request, 1, "cloud account");
  if (!id) return SendError(response, id.error());
  SendResult(response, 200, service::GetCloudAccount(*context.repository, caller.principal, *id),
             CloudAccountToJson);
}

void GetCloudAccountPolicies(Context& context, const httplib::Request& request,
                             httplib::Response& response, const Caller& caller) {
  const Result<std::int64_t> id = PathId(request, 1, "cloud account");
  if (!id) return SendError(response, id.error());
  SendResult(response, 200,
             service::CloudAccountPolicies(*context.repository, caller.principal, *id,
                                           context.aws_principal_arn),
             AccountPoliciesToJson);
}

void ConfigureCloudAccount(Context& context, const httplib::Request& request,
                           httplib::Response& response, const Caller& caller) {
  const Result<std::int64_t> id = PathId(request, 1, "cloud account");
  if (!id) return SendError(response, id.error());
  const Result<nlohmann::json> body = JsonBody(request);
  if (!body) return SendError(response, body.error());
  std::optional<std::string> role_arn;
  if (body->contains("role_arn")) {
    Result<std::string> text = StringMember(*body, "role_arn");
    if (!text) return SendError(response, text.error());
    role_arn = std::move(*text);
  }
  std::optional<service::CurSource> cur_source;
  if (const auto found = body->find("cur_source"); found != body->end() && !found->is_null()) {
    Result<service::CurSource> parsed = CurSourceFromJson(*found);
    if (!parsed) return SendError(response, parsed.error());
    cur_source = std::move(*parsed);
  }
  SendResult(response, 200,
             service::ConfigureCloudAccount(*context.repository, caller.principal, *id, role_arn,
                                            cur_source),
             CloudAccountToJson);
}

void TestCloudAccount(Context& context, const httplib::Request& request,
                      httplib::Response& response, const Caller& caller) {
  const Result<std::int64_t> id = PathId(request, 1, "cloud account");
  if (!id) return SendError(response, id.error());
  auto answer = service::TestCloudAccountConnection(*context.repository, caller.principal, *id,
                                                    context.aws, Now());
  if (answer && answer->sync_job && context.jobs != nullptr) context.jobs->Wake();
  SendResult(response, 200, answer, [](const service::ConnectionTestAnswer& result) {
    return ConnectionTestToJson(result);
  });
}

void DeleteCloudAccount(Context& context, const httplib::Request& request,
                        httplib::Response& response, const Caller& caller) {
  const Result<std::int64_t> id = PathId(request, 1, "cloud account");
  if (!id) return SendError(response, id.error());
  if (Status deleted = service::DeleteCloudAccount(*context.repository, caller.principal, *id);
      !deleted) {
    return SendError(response, deleted.error());
  }
  response.status = 204;
}

}  // namespace costwise::api
