"""Shared helpers for the API end-to-end tests: start `costwise serve` on a free port, send
requests as a browser (session cookie and CSRF token) or with an API token, read JSON back.
Standard library only."""
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../support"))
import harness  # noqa: E402

PASSWORD = "correct horse battery"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Reply:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.text = body
        content_type = headers.get("Content-Type") or ""
        self.json = json.loads(body) if body and content_type.startswith("application/json") \
            else None


class Browser:
    """A client keeping the session cookie and the CSRF token, like the web UI."""

    def __init__(self, test):
        self.test = test
        self.cookie = None
        self.csrf = None

    def request(self, method, path, body=None, csrf=True, headers=None):
        headers = dict(headers or {})
        if self.cookie:
            headers["Cookie"] = self.cookie
        if csrf and self.csrf and method not in ("GET", "HEAD"):
            headers["X-CSRF-Token"] = self.csrf
        reply = self.test.request(method, path, body, headers)
        set_cookie = reply.headers.get("Set-Cookie")
        if set_cookie:
            self.cookie = set_cookie.split(";")[0]
        if reply.json and isinstance(reply.json, dict) and "csrf_token" in reply.json:
            self.csrf = reply.json["csrf_token"]
        return reply

    def sign_up(self, email, organisation, password=PASSWORD):
        reply = self.request("POST", "/api/auth/signup",
                             {"email": email, "password": password, "organisation": organisation})
        self.test.assertEqual(reply.status, 201, reply.text)
        return reply


class ApiTestCase(harness.BackendTestCase):
    """Starts `costwise serve` on the test's database for each test. On PostgreSQL each test
    gets a schema of its own: a server's background workers take any organisation's jobs and
    alert deliveries of their database, and other tests' servers must not run this test's."""

    def setUp(self):
        super().setUp()
        if self.backend == "postgresql":
            schema = f"api_test_{uuid.uuid4().hex[:12]}"
            self.psql(f"CREATE SCHEMA {schema}")
            self.addCleanup(self.psql, f"DROP SCHEMA {schema} CASCADE")
            separator = "&" if "?" in self.db else "?"
            self.db = f"{self.db}{separator}options=-csearch_path%3D{schema}"

    def psql(self, sql):
        subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", harness.postgres_url(),
                        "-c", sql], check=True, capture_output=True, timeout=60)

    def start_server(self, *extra):
        # Uploads and model artifacts go under the test's own folder, not the working directory
        # (a models folder belongs to one database).
        folders = []
        for option, name in (("--upload-dir", "uploads"), ("--models-dir", "models")):
            if option not in extra:
                folders += [option, os.path.join(self.tmp, name)]
        extra = (*folders, *extra)
        self.port = free_port()
        # The server's log goes to a file: a pipe nobody reads fills up and blocks the server.
        self.server_log = os.path.join(self.tmp, f"serve-{self.port}.log")
        with open(self.server_log, "w", encoding="utf-8") as log:
            self.server = subprocess.Popen(
                [harness.binary(), "--db", self.db, "serve", "--host", "127.0.0.1", "--port",
                 str(self.port), *extra], stdout=log, stderr=subprocess.STDOUT)
        self.addCleanup(self.stop_server)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                self.request("GET", "/healthz")
                return
            except (urllib.error.URLError, ConnectionError):
                if self.server.poll() is not None:
                    self.fail("server exited: " + self.server_output())
                time.sleep(0.1)
        self.fail("server did not answer /healthz within 20 s")

    def stop_server(self):
        if self.server.poll() is None:
            self.server.send_signal(signal.SIGTERM)
            try:
                self.server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.server.kill()
                self.server.wait()

    def server_output(self):
        """What the server wrote to stdout and stderr so far."""
        with open(self.server_log, encoding="utf-8", errors="replace") as log:
            return log.read()

    def request(self, method, path, body=None, headers=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data=data,
                                         method=method, headers=dict(headers or {}))
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=10) as reply:
                return Reply(reply.status, reply.headers, reply.read().decode())
        except urllib.error.HTTPError as error:
            return Reply(error.code, error.headers, error.read().decode())

    def email(self, name):
        """An email unique to this test (PostgreSQL is shared by the whole run)."""
        return f"{name}+{self.tenant.lower()}@example.com"
