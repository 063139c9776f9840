#pragma once
// `costwise serve`: the HTTP server. Until the service issue adds authentication, it answers
// /healthz and GET /api/costs (tenant named by the `tenant` query parameter) and serves the web
// UI's built files when a folder is given.
#include <string>

#include "core/error.h"

namespace costwise::api {

struct ServerOptions {
  std::string host = "0.0.0.0";
  int port = 8080;
  std::string database_url;  // passed to store::OpenRepository
  std::string web_dir;       // static files; empty = none
};

// Blocks until SIGINT or SIGTERM. Unavailable when the port cannot be bound or the database
// cannot be opened.
[[nodiscard]] Status RunServer(const ServerOptions& options);

}  // namespace costwise::api
