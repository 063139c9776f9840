#pragma once
// Reading AWS's XML answers with pugixml: parse or say what was wrong with the answer.
#include <string>
#include <string_view>

#include <pugixml.hpp>

#include "ingest/aws/client.h"

namespace costwise::aws {

// The parsed document, or an error naming the service and operation whose answer was not XML.
[[nodiscard]] AwsResult<pugi::xml_document> ParseXml(const ServiceInfo& service,
                                                     std::string_view operation,
                                                     const HttpResponse& response);
// An answer that parsed but lacks what the API promises.
[[nodiscard]] AwsError MalformedAnswer(const ServiceInfo& service, std::string_view operation,
                                       std::string_view what);

}  // namespace costwise::aws
