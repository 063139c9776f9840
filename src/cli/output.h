#pragma once
// What every command does on the way out: report an error on stderr with the exit code for it,
// and write an output file whole.
#include <string>

#include "core/error.h"

namespace costwise::cli {

inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

// Prints "costwise: error: MESSAGE" to stderr; returns kExitFailure.
int Fail(const Error& error);

// Writes `text` to `path`. InvalidInput "path: cannot write" when the file cannot be opened,
// Unavailable "path: write failed" when the write does not complete.
[[nodiscard]] Status WriteFile(const std::string& path, const std::string& text);

}  // namespace costwise::cli
