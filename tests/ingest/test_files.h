#pragma once
// Temporary files for ingest tests, removed when the test ends.
#include <filesystem>
#include <string>
#include <string_view>

namespace costwise::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] std::string Write(std::string_view name, std::string_view content) const;
  [[nodiscard]] std::string WriteGzip(std::string_view name, std::string_view content) const;
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

std::string ReadFile(const std::string& path);
std::string SharedData(std::string_view relative);

}  // namespace costwise::testing
