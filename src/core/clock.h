#pragma once
// The wall clock as the store and the use cases record it: whole Unix seconds.
#include <chrono>
#include <cstdint>

namespace costwise {

[[nodiscard]] inline std::int64_t UnixSecondsNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace costwise
