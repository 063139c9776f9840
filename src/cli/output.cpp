#include "cli/output.h"

#include <cstdio>

#include <fmt/format.h>

namespace costwise::cli {

int Fail(const Error& error) {
  fmt::print(stderr, "costwise: error: {}\n", error.message);
  return kExitFailure;
}

Status WriteFile(const std::string& path, const std::string& text) {
  std::FILE* out = std::fopen(path.c_str(), "wb");
  if (out == nullptr) {
    return MakeError(ErrorCode::kInvalidInput, fmt::format("{}: cannot write", path));
  }
  const bool written = std::fwrite(text.data(), 1, text.size(), out) == text.size();
  if (std::fclose(out) != 0 || !written) {
    return MakeError(ErrorCode::kUnavailable, fmt::format("{}: write failed", path));
  }
  return {};
}

}  // namespace costwise::cli
