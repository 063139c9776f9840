#include "ingest/aws/environment.h"

#include <unistd.h>

#include <algorithm>

#include "ingest/text.h"

extern char** environ;  // NOLINT: POSIX

namespace costwise::aws {

Environment Environment::FromProcess() {
  std::map<std::string, std::string> variables;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    const std::string_view text(*entry);
    const std::size_t equals = text.find('=');
    if (equals == std::string_view::npos) continue;
    const std::string_view name = text.substr(0, equals);
    if (name.starts_with("AWS_") || name == "HOME") {
      variables.emplace(std::string(name), std::string(text.substr(equals + 1)));
    }
  }
  return Environment(std::move(variables));
}

std::optional<std::string> Environment::Get(std::string_view name) const {
  const auto it = variables_.find(std::string(name));
  if (it == variables_.end() || it->second.empty()) return std::nullopt;
  return it->second;
}

EndpointOverrides Environment::Endpoints() const {
  EndpointOverrides out;
  if (auto ignore = Get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")) {
    if (ingest::EqualsIgnoreCase(*ignore, "true")) return out;
  }
  out.all = Get("AWS_ENDPOINT_URL").value_or("");
  constexpr std::string_view kPrefix = "AWS_ENDPOINT_URL_";
  for (const auto& [name, value] : variables_) {
    if (name.starts_with(kPrefix) && !value.empty()) {
      out.per_service[name.substr(kPrefix.size())] = value;
    }
  }
  return out;
}

std::string Environment::Region() const {
  if (auto region = Get("AWS_REGION")) return *region;
  return Get("AWS_DEFAULT_REGION").value_or("");
}

std::string Environment::CredentialsFile() const {
  if (auto file = Get("AWS_SHARED_CREDENTIALS_FILE")) return *file;
  return Get("HOME").value_or("") + "/.aws/credentials";
}

std::string Environment::ConfigFile() const {
  if (auto file = Get("AWS_CONFIG_FILE")) return *file;
  return Get("HOME").value_or("") + "/.aws/config";
}

std::string Environment::Profile() const { return Get("AWS_PROFILE").value_or("default"); }

}  // namespace costwise::aws
