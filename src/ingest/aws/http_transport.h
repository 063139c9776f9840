#pragma once
// Sends one signed request and hands back the answer: the seam between the AWS client and the
// network. CurlTransport is the real one (libcurl, TLS, proxies from the usual environment
// variables); tests put a scripted transport in its place.
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "core/error.h"
#include "ingest/aws/sigv4.h"

namespace costwise::aws {

struct HttpResponse {
  int status = 0;
  std::vector<HeaderField> headers;  // names as sent
  std::string body;

  [[nodiscard]] std::string_view Header(std::string_view name) const;  // "" when absent
};

// Called with each chunk of a response body as it arrives; false stops the transfer.
using BodySink = std::function<bool(std::string_view chunk)>;

class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  // `base_url` is scheme://host[:port]; the request's path and query follow it. A connection
  // failure or a timeout is an error (kUnavailable) that says which; an HTTP error status is not.
  // With a sink, a 2xx body goes to the sink instead of HttpResponse::body.
  [[nodiscard]] virtual Result<HttpResponse> Send(const std::string& base_url,
                                                  const HttpRequest& request,
                                                  std::chrono::milliseconds timeout,
                                                  const BodySink* sink) = 0;
};

class CurlTransport final : public HttpTransport {
 public:
  CurlTransport();  // initialises libcurl once per process
  [[nodiscard]] Result<HttpResponse> Send(const std::string& base_url, const HttpRequest& request,
                                          std::chrono::milliseconds timeout,
                                          const BodySink* sink) override;
};

}  // namespace costwise::aws
