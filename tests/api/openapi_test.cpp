// The OpenAPI document against the routes table: every route documented with the least role it
// needs, every documented operation routed, and the document well-formed enough to render.
#include "api/openapi.h"

#include <map>
#include <set>
#include <string>
#include <utility>

#include <gtest/gtest.h>

#include "api/routes.h"

namespace costwise::api {
namespace {

// "/api/tokens/(\d+)" and "/api/tokens/{id}" both become "/api/tokens/{}".
std::string PatternPath(std::string_view pattern) {
  std::string path;
  int depth = 0;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '(') {
      if (depth++ == 0) path += "{}";
    } else if (c == ')') {
      --depth;
    } else if (depth == 0) {
      if (c == '\\' && i + 1 < pattern.size()) {
        path.push_back(pattern[++i]);
      } else {
        path.push_back(c);
      }
    }
  }
  return path;
}

std::string TemplatePath(std::string_view path) {
  std::string out;
  bool in_parameter = false;
  for (const char c : path) {
    if (c == '{') {
      in_parameter = true;
      out += "{}";
    } else if (c == '}') {
      in_parameter = false;
    } else if (!in_parameter) {
      out.push_back(c);
    }
  }
  return out;
}

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view RoleOf(Access access) {
  switch (access) {
    case Access::kPublic:
      return "public";
    case Access::kRead:
      return "viewer";
    case Access::kWrite:
      return "admin";
    case Access::kManageMembers:
      return "owner";
  }
  return "";
}

using Key = std::pair<std::string, std::string>;  // method (lower case), normalised path

std::map<Key, const nlohmann::json*> DocumentedOperations() {
  std::map<Key, const nlohmann::json*> operations;
  for (const auto& [path, item] : OpenApiDocument().at("paths").items()) {
    for (const auto& [method, operation] : item.items()) {
      if (method == "parameters" || method == "summary" || method == "description") continue;
      operations[{method, TemplatePath(path)}] = &operation;
    }
  }
  return operations;
}

TEST(OpenApiTest, PatternsAndTemplatesNormaliseAlike) {
  EXPECT_EQ(PatternPath(R"(/api/tokens/(\d+))"), "/api/tokens/{}");
  EXPECT_EQ(PatternPath(R"(/api/openapi\.json)"), "/api/openapi.json");
  EXPECT_EQ(PatternPath(R"(/api/a/(\d+)/b/([a-z]+(-[a-z]+)?))"), "/api/a/{}/b/{}");
  EXPECT_EQ(TemplatePath("/api/a/{id}/b/{name}"), "/api/a/{}/b/{}");
}

TEST(OpenApiTest, IsOpenApi31WithInfoAndUniqueOperationIds) {
  const nlohmann::json& document = OpenApiDocument();
  EXPECT_EQ(document.at("openapi"), "3.1.0");
  EXPECT_TRUE(document.at("info").contains("title"));
  std::set<std::string> ids;
  for (const auto& [key, operation] : DocumentedOperations()) {
    ASSERT_TRUE(operation->contains("operationId")) << key.first << " " << key.second;
    EXPECT_TRUE(ids.insert(operation->at("operationId").get<std::string>()).second)
        << "operationId used twice: " << operation->at("operationId");
    EXPECT_TRUE(operation->contains("summary")) << key.first << " " << key.second;
    EXPECT_TRUE(operation->contains("responses")) << key.first << " " << key.second;
  }
}

TEST(OpenApiTest, EveryRouteIsDocumentedWithItsRole) {
  const auto documented = DocumentedOperations();
  for (const Route& route : Routes()) {
    const Key key{Lower(route.method), PatternPath(route.pattern)};
    const auto found = documented.find(key);
    if (found == documented.end()) {
      ADD_FAILURE() << "route not in src/api/openapi.json: " << route.method << " "
                    << route.pattern;
      continue;
    }
    const nlohmann::json& operation = *found->second;
    EXPECT_EQ(operation.value("x-costwise-role", ""), RoleOf(route.access))
        << route.method << " " << route.pattern;
    // Public operations say so by an empty security list; the others use the global schemes.
    const bool open = operation.contains("security") && operation["security"].empty();
    EXPECT_EQ(open, route.access == Access::kPublic) << route.method << " " << route.pattern;
  }
}

TEST(OpenApiTest, EveryDocumentedOperationIsRouted) {
  std::set<Key> routed;
  for (const Route& route : Routes())
    routed.insert({Lower(route.method), PatternPath(route.pattern)});
  for (const auto& [key, operation] : DocumentedOperations()) {
    EXPECT_TRUE(routed.contains(key))
        << "documented but not routed: " << key.first << " " << key.second;
  }
}

TEST(OpenApiTest, ReferencesResolve) {
  const nlohmann::json& document = OpenApiDocument();
  // Walks the document; every "$ref" must name an existing "#/components/..." entry.
  std::vector<const nlohmann::json*> pending = {&document};
  while (!pending.empty()) {
    const nlohmann::json* node = pending.back();
    pending.pop_back();
    if (node->is_object()) {
      if (const auto ref = node->find("$ref"); ref != node->end()) {
        const std::string pointer = ref->get<std::string>();
        ASSERT_TRUE(pointer.starts_with("#/")) << pointer;
        EXPECT_TRUE(document.contains(nlohmann::json::json_pointer(pointer.substr(1))))
            << "unresolved $ref " << pointer;
      }
      for (const auto& [name, child] : node->items()) pending.push_back(&child);
    } else if (node->is_array()) {
      for (const auto& child : *node) pending.push_back(&child);
    }
  }
}

TEST(OpenApiTest, ApiPageListsEveryOperation) {
  const std::string page = RenderApiPage(OpenApiDocument());
  for (const auto& [path, item] : OpenApiDocument().at("paths").items()) {
    EXPECT_NE(page.find(path), std::string::npos) << path;
  }
  EXPECT_EQ(page.find("<script"), std::string::npos);
}

}  // namespace
}  // namespace costwise::api
