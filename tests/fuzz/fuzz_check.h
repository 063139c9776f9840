#pragma once
// Invariant checks for the libFuzzer targets. A failed check prints what failed and aborts, which
// libFuzzer reports like any crash: it saves the input and the run fails.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#define COSTWISE_FUZZ_CHECK(condition)                                                            \
  do {                                                                                            \
    if (!(condition)) {                                                                           \
      std::fprintf(stderr, "%s:%d: fuzz invariant failed: %s\n", __FILE__, __LINE__, #condition); \
      std::abort();                                                                               \
    }                                                                                             \
  } while (false)

namespace costwise::fuzz {

// True when `inner` lies within [begin, begin + size). Compares addresses as integers: `inner`
// may point into another object, where comparing pointers would be undefined.
inline bool ViewInside(std::string_view inner, const char* begin, std::size_t size) {
  const auto first = reinterpret_cast<std::uintptr_t>(begin);
  const auto at = reinterpret_cast<std::uintptr_t>(inner.data());
  return inner.empty() ||
         (at >= first && at - first <= size && inner.size() <= size - (at - first));
}

}  // namespace costwise::fuzz
