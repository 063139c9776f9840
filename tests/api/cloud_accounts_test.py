#!/usr/bin/env python3
"""End-to-end tests of onboarding AWS accounts through `costwise serve`: the generated External
ID, the IAM trust, permissions and apply policies (valid IAM JSON, least-privilege actions on
specific resources, "*" only where IAM has no resource-level permissions), validation of the
role ARN and CUR source, roles, and another organisation's account ids giving 404. Runs on both
database backends."""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
import api_harness  # noqa: E402
from api_harness import harness  # noqa: E402

PRINCIPAL = "arn:aws:iam::999988887777:role/costwise-service"
ACCOUNT = "123456789012"
ATHENA = {"athena": {"database": "athenacurcfn_costs", "table": "costs",
                     "workgroup": "costwise", "output_location": "s3://acme-athena-results/costwise/",
                     "data_location": "s3://acme-cur/reports/costs/", "region": "us-east-1"}}
# Actions IAM only grants on "*" (no resource-level permissions).
STAR_ONLY = {"cloudwatch:GetMetricData", "ec2:DescribeInstances", "ec2:DescribeVolumes",
             "ec2:DescribeAddresses", "ec2:DescribeRegions", "pricing:GetProducts"}


def as_list(value):
    return value if isinstance(value, list) else [value]


def statements_by_action(policy):
    """{action: [resources...]} of an IAM policy, checking its shape on the way."""
    assert policy["Version"] == "2012-10-17", policy
    granted = {}
    for statement in policy["Statement"]:
        assert statement["Effect"] == "Allow", statement
        for action in as_list(statement["Action"]):
            granted.setdefault(action, []).extend(as_list(statement.get("Resource", [])))
    return granted


class CloudAccountsTest(api_harness.ApiTestCase):

    def setUp(self):
        super().setUp()
        self.start_server("--aws-principal-arn", PRINCIPAL)
        self.admin = api_harness.Browser(self)
        self.admin.sign_up(self.email("admin"), self.tenant)

    def create(self, browser=None, account_id=ACCOUNT, name="production"):
        return (browser or self.admin).request("POST", "/api/cloud-accounts",
                                               {"name": name, "account_id": account_id})

    def test_an_account_gets_an_external_id_and_a_trust_policy(self):
        created = self.create()
        self.assertEqual(created.status, 201, created.text)
        account = created.json
        self.assertEqual(account["status"], "pending")
        self.assertEqual(account["account_id"], ACCOUNT)
        self.assertIsNone(account["role_arn"])
        self.assertIsNone(account["cur_source"])
        self.assertGreaterEqual(len(account["external_id"]), 32)
        second = self.create(account_id="210987654321", name="staging").json
        self.assertNotEqual(second["external_id"], account["external_id"])

        self.assertEqual(self.create().status, 409)
        for bad in ("12345", "12345678901a", ""):
            self.assertEqual(self.create(account_id=bad).status, 400, bad)
        listed = self.admin.request("GET", "/api/cloud-accounts")
        self.assertEqual([a["name"] for a in listed.json["cloud_accounts"]],
                         ["production", "staging"])

        policies = self.admin.request("GET", f"/api/cloud-accounts/{account['id']}/policies")
        self.assertEqual(policies.status, 200, policies.text)
        trust = policies.json["trust_policy"]
        self.assertEqual(trust["Version"], "2012-10-17")
        [statement] = trust["Statement"]
        self.assertEqual(statement["Principal"], {"AWS": PRINCIPAL})
        self.assertEqual(statement["Action"], "sts:AssumeRole")
        self.assertEqual(statement["Condition"],
                         {"StringEquals": {"sts:ExternalId": account["external_id"]}})
        self.assertTrue(policies.json["principal_configured"])
        self.assertIsNone(policies.json["permissions_policy"])  # until the CUR source is entered
        apply = statements_by_action(policies.json["apply_policy"])
        self.assertEqual(set(apply), {"ec2:StopInstances", "ec2:StartInstances",
                                      "ec2:ModifyInstanceAttribute"})
        for resources in apply.values():
            self.assertEqual(resources, [f"arn:aws:ec2:*:{ACCOUNT}:instance/*"])

    def test_athena_permissions_are_least_privilege_on_the_entered_resources(self):
        account = self.create().json
        path = f"/api/cloud-accounts/{account['id']}"
        role = f"arn:aws:iam::{ACCOUNT}:role/costwise-read"
        updated = self.admin.request("PUT", path, {"role_arn": role, "cur_source": ATHENA})
        self.assertEqual(updated.status, 200, updated.text)
        self.assertEqual(updated.json["role_arn"], role)
        self.assertEqual(updated.json["cur_source"], ATHENA)
        self.assertEqual(updated.json["status"], "pending")  # until a connection test passes
        self.assertEqual(self.admin.request("GET", path).json, updated.json)

        policies = self.admin.request("GET", path + "/policies").json
        text = json.dumps(policies)
        self.assertIn(account["external_id"], text)
        granted = statements_by_action(policies["permissions_policy"])
        region_account = f"us-east-1:{ACCOUNT}"
        self.assertEqual(granted["athena:StartQueryExecution"],
                         [f"arn:aws:athena:{region_account}:workgroup/costwise"])
        for action in ("athena:GetQueryExecution", "athena:GetQueryResults",
                       "athena:GetWorkGroup"):
            self.assertEqual(granted[action], granted["athena:StartQueryExecution"])
        glue = {f"arn:aws:glue:{region_account}:catalog",
                f"arn:aws:glue:{region_account}:database/athenacurcfn_costs",
                f"arn:aws:glue:{region_account}:table/athenacurcfn_costs/costs"}
        for action in ("glue:GetDatabase", "glue:GetTable", "glue:GetPartitions"):
            self.assertEqual(set(granted[action]), glue)
        self.assertEqual(set(granted["s3:GetObject"]),
                         {"arn:aws:s3:::acme-cur/reports/costs/*",
                          "arn:aws:s3:::acme-athena-results/costwise/*"})
        self.assertEqual(set(granted["s3:ListBucket"]),
                         {"arn:aws:s3:::acme-cur", "arn:aws:s3:::acme-athena-results"})
        self.assertEqual(granted["s3:PutObject"], ["arn:aws:s3:::acme-athena-results/costwise/*"])
        self.assertEqual(granted["s3:GetBucketLocation"], ["arn:aws:s3:::acme-athena-results"])
        for action, resources in granted.items():
            if action in STAR_ONLY:
                self.assertEqual(resources, ["*"], action)
            else:
                self.assertNotIn("*", resources, action)
        self.assertTrue(STAR_ONLY <= set(granted))
        self.assertFalse(any(a.startswith("ec2:Stop") for a in granted))  # apply is separate

    def test_s3_source_and_validation(self):
        account = self.create().json
        path = f"/api/cloud-accounts/{account['id']}"
        s3 = {"s3": {"bucket": "acme-cur", "prefix": "cur/daily/", "region": "eu-west-1"}}
        self.assertEqual(self.admin.request("PUT", path, {"cur_source": s3}).status, 200)
        granted = statements_by_action(
            self.admin.request("GET", path + "/policies").json["permissions_policy"])
        self.assertEqual(granted["s3:GetObject"], ["arn:aws:s3:::acme-cur/cur/daily/*"])
        self.assertEqual(granted["s3:ListBucket"], ["arn:aws:s3:::acme-cur"])
        self.assertFalse(any(a.startswith(("athena:", "glue:")) for a in granted))
        # The role ARN alone keeps the source.
        role = f"arn:aws:iam::{ACCOUNT}:role/path/costwise"
        kept = self.admin.request("PUT", path, {"role_arn": role})
        self.assertEqual(kept.status, 200, kept.text)
        self.assertEqual(kept.json["cur_source"], s3)

        bad_bodies = [
            {},
            {"role_arn": "arn:aws:iam::123:role/x"},
            {"role_arn": "arn:aws:iam::210987654321:role/costwise"},  # another AWS account
            {"role_arn": f"arn:aws:iam::{ACCOUNT}:user/costwise"},
            {"role_arn": 42},
            {"cur_source": {"s3": {"bucket": "Bad_Bucket", "region": "eu-west-1"}}},
            {"cur_source": {"s3": {"bucket": "acme-cur", "prefix": "a*", "region": "eu-west-1"}}},
            {"cur_source": {"s3": {"bucket": "acme-cur", "region": "mars"}}},
            {"cur_source": {"gcs": {"bucket": "x"}}},
            {"cur_source": {"athena": dict(ATHENA["athena"], output_location="https://x/")}},
            {"cur_source": {"athena": dict(ATHENA["athena"], colour="blue")}},
        ]
        for body in bad_bodies:
            reply = self.admin.request("PUT", path, body)
            self.assertEqual(reply.status, 400, f"{body}: {reply.text}")
            self.assertEqual(reply.json["error"]["code"], "invalid_input")
        self.assertEqual(self.admin.request("GET", path).json["role_arn"], role)

        self.assertEqual(self.admin.request("DELETE", path).status, 204)
        self.assertEqual(self.admin.request("GET", path).status, 404)

    def test_viewers_read_and_other_organisations_get_404(self):
        account = self.create().json
        path = f"/api/cloud-accounts/{account['id']}"
        invitation = self.admin.request("POST", "/api/invitations",
                                        {"email": self.email("viewer"), "role": "viewer"}).json
        viewer = api_harness.Browser(self)
        viewer.request("POST", "/api/invitations/accept",
                       {"token": invitation["token"], "password": api_harness.PASSWORD})
        self.assertEqual(viewer.request("GET", path).status, 200)
        self.assertEqual(viewer.request("GET", path + "/policies").status, 200)
        self.assertEqual(self.create(viewer, account_id="555555555555").status, 403)
        self.assertEqual(viewer.request("PUT", path, {"cur_source": ATHENA}).status, 403)
        self.assertEqual(viewer.request("DELETE", path).status, 403)

        other = api_harness.Browser(self)
        other.sign_up(self.email("other"), self.tenant + "-other")
        self.assertEqual(other.request("GET", "/api/cloud-accounts").json["cloud_accounts"], [])
        for method, suffix, body in (("GET", "", None), ("GET", "/policies", None),
                                     ("PUT", "", {"cur_source": ATHENA}), ("DELETE", "", None)):
            reply = other.request(method, path + suffix, body)
            self.assertEqual(reply.status, 404, f"{method} {suffix}: {reply.text}")
            self.assertNotIn(account["external_id"], reply.text)
        # The same AWS account may be connected by another organisation, with its own External ID.
        theirs = self.create(other)
        self.assertEqual(theirs.status, 201, theirs.text)
        self.assertNotEqual(theirs.json["external_id"], account["external_id"])

    def test_without_a_principal_the_trust_policy_names_a_placeholder(self):
        self.stop_server()
        self.start_server()
        account = self.create().json
        policies = self.admin.request("GET", f"/api/cloud-accounts/{account['id']}/policies").json
        self.assertFalse(policies["principal_configured"])
        self.assertIn("REPLACE", policies["trust_policy"]["Statement"][0]["Principal"]["AWS"])
        self.stop_server()
        bad = harness.costwise("--db", self.db, "serve", "--port", "0", "--aws-principal-arn",
                               "arn:aws:iam::1:root", check=False, timeout=30)
        self.assertNotEqual(bad.returncode, 0)
        self.assertIn("--aws-principal-arn", bad.stdout + bad.stderr)


if __name__ == "__main__":
    harness.run_main([CloudAccountsTest])
