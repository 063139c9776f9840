#pragma once
// A hash for unordered containers keyed by std::string that also finds std::string_view keys
// without building a string (C++20 heterogeneous lookup; use with std::equal_to<>).
#include <functional>
#include <string_view>

namespace costwise {

struct TransparentStringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view text) const {
    return std::hash<std::string_view>{}(text);
  }
};

}  // namespace costwise
