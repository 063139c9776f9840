#include "ingest/aws/sigv4.h"

#include <algorithm>
#include <array>
#include <ctime>

#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "ingest/text.h"

namespace costwise::aws {
namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";

// Headers that proxies and HTTP stacks rewrite on the way: never part of a signature.
constexpr std::array<std::string_view, 4> kUnsignedHeaders = {"authorization", "user-agent",
                                                              "expect", "x-amzn-trace-id"};

using ingest::EqualsIgnoreCase;
using ingest::LowerAscii;

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

// Trims the value and turns every run of white space (folded lines included) into one space.
std::string TrimAll(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  bool pending_space = false;
  for (char c : value) {
    if (IsSpace(c)) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    out.push_back(c);
  }
  return out;
}

std::string Hex(const unsigned char* data, std::size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(size * 2, '0');
  for (std::size_t i = 0; i < size; ++i) {
    out[2 * i] = kDigits[data[i] >> 4];
    out[2 * i + 1] = kDigits[data[i] & 0x0f];
  }
  return out;
}

std::string HmacRaw(std::string_view key, std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest.data(), &length);
  return std::string(reinterpret_cast<const char*>(digest.data()), length);
}

// RFC 3986 section 5.2.4 plus what AWS adds: empty segments (repeated slashes) go too.
std::string NormalizePath(std::string_view path) {
  if (path.empty()) return "/";
  std::vector<std::string_view> kept;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    const std::string_view segment = path.substr(start, end - start);
    if (segment == "..") {
      if (!kept.empty()) kept.pop_back();
    } else if (!segment.empty() && segment != ".") {
      kept.push_back(segment);
    }
    start = end + 1;
  }
  std::string out = path.front() == '/' ? "/" : "";
  for (std::size_t i = 0; i < kept.size(); ++i) {
    if (i > 0) out.push_back('/');
    out.append(kept[i]);
  }
  if (path.back() == '/' && !kept.empty()) out.push_back('/');
  return out;
}

struct CanonicalHeaders {
  std::string text;            // "name:value\n" lines, sorted
  std::string signed_headers;  // "name;name"
};

CanonicalHeaders CanonicalizeHeaders(const HttpRequest& request, bool omit_session_token) {
  std::vector<std::pair<std::string, std::string>> lowered;
  for (const auto& [name, value] : request.headers) {
    std::string key = LowerAscii(TrimAll(name));
    if (std::find(kUnsignedHeaders.begin(), kUnsignedHeaders.end(), key) !=
        kUnsignedHeaders.end()) {
      continue;
    }
    if (omit_session_token && key == "x-amz-security-token") continue;
    lowered.emplace_back(std::move(key), TrimAll(value));
  }
  // Stable: repeated headers keep the order they were sent in.
  std::stable_sort(lowered.begin(), lowered.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  CanonicalHeaders out;
  for (std::size_t i = 0; i < lowered.size(); ++i) {
    if (i > 0 && lowered[i].first == lowered[i - 1].first) {
      out.text.push_back(',');
      out.text.append(lowered[i].second);
      continue;
    }
    if (i > 0) out.text.push_back('\n');
    out.text.append(lowered[i].first).append(":").append(lowered[i].second);
    if (!out.signed_headers.empty()) out.signed_headers.push_back(';');
    out.signed_headers.append(lowered[i].first);
  }
  if (!lowered.empty()) out.text.push_back('\n');
  return out;
}

std::string PayloadHash(const HttpRequest& request, const SigningOptions& options) {
  return options.payload_hash ? *options.payload_hash : Sha256Hex(request.body);
}

std::string ScopeOf(const SigningOptions& options) {
  return fmt::format("{}/{}/{}/aws4_request", AmzDate(options.time).substr(0, 8), options.region,
                     options.service);
}

// Canonical request, string to sign and signature over the given query and headers.
SigningResult Compute(const HttpRequest& request, const std::vector<QueryParam>& query,
                      const Credentials& credentials, const SigningOptions& options,
                      bool omit_token_header) {
  SigningResult result;
  const CanonicalHeaders headers = CanonicalizeHeaders(request, omit_token_header);
  result.signed_headers = headers.signed_headers;
  result.credential_scope = ScopeOf(options);
  result.canonical_request = fmt::format(
      "{}\n{}\n{}\n{}\n{}\n{}", request.method, CanonicalUri(request.path, options),
      CanonicalQuery(query), headers.text, headers.signed_headers, PayloadHash(request, options));
  const std::string date_time = AmzDate(options.time);
  result.string_to_sign = fmt::format("{}\n{}\n{}\n{}", kAlgorithm, date_time,
                                      result.credential_scope, Sha256Hex(result.canonical_request));
  const std::string key = SigningKey(credentials.secret_access_key, date_time.substr(0, 8),
                                     options.region, options.service);
  result.signature = HmacSha256Hex(key, result.string_to_sign);
  return result;
}

}  // namespace

std::optional<std::string_view> HttpRequest::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) return std::string_view(value);
  }
  return std::nullopt;
}

void HttpRequest::SetHeader(std::string_view name, std::string value) {
  RemoveHeader(name);
  headers.emplace_back(std::string(name), std::move(value));
}

void HttpRequest::RemoveHeader(std::string_view name) {
  std::erase_if(headers, [&](const auto& header) { return EqualsIgnoreCase(header.first, name); });
}

std::string HttpRequest::Target() const {
  if (query.empty()) return path;
  std::string out = path;
  char separator = '?';
  for (const auto& [name, value] : query) {
    out.push_back(separator);
    out.append(UriEncode(name, false)).append("=").append(UriEncode(value, false));
    separator = '&';
  }
  return out;
}

std::string UriEncode(std::string_view text, bool keep_slash) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() * 3 / 2);
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
                            c == '~' || (keep_slash && c == '/');
    if (unreserved) {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kDigits[byte >> 4]);
      out.push_back(kDigits[byte & 0x0f]);
    }
  }
  return out;
}

std::string UriDecode(std::string_view text) {
  auto digit = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && digit(text[i + 1]) >= 0 &&
        digit(text[i + 2]) >= 0) {
      out.push_back(static_cast<char>(digit(text[i + 1]) * 16 + digit(text[i + 2])));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

std::string CanonicalUri(std::string_view path, const SigningOptions& options) {
  const std::string normalized = options.normalize_path ? NormalizePath(path) : std::string(path);
  if (!options.double_encode_path) return normalized.empty() ? "/" : normalized;
  return UriEncode(normalized.empty() ? "/" : normalized, /*keep_slash=*/true);
}

std::string CanonicalQuery(const std::vector<QueryParam>& query) {
  std::vector<std::pair<std::string, std::string>> encoded;
  encoded.reserve(query.size());
  for (const auto& [name, value] : query) {
    encoded.emplace_back(UriEncode(name, false), UriEncode(value, false));
  }
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [name, value] : encoded) {
    if (!out.empty()) out.push_back('&');
    out.append(name).append("=").append(value);
  }
  return out;
}

std::string AmzDate(std::int64_t unix_seconds) {
  const std::time_t seconds = static_cast<std::time_t>(unix_seconds);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  return fmt::format("{:04}{:02}{:02}T{:02}{:02}{:02}Z", utc.tm_year + 1900, utc.tm_mon + 1,
                     utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec);
}

std::string Sha256Hex(std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest.data(), &length, EVP_sha256(), nullptr);
  return Hex(digest.data(), length);
}

std::string HmacSha256Hex(std::string_view key, std::string_view data) {
  const std::string raw = HmacRaw(key, data);
  return Hex(reinterpret_cast<const unsigned char*>(raw.data()), raw.size());
}

std::string SigningKey(std::string_view secret_access_key, std::string_view date,
                       std::string_view region, std::string_view service) {
  const std::string date_key = HmacRaw("AWS4" + std::string(secret_access_key), date);
  const std::string region_key = HmacRaw(date_key, region);
  const std::string service_key = HmacRaw(region_key, service);
  return HmacRaw(service_key, "aws4_request");
}

std::vector<QueryParam> ParseQuery(std::string_view query) {
  std::vector<QueryParam> out;
  std::size_t start = 0;
  while (start < query.size()) {
    std::size_t end = query.find('&', start);
    if (end == std::string_view::npos) end = query.size();
    const std::string_view pair = query.substr(start, end - start);
    if (!pair.empty()) {
      const std::size_t equals = pair.find('=');
      if (equals == std::string_view::npos) {
        out.emplace_back(UriDecode(pair), "");
      } else {
        out.emplace_back(UriDecode(pair.substr(0, equals)), UriDecode(pair.substr(equals + 1)));
      }
    }
    start = end + 1;
  }
  return out;
}

SigningResult SignWithHeaders(HttpRequest& request, const Credentials& credentials,
                              const SigningOptions& options) {
  request.RemoveHeader("Authorization");
  if (!credentials.session_token.empty()) {
    request.SetHeader("X-Amz-Security-Token", credentials.session_token);
  }
  request.SetHeader("X-Amz-Date", AmzDate(options.time));
  if (options.content_sha256_header) {
    request.SetHeader("x-amz-content-sha256", PayloadHash(request, options));
  }
  SigningResult result =
      Compute(request, request.query, credentials, options, options.omit_session_token);
  request.headers.emplace_back(
      "Authorization", fmt::format("{} Credential={}/{}, SignedHeaders={}, Signature={}",
                                   kAlgorithm, credentials.access_key_id, result.credential_scope,
                                   result.signed_headers, result.signature));
  return result;
}

SigningResult Presign(HttpRequest& request, const Credentials& credentials,
                      const SigningOptions& options) {
  const std::string scope = ScopeOf(options);
  const std::string signed_headers = CanonicalizeHeaders(request, true).signed_headers;
  std::vector<QueryParam> added = {
      {"X-Amz-Algorithm", std::string(kAlgorithm)},
      {"X-Amz-Credential", credentials.access_key_id + "/" + scope},
      {"X-Amz-Date", AmzDate(options.time)},
      {"X-Amz-SignedHeaders", signed_headers},
      {"X-Amz-Expires", std::to_string(options.expires_seconds)},
  };
  const bool has_token = !credentials.session_token.empty();
  std::vector<QueryParam> signed_query = request.query;
  signed_query.insert(signed_query.end(), added.begin(), added.end());
  if (has_token && !options.omit_session_token) {
    signed_query.emplace_back("X-Amz-Security-Token", credentials.session_token);
  }
  SigningResult result = Compute(request, signed_query, credentials, options, true);
  if (has_token) added.emplace_back("X-Amz-Security-Token", credentials.session_token);
  added.emplace_back("X-Amz-Signature", result.signature);
  request.query.insert(request.query.end(), added.begin(), added.end());
  return result;
}

}  // namespace costwise::aws
