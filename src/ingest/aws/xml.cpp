#include "ingest/aws/xml.h"

#include <fmt/format.h>

namespace costwise::aws {

AwsError MalformedAnswer(const ServiceInfo& service, std::string_view operation,
                         std::string_view what) {
  AwsError error;
  error.code = ErrorCode::kUnavailable;
  error.service = std::string(service.id);
  error.operation = std::string(operation);
  error.message = fmt::format("unexpected answer: {}", what);
  return error;
}

AwsResult<pugi::xml_document> ParseXml(const ServiceInfo& service, std::string_view operation,
                                       const HttpResponse& response) {
  pugi::xml_document document;
  const pugi::xml_parse_result parsed =
      document.load_buffer(response.body.data(), response.body.size());
  if (!parsed) {
    return unexpected<AwsError>(MalformedAnswer(
        service, operation,
        fmt::format("not XML ({} at byte {})", parsed.description(), parsed.offset)));
  }
  return document;
}

}  // namespace costwise::aws
