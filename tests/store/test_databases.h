#pragma once
// Fresh, empty databases for the store tests: an SQLite file in its own temporary folder, or a
// uniquely named schema in the PostgreSQL database of COSTWISE_TEST_POSTGRES_URL (which
// scripts/with-postgres.sh provides), selected through the URL's search_path option.
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "store/backend.h"

namespace costwise::store::testing {

inline constexpr char kPostgresUrlVariable[] = "COSTWISE_TEST_POSTGRES_URL";

// The message a PostgreSQL test fails with when there is no server to run against.
std::string MissingPostgresMessage();

class TestDatabase final {
 public:
  // Nullptr with *error set when the database cannot be made (no COSTWISE_TEST_POSTGRES_URL,
  // server unreachable, ...).
  static std::unique_ptr<TestDatabase> Create(Backend backend, std::string* error);
  TestDatabase(Backend backend, std::string url) : backend_(backend), url_(std::move(url)) {}
  ~TestDatabase();
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;

  // The URL to give OpenRepository.
  [[nodiscard]] const std::string& url() const { return url_; }
  [[nodiscard]] Backend backend() const { return backend_; }
  // For SQLite, the folder holding the database file.
  [[nodiscard]] const std::filesystem::path& folder() const { return folder_; }

  // Runs SQL directly (not through the repository) and returns the rows as text, NULL as "".
  // Fails the current test on error.
  std::vector<std::vector<std::string>> Query(const std::string& sql) const;
  // The single integer a query like "SELECT COUNT(*) FROM t" returns.
  long long QueryInt(const std::string& sql) const;
  // PostgreSQL: makes the server end every connection opened with url() (as a restart would);
  // returns how many it ended.
  long long TerminateConnections() const;

 private:
  Backend backend_;
  std::string url_;
  std::filesystem::path folder_;  // SQLite
  std::string sqlite_path_;       // SQLite
  std::string server_url_;        // PostgreSQL: COSTWISE_TEST_POSTGRES_URL
  std::string schema_;            // PostgreSQL
};

}  // namespace costwise::store::testing
