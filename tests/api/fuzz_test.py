#!/usr/bin/env python3
"""A fuzz-style test of the REST API: every operation of the OpenAPI document the server serves
gets malformed JSON, bodies of the wrong shape, wrong types in every field, invalid UTF-8, huge
strings and bodies, garbage query parameters and path parameters, with a fixed random seed. Every
answer must be a 4xx (or a 2xx where the input happens to be acceptable), never a 5xx, a dropped
connection or a crash: the server still answers /healthz at the end. Runs on both backends."""
import http.client
import json
import os
import random
import sys

sys.path.insert(0, os.path.dirname(__file__))
import api_harness  # noqa: E402
import openapi_walk  # noqa: E402
from api_harness import harness  # noqa: E402

SEED = 20261127
HUGE_BODY = 9 * 1024 * 1024  # beyond any JSON body limit
WRONG_VALUES = [None, True, 0, -1, 1.5e308, "", "x" * 70000, [], {}, [1, [2, [3]]],
                {"nested": {"deeper": [None]}}, "2024-13-45", "\u202e\u0000", -9223372036854775808]
MALFORMED = [b"", b"{", b"}", b"{\"a\":", b"[]", b"null", b"123", b"\"text\"", b"{\"a\":1}}",
             b"{'single': 'quotes'}", b"{\"a\": NaN}", b"[" * 100000 + b"]" * 100000,
             b"{\"a\":" * 50000 + b"1" + b"}" * 50000, b"\xff\xfe\x00{", b"{\"\xc3\x28\": 1}",
             b"{\"name\": \"\xed\xa0\x80\"}", b"\x00" * 1000]
GARBAGE_IDS = ["0", "-1", "99999999999999999999999", "1e3", "abc", "%00", "1%2F2", "..%2F..",
               "%C3%A9", "1;DROP%20TABLE%20tenants"]
GARBAGE_QUERIES = ["", "x", "-1", "1e999", "2024-02-30", "9999-99-99", "%ff%fe", "a" * 5000,
                   "service=", "=", "tag:", "null", "[]"]


class FuzzTest(api_harness.ApiTestCase):

    def setUp(self):
        super().setUp()
        self.start_server()
        self.browser = api_harness.Browser(self)
        self.browser.sign_up(self.email("owner"), self.tenant)
        self.ingest(harness.FOCUS_SAMPLE)
        self.document = self.browser.request("GET", "/api/openapi.json").json
        self.random = random.Random(SEED)
        self.sent = 0

    def send(self, method, path, body=b"", content_type="application/json", authenticated=True):
        headers = {"Content-Type": content_type}
        if authenticated:
            headers["Cookie"] = self.browser.cookie
            headers["X-CSRF-Token"] = self.browser.csrf
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=headers)
            reply = connection.getresponse()
            text = reply.read()
            status = reply.status
        except (ConnectionError, http.client.HTTPException) as error:
            # A server that refuses a huge body may close the connection while we still send it;
            # anything else is a failure, and the server must still be alive.
            if len(body) < HUGE_BODY:
                self.fail(f"{method} {path[:200]}: {error!r}")
            status, text = 413, b""
        finally:
            connection.close()
        self.sent += 1
        self.assertLess(status, 500, f"{method} {path[:200]} with body {body[:200]!r}: "
                                     f"{status} {text[:300]!r}")
        if status == 401 and authenticated:
            self.log_in_again()
        return status

    def log_in_again(self):
        """A fuzzed request may have ended the session (log-out, a removed membership)."""
        reply = self.browser.request("POST", "/api/auth/login",
                                     {"email": self.email("owner"),
                                      "password": api_harness.PASSWORD}, csrf=False)
        self.assertEqual(reply.status, 200, reply.text)

    def path_values(self, operation):
        return {name: self.random.choice(GARBAGE_IDS + ["1", "2"]) for name in operation.parameters}

    def query(self, operation):
        names = [p["name"] for p in operation.spec.get("parameters", []) if p.get("in") == "query"]
        if not names:
            names = ["from", "limit"]
        return "&".join(f"{name}={self.random.choice(GARBAGE_QUERIES)}"
                        for name in self.random.sample(names, min(len(names), 3)))

    def bodies(self, operation):
        """Malformed and wrongly typed bodies for the operation."""
        yield from MALFORMED
        example = operation.example_body()
        if isinstance(example, dict):
            schema = operation.body_schema() or {}
            fields = set(example) | set(schema.get("properties", {}))
            for field in sorted(fields):
                for value in WRONG_VALUES:
                    yield json.dumps({**example, field: value}).encode()
            yield json.dumps({**example, "unexpected": "field"}).encode()
            yield json.dumps([example]).encode()

    def test_no_input_makes_a_server_error(self):
        operations = list(openapi_walk.operations(self.document))
        for operation in operations:
            if operation.path == "/api/auth/logout":
                continue  # would end the session on every round; it has no body to fuzz
            for body in self.bodies(operation):
                values = self.path_values(operation)
                path = operation.url(values) + "?" + self.query(operation)
                # GET operations get their garbage in the query; the bodies go to the others.
                if operation.method == "GET":
                    self.send("GET", path, authenticated=not operation.public)
                else:
                    self.send(operation.method, path, body, authenticated=not operation.public)
            if operation.method != "GET":
                self.send(operation.method, operation.url(self.path_values(operation)),
                          b"{" + b"\"a\": \"" + b"x" * HUGE_BODY + b"\"}")
                self.send(operation.method, operation.url(self.path_values(operation)),
                          b"--x\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\n\xff\xfe",
                          content_type="multipart/form-data; boundary=")
                self.send(operation.method, operation.url(self.path_values(operation)),
                          json.dumps(operation.example_body() or {}).encode(),
                          content_type="text/plain; charset=\xff")
        for path in ["/api/", "/api/nope", "/api/costs/../../etc/passwd", "/api/%ff", "//api//costs",
                     "/api/costs?" + "a=b&" * 5000]:
            self.send("GET", path)
        self.assertEqual(self.request("GET", "/healthz").status, 200)
        self.assertIsNone(self.server.poll(), "the server exited")
        print(f"sent {self.sent} requests to {len(operations)} operations", file=sys.stderr)


if __name__ == "__main__":
    harness.run_main([FuzzTest])
