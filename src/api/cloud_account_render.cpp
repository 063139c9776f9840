#include "api/cloud_account_render.h"

#include <fmt/format.h>

#include "api/job_render.h"
#include "api/json_values.h"

namespace costwise::api {
namespace {

nlohmann::json NullWhenEmpty(const std::string& text) {
  return text.empty() ? nlohmann::json(nullptr) : nlohmann::json(text);
}

nlohmann::json CurSourceToJson(const service::CurSource& source) {
  if (source.kind == service::CurSource::Kind::kS3) {
    return {
        {"s3", {{"bucket", source.bucket}, {"prefix", source.prefix}, {"region", source.region}}}};
  }
  return {{"athena",
           {{"database", source.database},
            {"table", source.table},
            {"workgroup", source.workgroup},
            {"output_location", source.output_location},
            {"data_location", source.data_location},
            {"region", source.region}}}};
}

// One string or, for several, an array of them (as IAM writes them).
nlohmann::json OneOrMany(const std::vector<std::string>& values) {
  if (values.size() == 1) return values.front();
  return values;
}

}  // namespace

nlohmann::json CloudAccountToJson(const service::CloudAccount& account) {
  const store::CloudAccountRecord& record = account.record;
  return {{"id", record.id},
          {"provider", record.provider},
          {"account_id", record.account_id},
          {"name", record.name},
          {"external_id", record.external_id},
          {"role_arn", NullWhenEmpty(record.role_arn)},
          {"cur_source",
           account.cur_source ? CurSourceToJson(*account.cur_source) : nlohmann::json(nullptr)},
          {"status", record.status},
          {"created_at", TimeJson(record.created_at)},
          {"last_sync_at",
           record.last_sync_at ? TimeJson(*record.last_sync_at) : nlohmann::json(nullptr)},
          {"last_error", NullWhenEmpty(record.last_error)}};
}

nlohmann::json ConnectionTestToJson(const service::ConnectionTestAnswer& answer) {
  nlohmann::json steps = nlohmann::json::array();
  for (const service::ConnectionTestStep& step : answer.test.steps) {
    steps.push_back({{"step", step.step}, {"status", step.status}, {"detail", step.detail}});
  }
  service::CloudAccount account{answer.test.account, std::nullopt};
  if (!account.record.cur_source.empty()) {
    if (auto source = service::ParseCurSourceText(account.record.cur_source)) {
      account.cur_source = *source;
    }
  }
  return {{"account", CloudAccountToJson(account)},
          {"ok", answer.test.ok},
          {"steps", steps},
          {"sync_job", answer.sync_job ? JobToJson(*answer.sync_job) : nlohmann::json(nullptr)}};
}

nlohmann::json CloudAccountsToJson(const std::vector<service::CloudAccount>& accounts) {
  nlohmann::json list = nlohmann::json::array();
  for (const service::CloudAccount& account : accounts) list.push_back(CloudAccountToJson(account));
  return {{"cloud_accounts", list}};
}

nlohmann::json IamPolicyToJson(const service::IamPolicy& policy) {
  nlohmann::json statements = nlohmann::json::array();
  for (const service::IamStatement& statement : policy.statements) {
    nlohmann::json item = {{"Sid", statement.sid}, {"Effect", "Allow"}};
    if (!statement.principal_aws.empty()) item["Principal"] = {{"AWS", statement.principal_aws}};
    item["Action"] = OneOrMany(statement.actions);
    if (!statement.resources.empty()) item["Resource"] = OneOrMany(statement.resources);
    if (!statement.conditions.empty()) {
      nlohmann::json condition = nlohmann::json::object();
      for (const service::IamCondition& test : statement.conditions) {
        condition[test.test][test.key] = OneOrMany(test.values);
      }
      item["Condition"] = condition;
    }
    statements.push_back(std::move(item));
  }
  return {{"Version", "2012-10-17"}, {"Statement", statements}};
}

nlohmann::json AccountPoliciesToJson(const service::AccountPolicies& policies) {
  return {{"trust_policy", IamPolicyToJson(policies.trust)},
          {"permissions_policy",
           policies.permissions ? IamPolicyToJson(*policies.permissions) : nlohmann::json(nullptr)},
          {"apply_policy", IamPolicyToJson(policies.apply)},
          {"principal_configured", policies.principal_configured}};
}

Result<service::CurSource> CurSourceFromJson(const nlohmann::json& value) {
  const auto invalid = [] {
    return MakeError(ErrorCode::kInvalidInput,
                     "\"cur_source\" must be {\"athena\": {\"database\", \"table\", "
                     "\"workgroup\", \"output_location\", \"data_location\", \"region\"}} or "
                     "{\"s3\": {\"bucket\", \"prefix\", \"region\"}} with string values");
  };
  if (!value.is_object() || value.size() != 1) return invalid();
  service::CurSource source;
  // (Not a structured binding of *value.items().begin(): that refers into a temporary iterator.)
  const std::string kind = value.begin().key();
  const nlohmann::json& fields = value.begin().value();
  std::vector<std::pair<const char*, std::string*>> wanted;
  if (kind == "athena") {
    source.kind = service::CurSource::Kind::kAthena;
    wanted = {
        {"database", &source.database},           {"table", &source.table},
        {"workgroup", &source.workgroup},         {"output_location", &source.output_location},
        {"data_location", &source.data_location}, {"region", &source.region}};
  } else if (kind == "s3") {
    source.kind = service::CurSource::Kind::kS3;
    wanted = {{"bucket", &source.bucket}, {"prefix", &source.prefix}, {"region", &source.region}};
  } else {
    return invalid();
  }
  if (!fields.is_object()) return invalid();
  for (const auto& [name, text] : fields.items()) {
    const auto field = std::find_if(wanted.begin(), wanted.end(),
                                    [&](const auto& entry) { return name == entry.first; });
    if (field == wanted.end()) {
      return MakeError(ErrorCode::kInvalidInput,
                       fmt::format("cur_source.{} has no field \"{}\"", kind, name));
    }
    if (!text.is_string()) {
      return MakeError(ErrorCode::kInvalidInput,
                       fmt::format("cur_source.{}.{} must be a string", kind, name));
    }
    *field->second = text.get<std::string>();
  }
  return source;
}

}  // namespace costwise::api
