#include "ingest/aws/service.h"

#include <fmt/format.h>

namespace costwise::aws {

std::string SigningRegion(const ServiceInfo& service, std::string_view region) {
  if (service.id == kPricing.id && region != "us-east-1" && region != "eu-central-1" &&
      region != "ap-south-1") {
    return "us-east-1";
  }
  return std::string(region);
}

Endpoint EndpointFromUrl(std::string_view url) {
  Endpoint out;
  const std::size_t scheme_end = url.find("://");
  const std::size_t authority = scheme_end == std::string_view::npos ? 0 : scheme_end + 3;
  std::size_t path = url.find('/', authority);
  if (path == std::string_view::npos) path = url.size();
  out.base_url = std::string(url.substr(0, path));
  if (scheme_end == std::string_view::npos) out.base_url = "https://" + out.base_url;
  out.host = std::string(url.substr(authority, path - authority));
  std::string prefix(url.substr(path));
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  out.path_prefix = prefix;
  // Host headers leave out the scheme's default port, as HTTP clients send them.
  if (out.base_url.starts_with("https://") && out.host.ends_with(":443")) {
    out.host.resize(out.host.size() - 4);
  } else if (out.base_url.starts_with("http://") && out.host.ends_with(":80")) {
    out.host.resize(out.host.size() - 3);
  }
  return out;
}

Endpoint ResolveEndpoint(const ServiceInfo& service, std::string_view region,
                         const EndpointOverrides& overrides) {
  if (auto it = overrides.per_service.find(std::string(service.env_suffix));
      it != overrides.per_service.end() && !it->second.empty()) {
    return EndpointFromUrl(it->second);
  }
  if (!overrides.all.empty()) return EndpointFromUrl(overrides.all);
  const std::string signing_region = SigningRegion(service, region);
  const std::string_view suffix =
      signing_region.starts_with("cn-") ? "amazonaws.com.cn" : "amazonaws.com";
  return EndpointFromUrl(
      fmt::format("https://{}.{}.{}", service.endpoint_prefix, signing_region, suffix));
}

}  // namespace costwise::aws
