#!/usr/bin/env python3
"""Tenant isolation, walked over every endpoint of the OpenAPI document the server serves.

Two organisations, Alpha and Bravo, get the same kinds of data: costs (the generated fleet with
a planted spike, Bravo's with account ids and resource ids of its own), detected anomalies, a
forecast, right-sizing recommendations, and whatever the API creates (an API token, an alert
channel and rule, a cloud account, an invitation, a job, ...). Then Alpha's owner

- calls every operation that has a path parameter with each of Bravo's ids, with a body that
  would be valid, and must get 404 every time;
- calls every list and read operation without path parameters and must never see Bravo's
  markers (organisation name, email, account ids, resource ids) in the answer;

and Bravo's objects are unchanged afterwards. An operation with a path parameter for which Bravo
has no object fails the test: the walk must cover every endpoint. Runs on both backends."""
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
import api_harness  # noqa: E402
import openapi_walk  # noqa: E402
from api_harness import harness  # noqa: E402
from fleets import fleet_export, write_fleet  # noqa: E402

# Bravo's fleet: the same shapes with account and resource ids of its own.
BRAVO_RENAMES = {"111122223333": "918273645500", "222233334444": "918273645511",
                 "333344445555": "918273645522", "i-0": "i-0bravo", "logs-bucket": "bravo-logs",
                 "db-main": "bravo-db"}
# Fields that change on their own between two reads (not because of the walk).
VOLATILE = {"last_used_at", "next_attempt_at", "updated_at", "progress", "duration_seconds"}


def bravo_text(text):
    for old, new in BRAVO_RENAMES.items():
        text = text.replace(old, new)
    return text


def ids_in(value, name):
    """The values of `name` anywhere in an answer; for "user_id", also the "id" of any "user"
    object (a member is {"user": {"id", "email"}, ...})."""
    found = []
    if isinstance(value, dict):
        for key, child in value.items():
            if key == name and isinstance(child, (int, str)) and not isinstance(child, bool):
                found.append(child)
            elif name.endswith("_id") and key == name[:-3] and isinstance(child, dict) \
                    and "id" in child:
                found.append(child["id"])
            else:
                found.extend(ids_in(child, name))
    elif isinstance(value, list):
        for child in value:
            found.extend(ids_in(child, name))
    return found


def stable(value):
    if isinstance(value, dict):
        return {k: stable(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [stable(v) for v in value]
    return value


class IsolationTest(api_harness.ApiTestCase):

    def setUp(self):
        super().setUp()
        self.start_server()
        self.alpha_org = f"{self.tenant}-alpha"
        self.bravo_org = f"{self.tenant}-bravo"
        self.alpha = api_harness.Browser(self)
        self.alpha.sign_up(self.email("alpha"), self.alpha_org)
        self.bravo = api_harness.Browser(self)
        self.bravo.sign_up(self.email("bravo"), self.bravo_org)
        self.load(self.alpha_org, fleet_export(), "alpha")
        self.load(self.bravo_org, bravo_text(fleet_export()), "bravo")
        self.document = self.alpha.request("GET", "/api/openapi.json").json
        self.operations = list(openapi_walk.operations(self.document))
        self.create_through_api(self.alpha, "alpha")
        self.create_through_api(self.bravo, "bravo")
        self.markers = [self.bravo_org, self.email("bravo"), self.email("bravo-invitee"),
                        "bravo-production", *BRAVO_RENAMES.values()]

    def load(self, organisation, fleet, name):
        """Costs, anomalies, a forecast and recommendations for the organisation, by the CLI."""
        folder = self.path(name)
        os.makedirs(folder)
        self.ingest(harness.write(os.path.join(folder, "fleet.csv"), fleet), tenant=organisation)
        run = lambda *args: harness.costwise("--db", self.db, *args)  # noqa: E731
        run("anomalies", "detect", "--tenant", organisation)
        run("forecast", "--tenant", organisation, "--horizon", "30")
        files = write_fleet(folder)
        if name == "bravo":
            for path in files.values():
                with open(path, encoding="utf-8") as source:
                    text = source.read()
                harness.write(path, bravo_text(text).replace("i-", "i-0bravo"))
        run("inventory", "import", "--tenant", organisation, files["inventory"], files["volumes"],
            files["addresses"])
        run("metrics", "import", "--tenant", organisation, files["metrics"])
        run("rightsize", "--tenant", organisation)

    def create_through_api(self, browser, name):
        """One object of each kind the API creates, where the document has the endpoint; then
        waits until the jobs are done, so that nothing changes on its own during the walk."""
        paths = self.document["paths"]
        account = BRAVO_RENAMES["333344445555"] if name == "bravo" else "123412341234"
        creations = [
            ("/api/tokens", {"name": "walk"}),
            ("/api/alerts/channels", {"name": "walk", "type": "webhook",
                                      "config": {"url": "http://127.0.0.1:9/hook"}}),
            ("/api/cloud-accounts", {"name": f"{name}-production", "account_id": account}),
            ("/api/invitations", {"email": self.email(f"{name}-invitee"), "role": "viewer"}),
            ("/api/jobs", {"kind": "forecast"}),
        ]
        for path, body in creations:
            if path in paths and "post" in paths[path]:
                reply = browser.request("POST", path, body)
                self.assertLess(reply.status, 300, f"POST {path}: {reply.text}")
                if path == "/api/alerts/channels":
                    rule = {"name": "walk", "min_impact": "1000000", "frequency": "daily",
                            "channel_ids": [reply.json["id"]]}
                    reply = browser.request("POST", "/api/alerts/rules", rule)
                    self.assertLess(reply.status, 300, f"POST /api/alerts/rules: {reply.text}")
        deadline = time.monotonic() + 60
        while "/api/jobs" in paths and time.monotonic() < deadline:
            jobs = browser.request("GET", "/api/jobs").json["jobs"]
            if all(job["status"] not in ("queued", "running") for job in jobs):
                break
            time.sleep(0.1)

    def lists(self, browser):
        """The answer of every GET operation without path parameters (but the public ones)."""
        answers = {}
        for operation in self.operations:
            if operation.method == "GET" and not operation.parameters and not operation.public:
                reply = browser.request("GET", operation.path)
                answers[operation.path] = (reply.status, reply.json if reply.json is not None
                                           else reply.text)
        return answers

    def bravo_ids(self, operation, bravo_lists):
        """Bravo's ids for each path parameter of the operation, from Bravo's list of the
        operation's collection."""
        status, answer = bravo_lists.get(operation.collection, (None, None))
        values = {}
        for name in operation.parameters:
            found = ids_in(answer, name)
            self.assertTrue(found, f"{operation}: organisation Bravo has no object whose "
                                   f"\"{name}\" the walk could use (GET {operation.collection} "
                                   f"answered {status}); create one in setUp")
            values[name] = found[0]
        return values

    def test_every_endpoint_hides_the_other_organisation(self):
        bravo_before = self.lists(self.bravo)
        walked = 0
        for operation in self.operations:
            if operation.public or not operation.parameters:
                continue
            url = operation.url(self.bravo_ids(operation, bravo_before))
            body = operation.example_body()
            if body is None and operation.method in ("POST", "PUT", "PATCH"):
                body = {}
            reply = self.alpha.request(operation.method, url, body)
            self.assertEqual(reply.status, 404,
                             f"{operation.method} {url} as Alpha with Bravo's id: {reply.text}")
            for marker in self.markers:
                self.assertNotIn(marker, reply.text, f"{operation.method} {url}")
            walked += 1
        for path, (status, answer) in self.lists(self.alpha).items():
            text = json.dumps(answer) if not isinstance(answer, str) else answer
            for marker in self.markers:
                self.assertNotIn(marker, text, f"GET {path} as Alpha shows Bravo's {marker}")
        self.assertEqual(stable(self.lists(self.bravo)), stable(bravo_before),
                         "Bravo's objects changed while Alpha walked them")
        print(f"walked {walked} operations with path parameters", file=sys.stderr)

    def test_alpha_sees_its_own_data(self):
        # The walk proves nothing if Alpha had nothing: Alpha's own accounts are there.
        reply = self.alpha.request(
            "GET", "/api/costs?from=2024-06-01&to=2024-09-01&group_by=account&granularity=month")
        self.assertEqual(reply.status, 200, reply.text)
        self.assertIn("111122223333", reply.text)
        self.assertNotIn("918273645500", reply.text)


if __name__ == "__main__":
    harness.run_main([IsolationTest])
