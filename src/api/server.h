#pragma once
// `costwise serve`: the HTTP server. Answers /healthz, sign-up, log-in and log-out, the caller's
// identity, API tokens and GET /api/costs of the caller's organisation (docs/service.md, "Auth
// and tenancy"), and serves the web UI's built files when a folder is given.
#include <string>

#include "core/error.h"

namespace costwise::api {

struct ServerOptions {
  std::string host = "0.0.0.0";
  int port = 8080;
  std::string database_url;        // passed to store::OpenRepository
  std::string web_dir;             // static files; empty = none
  bool secure_cookies = false;     // mark the session cookie Secure (when served over https)
  int threads = 64;                // connections served at once
  int keep_alive_requests = 1000;  // requests on one connection before the server closes it
};

// Blocks until SIGINT or SIGTERM. Unavailable when the port cannot be bound or the database
// cannot be opened.
[[nodiscard]] Status RunServer(const ServerOptions& options);

}  // namespace costwise::api
