#pragma once
// `costwise serve`: the HTTP server. Answers the routes table (api/routes.cpp; docs/service.md)
// with security headers on every answer, CORS closed unless an origin is named, a body size
// limit, timeouts, JSON errors for unknown paths, /metrics and one JSON log line per request;
// prunes expired sessions and old log-in attempts at start-up and daily; and serves the web UI's
// built files when a folder is given.
#include <cstddef>
#include <string>

#include "core/error.h"

namespace costwise::api {

struct ServerOptions {
  std::string host = "0.0.0.0";
  int port = 8080;
  std::string database_url;     // passed to store::OpenRepository
  std::string web_dir;          // static files; empty = none
  bool secure_cookies = false;  // mark the session cookie Secure (when served over https)
  // The AWS principal (arn:aws:iam::<account>:root, :role/... or :user/...) onboarded accounts'
  // roles trust; empty = a placeholder the trust policy shows (docs/service.md).
  std::string aws_principal_arn;
  // The one origin (like https://costs.example.com) allowed to call the API from a browser;
  // empty = no CORS headers at all.
  std::string cors_origin;
  // Largest request body read (413 beyond); uploads raise it for their routes.
  std::size_t max_body_bytes = std::size_t{1} << 20;
};

// Blocks until SIGINT or SIGTERM. Unavailable when the port cannot be bound or the database
// cannot be opened; InvalidInput for a malformed principal ARN or CORS origin.
[[nodiscard]] Status RunServer(const ServerOptions& options);

}  // namespace costwise::api
