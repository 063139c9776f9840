#include "ingest/aws/credentials.h"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "ingest/aws/json_read.h"
#include "ingest/text.h"

namespace costwise::aws {
namespace {

std::string Trim(std::string_view text) {
  const std::size_t first = text.find_first_not_of(" \t\r");
  if (first == std::string_view::npos) return "";
  const std::size_t last = text.find_last_not_of(" \t\r");
  return std::string(text.substr(first, last - first + 1));
}

std::optional<std::string> ReadWhole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string ValueOr(const ProfileSection& section, const std::string& key,
                    std::string fallback = "") {
  const auto it = section.find(key);
  return it == section.end() ? std::move(fallback) : it->second;
}

// A profile's credentials, resolved when first asked for so that a chain built at start-up
// reads the files only when it gets to them.
class LazyProfileCredentials final : public CredentialsProvider {
 public:
  LazyProfileCredentials(Environment environment, ClientConfig base)
      : environment_(std::move(environment)), base_(std::move(base)) {}

  Result<Credentials> Get() override {
    if (!resolved_) {
      auto provider = ProfileCredentials(environment_, environment_.Profile(), base_);
      if (!provider) return unexpected<Error>(provider.error());
      resolved_ = *provider;
    }
    return resolved_->Get();
  }
  void Invalidate() override {
    if (resolved_) resolved_->Invalidate();
  }
  std::string Describe() const override {
    return resolved_ ? resolved_->Describe()
                     : fmt::format("profile {} of the shared files", environment_.Profile());
  }

 private:
  Environment environment_;
  ClientConfig base_;
  std::shared_ptr<CredentialsProvider> resolved_;
};

Result<std::shared_ptr<CredentialsProvider>> ResolveProfile(
    const Environment& environment, const std::map<std::string, ProfileSection>& profiles,
    const std::string& name, const ClientConfig& base, std::set<std::string>& visiting) {
  const std::string where =
      fmt::format("{} or {}", environment.CredentialsFile(), environment.ConfigFile());
  const auto it = profiles.find(name);
  if (it == profiles.end()) {
    return MakeError(ErrorCode::kUnauthenticated,
                     fmt::format("no profile \"{}\" in {}", name, where));
  }
  if (!visiting.insert(name).second) {
    return MakeError(ErrorCode::kInvalidInput,
                     fmt::format("profile \"{}\" is its own source_profile (a loop)", name));
  }
  const ProfileSection& section = it->second;
  const std::string role_arn = ValueOr(section, "role_arn");
  const std::string key = ValueOr(section, "aws_access_key_id");
  const std::string secret = ValueOr(section, "aws_secret_access_key");
  // A source profile's own keys are used as they are, even when it names a role as well.
  if (!key.empty() && (role_arn.empty() || visiting.size() > 1)) {
    if (secret.empty()) {
      return MakeError(ErrorCode::kInvalidInput,
                       fmt::format("profile \"{}\" has aws_access_key_id but no "
                                   "aws_secret_access_key",
                                   name));
    }
    return std::shared_ptr<CredentialsProvider>(std::make_shared<StaticCredentials>(
        Credentials{key, secret, ValueOr(section, "aws_session_token"), std::nullopt,
                    fmt::format("profile {}", name)}));
  }
  if (role_arn.empty()) {
    return MakeError(ErrorCode::kUnauthenticated,
                     fmt::format("profile \"{}\" has neither keys nor a role_arn", name));
  }
  std::shared_ptr<CredentialsProvider> source;
  const std::string source_profile = ValueOr(section, "source_profile");
  const std::string credential_source = ValueOr(section, "credential_source");
  if (!source_profile.empty()) {
    auto resolved = ResolveProfile(environment, profiles, source_profile, base, visiting);
    if (!resolved) return resolved;
    source = *resolved;
  } else if (credential_source == "Environment") {
    source = std::make_shared<EnvironmentCredentials>(environment);
  } else if (credential_source == "Ec2InstanceMetadata") {
    source = std::make_shared<InstanceMetadataCredentials>(environment, base.transport, base.now);
  } else {
    return MakeError(ErrorCode::kInvalidInput,
                     fmt::format("profile \"{}\" has role_arn but no source_profile or a "
                                 "credential_source costwise knows (Environment, "
                                 "Ec2InstanceMetadata)",
                                 name));
  }
  AssumeRoleRequest request;
  request.role_arn = role_arn;
  request.external_id = ValueOr(section, "external_id");
  request.session_name = ValueOr(section, "role_session_name", "costwise");
  if (const std::string duration = ValueOr(section, "duration_seconds"); !duration.empty()) {
    try {
      request.duration_seconds = std::stoi(duration);
    } catch (const std::exception&) {
      return MakeError(
          ErrorCode::kInvalidInput,
          fmt::format("profile \"{}\": duration_seconds \"{}\" is not a number", name, duration));
    }
  }
  ClientConfig sts = base;
  if (const std::string region = ValueOr(section, "region"); !region.empty()) sts.region = region;
  return std::shared_ptr<CredentialsProvider>(
      std::make_shared<AssumeRoleCredentials>(source, std::move(request), std::move(sts)));
}

}  // namespace

Result<Credentials> EnvironmentCredentials::Get() {
  const auto key = environment_.Get("AWS_ACCESS_KEY_ID");
  const auto secret = environment_.Get("AWS_SECRET_ACCESS_KEY");
  if (!key && !secret) {
    return MakeError(ErrorCode::kUnauthenticated, "AWS_ACCESS_KEY_ID is not set");
  }
  if (!key || !secret) {
    return MakeError(ErrorCode::kInvalidInput,
                     key ? "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not"
                         : "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not");
  }
  return Credentials{*key, *secret, environment_.Get("AWS_SESSION_TOKEN").value_or(""),
                     std::nullopt, "environment variables"};
}

RefreshingCredentials::RefreshingCredentials(std::function<std::int64_t()> now)
    : now_(now ? std::move(now) : std::function<std::int64_t()>(UnixSecondsNow)) {}

Result<Credentials> RefreshingCredentials::Get() {
  std::lock_guard lock(mutex_);
  if (cached_ && (!cached_->expires || now_() < *cached_->expires - kRefreshBeforeExpirySeconds)) {
    return *cached_;
  }
  ++fetches_;
  auto fetched = Fetch();
  if (!fetched) return fetched;
  cached_ = *fetched;
  return fetched;
}

void RefreshingCredentials::Invalidate() {
  std::lock_guard lock(mutex_);
  cached_.reset();
}

AssumeRoleCredentials::AssumeRoleCredentials(std::shared_ptr<CredentialsProvider> source,
                                             AssumeRoleRequest request, ClientConfig sts_config)
    : RefreshingCredentials(sts_config.now),
      source_(std::move(source)),
      request_(std::move(request)),
      sts_config_(std::move(sts_config)) {
  if (sts_config_.region.empty()) sts_config_.region = "us-east-1";
}

std::string AssumeRoleCredentials::Describe() const {
  return fmt::format("role {} assumed with {}", request_.role_arn, source_->Describe());
}

Result<Credentials> AssumeRoleCredentials::Fetch() {
  ClientConfig config = sts_config_;
  config.credentials = source_;
  AwsClient sts(std::move(config));
  auto credentials = AssumeRole(sts, request_);
  if (!credentials) {
    Error error = credentials.error().ToError();
    error.message = fmt::format("cannot assume {}: {}", request_.role_arn, error.message);
    return unexpected<Error>(std::move(error));
  }
  return *credentials;
}

InstanceMetadataCredentials::InstanceMetadataCredentials(const Environment& environment,
                                                         std::shared_ptr<HttpTransport> transport,
                                                         std::function<std::int64_t()> now)
    : RefreshingCredentials(std::move(now)),
      endpoint_(
          environment.Get("AWS_EC2_METADATA_SERVICE_ENDPOINT").value_or("http://169.254.169.254")),
      transport_(transport ? std::move(transport) : std::make_shared<CurlTransport>()) {
  while (!endpoint_.empty() && endpoint_.back() == '/') endpoint_.pop_back();
}

std::string InstanceMetadataCredentials::Describe() const {
  return "EC2 instance metadata at " + endpoint_;
}

Result<Credentials> InstanceMetadataCredentials::Fetch() {
  constexpr std::chrono::milliseconds kTimeout{1000};
  const Endpoint endpoint = EndpointFromUrl(endpoint_);
  auto call = [&](HttpRequest request, std::string_view what) -> Result<std::string> {
    request.path = endpoint.path_prefix + request.path;
    request.SetHeader("Host", endpoint.host);
    Result<HttpResponse> response = MakeError(ErrorCode::kUnavailable, "");
    for (int attempt = 0; attempt < 2; ++attempt) {
      response = transport_->Send(endpoint.base_url, request, kTimeout, nullptr);
      if (response && response->status < 500) break;
    }
    if (!response) {
      return MakeError(ErrorCode::kUnavailable,
                       fmt::format("instance metadata {}: {}", what, response.error().message));
    }
    if (response->status != 200) {
      return MakeError(response->status == 404 ? ErrorCode::kNotFound : ErrorCode::kUnauthenticated,
                       fmt::format("instance metadata {}: HTTP {}", what, response->status));
    }
    return std::move(response->body);
  };

  HttpRequest token_request;
  token_request.method = "PUT";
  token_request.path = "/latest/api/token";
  token_request.SetHeader("X-aws-ec2-metadata-token-ttl-seconds", "21600");
  auto token = call(token_request, "session token");
  if (!token) return unexpected<Error>(token.error());

  HttpRequest role_request;
  role_request.path = "/latest/meta-data/iam/security-credentials/";
  role_request.SetHeader("X-aws-ec2-metadata-token", *token);
  auto roles = call(role_request, "role name");
  if (!roles) return unexpected<Error>(roles.error());
  const std::string role = Trim(std::string_view(*roles).substr(0, roles->find('\n')));
  if (role.empty()) {
    return MakeError(ErrorCode::kUnauthenticated, "this EC2 instance has no IAM role attached");
  }

  HttpRequest credentials_request = role_request;
  credentials_request.path += role;
  auto body = call(credentials_request, "credentials of role " + role);
  if (!body) return unexpected<Error>(body.error());
  const auto json = nlohmann::json::parse(*body, nullptr, false);
  if (!json.is_object() || TextOf(json, "Code") != "Success") {
    return MakeError(ErrorCode::kUnavailable,
                     fmt::format("instance metadata gave no usable credentials for role {}", role));
  }
  Credentials credentials{TextOf(json, "AccessKeyId"), TextOf(json, "SecretAccessKey"),
                          TextOf(json, "Token"), ParseAwsTime(TextOf(json, "Expiration")),
                          "EC2 instance role " + role};
  if (credentials.access_key_id.empty() || credentials.secret_access_key.empty()) {
    return MakeError(ErrorCode::kUnavailable, "instance metadata credentials lack keys");
  }
  return credentials;
}

Result<Credentials> ChainCredentials::Get() {
  std::vector<std::string> reasons;
  for (const auto& provider : providers_) {
    auto credentials = provider->Get();
    if (credentials) {
      last_used_ = provider;
      return credentials;
    }
    // A provider that is configured but broken or refused stops the chain: falling through to
    // another identity would act with keys the user did not mean.
    if (credentials.error().code == ErrorCode::kInvalidInput ||
        credentials.error().code == ErrorCode::kPermissionDenied) {
      return unexpected<Error>(Error{credentials.error().code,
                                     provider->Describe() + ": " + credentials.error().message});
    }
    reasons.push_back(provider->Describe() + ": " + credentials.error().message);
  }
  return MakeError(ErrorCode::kUnauthenticated,
                   fmt::format("no AWS credentials found ({})", fmt::join(reasons, "; ")));
}

void ChainCredentials::Invalidate() {
  if (last_used_) last_used_->Invalidate();
}

std::string ChainCredentials::Describe() const {
  return last_used_ ? last_used_->Describe() : "the default credentials chain";
}

std::map<std::string, ProfileSection> ParseIni(std::string_view text, bool config_file) {
  std::map<std::string, ProfileSection> out;
  ProfileSection* current = nullptr;
  std::string last_key;
  std::size_t position = 0;
  while (position <= text.size()) {
    std::size_t end = text.find('\n', position);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view raw = text.substr(position, end - position);
    position = end + 1;
    const std::string line = Trim(raw);
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    if (line.front() == '[' && line.back() == ']') {
      std::string name = Trim(std::string_view(line).substr(1, line.size() - 2));
      if (config_file && name.starts_with("profile ")) name = Trim(name.substr(8));
      // In the config file only "default" and "profile x" name profiles ("sso-session x" etc.
      // do not).
      const bool is_profile = !config_file || name == "default" ||
                              Trim(std::string_view(line).substr(1)).starts_with("profile ");
      current = is_profile ? &out[name] : nullptr;
      continue;
    }
    if (current == nullptr) continue;
    const std::size_t equals = line.find('=');
    if (equals == std::string::npos) continue;
    if (raw.front() == ' ' || raw.front() == '\t') continue;  // nested (s3 = ...) settings
    last_key = ingest::LowerAscii(Trim(std::string_view(line).substr(0, equals)));
    std::string value = Trim(std::string_view(line).substr(equals + 1));
    // Inline comments need white space before the marker.
    for (const char* marker : {" #", " ;", "\t#", "\t;"}) {
      if (const std::size_t at = value.find(marker); at != std::string::npos) {
        value = Trim(std::string_view(value).substr(0, at));
      }
    }
    (*current)[last_key] = value;
  }
  return out;
}

std::map<std::string, ProfileSection> ReadSharedProfiles(const Environment& environment) {
  std::map<std::string, ProfileSection> profiles;
  if (auto text = ReadWhole(environment.ConfigFile())) profiles = ParseIni(*text, true);
  if (auto text = ReadWhole(environment.CredentialsFile())) {
    for (auto& [name, section] : ParseIni(*text, false)) {
      for (auto& [key, value] : section) profiles[name][key] = value;
    }
  }
  return profiles;
}

Result<std::shared_ptr<CredentialsProvider>> ProfileCredentials(const Environment& environment,
                                                                const std::string& profile,
                                                                const ClientConfig& base) {
  const auto profiles = ReadSharedProfiles(environment);
  std::set<std::string> visiting;
  return ResolveProfile(environment, profiles, profile, base, visiting);
}

std::shared_ptr<CredentialsProvider> DefaultCredentialsChain(const Environment& environment,
                                                             const ClientConfig& base) {
  std::vector<std::shared_ptr<CredentialsProvider>> providers;
  providers.push_back(std::make_shared<EnvironmentCredentials>(environment));
  providers.push_back(std::make_shared<LazyProfileCredentials>(environment, base));
  const std::string disabled =
      ingest::LowerAscii(environment.Get("AWS_EC2_METADATA_DISABLED").value_or(""));
  if (disabled != "true") {
    providers.push_back(
        std::make_shared<InstanceMetadataCredentials>(environment, base.transport, base.now));
  }
  return std::make_shared<ChainCredentials>(std::move(providers));
}

std::string DefaultRegion(const Environment& environment) {
  if (std::string region = environment.Region(); !region.empty()) return region;
  const auto profiles = ReadSharedProfiles(environment);
  if (const auto it = profiles.find(environment.Profile()); it != profiles.end()) {
    if (std::string region = ValueOr(it->second, "region"); !region.empty()) return region;
  }
  return "us-east-1";
}

}  // namespace costwise::aws
