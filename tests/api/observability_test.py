#!/usr/bin/env python3
"""End-to-end tests of the server's observability and hardening: /readyz, /metrics counters that
move and parse as Prometheus text, security headers on every answer, CORS closed by default and
open to the one origin of --cors-origin, 413 for an oversized body, JSON 404s for unknown API
paths, request ids echoed, and request log lines that carry no password, cookie or token. Runs
on both database backends."""
import json
import os
import re
import signal
import socket
import sys
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
import api_harness  # noqa: E402
from api_harness import PASSWORD, harness  # noqa: E402

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'self'; style-src 'self' 'unsafe-inline'; "
                               "img-src 'self' data:; frame-ancestors 'none'",
}
ORIGIN = "http://localhost:5173"
# One sample line of the Prometheus text format 0.0.4.
SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*",?)*)\})?'
                    r' (-?[0-9.eE+-]+|\+Inf|-Inf|NaN)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\.)*)"')


def parse_metrics(text):
    """{(name, frozenset(labels)): value}; fails on any line that is not Prometheus text."""
    samples = {}
    types = {}
    for line in text.splitlines():
        if line.startswith("# HELP "):
            continue
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ")
            assert kind in ("counter", "histogram", "gauge"), line
            types[name] = kind
            continue
        match = SAMPLE.match(line)
        assert match, f"not a Prometheus sample line: {line!r}"
        labels = frozenset((k, v.replace('\\\\', '\\')) for k, v in LABEL.findall(match.group(3) or ""))
        samples[(match.group(1), labels)] = float(match.group(4))
    return samples, types


class ObservabilityTest(api_harness.ApiTestCase):

    def setUp(self):
        super().setUp()
        self.start_server()

    def metrics(self):
        reply = self.request("GET", "/metrics")
        self.assertEqual(reply.status, 200)
        self.assertTrue(reply.headers.get("Content-Type").startswith("text/plain; version=0.0.4"))
        return parse_metrics(reply.text)

    def test_readyz_answers_when_the_database_does(self):
        reply = self.request("GET", "/readyz")
        self.assertEqual(reply.status, 200, reply.text)
        self.assertEqual(reply.json["status"], "ready")
        self.assertEqual(reply.json["database"], self.backend)

    def test_metrics_count_requests_per_route_and_errors(self):
        before, _ = self.metrics()
        for _ in range(3):
            self.assertEqual(self.request("GET", "/api/auth/me").status, 401)
        self.assertEqual(self.request("DELETE", "/api/tokens/12").status, 401)
        # A request is counted once its answer is written: the last one may be a moment behind.
        delete = ("costwise_http_requests_total",
                  frozenset({("route", r"/api/tokens/(\d+)"), ("method", "DELETE"),
                             ("status", "401")}))
        deadline = time.monotonic() + 5
        after, types = self.metrics()
        while delete not in after and time.monotonic() < deadline:
            time.sleep(0.05)
            after, types = self.metrics()
        key = ("costwise_http_requests_total",
               frozenset({("route", "/api/auth/me"), ("method", "GET"), ("status", "401")}))
        self.assertEqual(after[key] - before.get(key, 0), 3)
        # The routes table's pattern, never the raw path.
        self.assertIn(("costwise_http_requests_total",
                       frozenset({("route", r"/api/tokens/(\d+)"), ("method", "DELETE"),
                                  ("status", "401")})), after)
        self.assertFalse(any("/api/tokens/12" in dict(labels).get("route", "")
                             for _, labels in after))
        errors = ("costwise_errors_total", frozenset({("code", "unauthenticated")}))
        self.assertEqual(after[errors] - before.get(errors, 0), 4)
        self.assertEqual(types["costwise_http_request_duration_seconds"], "histogram")
        route = frozenset({("route", "/api/auth/me")})
        count = after[("costwise_http_request_duration_seconds_count", route)]
        self.assertGreaterEqual(count, 3)
        self.assertEqual(after[("costwise_http_request_duration_seconds_bucket",
                                route | {("le", "+Inf")})], count)
        buckets = sorted((float(dict(labels)["le"]), value) for (name, labels), value
                         in after.items()
                         if name == "costwise_http_request_duration_seconds_bucket"
                         and dict(labels).get("route") == "/api/auth/me"
                         and dict(labels)["le"] != "+Inf")
        self.assertGreater(len(buckets), 5)
        self.assertEqual([v for _, v in buckets], sorted(v for _, v in buckets))  # cumulative

    def test_security_headers_json_404_and_request_ids(self):
        for method, path, status in (("GET", "/healthz", 200), ("GET", "/api/auth/me", 401),
                                     ("GET", "/api/no-such-thing", 404),
                                     ("POST", "/api/auth/signup", 400)):
            reply = self.request(method, path, {} if method == "POST" else None)
            self.assertEqual(reply.status, status, path)
            for name, value in SECURITY_HEADERS.items():
                self.assertEqual(reply.headers.get(name), value, f"{name} on {path}")
            self.assertRegex(reply.headers.get("X-Request-Id"), r"^[0-9a-f]{32}$")
        missing = self.request("DELETE", "/api/nothing/here")
        self.assertEqual(missing.status, 404)
        self.assertEqual(missing.json["error"]["code"], "not_found")
        self.assertIn("/api/nothing/here", missing.json["error"]["message"])

        echoed = self.request("GET", "/healthz", headers={"X-Request-Id": "trace-42.a_b:c"})
        self.assertEqual(echoed.headers.get("X-Request-Id"), "trace-42.a_b:c")
        for insane in ("x" * 200, "a b", "<script>"):
            replaced = self.request("GET", "/healthz", headers={"X-Request-Id": insane})
            self.assertRegex(replaced.headers.get("X-Request-Id"), r"^[0-9a-f]{32}$")

    def test_cors_is_closed_by_default_and_open_to_the_named_origin(self):
        plain = self.request("GET", "/healthz", headers={"Origin": ORIGIN})
        self.assertIsNone(plain.headers.get("Access-Control-Allow-Origin"))
        preflight = self.request("OPTIONS", "/api/auth/login",
                                 headers={"Origin": ORIGIN,
                                          "Access-Control-Request-Method": "POST"})
        self.assertIsNone(preflight.headers.get("Access-Control-Allow-Origin"))

        self.stop_server()
        self.start_server("--cors-origin", ORIGIN)
        allowed = self.request("GET", "/healthz", headers={"Origin": ORIGIN})
        self.assertEqual(allowed.headers.get("Access-Control-Allow-Origin"), ORIGIN)
        self.assertEqual(allowed.headers.get("Access-Control-Allow-Credentials"), "true")
        preflight = self.request("OPTIONS", "/api/auth/login",
                                 headers={"Origin": ORIGIN,
                                          "Access-Control-Request-Method": "POST"})
        self.assertEqual(preflight.status, 204)
        self.assertEqual(preflight.headers.get("Access-Control-Allow-Origin"), ORIGIN)
        self.assertIn("POST", preflight.headers.get("Access-Control-Allow-Methods"))
        self.assertIn("X-CSRF-Token", preflight.headers.get("Access-Control-Allow-Headers"))
        other = self.request("GET", "/healthz", headers={"Origin": "http://evil.example"})
        self.assertIsNone(other.headers.get("Access-Control-Allow-Origin"))

    def test_an_oversized_body_is_refused_with_413(self):
        body = json.dumps({"email": "a@example.com", "password": "x" * (2 << 20)}).encode()
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}/api/auth/login",
                                         data=body, method="POST",
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=10) as reply:
                self.fail(f"accepted with {reply.status}")
        except urllib.error.HTTPError as error:
            self.assertEqual(error.code, 413)
            self.assertEqual(json.loads(error.read())["error"]["code"], "invalid_input")
        self.assertEqual(self.request("GET", "/healthz").status, 200)

    def test_a_post_without_content_length_is_answered_at_once(self):
        # No Content-Length, no Transfer-Encoding: no body (RFC 9112). Raw, since http.client
        # and urllib add "Content-Length: 0" themselves.
        started = time.monotonic()
        with socket.create_connection(("127.0.0.1", self.port), timeout=10) as connection:
            connection.sendall(b"POST /api/auth/logout HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            answer = b""
            while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
                chunk = connection.recv(4096)
                if not chunk:
                    break
                answer += chunk
        self.assertLess(time.monotonic() - started, 5)
        head, _, body = answer.partition(b"\r\n\r\n")
        self.assertTrue(head.startswith(b"HTTP/1.1 411"), head)
        self.assertIn("Content-Length", json.loads(body)["error"]["message"])
        # With Content-Length: 0 the same request is routed (and is unauthenticated).
        reply = self.request("POST", "/api/auth/logout", headers={"Content-Length": "0"})
        self.assertEqual(reply.status, 401)

    def test_request_logs_are_json_lines_without_secrets(self):
        browser = api_harness.Browser(self)
        signed_up = browser.sign_up(self.email("ada"), self.tenant)
        session_cookie = browser.cookie
        logged_in = browser.request("POST", "/api/auth/login",
                                    {"email": self.email("ada"), "password": PASSWORD},
                                    headers={"X-Request-Id": "login-1"})
        self.assertEqual(logged_in.status, 200, logged_in.text)
        token = browser.request("POST", "/api/tokens", {"name": "ci"}).json["token"]
        self.assertEqual(self.request("GET", "/api/auth/me",
                                      headers={"Authorization": f"Bearer {token}"}).status, 200)
        self.server.send_signal(signal.SIGTERM)
        self.server.wait(timeout=10)
        output = self.server_output()

        secrets = [PASSWORD, session_cookie.split("=", 1)[1], browser.cookie.split("=", 1)[1],
                   signed_up.json["csrf_token"], logged_in.json["csrf_token"], token]
        for secret in secrets:
            self.assertNotIn(secret, output)
        self.assertNotIn("Authorization", output)
        self.assertNotIn("Cookie", output)
        # Every line is one JSON object: the request lines and the server's own.
        lines = [json.loads(line) for line in output.splitlines() if line.strip()]
        self.assertTrue(any("costwise serving" in line.get("msg", "") for line in lines))
        [login] = [line for line in lines if line.get("request_id") == "login-1"]
        self.assertEqual(login["method"], "POST")
        self.assertEqual(login["route"], "/api/auth/login")
        self.assertEqual(login["status"], 200)
        self.assertGreater(login["duration_ms"], 0)
        self.assertRegex(login["time"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


if __name__ == "__main__":
    harness.run_main([ObservabilityTest])
