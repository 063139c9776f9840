#pragma once
// The OpenAPI 3.1 document of the REST API (src/api/openapi.json, compiled in), served at
// /api/openapi.json, and the human-readable page rendered from it at /api/docs.
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "api/http.h"

namespace costwise::api {

// The document's text, exactly as in the repository.
[[nodiscard]] std::string_view OpenApiText();
// The parsed document (parsed once).
[[nodiscard]] const nlohmann::json& OpenApiDocument();

// A self-contained HTML page (no scripts) listing every operation of the document by tag: method,
// path, summary, least role, parameters, request body fields and responses.
[[nodiscard]] std::string RenderApiPage(const nlohmann::json& document);

void GetOpenApi(Context& context, const httplib::Request& request, httplib::Response& response,
                const Caller& caller);
void GetApiDocs(Context& context, const httplib::Request& request, httplib::Response& response,
                const Caller& caller);

}  // namespace costwise::api
