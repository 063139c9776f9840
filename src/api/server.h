#pragma once
// `costwise serve`: the HTTP server. Answers /healthz, sign-up, log-in and log-out, the caller's
// identity, API tokens and GET /api/costs of the caller's organisation (docs/service.md, "Auth
// and tenancy"), uploads and background jobs run by its job runner (docs/service.md, "Jobs"), and
// serves the web UI's built files when a folder is given.
#include <cstdint>
#include <string>

#include "core/error.h"

namespace costwise::api {

struct ServerOptions {
  std::string host = "0.0.0.0";
  int port = 8080;
  std::string database_url;     // passed to store::OpenRepository
  std::string web_dir;          // static files; empty = none
  bool secure_cookies = false;  // mark the session cookie Secure (when served over https)
  // Background jobs (docs/service.md, "Jobs"): worker threads (0 = run no jobs here), the lease
  // after which a job of a stopped server is claimed again, and where uploads go.
  int workers = 2;
  std::int64_t job_lease_seconds = 300;
  std::string upload_dir = "var/uploads";
  std::uint64_t max_upload_mb = 2048;
};

// Blocks until SIGINT or SIGTERM. Unavailable when the port cannot be bound or the database
// cannot be opened.
[[nodiscard]] Status RunServer(const ServerOptions& options);

}  // namespace costwise::api
