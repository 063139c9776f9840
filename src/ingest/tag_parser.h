#pragma once
// Tag maps as billing exports write them: a JSON object (FOCUS Tags, CUR 2.0 resource_tags), or
// Athena/Presto's map text {key=value, key2=value2}.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace costwise::ingest {

// Appends the pairs of `text` to `out`, decoding into `storage` (views into it stay valid while
// `storage` is not modified; reserve it to at least text.size() * 2 beforehand). Non-string JSON
// values (numbers, booleans) keep their literal text, null is skipped, nested objects and arrays
// keep their JSON text. Returns false when `text` is not a map.
bool ParseTagMap(std::string_view text, std::string& storage,
                 std::vector<std::pair<std::string_view, std::string_view>>& out);

}  // namespace costwise::ingest
