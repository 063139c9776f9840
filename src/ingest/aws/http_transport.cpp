#include "ingest/aws/http_transport.h"

#include <algorithm>
#include <mutex>

#include <curl/curl.h>
#include <fmt/format.h>

#include "ingest/text.h"

namespace costwise::aws {
namespace {

struct CurlDeleter {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
};
struct ListDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

struct Transfer {
  HttpResponse response;
  const BodySink* sink = nullptr;
  bool sink_stopped = false;
};

std::size_t OnBody(char* data, std::size_t size, std::size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  const std::size_t bytes = size * count;
  const std::string_view chunk(data, bytes);
  const int status = transfer->response.status;
  if (transfer->sink != nullptr && status >= 200 && status < 300) {
    if (!(*transfer->sink)(chunk)) {
      transfer->sink_stopped = true;
      return 0;  // aborts the transfer
    }
    return bytes;
  }
  transfer->response.body.append(chunk);
  return bytes;
}

std::size_t OnHeader(char* data, std::size_t size, std::size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  const std::size_t bytes = size * count;
  std::string_view line(data, bytes);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  if (line.starts_with("HTTP/")) {
    // A new status line (after a 100 Continue or a redirect): start over.
    transfer->response.headers.clear();
    const std::size_t space = line.find(' ');
    if (space != std::string_view::npos) {
      transfer->response.status = std::atoi(std::string(line.substr(space + 1, 3)).c_str());
    }
    return bytes;
  }
  const std::size_t colon = line.find(':');
  if (colon == std::string_view::npos) return bytes;
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  transfer->response.headers.emplace_back(std::string(line.substr(0, colon)), std::string(value));
  return bytes;
}

}  // namespace

std::string_view HttpResponse::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (ingest::EqualsIgnoreCase(key, name)) return value;
  }
  return {};
}

CurlTransport::CurlTransport() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

Result<HttpResponse> CurlTransport::Send(const std::string& base_url, const HttpRequest& request,
                                         std::chrono::milliseconds timeout, const BodySink* sink) {
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (!curl) return MakeError(ErrorCode::kInternal, "libcurl could not start a transfer");
  const std::string url = base_url + request.Target();
  CURL* handle = curl.get();
  curl_easy_setopt(handle, CURLOPT_URL, url.c_str());
  curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(handle, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(std::min<std::int64_t>(timeout.count(), 10000)));
  curl_easy_setopt(handle, CURLOPT_ACCEPT_ENCODING, "");  // what libcurl can decode
  if (request.method == "HEAD") {
    curl_easy_setopt(handle, CURLOPT_NOBODY, 1L);
  } else if (request.method != "GET") {
    curl_easy_setopt(handle, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }
  if (request.method == "POST" || request.method == "PUT" || !request.body.empty()) {
    curl_easy_setopt(handle, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request.body.size()));
  }
  std::unique_ptr<curl_slist, ListDeleter> headers;
  auto add = [&](const std::string& line) {
    curl_slist* grown = curl_slist_append(headers.get(), line.c_str());
    if (grown != nullptr) {
      (void)headers.release();
      headers.reset(grown);
    }
  };
  for (const auto& [name, value] : request.headers) add(name + ": " + value);
  add("Expect:");                                             // no 100-continue round trip
  if (!request.Header("Content-Type")) add("Content-Type:");  // libcurl would add a form type
  curl_easy_setopt(handle, CURLOPT_HTTPHEADER, headers.get());

  Transfer transfer;
  transfer.sink = sink;
  curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(handle, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(handle, CURLOPT_HEADERDATA, &transfer);
  const CURLcode code = curl_easy_perform(handle);
  if (code != CURLE_OK) {
    if (transfer.sink_stopped) {
      return MakeError(ErrorCode::kInternal, fmt::format("reading {} stopped", url));
    }
    const char* what = curl_easy_strerror(code);
    if (code == CURLE_OPERATION_TIMEDOUT) {
      return MakeError(ErrorCode::kUnavailable, fmt::format("no answer from {} within {} ms ({})",
                                                            base_url, timeout.count(), what));
    }
    return MakeError(ErrorCode::kUnavailable, fmt::format("cannot reach {}: {}", base_url, what));
  }
  long status = 0;
  curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &status);
  transfer.response.status = static_cast<int>(status);
  return std::move(transfer.response);
}

}  // namespace costwise::aws
