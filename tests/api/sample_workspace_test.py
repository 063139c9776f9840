#!/usr/bin/env python3
"""End-to-end tests of the sample workspace through `costwise serve`: one POST gives a signed-in
user an organisation of the bundled public samples (data/samples) with every page's data
(costs, anomalies, a forecast, recommendations), marked as sample in the organisations list and
kept apart from the user's own organisation; a second POST only switches back to it; API tokens
are refused; another user gets a workspace of their own. Runs on both database backends."""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
import api_harness  # noqa: E402
from api_harness import harness  # noqa: E402

SAMPLES = os.path.join(os.path.dirname(__file__), "../../data/samples")


class SampleWorkspaceTest(api_harness.ApiTestCase):

    def setUp(self):
        super().setUp()
        self.start_server("--samples-dir", SAMPLES)
        self.owner = api_harness.Browser(self)
        self.owner.sign_up(self.email("owner"), self.tenant)

    def get(self, browser, path):
        reply = browser.request("GET", path)
        self.assertEqual(reply.status, 200, f"{path}: {reply.text}")
        return reply.json

    def test_one_post_opens_a_filled_sample_workspace(self):
        opened = self.owner.request("POST", "/api/sample-workspace")
        self.assertEqual(opened.status, 200, opened.text)
        name = f"Sample data ({self.email('owner')})"
        self.assertEqual(opened.json["organisation"]["name"], name)
        self.assertEqual(opened.json["role"], "owner")
        me = self.get(self.owner, "/api/auth/me")
        self.assertEqual(me["organisation"]["name"], name)
        organisations = {o["name"]: o for o in self.get(self.owner, "/api/organisations")
                         ["organisations"]}
        self.assertTrue(organisations[name]["sample"])
        self.assertTrue(organisations[name]["current"])
        self.assertFalse(organisations[self.tenant]["sample"])

        # Every page has data: the bills of both samples, anomalies, a forecast, right-sizing.
        costs = self.get(self.owner, "/api/costs?from=2000-01-01&to=2099-12-31&granularity=month")
        months = {row["period"] for row in costs["rows"]}
        self.assertIn("2023-11", months)  # the CUR sample
        self.assertIn("2024-09", months)  # the FOCUS sample
        self.assertGreater(self.get(self.owner, "/api/ml/anomalies?status=closed")["total"]
                           + self.get(self.owner, "/api/ml/anomalies")["total"], 0)
        forecast = self.get(self.owner, "/api/ml/forecast?horizon=30")
        self.assertEqual(forecast["series"][0]["kind"], "total")
        by_service = self.get(self.owner, "/api/ml/forecast?horizon=30&group_by=service")
        self.assertGreater(len(by_service["series"]), 1)
        recommendations = self.get(self.owner, "/api/ml/recommendations")["recommendations"]
        self.assertTrue(recommendations)
        self.assertTrue(all(r["resource_id"].startswith("i-bitbrains-") for r in recommendations))

        # The user's own organisation has none of it.
        switched = self.owner.request("POST", "/api/auth/switch", {"organisation": self.tenant})
        self.assertEqual(switched.status, 200, switched.text)
        own = self.get(self.owner, "/api/costs?from=2000-01-01&to=2099-12-31")
        self.assertEqual(own["rows"], [])

        # Opening it again switches back without loading anything again.
        again = self.owner.request("POST", "/api/sample-workspace")
        self.assertEqual(again.status, 200, again.text)
        self.assertEqual(again.json["organisation"]["id"], opened.json["organisation"]["id"])
        self.assertEqual(self.get(self.owner, "/api/costs?from=2000-01-01&to=2099-12-31"
                                  "&granularity=month")["totals"], costs["totals"])

    def test_api_tokens_are_refused_and_each_user_has_their_own(self):
        token = self.owner.request("POST", "/api/tokens", {"name": "automation"})
        self.assertEqual(token.status, 201, token.text)
        reply = self.request("POST", "/api/sample-workspace",
                             headers={"Authorization": f"Bearer {token.json['token']}"})
        self.assertEqual(reply.status, 400, reply.text)
        self.assertIn("browser session", reply.json["error"]["message"])

        other = api_harness.Browser(self)
        other.sign_up(self.email("other"), self.tenant + "-other")
        mine = self.owner.request("POST", "/api/sample-workspace")
        theirs = other.request("POST", "/api/sample-workspace")
        self.assertEqual(mine.status, 200, mine.text)
        self.assertEqual(theirs.status, 200, theirs.text)
        self.assertNotEqual(mine.json["organisation"]["id"], theirs.json["organisation"]["id"])
        names = [o["name"] for o in self.get(other, "/api/organisations")["organisations"]]
        self.assertNotIn(mine.json["organisation"]["name"], names)


if __name__ == "__main__":
    harness.run_main([SampleWorkspaceTest])
