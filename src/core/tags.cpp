#include "core/tags.h"

#include <algorithm>

#include <fmt/format.h>

namespace costwise {

void Canonicalize(Tags& tags) {
  std::erase_if(tags, [](const Tag& tag) { return tag.value.empty() || tag.key.empty(); });
  std::stable_sort(tags.begin(), tags.end(),
                   [](const Tag& a, const Tag& b) { return a.key < b.key; });
  // Keep the last of equal keys: walk backwards and keep first occurrences.
  Tags unique;
  unique.reserve(tags.size());
  for (auto it = tags.rbegin(); it != tags.rend(); ++it) {
    if (unique.empty() || unique.back().key != it->key) unique.push_back(std::move(*it));
  }
  std::reverse(unique.begin(), unique.end());
  tags = std::move(unique);
}

void AppendJsonString(std::string& out, std::string_view text) {
  out.push_back('"');
  for (const char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += fmt::format("\\u{:04x}", static_cast<unsigned>(static_cast<unsigned char>(c)));
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
}

std::string CanonicalTagsJson(const Tags& tags) {
  std::string out = "{";
  bool first = true;
  for (const Tag& tag : tags) {
    if (!first) out.push_back(',');
    first = false;
    AppendJsonString(out, tag.key);
    out.push_back(':');
    AppendJsonString(out, tag.value);
  }
  out.push_back('}');
  return out;
}

}  // namespace costwise
