#!/usr/bin/env python3
"""End-to-end tests of `costwise serve`: it starts, stays up, answers /healthz and GET /api/costs
of the signed-in organisation with the same report the CLI prints, maps errors to JSON with the
right status, serves the web UI (its routes get index.html), and stops cleanly on SIGTERM. Runs on both database backends."""
import json
import os
import signal
import sys

sys.path.insert(0, os.path.dirname(__file__))
import api_harness  # noqa: E402
from api_harness import harness  # noqa: E402


class ServerTest(api_harness.ApiTestCase):

    def setUp(self):
        super().setUp()
        self.start_server()
        # The organisation is the tenant the CLI ingests into: sign up first, then ingest.
        self.browser = api_harness.Browser(self)
        self.browser.sign_up(self.email("owner"), self.tenant)
        self.ingest(harness.FOCUS_SAMPLE)

    def get(self, path):
        reply = self.browser.request("GET", path)
        self.assertEqual(reply.status, 200, reply.text)
        return reply.status, reply.headers.get("Content-Type"), reply.text

    def get_error(self, path):
        reply = self.browser.request("GET", path)
        self.assertGreaterEqual(reply.status, 400)
        return reply.status, reply.json

    def test_healthz(self):
        status, content_type, body = self.get("/healthz")
        self.assertEqual(status, 200)
        self.assertEqual(content_type, "application/json")
        self.assertEqual(json.loads(body), {"status": "ok"})

    def test_costs_match_the_cli(self):
        query = "from=2024-09-01&to=2024-09-30&group_by=service&granularity=month"
        status, _, body = self.get(f"/api/costs?{query}")
        self.assertEqual(status, 200)
        cli = harness.costwise("--db", self.db, "costs", "--tenant", self.tenant, "--from",
                               "2024-09-01", "--to", "2024-09-30", "--group-by", "service",
                               "--granularity", "month", "--format", "json").stdout
        self.assertEqual(json.loads(body), json.loads(cli))
        self.assertEqual(json.loads(body)["totals"][0]["billed_cost"], "20.520226762")

    def test_an_ingest_changes_the_answer_at_once(self):
        # The server keeps answers until the cube changes: an ingest by another process (the
        # CLI here) must show in the next answer.
        path = "/api/costs?from=2024-01-01&to=2024-12-31&granularity=month"
        before = json.loads(self.get(path)[2])["totals"]
        self.assertEqual(json.loads(self.get(path)[2])["totals"], before)
        self.ingest(harness.replicated_focus(self.path("twice.csv"), 2))
        after = json.loads(self.get(path)[2])["totals"]
        self.assertNotEqual(after, before)
        self.assertEqual(after[0]["billed_cost"], json.loads(harness.costwise(
            "--db", self.db, "costs", "--tenant", self.tenant, "--from", "2024-01-01", "--to",
            "2024-12-31", "--granularity", "month", "--format", "json").stdout)["totals"][0][
            "billed_cost"])

    def test_costs_filters_and_csv(self):
        path = ("/api/costs?from=2024-09-01&to=2024-09-30"
                "&group_by=provider&filter=provider%3DMicrosoft&format=csv")
        status, content_type, body = self.get(path)
        self.assertEqual(status, 200)
        self.assertEqual(content_type, "text/csv")
        lines = body.strip().split("\n")
        self.assertEqual(lines[0].split(",")[0:3], ["period", "group", "currency"])
        self.assertTrue(all(",Microsoft," in line for line in lines[1:]))

    def test_the_tenant_comes_from_the_session_not_the_request(self):
        other = api_harness.Browser(self)
        other.sign_up(self.email("other"), self.tenant + "-other")
        reply = other.request("GET", f"/api/costs?tenant={self.tenant}&from=2024-09-01"
                              "&to=2024-09-30&granularity=month")
        self.assertEqual(reply.status, 200, reply.text)
        self.assertEqual(reply.json["rows"], [])

    def test_errors_are_json_with_status(self):
        code, body = self.get_error("/api/costs?group_by=colour")
        self.assertEqual(code, 400)
        self.assertEqual(body["error"]["code"], "invalid_input")
        self.assertIn("colour", body["error"]["message"])
        code, body = self.get_error("/api/costs?from=2024-13-01")
        self.assertEqual(code, 400)
        reply = self.request("GET", "/api/costs")  # no session
        self.assertEqual(reply.status, 401)
        self.assertEqual(reply.json["error"]["code"], "unauthenticated")

    def test_serves_the_web_ui_and_its_routes(self):
        web = os.path.join(self.tmp, "web")
        os.makedirs(os.path.join(web, "assets"))
        harness.write(os.path.join(web, "index.html"), "<!doctype html><div id=root></div>")
        harness.write(os.path.join(web, "assets", "app.js"), "console.log(1)")
        self.stop_server()
        self.start_server("--web", web)
        for path in ("/", "/costs", "/anomalies/42"):
            reply = self.request("GET", path)
            self.assertEqual(reply.status, 200, path)
            self.assertIn("text/html", reply.headers.get("Content-Type"), path)
            self.assertIn("id=root", reply.text, path)
        script = self.request("GET", "/assets/app.js")
        self.assertEqual(script.status, 200)
        self.assertEqual(script.text, "console.log(1)")
        # A missing asset and an unknown API path stay JSON 404s; HTML is only for UI routes.
        for path in ("/assets/missing.js", "/api/nothing-here"):
            reply = self.request("GET", path)
            self.assertEqual(reply.status, 404, path)
            self.assertEqual(reply.json["error"]["code"], "not_found", path)
        self.assertEqual(self.request("POST", "/costs").status, 404)

    def test_stops_on_sigterm(self):
        self.server.send_signal(signal.SIGTERM)
        self.assertEqual(self.server.wait(timeout=10), 0)


if __name__ == "__main__":
    harness.run_main([ServerTest])
