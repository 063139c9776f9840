#!/usr/bin/env python3
"""End-to-end test of alerts through `costwise serve` on both database backends, with receivers
started by the test: a webhook that checks the HMAC-SHA256 signature and answers 500 once and
then 200 (so the delivery is retried), a fake Slack endpoint that checks the {"text", "blocks"}
shape, and an SMTP server that receives the email. The anomaly comes from ingesting generated
FOCUS data with a planted spike and running `costwise anomalies detect`, which queues the
immediate alerts; the server's background sender delivers them. SNS topics are in the local AWS
test double (tests/support/aws_double.py), which checks the signature of each Publish. Also:
channel tests, an SNS topic that does not exist failing with AWS's message, the delivery log, no
second alert on a second detection, and another organisation seeing none of it."""
import email
import email.policy
import hashlib
import hmac
import http.server
import json
import os
import re
import sys
import threading
import time
import warnings

sys.path.insert(0, os.path.dirname(__file__))
import api_harness  # noqa: E402
from api_harness import harness  # noqa: E402
from fleets import fleet_export  # noqa: E402  (the generated fleet with a planted spike)
import aws_double  # noqa: E402

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import asyncore  # noqa: E402
    import smtpd  # noqa: E402

PUBLIC_URL = "http://costwise.test"
DEADLINE_SECONDS = 30


class HttpReceiver:
    """Records POSTs; answers the statuses queued in `answers`, then 200."""

    def __init__(self, answers=()):
        self.requests = []
        self.answers = list(answers)
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.requests.append((self.path, dict(self.headers), body))
                status = receiver.answers.pop(0) if receiver.answers else 200
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class SmtpReceiver(smtpd.SMTPServer):
    """Keeps every message it receives."""

    def __init__(self):
        self.channels = {}
        self.messages = []
        super().__init__(("127.0.0.1", 0), None, map=self.channels, decode_data=False)
        self.port = self.socket.getsockname()[1]
        self.running = True
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while self.running:
            asyncore.loop(timeout=0.05, count=1, map=self.channels)

    def process_message(self, peer, mailfrom, rcpttos, data, **kwargs):
        self.messages.append((mailfrom, rcpttos, data))

    def stop(self):
        self.running = False
        self.thread.join()
        self.close()


class AlertsTest(api_harness.ApiTestCase):

    def setUp(self):
        super().setUp()
        self.webhook = HttpReceiver(answers=[500])
        self.slack = HttpReceiver()
        self.smtp = SmtpReceiver()
        for receiver in (self.webhook, self.slack, self.smtp):
            self.addCleanup(receiver.stop)
        self.aws = aws_double.AwsDouble()
        self.aws.sns_topics.add("arn:aws:sns:us-east-1:111122223333:costs")
        self.aws.start()
        self.addCleanup(self.aws.stop)
        os.environ.update({"AWS_ENDPOINT_URL": self.aws.endpoint,
                           "AWS_ACCESS_KEY_ID": "AKIDCOSTWISEDOUBLE",
                           "AWS_SECRET_ACCESS_KEY": "double-secret-key",
                           "AWS_EC2_METADATA_DISABLED": "true", "HOME": self.tmp})
        self.start_server("--alerts-interval", "1", "--alert-retry-seconds", "1",
                          "--public-url", PUBLIC_URL)
        self.admin = api_harness.Browser(self)
        self.admin.sign_up(self.email("admin"), self.tenant)

    def create(self, path, body, browser=None):
        reply = (browser or self.admin).request("POST", path, body)
        self.assertEqual(reply.status, 201, reply.text)
        return reply.json

    def deliveries(self, browser=None, query=""):
        reply = (browser or self.admin).request("GET", "/api/alerts/deliveries" + query)
        self.assertEqual(reply.status, 200, reply.text)
        return reply.json["deliveries"]

    def wait_for(self, done, what):
        deadline = time.monotonic() + DEADLINE_SECONDS
        while time.monotonic() < deadline:
            if done():
                return
            time.sleep(0.2)
        self.fail(f"{what} within {DEADLINE_SECONDS} s; log: {self.deliveries()}")

    def test_an_anomaly_reaches_the_webhook_slack_email_and_sns(self):
        webhook = self.create("/api/alerts/channels", {
            "name": "hook", "type": "webhook", "config": {"url": self.webhook.url("/hook")}})
        secret = webhook["secret"]
        self.assertRegex(secret, r"^[0-9a-f]{64}$")
        slack = self.create("/api/alerts/channels", {
            "name": "slack", "type": "slack",
            "config": {"url": self.slack.url("/services/T000/B000/XXXX")}})
        mail = self.create("/api/alerts/channels", {
            "name": "mail", "type": "email",
            "config": {"url": f"smtp://127.0.0.1:{self.smtp.port}",
                       "from": "costwise@example.com", "to": ["finops@example.com"]}})
        sns = self.create("/api/alerts/channels", {
            "name": "sns", "type": "sns",
            "config": {"topic_arn": "arn:aws:sns:us-east-1:111122223333:costs"}})

        # Secrets are never read back.
        listed = self.admin.request("GET", "/api/alerts/channels").json["channels"]
        self.assertEqual([c["name"] for c in listed], ["hook", "slack", "mail", "sns"])
        self.assertNotIn(secret, json.dumps(listed))
        self.assertNotIn("XXXX", json.dumps(listed))

        # Channel tests answer their outcome now.
        tested = self.admin.request("POST", f"/api/alerts/channels/{slack['id']}/test")
        self.assertEqual(tested.status, 200, tested.text)
        self.assertEqual((tested.json["kind"], tested.json["status"],
                          tested.json["response_status"]), ("test", "sent", 200))
        self.assertEqual(len(self.slack.requests), 1)
        self.assertIn("test message", json.loads(self.slack.requests[0][2])["text"])
        published = self.admin.request("POST", f"/api/alerts/channels/{sns['id']}/test").json
        self.assertEqual((published["status"], published["response_status"]), ("sent", 200),
                         published)
        self.assertEqual(len(self.aws.sns_messages), 1)
        self.assertIn("test message", self.aws.sns_messages[0]["message"])
        gone = self.create("/api/alerts/channels", {
            "name": "gone", "type": "sns",
            "config": {"topic_arn": "arn:aws:sns:eu-west-1:111122223333:deleted"}})
        failed = self.admin.request("POST", f"/api/alerts/channels/{gone['id']}/test").json
        self.assertEqual(failed["status"], "failed")
        self.assertIn("AWS sns Publish: NotFound: Topic does not exist", failed["last_error"])
        self.admin.request("DELETE", f"/api/alerts/channels/{gone['id']}")

        rule = self.create("/api/alerts/rules", {
            "name": "spend spikes", "min_impact": "100", "min_severity": "medium",
            "filters": {"monitor": ["total"], "service": ["Amazon EC2"]},
            "frequency": "immediate",
            "channel_ids": [webhook["id"], slack["id"], mail["id"], sns["id"]]})
        self.assertEqual(rule["min_impact"], "100.000000000")
        self.admin.request("POST", "/api/alerts/rules", {
            "name": "nothing that big", "min_impact": 1000000, "channel_ids": [webhook["id"]]})

        self.ingest(harness.write(self.path("fleet.csv"), fleet_export()))
        detected = harness.costwise("--db", self.db, "anomalies", "detect", "--tenant",
                                    self.tenant, "--format", "json")
        self.assertIn("queued 4 alert deliveries", detected.stderr)
        totals = [a for a in json.loads(detected.stdout)["anomalies"]
                  if a["monitor"]["dimension"] == "total"]
        self.assertEqual(len(totals), 1)
        anomaly = totals[0]
        link = f"{PUBLIC_URL}/anomalies/{anomaly['id']}"

        def settled():
            log = [d for d in self.deliveries() if d["kind"] == "immediate"]
            return len(log) == 4 and all(d["status"] != "pending" for d in log)
        self.wait_for(settled, "the four deliveries did not settle")
        log = {d["channel"]["name"]: d for d in self.deliveries() if d["kind"] == "immediate"}
        self.assertEqual({name: d["status"] for name, d in log.items()},
                         {"hook": "sent", "slack": "sent", "mail": "sent", "sns": "sent"})
        for delivery in log.values():
            self.assertEqual(delivery["rule"], {"id": rule["id"], "name": "spend spikes"})
            self.assertEqual(delivery["anomaly_ids"], [anomaly["id"]])
        # The webhook answered 500 first: retried a second later, then sent.
        self.assertEqual(log["hook"]["attempts"], 2)
        self.assertEqual(log["hook"]["response_status"], 200)
        self.assertIsNotNone(log["hook"]["sent_at"])
        self.assertEqual((log["sns"]["attempts"], log["sns"]["response_status"]), (1, 200))
        alert = self.aws.sns_messages[-1]
        self.assertEqual(alert["topic"], "arn:aws:sns:us-east-1:111122223333:costs")
        self.assertIn(link, alert["message"])
        self.assertTrue(alert["subject"].isascii() and len(alert["subject"]) <= 100)
        self.assertEqual(self.aws.signature_failures, 0)
        self.assertEqual(log["mail"]["response_status"], 250)

        # The webhook: both attempts signed with the channel's secret over the exact body.
        self.assertEqual(len(self.webhook.requests), 2)
        for path, headers, body in self.webhook.requests:
            self.assertEqual(path, "/hook")
            expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
            self.assertEqual(headers["X-Costwise-Signature"], expected)
            self.assertRegex(headers["X-Costwise-Timestamp"], r"^\d{10}$")
            self.assertEqual(headers["Content-Type"], "application/json")
        payload = json.loads(self.webhook.requests[1][2])
        self.assertEqual(payload["event"], "anomaly")
        self.assertEqual(payload["organisation"], self.tenant)
        self.assertEqual(payload["rule"], "spend spikes")
        sent = payload["anomalies"][0]
        self.assertEqual((sent["id"], sent["monitor"], sent["url"]),
                         (anomaly["id"], "total", link))
        self.assertEqual(sent["impact"], anomaly["impact"])
        causes = {(c["dimension"], c["value"]) for c in sent["root_causes"]}
        self.assertTrue({("resource", "i-0spike"), ("service", "Amazon EC2"),
                         ("account", "222233334444"), ("region", "eu-west-1")} <= causes, causes)

        # Slack: {"text", "blocks"} with a header, a section linking the anomaly, a context.
        alert = json.loads(self.slack.requests[-1][2])
        self.assertEqual(set(alert), {"text", "blocks"})
        self.assertTrue(alert["text"].startswith("Cost anomaly: total +$"), alert["text"])
        self.assertEqual([b["type"] for b in alert["blocks"]], ["header", "section", "context"])
        self.assertEqual(alert["blocks"][0]["text"]["type"], "plain_text")
        section = alert["blocks"][1]["text"]
        self.assertEqual(section["type"], "mrkdwn")
        self.assertIn(f"<{link}|View the anomaly>", section["text"])
        self.assertIn("service Amazon EC2", section["text"])

        # Email: one message with the usual headers, a plain-text and an HTML part.
        self.assertEqual(len(self.smtp.messages), 1)
        mailfrom, recipients, data = self.smtp.messages[0]
        self.assertEqual((mailfrom, recipients), ("costwise@example.com", ["finops@example.com"]))
        message = email.message_from_bytes(data, policy=email.policy.default)
        self.assertEqual(message["From"], "costwise@example.com")
        self.assertEqual(message["To"], "finops@example.com")
        self.assertTrue(message["Subject"].startswith("Cost anomaly: total +$"))
        self.assertIsNotNone(message["Date"].datetime)
        self.assertRegex(message["Message-ID"], r"^<[0-9a-f]{32}@example\.com>$")
        self.assertEqual(message.get_content_type(), "multipart/alternative")
        text = message.get_body(("plain",)).get_content()
        html = message.get_body(("html",)).get_content()
        self.assertIn(link, text)
        self.assertIn("more than expected", text)
        self.assertRegex(text, r"resource i-0spike \(\+\$[0-9.]+\)")
        self.assertIn(f'<a href="{link}">', html)

        # Detecting again finds the same anomaly: no second alert.
        again = harness.costwise("--db", self.db, "anomalies", "detect", "--tenant", self.tenant)
        self.assertNotIn("queued", again.stderr)
        self.assertEqual(len([d for d in self.deliveries() if d["kind"] == "immediate"]), 4)
        # The one failure: the test of the topic that does not exist.
        self.assertEqual(len(self.deliveries(query="?status=failed")), 1)
        self.assertEqual(len(self.deliveries(query=f"?channel_id={webhook['id']}&limit=1")), 1)
        self.assertEqual(self.admin.request("GET", "/api/alerts/deliveries?status=lost").status,
                         400)

    def test_rules_and_channels_are_the_organisations_own(self):
        channel = self.create("/api/alerts/channels", {
            "name": "hook", "type": "webhook", "config": {"url": self.webhook.url("/hook")}})
        rule = self.create("/api/alerts/rules", {"name": "all", "channel_ids": [channel["id"]]})
        bad = self.admin.request("POST", "/api/alerts/rules",
                                 {"name": "x", "frequency": "hourly"})
        self.assertEqual(bad.status, 400)
        self.assertIn("frequency", bad.json["error"]["message"])
        self.assertEqual(self.admin.request("POST", "/api/alerts/rules",
                                            {"name": "all"}).status, 409)

        changed = self.admin.request("PUT", f"/api/alerts/rules/{rule['id']}", {
            "name": "weekly digest", "frequency": "weekly", "min_percent": 50,
            "channel_ids": [channel["id"]], "enabled": False})
        self.assertEqual(changed.status, 200, changed.text)
        self.assertEqual((changed.json["frequency"], changed.json["min_percent"],
                          changed.json["enabled"]), ("weekly", 50, False))
        renamed = self.admin.request("PUT", f"/api/alerts/channels/{channel['id']}",
                                     {"name": "renamed", "config": {}})
        self.assertEqual(renamed.status, 200, renamed.text)
        self.assertEqual(renamed.json["config"]["url"], self.webhook.url("/hook"))
        self.assertNotIn("secret", renamed.json)

        other = api_harness.Browser(self)
        other.sign_up(self.email("other"), self.tenant + "-other")
        for method, path in [("GET", f"/api/alerts/channels/{channel['id']}"),
                             ("PUT", f"/api/alerts/channels/{channel['id']}"),
                             ("DELETE", f"/api/alerts/channels/{channel['id']}"),
                             ("POST", f"/api/alerts/channels/{channel['id']}/test"),
                             ("GET", f"/api/alerts/rules/{rule['id']}"),
                             ("PUT", f"/api/alerts/rules/{rule['id']}"),
                             ("DELETE", f"/api/alerts/rules/{rule['id']}")]:
            body = {"name": "stolen", "config": {}} if method == "PUT" else None
            reply = other.request(method, path, body)
            self.assertEqual(reply.status, 404, f"{method} {path}: {reply.text}")
        self.assertEqual(other.request("GET", "/api/alerts/channels").json["channels"], [])
        self.assertEqual(other.request("GET", "/api/alerts/rules").json["rules"], [])
        self.assertEqual(self.deliveries(browser=other), [])
        # Another organisation's channel cannot be put on a rule.
        mine = other.request("POST", "/api/alerts/rules",
                             {"name": "sneaky", "channel_ids": [channel["id"]]})
        self.assertEqual(mine.status, 400)
        self.assertEqual(self.webhook.requests, [])

        self.assertEqual(self.admin.request(
            "DELETE", f"/api/alerts/rules/{rule['id']}").status, 204)
        self.assertEqual(self.admin.request(
            "DELETE", f"/api/alerts/channels/{channel['id']}").status, 204)
        self.assertEqual(self.admin.request("GET", "/api/alerts/rules").json["rules"], [])
        self.assertIsNone(re.search("renamed", self.admin.request(
            "GET", "/api/alerts/channels").text))


if __name__ == "__main__":
    harness.run_main([AlertsTest])
