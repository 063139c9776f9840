#!/usr/bin/env python3
"""End-to-end tests of organisations, members and invitations through `costwise serve`: invite,
accept as a new and as an existing user, list and change roles, the last-owner rule, leaving,
switching organisation, revoking invitations, a viewer's 403 and another organisation's ids
giving 404. Runs on both database backends."""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
import api_harness  # noqa: E402
from api_harness import PASSWORD, harness  # noqa: E402


class MembersTest(api_harness.ApiTestCase):

    def setUp(self):
        super().setUp()
        self.start_server()
        self.owner = api_harness.Browser(self)
        self.owner_id = self.owner.sign_up(self.email("owner"), self.tenant).json["user"]["id"]

    def invite(self, email, role):
        reply = self.owner.request("POST", "/api/invitations", {"email": email, "role": role})
        self.assertEqual(reply.status, 201, reply.text)
        return reply.json

    def accept(self, token, password=PASSWORD):
        browser = api_harness.Browser(self)
        reply = browser.request("POST", "/api/invitations/accept",
                                {"token": token, "password": password})
        return browser, reply

    def member_ids(self, browser):
        reply = browser.request("GET", "/api/members")
        self.assertEqual(reply.status, 200, reply.text)
        return {m["user"]["email"]: (m["user"]["id"], m["role"]) for m in reply.json["members"]}

    def test_invite_accept_list_and_change_roles(self):
        invitation = self.invite(self.email("vera"), "viewer")
        self.assertEqual(len(invitation["token"]), 64)
        pending = self.owner.request("GET", "/api/invitations")
        self.assertEqual(pending.status, 200, pending.text)
        self.assertEqual([i["email"] for i in pending.json["invitations"]], [self.email("vera")])
        self.assertNotIn(invitation["token"], pending.text)
        self.assertFalse(pending.json["invitations"][0]["expired"])

        vera, accepted = self.accept(invitation["token"])
        self.assertEqual(accepted.status, 200, accepted.text)
        self.assertEqual(accepted.json["role"], "viewer")
        self.assertEqual(accepted.json["organisation"]["name"], self.tenant)
        self.assertIn("HttpOnly", accepted.headers.get("Set-Cookie"))
        # Used once.
        self.assertEqual(self.accept(invitation["token"])[1].status, 404)
        self.assertEqual(self.owner.request("GET", "/api/invitations").json["invitations"], [])

        members = self.member_ids(vera)
        self.assertEqual(members[self.email("owner")], (self.owner_id, "owner"))
        vera_id = members[self.email("vera")][0]
        self.assertEqual(members[self.email("vera")][1], "viewer")

        # A viewer may not manage members.
        for method, path, body in (
                ("POST", "/api/invitations", {"email": self.email("x"), "role": "viewer"}),
                ("GET", "/api/invitations", None),
                ("PATCH", f"/api/members/{self.owner_id}", {"role": "viewer"}),
                ("DELETE", f"/api/members/{self.owner_id}", None)):
            refused = vera.request(method, path, body)
            self.assertEqual(refused.status, 403, f"{method} {path}: {refused.text}")
            self.assertEqual(refused.json["error"]["code"], "permission_denied")

        promoted = self.owner.request("PATCH", f"/api/members/{vera_id}", {"role": "admin"})
        self.assertEqual(promoted.status, 204, promoted.text)
        self.assertEqual(vera.request("GET", "/api/auth/me").json["role"], "admin")
        bad = self.owner.request("PATCH", f"/api/members/{vera_id}", {"role": "emperor"})
        self.assertEqual(bad.status, 400)
        self.assertIn("viewer, admin or owner", bad.json["error"]["message"])
        self.assertEqual(
            self.owner.request("PATCH", "/api/members/999999", {"role": "admin"}).status, 404)

    def test_the_last_owner_stays_and_members_may_leave(self):
        demote = self.owner.request("PATCH", f"/api/members/{self.owner_id}", {"role": "admin"})
        self.assertEqual(demote.status, 409, demote.text)
        self.assertIn("last owner", demote.json["error"]["message"])
        leave = self.owner.request("DELETE", f"/api/members/{self.owner_id}")
        self.assertEqual(leave.status, 409, leave.text)

        olga, _ = self.accept(self.invite(self.email("olga"), "owner")["token"])
        olga_id = self.member_ids(olga)[self.email("olga")][0]
        # With two owners, one may step down, and the other is then the last.
        self.assertEqual(
            olga.request("PATCH", f"/api/members/{olga_id}", {"role": "viewer"}).status, 204)
        self.assertEqual(
            self.owner.request("PATCH", f"/api/members/{self.owner_id}",
                               {"role": "viewer"}).status, 409)
        # A viewer leaves; their session ends.
        left = olga.request("DELETE", f"/api/members/{olga_id}")
        self.assertEqual(left.status, 204, left.text)
        self.assertEqual(olga.request("GET", "/api/auth/me").status, 401)
        self.assertNotIn(self.email("olga"), self.member_ids(self.owner))

    def test_an_existing_user_joins_and_switches_organisation(self):
        other = api_harness.Browser(self)
        other.sign_up(self.email("carl"), self.tenant + "-carl")
        invitation = self.invite(self.email("carl"), "admin")
        _, wrong = self.accept(invitation["token"], password="not the password")
        self.assertEqual(wrong.status, 401, wrong.text)
        carl, joined = self.accept(invitation["token"])
        self.assertEqual(joined.status, 200, joined.text)
        self.assertEqual(joined.json["role"], "admin")

        organisations = carl.request("GET", "/api/organisations")
        self.assertEqual(organisations.status, 200, organisations.text)
        names = {o["name"]: (o["role"], o["current"])
                 for o in organisations.json["organisations"]}
        self.assertEqual(names, {self.tenant + "-carl": ("owner", False),
                                 self.tenant: ("admin", True)})

        old_cookie = carl.cookie
        switched = carl.request("POST", "/api/auth/switch", {"organisation": self.tenant + "-carl"})
        self.assertEqual(switched.status, 200, switched.text)
        self.assertEqual(switched.json["organisation"]["name"], self.tenant + "-carl")
        self.assertEqual(switched.json["role"], "owner")
        self.assertNotEqual(carl.cookie, old_cookie)
        self.assertEqual(carl.request("GET", "/api/auth/me").json["role"], "owner")
        stale = api_harness.Browser(self)
        stale.cookie = old_cookie
        self.assertEqual(stale.request("GET", "/api/auth/me").status, 401)
        refused = carl.request("POST", "/api/auth/switch", {"organisation": "nowhere-" + self.tenant})
        self.assertEqual(refused.status, 403, refused.text)

    def test_revoked_invitations_and_other_organisations_ids(self):
        invitation = self.invite(self.email("dora"), "viewer")
        revoked = self.owner.request("DELETE", f"/api/invitations/{invitation['id']}")
        self.assertEqual(revoked.status, 204, revoked.text)
        self.assertEqual(self.accept(invitation["token"])[1].status, 404)
        self.assertEqual(
            self.owner.request("DELETE", f"/api/invitations/{invitation['id']}").status, 404)

        stranger = api_harness.Browser(self)
        stranger_id = stranger.sign_up(self.email("eve"), self.tenant + "-eve").json["user"]["id"]
        pending = self.invite(self.email("finn"), "viewer")
        # The other organisation's owner sees none of ours, and changes none of ours.
        self.assertEqual(stranger.request("GET", "/api/invitations").json["invitations"], [])
        self.assertEqual(
            stranger.request("DELETE", f"/api/invitations/{pending['id']}").status, 404)
        self.assertEqual(stranger.request("PATCH", f"/api/members/{self.owner_id}",
                                          {"role": "viewer"}).status, 404)
        self.assertEqual(stranger.request("DELETE", f"/api/members/{self.owner_id}").status, 404)
        self.assertEqual(list(self.member_ids(stranger)), [self.email("eve")])
        self.assertEqual(self.owner.request("DELETE", f"/api/members/{stranger_id}").status, 404)


if __name__ == "__main__":
    harness.run_main([MembersTest])
