#pragma once
// A transport that answers from a script and keeps every request it was given, with the URL it
// went to: the AWS client's tests run without a network.
#include <deque>
#include <string>
#include <vector>

#include "ingest/aws/http_transport.h"

namespace costwise::aws::testing {

struct SentRequest {
  std::string base_url;
  HttpRequest request;
  std::chrono::milliseconds timeout;
};

class ScriptedTransport final : public HttpTransport {
 public:
  void Answer(int status, std::string body, std::vector<HeaderField> headers = {}) {
    script_.push_back(HttpResponse{status, std::move(headers), std::move(body)});
  }
  void Fail(std::string message) {
    script_.push_back(MakeError(ErrorCode::kUnavailable, std::move(message)));
  }

  Result<HttpResponse> Send(const std::string& base_url, const HttpRequest& request,
                            std::chrono::milliseconds timeout, const BodySink* sink) override {
    sent.push_back({base_url, request, timeout});
    if (script_.empty()) return MakeError(ErrorCode::kInternal, "the script has no more answers");
    Result<HttpResponse> next = std::move(script_.front());
    script_.pop_front();
    if (next && sink != nullptr && next->status >= 200 && next->status < 300) {
      (*sink)(next->body);
      next->body.clear();
    }
    return next;
  }

  [[nodiscard]] std::size_t remaining() const { return script_.size(); }
  std::vector<SentRequest> sent;

 private:
  std::deque<Result<HttpResponse>> script_;
};

}  // namespace costwise::aws::testing
