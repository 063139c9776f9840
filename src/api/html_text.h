#pragma once
// Text inside HTML: the API reference page and alert e-mails escape what they did not write.
#include <string>
#include <string_view>

namespace costwise::api {

// The text with & < > " replaced by their character references.
[[nodiscard]] std::string HtmlEscape(std::string_view text);

}  // namespace costwise::api
