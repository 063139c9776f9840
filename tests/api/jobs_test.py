#!/usr/bin/env python3
"""End-to-end tests of uploads and background jobs through `costwise serve`: an uploaded FOCUS file
is ingested by a job that queues detection and forecasting after it; upload errors (not
multipart, wrong file type, over the size limit); running and cancelling jobs; another
organisation's job is not found; and the crash test: the server is killed with SIGKILL while it
ingests a large CUR file, the cube holds nothing of it, and after a restart the job runs again to
the totals a plain `costwise ingest` gives. Runs on both database backends."""
import gzip
import http.client
import json
import os
import signal
import sys
import time
import urllib.request
import uuid
from decimal import Decimal

sys.path.insert(0, os.path.dirname(__file__))
import api_harness  # noqa: E402
from api_harness import harness  # noqa: E402
from fleets import CUR_COLUMNS  # noqa: E402

COSTS = "/api/costs?from=2000-01-01&to=2099-12-31&granularity=month"
FOCUS_TOTAL = Decimal("20.520226762")
def write_large_cur(path, resources, days=30):
    """A gzip legacy CUR of one month: `resources` EC2 instances billed daily, each its own cube
    cell per day, so the cube grows with the rows."""
    with gzip.open(path, "wt", encoding="utf-8", newline="", compresslevel=1) as out:
        out.write(",".join(CUR_COLUMNS) + "\n")
        for day in range(1, days + 1):
            start = f"2023-11-{day:02d}T00:00:00Z"
            end = f"2023-11-{day + 1:02d}T00:00:00Z" if day < 30 else "2023-12-01T00:00:00Z"
            lines = []
            for resource in range(resources):
                cost = f"{(resource % 97 + 1) * 0.013 + day * 0.001:.6f}"
                lines.append(
                    f"li{day}x{resource},{start}/{end},Anniversary,111122223333,"
                    f"2023-11-01T00:00:00Z,2023-12-01T00:00:00Z,44445555{resource % 10:04d},"
                    f"Usage,{start},{end},AmazonEC2,BoxUsage:m5.large,RunInstances,"
                    f"i-{resource:012x},24,USD,{cost},{cost},us-east-1,team{resource % 7}\n")
            out.write("".join(lines))
    return path


class JobsTest(api_harness.ApiTestCase):

    def setUp(self):
        super().setUp()
        self.uploads = self.path("uploads")

    def serve(self, *extra):
        self.start_server("--upload-dir", self.uploads, *extra)

    def upload(self, browser, files, csrf=True):
        """POST /api/uploads with (name, bytes) pairs as multipart/form-data."""
        boundary = uuid.uuid4().hex
        body = bytearray()
        for name, content in files:
            body += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; "
                     f"filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                     ).encode()
            body += content + b"\r\n"
        body += f"--{boundary}--\r\n".encode()
        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
        if browser.cookie:
            headers["Cookie"] = browser.cookie
        if csrf and browser.csrf:
            headers["X-CSRF-Token"] = browser.csrf
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}/api/uploads",
                                         data=bytes(body), method="POST", headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=60) as reply:
                return api_harness.Reply(reply.status, reply.headers, reply.read().decode())
        except urllib.error.HTTPError as error:
            return api_harness.Reply(error.code, error.headers, error.read().decode())

    def wait_job(self, browser, job_id, done, timeout=90):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            reply = browser.request("GET", f"/api/jobs/{job_id}")
            self.assertEqual(reply.status, 200, reply.text)
            if done(reply.json):
                return reply.json
            time.sleep(0.05)
        self.fail(f"job {job_id} did not get there in {timeout} s: {reply.text}")

    def api_total(self, browser):
        reply = browser.request("GET", COSTS)
        self.assertEqual(reply.status, 200, reply.text)
        return sum((Decimal(t["billed_cost"]) for t in reply.json["totals"]), Decimal(0))

    def test_uploaded_focus_file_is_ingested_then_detect_and_forecast_are_queued(self):
        self.serve()
        browser = api_harness.Browser(self)
        browser.sign_up(self.email("owner"), self.tenant)
        with open(harness.FOCUS_SAMPLE, "rb") as sample:
            reply = self.upload(browser, [("focus_1.0_sample_1000.csv", sample.read())])
        self.assertEqual(reply.status, 202, reply.text)
        job = reply.json
        self.assertEqual(job["kind"], "ingest")
        self.assertIn(job["status"], ("queued", "running"))
        self.assertEqual(job["payload"], {"files": ["focus_1.0_sample_1000.csv"]})
        done = self.wait_job(browser, job["id"], lambda j: j["status"] not in ("queued", "running"))
        self.assertEqual(done["status"], "succeeded", done)
        self.assertEqual(done["progress"], 1)
        self.assertEqual(done["attempts"], 1)
        self.assertIsNone(done["error"])
        self.assertEqual(done["result"]["files"][0]["name"], "focus_1.0_sample_1000.csv")
        self.assertEqual(done["result"]["files"][0]["rows"], 1000)
        self.assertGreater(done["result"]["rows_inserted"], 0)
        self.assertEqual(self.api_total(browser), FOCUS_TOTAL)
        # The uploaded file is removed once its ingest succeeded.
        self.assertEqual([files for _, _, files in os.walk(self.uploads) if files], [])
        for kind in ("detect", "forecast"):
            listed = browser.request("GET", f"/api/jobs?kind={kind}")
            self.assertEqual(listed.status, 200, listed.text)
            self.assertEqual(len(listed.json["jobs"]), 1, listed.text)
        everything = browser.request("GET", "/api/jobs").json["jobs"]
        self.assertEqual(everything[-1]["id"], job["id"])  # newest first
        # Another organisation sees none of it.
        other = api_harness.Browser(self)
        other.sign_up(self.email("other"), self.tenant + "-other")
        self.assertEqual(other.request("GET", f"/api/jobs/{job['id']}").status, 404)
        self.assertEqual(other.request("POST", f"/api/jobs/{job['id']}/cancel").status, 404)
        self.assertEqual(other.request("GET", "/api/jobs").json["jobs"], [])

    def test_upload_errors(self):
        self.serve("--max-upload-mb", "1", "--workers", "0")
        browser = api_harness.Browser(self)
        self.assertEqual(self.upload(browser, [("a.csv", b"x")]).status, 401)
        browser.sign_up(self.email("owner"), self.tenant)
        self.assertEqual(self.upload(browser, [("a.csv", b"x")], csrf=False).status, 403)
        not_multipart = browser.request("POST", "/api/uploads", {"files": []})
        self.assertEqual(not_multipart.status, 400, not_multipart.text)
        self.assertIn("multipart/form-data", not_multipart.json["error"]["message"])
        wrong_type = self.upload(browser, [("notes.txt", b"hello")])
        self.assertEqual(wrong_type.status, 400, wrong_type.text)
        self.assertIn(".csv", wrong_type.json["error"]["message"])
        # The server answers from the headers, before the body is sent.
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        connection.putrequest("POST", "/api/uploads")
        for name, value in (("Content-Type", "multipart/form-data; boundary=x"),
                            ("Content-Length", str(2 * 1024 * 1024)),
                            ("Cookie", browser.cookie), ("X-CSRF-Token", browser.csrf)):
            connection.putheader(name, value)
        connection.endheaders()
        too_large = connection.getresponse()
        self.assertEqual(too_large.status, 413)
        self.assertIn("--max-upload-mb", json.loads(too_large.read())["error"]["message"])
        connection.close()
        self.assertEqual(browser.request("GET", "/api/jobs").json["jobs"], [])
        self.assertEqual(os.listdir(os.path.join(self.uploads, os.listdir(self.uploads)[0])), [])

    def test_run_and_cancel_jobs(self):
        self.serve("--workers", "0")  # nothing runs: the jobs stay queued
        browser = api_harness.Browser(self)
        browser.sign_up(self.email("owner"), self.tenant)
        detect = browser.request("POST", "/api/jobs", {"kind": "detect"})
        self.assertEqual(detect.status, 202, detect.text)
        self.assertEqual(detect.json["status"], "queued")
        again = browser.request("POST", "/api/jobs", {"kind": "detect"})
        self.assertEqual(again.json["id"], detect.json["id"])
        for kind in ("ingest", "bogus"):
            self.assertEqual(browser.request("POST", "/api/jobs", {"kind": kind}).status, 400)
        forecast = browser.request("POST", "/api/jobs", {"kind": "forecast"}).json
        cancelled = browser.request("POST", f"/api/jobs/{detect.json['id']}/cancel")
        self.assertEqual(cancelled.status, 200, cancelled.text)
        self.assertEqual(cancelled.json["status"], "cancelled")
        self.assertEqual(browser.request("POST", f"/api/jobs/{detect.json['id']}/cancel").status,
                         409)
        queued = browser.request("GET", "/api/jobs?status=queued").json["jobs"]
        self.assertEqual([j["id"] for j in queued], [forecast["id"]])
        self.assertEqual(browser.request("GET", "/api/jobs?status=nope").status, 400)
        self.assertEqual(browser.request("GET", "/api/jobs?limit=0").status, 400)
        self.assertEqual(browser.request("GET", "/api/jobs/999999999").status, 404)

    def test_server_killed_during_ingest_loses_nothing_and_the_job_reruns(self):
        cur = write_large_cur(self.path("cur-2023-11.csv.gz"), resources=6000)
        reference = f"sqlite:{self.tmp}/reference.db"
        harness.costwise("--db", reference, "ingest", "--tenant", "reference", cur)
        expected = json.loads(harness.costwise(
            "--db", reference, "costs", "--tenant", "reference", "--from", "2000-01-01",
            "--to", "2099-12-31", "--granularity", "month", "--format", "json").stdout)
        expected_total = sum((Decimal(t["billed_cost"]) for t in expected["totals"]), Decimal(0))
        self.assertGreater(expected_total, 0)

        lease = ("--job-lease-seconds", "3", "--workers", "1")
        self.serve(*lease)
        browser = api_harness.Browser(self)
        browser.sign_up(self.email("owner"), self.tenant)
        with open(cur, "rb") as source:
            reply = self.upload(browser, [("cur-2023-11.csv.gz", source.read())])
        self.assertEqual(reply.status, 202, reply.text)
        job_id = reply.json["id"]
        # Kill it once the rows are being written to the database.
        self.wait_job(browser, job_id,
                      lambda j: j["status"] == "running"
                      and j["progress_message"].startswith("storing"))
        self.server.send_signal(signal.SIGKILL)
        self.server.wait()
        self.assertEqual(self.total(), 0)  # no partial data in the cube

        self.serve(*lease)
        done = self.wait_job(browser, job_id, lambda j: j["status"] not in ("queued", "running"))
        self.assertEqual(done["status"], "succeeded", done)
        self.assertEqual(done["attempts"], 2)
        self.assertEqual(self.api_total(browser), expected_total)
        self.assertEqual(self.total(), expected_total)


if __name__ == "__main__":
    harness.run_main([JobsTest])
