#pragma once
// Where the AWS client gets its keys. Implementations (credentials.h): fixed keys, the
// environment, the shared profiles, STS AssumeRole, EC2 instance metadata, and the chain of them.
#include <string>

#include "core/error.h"
#include "ingest/aws/sigv4.h"

namespace costwise::aws {

class CredentialsProvider {
 public:
  virtual ~CredentialsProvider() = default;
  // Keys valid now (temporary ones are refreshed ahead of their expiry), or why there are none.
  [[nodiscard]] virtual Result<Credentials> Get() = 0;
  // AWS said the keys expired: the next Get fetches new ones.
  virtual void Invalidate() {}
  // "environment variables", "profile dev in ~/.aws/config", ...: for error messages.
  [[nodiscard]] virtual std::string Describe() const = 0;
};

class StaticCredentials final : public CredentialsProvider {
 public:
  explicit StaticCredentials(Credentials credentials) : credentials_(std::move(credentials)) {}
  [[nodiscard]] Result<Credentials> Get() override { return credentials_; }
  [[nodiscard]] std::string Describe() const override { return credentials_.source; }

 private:
  Credentials credentials_;
};

}  // namespace costwise::aws
