#pragma once
// The process environment as the AWS client reads it (AWS_* variables, HOME), captured once so
// tests can hand the client any environment they like.
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "ingest/aws/service.h"

namespace costwise::aws {

class Environment {
 public:
  Environment() = default;
  explicit Environment(std::map<std::string, std::string> variables)
      : variables_(std::move(variables)) {}
  [[nodiscard]] static Environment FromProcess();

  // The value when set and not empty.
  [[nodiscard]] std::optional<std::string> Get(std::string_view name) const;
  void Set(std::string name, std::string value) { variables_[std::move(name)] = std::move(value); }

  // AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE> (none when
  // AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is true).
  [[nodiscard]] EndpointOverrides Endpoints() const;
  // AWS_REGION, then AWS_DEFAULT_REGION; empty when neither is set.
  [[nodiscard]] std::string Region() const;
  // ~/.aws/credentials and ~/.aws/config, or AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE.
  [[nodiscard]] std::string CredentialsFile() const;
  [[nodiscard]] std::string ConfigFile() const;
  // AWS_PROFILE, else "default".
  [[nodiscard]] std::string Profile() const;

 private:
  std::map<std::string, std::string> variables_;
};

}  // namespace costwise::aws
