#!/usr/bin/env python3
"""End-to-end test of right-sizing a tenant through the store, on both database backends:
`costwise inventory import` and `costwise metrics import` load the files of the file mode (twice
changes nothing), `costwise rightsize --tenant` gives the file mode's findings and stores the
recommendations with their AWS CLI commands and Terraform change, `costwise recommendations`
lists them and records decisions that survive a re-run, a bad row stores nothing, and a second
tenant sees none of the first's rows."""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../support"))
import harness  # noqa: E402
from fleets import RIGHTSIZE_DAYS as DAYS, write_fleet  # noqa: E402


class RightsizeTenantTest(harness.BackendTestCase):

    def setUp(self):
        super().setUp()
        self.files = write_fleet(self.tmp)

    def run_costwise(self, *args, check=True):
        return harness.costwise("--db", self.db, *args, check=check)

    def import_all(self, tenant=None):
        tenant = tenant or self.tenant
        inventory = self.run_costwise("inventory", "import", "--tenant", tenant,
                                      self.files["inventory"], self.files["volumes"],
                                      self.files["addresses"]).stdout
        metrics = self.run_costwise("metrics", "import", "--tenant", tenant,
                                    self.files["metrics"]).stdout
        return inventory, metrics

    def rightsize(self, tenant=None, check=True):
        result = self.run_costwise("rightsize", "--tenant", tenant or self.tenant, "--format",
                                   "json", check=check)
        return json.loads(result.stdout) if check else result

    def listed(self, *args, tenant=None):
        result = self.run_costwise("recommendations", "list", "--tenant", tenant or self.tenant,
                                   "--format", "json", *args)
        return json.loads(result.stdout)["recommendations"]

    def test_import_twice_changes_nothing(self):
        inventory, metrics = self.import_all()
        self.assertIn(": instances, 5 rows", inventory)
        self.assertIn("instances 5 (5 added, 0 changed, 0 unchanged, 0 removed)", inventory)
        self.assertIn("volumes 2 (2 added", inventory)
        self.assertIn("addresses 2 (2 added", inventory)
        samples = DAYS * 288 * 7 + 288
        self.assertIn(f"imported {samples} samples of 4 instances", metrics)
        self.assertIn(f"{samples} new, 0 updated, 0 unchanged", metrics)
        first = self.rightsize()

        inventory, metrics = self.import_all()
        self.assertIn("instances 5 (0 added, 0 changed, 5 unchanged, 0 removed)", inventory)
        self.assertIn("volumes 2 (0 added, 0 changed, 2 unchanged, 0 removed)", inventory)
        self.assertIn(f"0 new, 0 updated, {samples} unchanged", metrics)
        again = self.rightsize()
        for report in (first, again):
            del report["timings"]
        self.assertEqual(again, first)
        self.assertEqual(len(self.listed("--status", "all")), 5)

        # A new snapshot of the instances replaces them: i-off is gone, i-big changed type.
        with open(self.files["inventory"], encoding="utf-8") as source:
            lines = [line for line in source if not line.startswith("i-off")]
        lines = [line.replace("i-big,m5.4xlarge", "i-big,m5.2xlarge") for line in lines]
        harness.write(self.files["inventory"], "".join(lines))
        out = self.run_costwise("inventory", "import", "--tenant", self.tenant,
                                self.files["inventory"]).stdout
        self.assertIn("instances 4 (0 added, 1 changed, 3 unchanged, 1 removed)", out)
        self.assertNotIn("volumes", out.splitlines()[-1])
        report = self.rightsize()
        self.assertEqual(report["skipped"], [])
        self.assertEqual(len(report["idle_resources"]), 2)  # volumes and addresses kept

    def test_same_findings_as_the_file_mode(self):
        self.import_all()
        stored = self.rightsize()
        files = json.loads(harness.costwise(
            "rightsize", "--inventory", self.files["inventory"], "--metrics",
            self.files["metrics"], "--volumes", self.files["volumes"], "--addresses",
            self.files["addresses"], "--format", "json").stdout)
        del stored["timings"], files["timings"]
        self.assertEqual(stored, files)

        by_id = {item["instance_id"]: item for item in stored["instances"]}
        self.assertEqual(by_id["i-big"]["finding"], "over-provisioned")
        self.assertEqual(by_id["i-idle"]["finding"], "idle")
        best = by_id["i-big"]["options"][0]["type"]
        self.assertEqual(by_id["i-big"]["actions"]["aws_cli"][-4:], [
            "aws ec2 stop-instances --region us-east-1 --instance-ids i-big",
            "aws ec2 wait instance-stopped --region us-east-1 --instance-ids i-big",
            "aws ec2 modify-instance-attribute --region us-east-1 --instance-id i-big "
            f"--instance-type Value={best}",
            "aws ec2 start-instances --region us-east-1 --instance-ids i-big"])
        self.assertIn(f'  instance_type = "{best}" # was m5.4xlarge (costwise)\n}}\n',
                      by_id["i-big"]["actions"]["terraform"])
        self.assertEqual(by_id["i-idle"]["actions"]["aws_cli"][0],
                         "aws ec2 stop-instances --region us-east-1 --instance-ids i-idle")
        self.assertIn('resource "aws_ec2_instance_state" "batch-1"',
                      by_id["i-idle"]["actions"]["terraform"])
        self.assertIsNone(by_id["i-new"]["actions"])
        idle = {item["id"]: item for item in stored["idle_resources"]}
        self.assertEqual(idle["vol-free"]["actions"]["aws_cli"][-1],
                         "aws ec2 delete-volume --region us-east-1 --volume-id vol-free")
        self.assertEqual(idle["eipalloc-free"]["actions"]["aws_cli"],
                         ["aws ec2 release-address --region us-east-1 --allocation-id "
                          "eipalloc-free"])

        # Stored: the idle, over- and under-provisioned instances, the volume and the address,
        # with the report's actions and the model version.
        recommendations = {r["resource_id"]: r for r in self.listed()}
        self.assertEqual(sorted(recommendations),
                         ["eipalloc-free", "i-big", "i-hot", "i-idle", "vol-free"])
        big = recommendations["i-big"]
        self.assertEqual(big["action"], "resize")
        self.assertEqual(big["recommended_type"], best)
        self.assertEqual(big["status"], "open")
        self.assertEqual(big["model_version"], "rightsizing/1")
        # Stored exactly (nanos); the report rounds to cents.
        self.assertAlmostEqual(float(big["monthly_savings"]),
                               by_id["i-big"]["options"][0]["monthly_savings"], delta=0.005)
        self.assertRegex(big["monthly_savings"], r"^\d+\.\d{9}$")
        self.assertEqual(big["actions"], by_id["i-big"]["actions"])
        self.assertEqual(big["options"], by_id["i-big"]["options"])
        self.assertEqual(recommendations["vol-free"]["actions"], idle["vol-free"]["actions"])
        shown = self.run_costwise("recommendations", "show", "--tenant", self.tenant, "--id",
                                  str(big["id"])).stdout
        self.assertIn("AWS CLI:\n", shown)
        self.assertIn(f"--instance-type Value={best}", shown)
        self.assertIn("Terraform:\n", shown)

    def test_a_dismissal_survives_a_rerun(self):
        self.import_all()
        self.rightsize()
        recommendations = {r["resource_id"]: r for r in self.listed()}
        big, volume = recommendations["i-big"], recommendations["vol-free"]
        out = self.run_costwise("recommendations", "dismiss", "--tenant", self.tenant, "--id",
                                str(big["id"])).stdout
        self.assertIn(f"recommendation {big['id']} of tenant '{self.tenant}'", out)
        self.assertIn("dismissed", out)
        self.run_costwise("recommendations", "snooze", "--tenant", self.tenant, "--id",
                          str(volume["id"]), "--until", "2099-01-01")

        result = self.run_costwise("rightsize", "--tenant", self.tenant)
        self.assertIn("i-big", result.stdout)
        self.assertIn("3 open, 1 dismissed, 1 snoozed, 0 applied", result.stderr)
        everything = {r["resource_id"]: r for r in self.listed("--status", "all")}
        self.assertEqual(len(everything), 5)
        self.assertEqual(everything["i-big"]["id"], big["id"])
        self.assertEqual(everything["i-big"]["status"], "dismissed")
        self.assertEqual(everything["vol-free"]["status"], "snoozed")
        self.assertEqual(everything["vol-free"]["snoozed_until"], "2099-01-01T00:00:00Z")
        self.assertEqual(everything["i-idle"]["id"], recommendations["i-idle"]["id"])
        self.assertNotIn("i-big", {r["resource_id"] for r in self.listed()})
        self.assertEqual([r["resource_id"] for r in self.listed("--status", "dismissed")],
                         ["i-big"])
        self.run_costwise("recommendations", "reopen", "--tenant", self.tenant, "--id",
                          str(big["id"]))
        self.assertIn("i-big", {r["resource_id"] for r in self.listed()})
        table = self.run_costwise("recommendations", "list", "--tenant", self.tenant,
                                  "--status", "all").stdout
        self.assertIn("snoozed to 2099-01-01", table)

    def test_a_bad_row_stores_nothing(self):
        self.import_all()
        before = self.rightsize()
        del before["timings"]
        bad_volumes = harness.write(self.path("bad_volumes.csv"), (
            "volume_id,volume_type,size_gib,iops,throughput_mibps,region,state,"
            "attached_instance_id,tags\n"
            "vol-new,gp3,10,,,us-east-1,available,,\n"
            "vol-bad,gp3,lots,,,us-east-1,available,,\n"))
        new_instances = harness.write(self.path("new_instances.csv"), (
            "instance_id,instance_type,region,platform,state,tags\n"
            "i-other,m5.large,us-east-1,Linux/UNIX,running,\n"))
        result = self.run_costwise("inventory", "import", "--tenant", self.tenant, new_instances,
                                   bad_volumes, check=False)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("bad_volumes.csv:3: size_gib is not a non-negative number: 'lots'",
                      result.stderr)
        bad_metrics = harness.write(self.path("bad_metrics.csv"), (
            "instance_id,timestamp,metric,value\n"
            "i-big,2026-11-01T00:00:00Z,CPUUtilization,90\n"
            "i-big,2026-11-01T00:05:00Z,CPUUtilization,ninety\n"))
        result = self.run_costwise("metrics", "import", "--tenant", self.tenant, bad_metrics,
                                   check=False)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("bad_metrics.csv:3: value is not a number: 'ninety'", result.stderr)
        after = self.rightsize()
        del after["timings"]
        self.assertEqual(after, before)  # neither the instance nor the sample was stored

    def test_a_second_tenant_sees_nothing(self):
        self.import_all()
        self.rightsize()
        mine = self.listed("--status", "all")
        other = self.tenant + "-other"
        result = self.run_costwise("recommendations", "list", "--tenant", other, check=False)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn(f'no tenant named "{other}"', result.stderr)
        result = self.run_costwise("rightsize", "--tenant", other, check=False)
        self.assertNotEqual(result.returncode, 0)

        # The other tenant's own inventory: one instance that shares an id with ours.
        inventory = harness.write(self.path("other.csv"), (
            "instance_id,instance_type,region,platform,state,tags\n"
            "i-big,m5.large,us-east-1,Linux/UNIX,running,\n"))
        self.run_costwise("inventory", "import", "--tenant", other, inventory)
        result = self.run_costwise("rightsize", "--tenant", other, check=False)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("insufficient-data", result.stdout)  # no metrics of its own
        self.assertNotIn("vol-free", result.stdout)
        self.assertEqual(self.listed(tenant=other), [])
        self.assertEqual(self.listed("--status", "all", tenant=other), [])
        result = self.run_costwise("recommendations", "dismiss", "--tenant", other, "--id",
                                   str(mine[0]["id"]), check=False)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn(f"tenant '{other}' has no recommendation {mine[0]['id']}", result.stderr)
        self.assertEqual(self.listed("--status", "all"), mine)

    def test_usage_errors(self):
        both = harness.costwise("--db", self.db, "rightsize", "--tenant", self.tenant,
                                "--inventory", self.files["inventory"], check=False)
        self.assertEqual(both.returncode, 2)
        self.assertIn("either --tenant NAME", both.stderr)
        neither = harness.costwise("--db", self.db, "rightsize", check=False)
        self.assertEqual(neither.returncode, 2)
        self.assertIn("rightsize needs --tenant NAME, or --inventory", neither.stderr)
        no_metrics = harness.costwise("rightsize", "--inventory", self.files["inventory"],
                                      check=False)
        self.assertEqual(no_metrics.returncode, 2)
        missing = harness.costwise("--db", self.db, "inventory", "import", "--tenant",
                                   self.tenant, check=False)
        self.assertNotEqual(missing.returncode, 0)


if __name__ == "__main__":
    harness.run_main([RightsizeTenantTest])
