#pragma once
// `costwise serve`: the HTTP server. Answers the routes table (api/routes.cpp; docs/service.md)
// with security headers on every answer, CORS closed unless an origin is named, a body size
// limit, timeouts, JSON errors for unknown paths, /metrics and one JSON log line per request;
// runs the background jobs (uploads' ingests, detection, forecasts) and the alert sender; prunes
// expired sessions and old log-in attempts at start-up and daily; and serves the web UI's built
// files when a folder is given.
#include <cstddef>
#include <cstdint>
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
  // Alerts: links in messages point to <public_url>/anomalies/<id>; every
  // `alerts_interval_seconds` a background thread queues due digests and sends due deliveries
  // (0 = no background sending); a failed delivery is retried after alert_retry_seconds, then
  // twice that, ... (at most an hour), five attempts in all.
  std::string public_url = "http://localhost:8080";
  int alerts_interval_seconds = 5;
  int alert_retry_seconds = 60;
  // Background jobs (docs/service.md, "Jobs"): worker threads (0 = run no jobs here), the lease
  // after which a job of a stopped server is claimed again, and where uploads go.
  int workers = 2;
  std::int64_t job_lease_seconds = 300;
  std::string upload_dir = "var/uploads";
  // Fitted models' artifacts (docs/service.md, "Model artifacts") and how many stay loaded.
  std::string models_dir = "var/models";
  // The bundled public samples the sample workspace is made of (data/samples).
  std::string samples_dir = "data/samples";
  std::size_t model_cache = 64;
  std::uint64_t max_upload_mb = 2048;
  // The AWS principal (arn:aws:iam::<account>:root, :role/... or :user/...) onboarded accounts'
  // roles trust; empty = a placeholder the trust policy shows (docs/service.md).
  std::string aws_principal_arn;
  // How often costwise asks AWS whether an Athena query ended (the first time; it then waits
  // twice as long each time, up to 5 s) and whether an instance being applied reached its state.
  int aws_poll_ms = 2000;
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
