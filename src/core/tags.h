#pragma once
// Resource tags (user tags and cost allocation tags) as a canonical, sorted key/value list.
#include <string>
#include <string_view>
#include <vector>

namespace costwise {

struct Tag {
  std::string key;
  std::string value;
  friend bool operator==(const Tag&, const Tag&) = default;
};

// Sorted by key, keys unique, empty values dropped: two equal tag sets compare equal.
using Tags = std::vector<Tag>;

// Sorts by key, drops empty values and keeps the last value of a repeated key.
void Canonicalize(Tags& tags);

// {"key":"value",...} with keys in order, JSON-escaped; "{}" when empty. One text per tag set,
// which the store uses as the tag set's identity.
[[nodiscard]] std::string CanonicalTagsJson(const Tags& tags);

// Appends `text` to `out` as a JSON string literal with quotes.
void AppendJsonString(std::string& out, std::string_view text);

}  // namespace costwise
