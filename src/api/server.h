#pragma once
// `costwise serve`: the HTTP server. Answers /healthz, sign-up, log-in and log-out, the caller's
// identity, API tokens and GET /api/costs of the caller's organisation (docs/service.md, "Auth
// and tenancy"), alert channels, rules and deliveries ("Alerts"), uploads and background jobs run
// by its job runner ("Jobs"), and serves the web UI's built files when a folder is given. A
// background thread sends alerts.
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
  std::uint64_t max_upload_mb = 2048;
};

// Blocks until SIGINT or SIGTERM. Unavailable when the port cannot be bound or the database
// cannot be opened.
[[nodiscard]] Status RunServer(const ServerOptions& options);

}  // namespace costwise::api
