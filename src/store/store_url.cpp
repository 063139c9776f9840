#include "store/store_url.h"

#include <memory>

#include <fmt/format.h>
#include <libpq-fe.h>

namespace costwise::store {
namespace {

constexpr std::string_view kPostgresqlScheme = "postgresql://";
constexpr std::string_view kPostgresScheme = "postgres://";
constexpr std::string_view kRedacted = "***";
constexpr std::string_view kApplicationName = "costwise";
constexpr std::string_view kConnectTimeoutSeconds = "10";
constexpr std::string_view kClientEncoding = "UTF8";

struct ConninfoFree {
  void operator()(PQconninfoOption* options) const { PQconninfoFree(options); }
};
struct PqFree {
  void operator()(char* text) const { PQfreemem(text); }
};

// SOCI 4.0's PostgreSQL factory re-tokenizes the connect string as space-separated key=value
// pairs before handing it to libpq: a token without '=' gets one appended, a value is cut at
// whitespace and double quotes are dropped. A URI passes through intact when it has no
// whitespace or '"' (percent-encoded here; libpq decodes them) and contains at least one '='
// (guaranteed by the parameters appended below).
std::string EscapeForSoci(std::string_view uri) {
  std::string out;
  out.reserve(uri.size());
  for (const char c : uri) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte <= ' ' || c == '"' || byte == 0x7f) {
      out += fmt::format("%{:02X}", static_cast<unsigned>(byte));
    } else {
      out.push_back(c);
    }
  }
  return out;
}

Result<StoreLocation> ParsePostgresUrl(std::string_view url) {
  std::string uri = EscapeForSoci(url);
  char* raw_error = nullptr;
  const std::unique_ptr<PQconninfoOption, ConninfoFree> options(
      PQconninfoParse(uri.c_str(), &raw_error));
  const std::unique_ptr<char, PqFree> error(raw_error);
  if (!options) {
    std::string reason = error ? std::string(error.get()) : std::string("out of memory");
    while (!reason.empty() && (reason.back() == '\n' || reason.back() == ' ')) reason.pop_back();
    return MakeError(ErrorCode::kInvalidInput, fmt::format("invalid PostgreSQL URL \"{}\": {}",
                                                           RedactUrlPassword(url), reason));
  }
  bool has_application_name = false;
  bool has_connect_timeout = false;
  bool has_client_encoding = false;
  for (const PQconninfoOption* option = options.get(); option->keyword != nullptr; ++option) {
    if (option->val == nullptr) continue;
    const std::string_view keyword = option->keyword;
    has_application_name |= keyword == "application_name";
    has_connect_timeout |= keyword == "connect_timeout";
    has_client_encoding |= keyword == "client_encoding";
  }
  char separator = uri.find('?') == std::string::npos ? '?' : '&';
  const auto append = [&](std::string_view key, std::string_view value) {
    uri += fmt::format("{}{}={}", separator, key, value);
    separator = '&';
  };
  if (!has_application_name) append("application_name", kApplicationName);
  if (!has_connect_timeout) append("connect_timeout", kConnectTimeoutSeconds);
  if (!has_client_encoding) append("client_encoding", kClientEncoding);
  StoreLocation location;
  location.backend = Backend::kPostgresql;
  location.postgres_uri = std::move(uri);
  location.display = RedactUrlPassword(url);
  return location;
}

}  // namespace

Result<StoreLocation> ParseStoreUrl(std::string_view url) {
  if (url.starts_with(kSqliteScheme)) {
    const std::string_view path = url.substr(kSqliteScheme.size());
    if (path.empty()) {
      return MakeError(ErrorCode::kInvalidInput,
                       fmt::format("database URL \"{}\" has no file path: use sqlite:PATH", url));
    }
    if (path.find('"') != std::string_view::npos || path.find('\0') != std::string_view::npos) {
      return MakeError(
          ErrorCode::kInvalidInput,
          fmt::format("SQLite path \"{}\" must not contain '\"' or NUL characters", path));
    }
    StoreLocation location;
    location.backend = Backend::kSqlite;
    location.sqlite_path = std::string(path);
    location.display = std::string(url);
    return location;
  }
  if (url.starts_with(kPostgresqlScheme) || url.starts_with(kPostgresScheme)) {
    return ParsePostgresUrl(url);
  }
  return MakeError(ErrorCode::kInvalidInput,
                   fmt::format("unsupported database URL \"{}\": use {}", RedactUrlPassword(url),
                               kAcceptedUrlForms));
}

std::string RedactUrlPassword(std::string_view url) {
  const std::size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::string(url);
  const std::size_t authority_begin = scheme_end + 3;
  const std::size_t authority_end = url.find_first_of("/?", authority_begin);
  const std::string_view authority = url.substr(
      authority_begin, authority_end == std::string_view::npos ? std::string_view::npos
                                                               : authority_end - authority_begin);
  std::string out(url.substr(0, authority_begin));
  const std::size_t at = authority.rfind('@');
  if (at != std::string_view::npos) {
    const std::string_view user_info = authority.substr(0, at);
    const std::size_t colon = user_info.find(':');
    if (colon != std::string_view::npos) {
      out += user_info.substr(0, colon + 1);
      out += kRedacted;
    } else {
      out += user_info;
    }
    out += authority.substr(at);
  } else {
    out += authority;
  }
  if (authority_end == std::string_view::npos) return out;
  const std::string_view rest = url.substr(authority_end);
  const std::size_t question = rest.find('?');
  if (question == std::string_view::npos) {
    out += rest;
    return out;
  }
  out += rest.substr(0, question + 1);
  constexpr std::string_view kPasswordKey = "password=";
  std::string_view query = rest.substr(question + 1);
  for (bool first = true;; first = false) {
    const std::size_t amp = query.find('&');
    const std::string_view param = query.substr(0, amp);
    if (!first) out.push_back('&');
    if (param.starts_with(kPasswordKey)) {
      out += kPasswordKey;
      out += kRedacted;
    } else {
      out += param;
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return out;
}

}  // namespace costwise::store
