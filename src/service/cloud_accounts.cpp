#include "service/cloud_accounts.h"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <regex>
#include <utility>

#include <fmt/format.h>

namespace costwise::service {
namespace {

constexpr std::size_t kMaxNameBytes = 100;
constexpr std::size_t kMaxPrefixBytes = 1024;
constexpr std::size_t kExternalIdBytes = 20;  // 40 hex characters after the prefix
constexpr std::string_view kExternalIdPrefix = "cw-";
constexpr std::string_view kS3Scheme = "s3://";

bool Matches(std::string_view text, const std::regex& pattern) {
  return std::regex_match(text.begin(), text.end(), pattern);
}

std::string_view Trim(std::string_view text) {
  const auto blank = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  while (!text.empty() && blank(text.front())) text.remove_prefix(1);
  while (!text.empty() && blank(text.back())) text.remove_suffix(1);
  return text;
}

unexpected<Error> Invalid(std::string message) {
  return MakeError(ErrorCode::kInvalidInput, std::move(message));
}

// What a field may hold, shown in messages.
Status CheckField(std::string_view field, std::string_view value, const std::regex& pattern,
                  std::string_view shape) {
  if (Matches(value, pattern)) return {};
  return Invalid(fmt::format("cur_source.{} \"{}\" is not {}", field, value.substr(0, 80), shape));
}

bool IsBucketName(std::string_view bucket) {
  static const std::regex kBucket(R"([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])");
  return Matches(bucket, kBucket) && bucket.find("..") == std::string_view::npos;
}

// Characters a key prefix may hold here: no wildcards (* ?), policy variables ($), quotes,
// backslashes, spaces or control characters, so that it goes into an ARN as it is.
bool IsKeyPrefix(std::string_view prefix) {
  if (prefix.size() > kMaxPrefixBytes) return false;
  return std::all_of(prefix.begin(), prefix.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
           std::string_view("/_.-!'()=+,@&:;").find(c) != std::string_view::npos;
  });
}

Status CheckS3Uri(std::string_view field, std::string_view uri) {
  const auto invalid = [&] {
    return Invalid(
        fmt::format("cur_source.{} \"{}\" is not an S3 location like "
                    "s3://bucket/prefix/ (a bucket name of 3 to 63 lower-case "
                    "letters, digits, dots and hyphens; a prefix without * ? $ "
                    "quotes or spaces)",
                    field, uri.substr(0, 80)));
  };
  if (!uri.starts_with(kS3Scheme)) return invalid();
  const std::string_view rest = uri.substr(kS3Scheme.size());
  const std::size_t slash = rest.find('/');
  const std::string_view bucket = rest.substr(0, slash);
  const std::string_view prefix =
      slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
  if (!IsBucketName(bucket) || !IsKeyPrefix(prefix)) return invalid();
  return {};
}

std::string RandomExternalId() {
  std::array<unsigned char, kExternalIdBytes> bytes{};
  randombytes_buf(bytes.data(), bytes.size());
  std::string hex(bytes.size() * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), bytes.data(), bytes.size());
  hex.pop_back();
  return std::string(kExternalIdPrefix) + hex;
}

// --- the stored text of a CUR source: {"kind": {"key": "value", ...}} ------------------------

void AppendJsonString(std::string& out, std::string_view text) {
  out.push_back('"');
  for (const char c : text) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out.append(fmt::format("\\u{:04x}", static_cast<unsigned char>(c)));
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
}

// The fields of the source's kind, by their stored key; `Source` is CurSource or const CurSource.
template <typename Source>
auto FieldsOf(Source& source) {
  using Field = std::pair<std::string_view, decltype(&source.region)>;
  if (source.kind == CurSource::Kind::kS3) {
    return std::vector<Field>{
        {"bucket", &source.bucket}, {"prefix", &source.prefix}, {"region", &source.region}};
  }
  return std::vector<Field>{
      {"database", &source.database},           {"table", &source.table},
      {"workgroup", &source.workgroup},         {"output_location", &source.output_location},
      {"data_location", &source.data_location}, {"region", &source.region}};
}

// Reads the JSON text CurSourceText writes: one object holding one object of strings.
class CurSourceReader {
 public:
  explicit CurSourceReader(std::string_view text) : text_(text) {}

  Result<CurSource> Read() {
    CurSource source;
    std::string kind;
    if (!Expect('{') || !String(kind) || !Expect(':') || !Expect('{')) return Bad();
    if (kind == "s3") {
      source.kind = CurSource::Kind::kS3;
    } else if (kind != "athena") {
      return Bad();
    }
    const auto fields = FieldsOf(source);
    bool first = true;
    while (!Peek('}')) {
      if (!first && !Expect(',')) return Bad();
      first = false;
      std::string key;
      std::string value;
      if (!String(key) || !Expect(':') || !String(value)) return Bad();
      const auto field = std::find_if(fields.begin(), fields.end(),
                                      [&](const auto& entry) { return entry.first == key; });
      if (field == fields.end()) return Bad();
      *field->second = std::move(value);
    }
    if (!Expect('}') || !Expect('}')) return Bad();
    SkipSpace();
    if (at_ != text_.size()) return Bad();
    return source;
  }

 private:
  static unexpected<Error> Bad() {
    return MakeError(ErrorCode::kInternal, "a stored CUR source is not what costwise writes");
  }
  void SkipSpace() {
    while (at_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[at_])) != 0) ++at_;
  }
  bool Peek(char c) {
    SkipSpace();
    return at_ < text_.size() && text_[at_] == c;
  }
  bool Expect(char c) {
    if (!Peek(c)) return false;
    ++at_;
    return true;
  }
  bool String(std::string& out) {
    if (!Expect('"')) return false;
    while (at_ < text_.size()) {
      const char c = text_[at_++];
      if (c == '"') return true;
      if (c != '\\') {
        out.push_back(c);
        continue;
      }
      if (at_ >= text_.size()) return false;
      const char escaped = text_[at_++];
      if (escaped == 'u') {
        constexpr std::size_t kHexDigits = 4;
        if (at_ + kHexDigits > text_.size()) return false;
        const std::string hex(text_.substr(at_, kHexDigits));
        at_ += kHexDigits;
        const unsigned long code = std::strtoul(hex.c_str(), nullptr, 16);
        if (code >= 0x80) return false;  // CurSourceText escapes control characters only
        out.push_back(static_cast<char>(code));
      } else {
        out.push_back(escaped);
      }
    }
    return false;
  }

  std::string_view text_;
  std::size_t at_ = 0;
};

Result<CloudAccount> WithSource(store::CloudAccountRecord record) {
  CloudAccount account{std::move(record), std::nullopt};
  if (!account.record.cur_source.empty()) {
    Result<CurSource> source = ParseCurSourceText(account.record.cur_source);
    if (!source) return unexpected(std::move(source.error()));
    account.cur_source = std::move(*source);
  }
  return account;
}

}  // namespace

Status ValidateCurSource(const CurSource& source) {
  static const std::regex kRegion(R"([a-z]{2}(-[a-z]+)+-[0-9]{1,2})");
  static const std::regex kGlueName(R"([A-Za-z0-9_-]{1,255})");
  static const std::regex kWorkgroup(R"([A-Za-z0-9._-]{1,128})");
  if (Status region = CheckField("region", source.region, kRegion, "an AWS region like us-east-1");
      !region) {
    return region;
  }
  if (source.kind == CurSource::Kind::kS3) {
    if (!IsBucketName(source.bucket)) {
      return Invalid(
          fmt::format("cur_source.bucket \"{}\" is not an S3 bucket name (3 to 63 "
                      "lower-case letters, digits, dots and hyphens)",
                      source.bucket.substr(0, 80)));
    }
    if (!IsKeyPrefix(source.prefix)) {
      return Invalid("cur_source.prefix must be a key prefix without * ? $ quotes or spaces");
    }
    return {};
  }
  for (const auto& [field, value] :
       {std::pair{"database", &source.database}, std::pair{"table", &source.table}}) {
    if (Status name = CheckField(field, *value, kGlueName,
                                 "a Glue name (letters, digits, underscores and hyphens)");
        !name) {
      return name;
    }
  }
  if (Status workgroup =
          CheckField("workgroup", source.workgroup, kWorkgroup,
                     "an Athena workgroup name (letters, digits, dots, underscores, hyphens)");
      !workgroup) {
    return workgroup;
  }
  if (Status output = CheckS3Uri("output_location", source.output_location); !output) {
    return output;
  }
  return CheckS3Uri("data_location", source.data_location);
}

std::string CurSourceText(const CurSource& source) {
  std::string text = source.kind == CurSource::Kind::kS3 ? R"({"s3":{)" : R"({"athena":{)";
  bool first = true;
  for (const auto& [key, value] : FieldsOf(source)) {
    if (!first) text.push_back(',');
    first = false;
    AppendJsonString(text, key);
    text.push_back(':');
    AppendJsonString(text, *value);
  }
  text.append("}}");
  return text;
}

Result<CurSource> ParseCurSourceText(std::string_view text) { return CurSourceReader(text).Read(); }

Status ValidateRoleArn(std::string_view arn) {
  static const std::regex kRoleArn(
      R"(arn:aws:iam::[0-9]{12}:role/([\w+=,.@-]+/)*[\w+=,.@-]{1,64})");
  if (Matches(arn, kRoleArn)) return {};
  return Invalid(
      fmt::format("\"{}\" is not an IAM role ARN like "
                  "arn:aws:iam::123456789012:role/costwise-read",
                  arn.substr(0, 200)));
}

Status ValidatePrincipalArn(std::string_view arn) {
  static const std::regex kPrincipal(
      R"(arn:aws:iam::[0-9]{12}:(root|(role|user)/([\w+=,.@-]+/)*[\w+=,.@-]{1,64}))");
  if (Matches(arn, kPrincipal)) return {};
  return Invalid(
      fmt::format("\"{}\" is not an IAM principal ARN like "
                  "arn:aws:iam::123456789012:role/costwise",
                  arn.substr(0, 200)));
}

Result<CloudAccount> CreateCloudAccount(store::Repository& repository, const Principal& principal,
                                        std::string_view name, std::string_view account_id,
                                        std::int64_t now) {
  if (Status allowed = Require(principal, Permission::kWrite); !allowed) {
    return unexpected(std::move(allowed.error()));
  }
  const std::string_view trimmed = Trim(name);
  if (trimmed.empty() || trimmed.size() > kMaxNameBytes) {
    return Invalid(fmt::format("a cloud account needs a name of 1 to {} bytes", kMaxNameBytes));
  }
  static const std::regex kAccountId("[0-9]{12}");
  const std::string_view id = Trim(account_id);
  if (!Matches(id, kAccountId)) {
    return Invalid(fmt::format("\"{}\" is not an AWS account id (12 digits)", id.substr(0, 40)));
  }
  if (sodium_init() < 0) {
    return MakeError(ErrorCode::kInternal, "cannot initialise libsodium (no entropy source?)");
  }
  store::CloudAccountRecord record;
  record.tenant_id = principal.tenant_id;
  record.provider = "aws";
  record.account_id = std::string(id);
  record.name = std::string(trimmed);
  record.external_id = RandomExternalId();
  record.status = "pending";
  record.created_at = now;
  Result<store::CloudAccountRecord> created = repository.CreateCloudAccount(record);
  if (!created) return unexpected(std::move(created.error()));
  return WithSource(std::move(*created));
}

Result<std::vector<CloudAccount>> ListCloudAccounts(store::Repository& repository,
                                                    const Principal& principal) {
  Result<std::vector<store::CloudAccountRecord>> records =
      repository.ListCloudAccounts(principal.tenant_id);
  if (!records) return unexpected(std::move(records.error()));
  std::vector<CloudAccount> accounts;
  accounts.reserve(records->size());
  for (store::CloudAccountRecord& record : *records) {
    Result<CloudAccount> account = WithSource(std::move(record));
    if (!account) return unexpected(std::move(account.error()));
    accounts.push_back(std::move(*account));
  }
  return accounts;
}

Result<CloudAccount> GetCloudAccount(store::Repository& repository, const Principal& principal,
                                     std::int64_t account_id) {
  Result<store::CloudAccountRecord> record =
      repository.GetCloudAccount(principal.tenant_id, account_id);
  if (!record) return unexpected(std::move(record.error()));
  return WithSource(std::move(*record));
}

Result<CloudAccount> ConfigureCloudAccount(store::Repository& repository,
                                           const Principal& principal, std::int64_t account_id,
                                           const std::optional<std::string>& role_arn,
                                           const std::optional<CurSource>& cur_source) {
  if (Status allowed = Require(principal, Permission::kWrite); !allowed) {
    return unexpected(std::move(allowed.error()));
  }
  // Another organisation's id is not found, whatever the body says.
  Result<store::CloudAccountRecord> current =
      repository.GetCloudAccount(principal.tenant_id, account_id);
  if (!current) return unexpected(std::move(current.error()));
  if (!role_arn && !cur_source) {
    return Invalid("give \"role_arn\", \"cur_source\" or both");
  }
  std::string new_role = current->role_arn;
  if (role_arn) {
    new_role = std::string(Trim(*role_arn));
    if (!new_role.empty()) {
      if (Status valid = ValidateRoleArn(new_role); !valid) {
        return unexpected(std::move(valid.error()));
      }
      const std::string role_account =
          new_role.substr(std::string_view("arn:aws:iam::").size(), current->account_id.size());
      if (role_account != current->account_id) {
        return Invalid(
            fmt::format("the role {} is in the AWS account {}, not in this cloud "
                        "account's {}: create the role in {}",
                        new_role, role_account, current->account_id, current->account_id));
      }
    }
  }
  std::string new_source = current->cur_source;
  if (cur_source) {
    if (Status valid = ValidateCurSource(*cur_source); !valid) {
      return unexpected(std::move(valid.error()));
    }
    new_source = CurSourceText(*cur_source);
  }
  Result<store::CloudAccountRecord> updated =
      repository.SetCloudAccountConnection(principal.tenant_id, account_id, new_role, new_source);
  if (!updated) return unexpected(std::move(updated.error()));
  return WithSource(std::move(*updated));
}

Status DeleteCloudAccount(store::Repository& repository, const Principal& principal,
                          std::int64_t account_id) {
  if (Status allowed = Require(principal, Permission::kWrite); !allowed) return allowed;
  return repository.DeleteCloudAccount(principal.tenant_id, account_id);
}

Result<AccountPolicies> CloudAccountPolicies(store::Repository& repository,
                                             const Principal& principal, std::int64_t account_id,
                                             std::string_view principal_arn) {
  Result<CloudAccount> account = GetCloudAccount(repository, principal, account_id);
  if (!account) return unexpected(std::move(account.error()));
  return PoliciesFor(*account, principal_arn);
}

}  // namespace costwise::service
