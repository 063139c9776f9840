#!/usr/bin/env python3
"""End-to-end tests of sign-up, log-in and tenancy through `costwise serve`: the session cookie
(HttpOnly, SameSite=Lax), CSRF protection of cookie-authenticated changes, the log-in rate
limit, log-out, API tokens as bearer tokens, and a second organisation that never sees the
first's data. Runs on both database backends."""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
import api_harness  # noqa: E402
from api_harness import PASSWORD, harness  # noqa: E402

COSTS = "/api/costs?from=2024-09-01&to=2024-09-30&granularity=month"


class AuthTest(api_harness.ApiTestCase):

    def setUp(self):
        super().setUp()
        self.start_server()

    def test_sign_up_sets_an_http_only_cookie_and_me_answers(self):
        browser = api_harness.Browser(self)
        reply = browser.sign_up(" Owner+X@Example.com ".replace("X", self.tenant), self.tenant)
        cookie = reply.headers.get("Set-Cookie")
        self.assertIn("HttpOnly", cookie)
        self.assertIn("SameSite=Lax", cookie)
        self.assertNotIn("Secure", cookie)
        self.assertEqual(reply.json["organisation"]["name"], self.tenant)
        self.assertEqual(reply.json["role"], "owner")
        self.assertEqual(reply.json["user"]["email"], f"owner+{self.tenant}@example.com".lower())
        self.assertNotIn("password", reply.text)
        me = browser.request("GET", "/api/auth/me")
        self.assertEqual(me.status, 200, me.text)
        self.assertEqual(me.json["organisation"], reply.json["organisation"])
        self.assertEqual(me.json["csrf_token"], reply.json["csrf_token"])
        self.assertEqual(self.request("GET", "/api/auth/me").status, 401)

    def test_sign_up_errors(self):
        browser = api_harness.Browser(self)
        reply = browser.request("POST", "/api/auth/signup",
                                {"email": self.email("a"), "password": "short",
                                 "organisation": self.tenant})
        self.assertEqual(reply.status, 400)
        self.assertIn("10 characters", reply.json["error"]["message"])
        browser.sign_up(self.email("a"), self.tenant)
        again = api_harness.Browser(self).request(
            "POST", "/api/auth/signup",
            {"email": self.email("a"), "password": PASSWORD, "organisation": self.tenant + "2"})
        self.assertEqual(again.status, 409)
        bad = self.request("POST", "/api/auth/signup", None, {"Content-Type": "application/json"})
        self.assertEqual(bad.status, 400)
        self.assertEqual(bad.json["error"]["code"], "invalid_input")

    def test_log_in_wrong_password_rate_limit_and_log_out(self):
        api_harness.Browser(self).sign_up(self.email("a"), self.tenant)
        browser = api_harness.Browser(self)
        wrong = browser.request("POST", "/api/auth/login",
                                {"email": self.email("a"), "password": "wrong password!"})
        self.assertEqual(wrong.status, 401)
        self.assertEqual(wrong.json["error"]["message"], "email or password is wrong")
        unknown = browser.request("POST", "/api/auth/login",
                                  {"email": self.email("nobody"), "password": PASSWORD})
        self.assertEqual(unknown.status, 401)
        self.assertEqual(unknown.json["error"], wrong.json["error"])

        ok = browser.request("POST", "/api/auth/login",
                             {"email": self.email("a"), "password": PASSWORD})
        self.assertEqual(ok.status, 200, ok.text)
        self.assertEqual(browser.request("GET", COSTS).status, 200)
        out = browser.request("POST", "/api/auth/logout")
        self.assertEqual(out.status, 204, out.text)
        self.assertIn("Max-Age=0", out.headers.get("Set-Cookie"))
        browser.cookie = ok.headers.get("Set-Cookie").split(";")[0]  # the old cookie, replayed
        self.assertEqual(browser.request("GET", COSTS).status, 401)

        for _ in range(5):
            self.assertEqual(browser.request("POST", "/api/auth/login",
                                             {"email": self.email("a"),
                                              "password": "wrong password!"}).status, 401)
        limited = browser.request("POST", "/api/auth/login",
                                  {"email": self.email("a"), "password": PASSWORD})
        self.assertEqual(limited.status, 429)
        self.assertEqual(limited.json["error"]["code"], "rate_limited")
        self.assertIn("try again in", limited.json["error"]["message"])

    def test_csrf_is_required_for_cookie_authenticated_changes(self):
        browser = api_harness.Browser(self)
        browser.sign_up(self.email("a"), self.tenant)
        refused = browser.request("POST", "/api/tokens", {"name": "ci"}, csrf=False)
        self.assertEqual(refused.status, 403)
        self.assertEqual(refused.json["error"]["code"], "permission_denied")
        self.assertIn("CSRF", refused.json["error"]["message"])
        wrong = browser.request("POST", "/api/tokens", {"name": "ci"}, csrf=False,
                                headers={"X-CSRF-Token": "0" * 64})
        self.assertEqual(wrong.status, 403)
        self.assertEqual(browser.request("POST", "/api/auth/logout", csrf=False).status, 403)
        created = browser.request("POST", "/api/tokens", {"name": "ci"})
        self.assertEqual(created.status, 201, created.text)

    def test_bearer_tokens_work_without_csrf_until_revoked(self):
        browser = api_harness.Browser(self)
        browser.sign_up(self.email("a"), self.tenant)
        self.ingest(harness.FOCUS_SAMPLE)
        created = browser.request("POST", "/api/tokens", {"name": "nightly"})
        self.assertEqual(created.status, 201, created.text)
        token = created.json["token"]
        bearer = {"Authorization": f"Bearer {token}"}
        costs = self.request("GET", COSTS, headers=bearer)
        self.assertEqual(costs.status, 200, costs.text)
        self.assertEqual(costs.json["totals"][0]["billed_cost"], "20.520226762")
        me = self.request("GET", "/api/auth/me", headers=bearer)
        self.assertEqual(me.json["organisation"]["name"], self.tenant)
        self.assertNotIn("csrf_token", me.json)
        # A change with the bearer token needs no CSRF token.
        second = self.request("POST", "/api/tokens", {"name": "second"}, headers=bearer)
        self.assertEqual(second.status, 201, second.text)

        listed = browser.request("GET", "/api/tokens")
        self.assertEqual([t["name"] for t in listed.json["tokens"]], ["nightly", "second"])
        self.assertNotIn(token, listed.text)
        self.assertIsNotNone(listed.json["tokens"][0]["last_used_at"])
        revoked = browser.request("DELETE", f"/api/tokens/{created.json['id']}")
        self.assertEqual(revoked.status, 204, revoked.text)
        self.assertEqual(self.request("GET", COSTS, headers=bearer).status, 401)
        self.assertEqual(self.request("GET", COSTS,
                                      headers={"Authorization": "Bearer cwt_nonsense"}).status,
                         401)

    def test_a_second_organisation_never_sees_the_first(self):
        first = api_harness.Browser(self)
        first.sign_up(self.email("a"), self.tenant)
        self.ingest(harness.FOCUS_SAMPLE)
        token = first.request("POST", "/api/tokens", {"name": "ci"}).json
        second = api_harness.Browser(self)
        second.sign_up(self.email("b"), self.tenant + "-second")

        costs = second.request("GET", COSTS + f"&tenant={self.tenant}")
        self.assertEqual(costs.status, 200, costs.text)
        self.assertEqual(costs.json["rows"], [])
        self.assertEqual(second.request("GET", "/api/tokens").json["tokens"], [])
        self.assertEqual(second.request("DELETE", f"/api/tokens/{token['id']}").status, 404)
        # The first organisation's token still works, and still sees its own data only.
        bearer = {"Authorization": f"Bearer {token['token']}"}
        self.assertNotEqual(self.request("GET", COSTS, headers=bearer).json["rows"], [])
        # Logging in to the first organisation by name is refused.
        refused = api_harness.Browser(self).request(
            "POST", "/api/auth/login",
            {"email": self.email("b"), "password": PASSWORD, "organisation": self.tenant})
        self.assertEqual(refused.status, 403)


if __name__ == "__main__":
    harness.run_main([AuthTest])
