#pragma once
// The credentials chain, in the AWS SDKs' order:
//  1. environment variables: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN;
//  2. the shared files' profile (AWS_PROFILE, else "default"): ~/.aws/credentials and
//     ~/.aws/config ("[profile NAME]"), with static keys, or role_arn with source_profile or
//     credential_source (Environment, Ec2InstanceMetadata), external_id, role_session_name and
//     duration_seconds;
//  3. EC2 instance metadata, IMDSv2 (a session token first), unless AWS_EC2_METADATA_DISABLED.
// Temporary credentials (AssumeRole, instance metadata) are cached and fetched again five minutes
// before they expire, or at once when AWS says they expired.
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "ingest/aws/client.h"
#include "ingest/aws/credentials_provider.h"
#include "ingest/aws/environment.h"
#include "ingest/aws/sts.h"

namespace costwise::aws {

inline constexpr std::int64_t kRefreshBeforeExpirySeconds = 300;

class EnvironmentCredentials final : public CredentialsProvider {
 public:
  explicit EnvironmentCredentials(Environment environment) : environment_(std::move(environment)) {}
  [[nodiscard]] Result<Credentials> Get() override;
  [[nodiscard]] std::string Describe() const override { return "environment variables"; }

 private:
  Environment environment_;
};

// Caches what Fetch returns until kRefreshBeforeExpirySeconds before it expires.
class RefreshingCredentials : public CredentialsProvider {
 public:
  explicit RefreshingCredentials(std::function<std::int64_t()> now);
  [[nodiscard]] Result<Credentials> Get() final;
  void Invalidate() final;
  [[nodiscard]] int fetches() const { return fetches_; }

 protected:
  [[nodiscard]] virtual Result<Credentials> Fetch() = 0;

 private:
  std::function<std::int64_t()> now_;
  std::mutex mutex_;
  std::optional<Credentials> cached_;
  int fetches_ = 0;
};

// STS AssumeRole with the source provider's keys; the client settings (region, endpoints,
// transport, retries, clock) are those of `sts_config`.
class AssumeRoleCredentials final : public RefreshingCredentials {
 public:
  AssumeRoleCredentials(std::shared_ptr<CredentialsProvider> source, AssumeRoleRequest request,
                        ClientConfig sts_config);
  [[nodiscard]] std::string Describe() const override;

 private:
  [[nodiscard]] Result<Credentials> Fetch() override;
  std::shared_ptr<CredentialsProvider> source_;
  AssumeRoleRequest request_;
  ClientConfig sts_config_;
};

// IMDSv2: PUT /latest/api/token, then the role's credentials under
// /latest/meta-data/iam/security-credentials/. The endpoint is
// AWS_EC2_METADATA_SERVICE_ENDPOINT, else http://169.254.169.254.
class InstanceMetadataCredentials final : public RefreshingCredentials {
 public:
  InstanceMetadataCredentials(const Environment& environment,
                              std::shared_ptr<HttpTransport> transport,
                              std::function<std::int64_t()> now);
  [[nodiscard]] std::string Describe() const override;

 private:
  [[nodiscard]] Result<Credentials> Fetch() override;
  std::string endpoint_;
  std::shared_ptr<HttpTransport> transport_;
};

// The first provider that has credentials; the error lists why each had none.
class ChainCredentials final : public CredentialsProvider {
 public:
  explicit ChainCredentials(std::vector<std::shared_ptr<CredentialsProvider>> providers)
      : providers_(std::move(providers)) {}
  [[nodiscard]] Result<Credentials> Get() override;
  void Invalidate() override;
  [[nodiscard]] std::string Describe() const override;

 private:
  std::vector<std::shared_ptr<CredentialsProvider>> providers_;
  std::shared_ptr<CredentialsProvider> last_used_;
};

// One section of the shared files, keys lower-cased.
using ProfileSection = std::map<std::string, std::string>;
// Profiles of both files by name (config's "[profile x]" is "x"); credentials-file keys win.
[[nodiscard]] std::map<std::string, ProfileSection> ReadSharedProfiles(const Environment& env);
// Parses an INI text of the shared-file kind ("[section]", "key = value", '#' and ';' comments).
[[nodiscard]] std::map<std::string, ProfileSection> ParseIni(std::string_view text,
                                                             bool config_file);

// The provider for a named profile (static keys or a role), or why it cannot be used.
// `base` supplies the STS client settings for roles.
[[nodiscard]] Result<std::shared_ptr<CredentialsProvider>> ProfileCredentials(
    const Environment& environment, const std::string& profile, const ClientConfig& base);

// The whole chain for this environment. Profiles are read when Get is first called.
[[nodiscard]] std::shared_ptr<CredentialsProvider> DefaultCredentialsChain(
    const Environment& environment, const ClientConfig& base);

// The region from the environment, else from the profile's config, else "us-east-1".
[[nodiscard]] std::string DefaultRegion(const Environment& environment);

}  // namespace costwise::aws
