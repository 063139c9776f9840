#include "api/openapi.h"

#include <array>

#include <fmt/format.h>

#include "api/html_text.h"

namespace costwise::api {

extern const std::string_view kOpenApiJson;

namespace {

constexpr std::array<std::string_view, 5> kMethods = {"get", "post", "put", "patch", "delete"};

std::string StringOr(const nlohmann::json& object, const char* key, std::string_view fallback) {
  const auto found = object.find(key);
  return found != object.end() && found->is_string() ? found->get<std::string>()
                                                     : std::string(fallback);
}

// A schema's short description: its type, or the name of the schema it refers to.
std::string SchemaLabel(const nlohmann::json& schema) {
  if (!schema.is_object()) return "";
  if (const auto ref = schema.find("$ref"); ref != schema.end() && ref->is_string()) {
    const std::string text = ref->get<std::string>();
    return text.substr(text.rfind('/') + 1);
  }
  const auto type = schema.find("type");
  if (type == schema.end()) return "";
  if (type->is_array()) {
    std::string joined;
    for (const auto& part : *type) {
      if (!joined.empty()) joined += " | ";
      joined += part.get<std::string>();
    }
    return joined;
  }
  std::string label = type->get<std::string>();
  if (label == "array" && schema.contains("items")) label += " of " + SchemaLabel(schema["items"]);
  if (const auto values = schema.find("enum"); values != schema.end()) {
    label += ": ";
    for (std::size_t i = 0; i < values->size(); ++i) {
      label += (i == 0 ? "" : ", ") + (*values)[i].dump();
    }
  }
  return label;
}

void RenderParameters(const nlohmann::json& operation, std::string& out) {
  const auto parameters = operation.find("parameters");
  if (parameters == operation.end() || parameters->empty()) return;
  out += "<table><tr><th>parameter</th><th>in</th><th>type</th><th>meaning</th></tr>";
  for (const auto& parameter : *parameters) {
    out += fmt::format("<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
                       HtmlEscape(StringOr(parameter, "name", "")),
                       HtmlEscape(StringOr(parameter, "in", "")),
                       HtmlEscape(SchemaLabel(parameter.value("schema", nlohmann::json::object()))),
                       HtmlEscape(StringOr(parameter, "description", "")));
  }
  out += "</table>";
}

void RenderBody(const nlohmann::json& operation, std::string& out) {
  const nlohmann::json* schema = nullptr;
  if (const auto body = operation.find("requestBody"); body != operation.end()) {
    const auto content = body->find("content");
    if (content != body->end() && !content->empty()) {
      const auto& first = content->begin().value();
      if (first.contains("schema")) schema = &first["schema"];
    }
  }
  if (schema == nullptr) return;
  const auto properties = schema->find("properties");
  if (properties == schema->end()) {
    out += fmt::format("<p>Body: {}</p>", HtmlEscape(SchemaLabel(*schema)));
    return;
  }
  const nlohmann::json required = schema->value("required", nlohmann::json::array());
  out += "<table><tr><th>body field</th><th>type</th><th>meaning</th></tr>";
  for (const auto& [name, property] : properties->items()) {
    const bool needed = std::find(required.begin(), required.end(), name) != required.end();
    out +=
        fmt::format("<tr><td><code>{}</code>{}</td><td>{}</td><td>{}</td></tr>", HtmlEscape(name),
                    needed ? " (required)" : "", HtmlEscape(SchemaLabel(property)),
                    HtmlEscape(StringOr(property, "description", "")));
  }
  out += "</table>";
}

void RenderResponses(const nlohmann::json& operation, const nlohmann::json& document,
                     std::string& out) {
  const auto responses = operation.find("responses");
  if (responses == operation.end()) return;
  out += "<ul class=\"responses\">";
  for (const auto& [status, response] : responses->items()) {
    std::string description = StringOr(response, "description", "");
    if (const auto ref = response.find("$ref"); ref != response.end() && ref->is_string()) {
      const std::string name =
          ref->get<std::string>().substr(ref->get<std::string>().rfind('/') + 1);
      const auto& shared = document["components"]["responses"];
      if (shared.contains(name)) description = StringOr(shared[name], "description", name);
    }
    out += fmt::format("<li><b>{}</b> {}</li>", HtmlEscape(status), HtmlEscape(description));
  }
  out += "</ul>";
}

}  // namespace

std::string_view OpenApiText() { return kOpenApiJson; }

const nlohmann::json& OpenApiDocument() {
  static const nlohmann::json kDocument = nlohmann::json::parse(kOpenApiJson);
  return kDocument;
}

std::string RenderApiPage(const nlohmann::json& document) {
  const nlohmann::json& info = document["info"];
  std::string out = fmt::format(
      "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<title>{0} {1}</title><style>"
      "body{{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;"
      "color:#1d2430}}h2{{border-bottom:1px solid #ccd;margin-top:2.5rem}}"
      "h3{{font:600 15px ui-monospace,monospace;margin:1.5rem 0 .3rem}}"
      ".method{{display:inline-block;min-width:4.5rem;color:#fff;background:#3b5bdb;"
      "border-radius:4px;text-align:center;margin-right:.5rem}}.role{{color:#667;font-size:13px}}"
      "table{{border-collapse:collapse;margin:.4rem 0}}td,th{{border:1px solid #dde;"
      "padding:.2rem .5rem;text-align:left;vertical-align:top}}"
      "@media (prefers-color-scheme:dark){{body{{background:#12161c;color:#dfe4ea}}"
      "td,th{{border-color:#334}}}}</style></head><body><h1>{0} <small>{1}</small></h1>"
      "<p>{2}</p><p>The machine-readable document: <a href=\"/api/openapi.json\">"
      "/api/openapi.json</a> (OpenAPI {3}).</p>",
      HtmlEscape(StringOr(info, "title", "API")), HtmlEscape(StringOr(info, "version", "")),
      HtmlEscape(StringOr(info, "description", "")), HtmlEscape(StringOr(document, "openapi", "")));
  for (const auto& tag : document.value("tags", nlohmann::json::array())) {
    const std::string tag_name = StringOr(tag, "name", "");
    out += fmt::format("<h2 id=\"{0}\">{0}</h2>", HtmlEscape(tag_name));
    for (const auto& [path, item] : document["paths"].items()) {
      for (const std::string_view method : kMethods) {
        const auto operation = item.find(std::string(method));
        if (operation == item.end()) continue;
        const nlohmann::json tags = operation->value("tags", nlohmann::json::array());
        if (tags.empty() || tags[0] != tag_name) continue;
        std::string upper(method);
        for (char& c : upper) c = static_cast<char>(c - 'a' + 'A');
        out += fmt::format(
            "<h3><span class=\"method\">{}</span>{}</h3><p>{} <span class=\"role\">({})</span></p>",
            upper, HtmlEscape(path), HtmlEscape(StringOr(*operation, "summary", "")),
            HtmlEscape(StringOr(*operation, "x-costwise-role", "")));
        if (operation->contains("description")) {
          out += fmt::format("<p>{}</p>", HtmlEscape(StringOr(*operation, "description", "")));
        }
        RenderParameters(*operation, out);
        RenderBody(*operation, out);
        RenderResponses(*operation, document, out);
      }
    }
  }
  out += "</body></html>";
  return out;
}

void GetOpenApi(Context& /*context*/, const httplib::Request& /*request*/,
                httplib::Response& response, const Caller& /*caller*/) {
  response.status = 200;
  response.set_content(std::string(OpenApiText()), "application/json");
}

void GetApiDocs(Context& /*context*/, const httplib::Request& /*request*/,
                httplib::Response& response, const Caller& /*caller*/) {
  static const std::string kPage = RenderApiPage(OpenApiDocument());
  response.status = 200;
  response.set_content(kPage, "text/html; charset=utf-8");
}

}  // namespace costwise::api
