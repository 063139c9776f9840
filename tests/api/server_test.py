#!/usr/bin/env python3
"""End-to-end tests of `costwise serve`: it starts, stays up, answers /healthz and GET /api/costs
with the same report the CLI prints, maps errors to JSON with the right status, and stops
cleanly on SIGTERM. Runs on both database backends."""
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../support"))
import harness  # noqa: E402


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ServerTest(harness.BackendTestCase):

    def setUp(self):
        super().setUp()
        self.ingest(harness.FOCUS_SAMPLE)
        self.port = free_port()
        self.server = subprocess.Popen(
            [harness.binary(), "--db", self.db, "serve", "--host", "127.0.0.1", "--port",
             str(self.port)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.addCleanup(self.stop)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                self.get("/healthz")
                return
            except (urllib.error.URLError, ConnectionError):
                if self.server.poll() is not None:
                    self.fail("server exited: " + self.server.stdout.read())
                time.sleep(0.1)
        self.fail("server did not answer /healthz within 20 s")

    def stop(self):
        if self.server.poll() is None:
            self.server.send_signal(signal.SIGTERM)
            try:
                self.server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.server.kill()
                self.server.wait()
        self.server.stdout.close()

    def get(self, path):
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=10) as reply:
            return reply.status, reply.headers.get("Content-Type"), reply.read().decode()

    def get_error(self, path):
        with self.assertRaises(urllib.error.HTTPError) as caught:
            self.get(path)
        return caught.exception.code, json.loads(caught.exception.read().decode())

    def test_healthz(self):
        status, content_type, body = self.get("/healthz")
        self.assertEqual(status, 200)
        self.assertEqual(content_type, "application/json")
        self.assertEqual(json.loads(body), {"status": "ok"})

    def test_costs_match_the_cli(self):
        query = "from=2024-09-01&to=2024-09-30&group_by=service&granularity=month"
        status, _, body = self.get(f"/api/costs?tenant={self.tenant}&{query}")
        self.assertEqual(status, 200)
        cli = harness.costwise("--db", self.db, "costs", "--tenant", self.tenant, "--from",
                               "2024-09-01", "--to", "2024-09-30", "--group-by", "service",
                               "--granularity", "month", "--format", "json").stdout
        self.assertEqual(json.loads(body), json.loads(cli))
        self.assertEqual(json.loads(body)["totals"][0]["billed_cost"], "20.520226762")

    def test_costs_filters_and_csv(self):
        path = (f"/api/costs?tenant={self.tenant}&from=2024-09-01&to=2024-09-30"
                "&group_by=provider&filter=provider%3DMicrosoft&format=csv")
        status, content_type, body = self.get(path)
        self.assertEqual(status, 200)
        self.assertEqual(content_type, "text/csv")
        lines = body.strip().split("\n")
        self.assertEqual(lines[0].split(",")[0:3], ["period", "group", "currency"])
        self.assertTrue(all(",Microsoft," in line for line in lines[1:]))

    def test_errors_are_json_with_status(self):
        code, body = self.get_error(f"/api/costs?tenant={self.tenant}&group_by=colour")
        self.assertEqual(code, 400)
        self.assertEqual(body["error"]["code"], "invalid_input")
        self.assertIn("colour", body["error"]["message"])
        code, body = self.get_error("/api/costs?tenant=nobody-at-all")
        self.assertEqual(code, 404)
        self.assertEqual(body["error"]["code"], "not_found")
        code, body = self.get_error(f"/api/costs?tenant={self.tenant}&from=2024-13-01")
        self.assertEqual(code, 400)
        code, body = self.get_error("/api/costs")
        self.assertEqual(code, 400)

    def test_stops_on_sigterm(self):
        self.server.send_signal(signal.SIGTERM)
        self.assertEqual(self.server.wait(timeout=10), 0)


if __name__ == "__main__":
    harness.run_main([ServerTest])
