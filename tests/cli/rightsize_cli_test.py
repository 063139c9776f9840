#!/usr/bin/env python3
"""End-to-end test of `costwise rightsize --inventory INV.csv --metrics METRICS.csv`: the file
mode that needs no AWS account. Generated instances with known loads get the expected findings
and options with the built-in catalog's prices; bad input gets a clear error."""
import json
import os
import random
import sys
import tempfile
import unittest
from datetime import datetime, timedelta

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../support"))
import harness  # noqa: E402

END = datetime(2026, 11, 1)
DAYS = 14


class RightsizeCliTest(unittest.TestCase):

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        self.inventory = os.path.join(self.tmp.name, "inventory.csv")
        self.metrics = os.path.join(self.tmp.name, "metrics.csv")
        generator = random.Random(5)
        with open(self.inventory, "w", encoding="utf-8") as out:
            out.write("instance_id,instance_type,region,platform,state,tags\n")
            out.write('i-idle,m5.xlarge,us-east-1,Linux/UNIX,running,"{""team"": ""data""}"\n')
            out.write("i-big,m5.4xlarge,us-east-1,Linux/UNIX,running,\n")
            out.write("i-hot,c5.large,us-east-1,Linux/UNIX,running,\n")
            out.write("i-new,m5.large,us-east-1,Linux/UNIX,running,\n")
            out.write("i-off,m5.large,us-east-1,Linux/UNIX,stopped,\n")
        with open(self.metrics, "w", encoding="utf-8") as out:
            out.write("instance_id,timestamp,metric,value\n")
            start = END - timedelta(days=DAYS)
            for step in range(DAYS * 288):
                t = (start + timedelta(minutes=5 * step)).strftime("%Y-%m-%dT%H:%M:%SZ")
                out.write(f"i-idle,{t},CPUUtilization,{0.5 + generator.random() * 0.3:.3f}\n")
                out.write(f"i-idle,{t},NetworkIn,{generator.randint(50, 150)}\n")
                out.write(f"i-idle,{t},NetworkOut,{generator.randint(50, 150)}\n")
                out.write(f"i-big,{t},CPUUtilization,{2 + generator.random():.3f}\n")
                out.write(f"i-big,{t},mem_used_percent,{9 + generator.random():.3f}\n")
                out.write(f"i-big,{t},NetworkIn,{generator.randint(500000, 1500000)}\n")
                out.write(f"i-hot,{t},CPUUtilization,{96 + 2 * generator.random():.3f}\n")
                if step >= (DAYS - 1) * 288:
                    out.write(f"i-new,{t},CPUUtilization,40\n")

    def rightsize(self, *extra, check=True):
        return harness.costwise("rightsize", "--inventory", self.inventory, "--metrics",
                                self.metrics, *extra, check=check)

    def test_findings_and_options_from_files(self):
        report = json.loads(self.rightsize("--format", "json").stdout)
        self.assertEqual(report["lookback_days"], 14)
        self.assertEqual(report["lookback_end"], "2026-11-01T00:00:00Z")  # after the last sample
        self.assertIn("2026-07-20", report["catalog"])
        self.assertEqual(report["skipped"], ["i-off (stopped)"])
        by_id = {item["instance_id"]: item for item in report["instances"]}
        self.assertEqual(list(by_id), ["i-idle", "i-big", "i-hot", "i-new"])

        idle = by_id["i-idle"]
        self.assertEqual(idle["finding"], "idle")
        self.assertEqual(idle["options"][0]["type"], "stop")
        self.assertEqual(idle["current_monthly_cost"], 140.16)  # 0.192 x 730
        self.assertEqual(idle["options"][0]["monthly_savings"], 140.16)

        big = by_id["i-big"]
        self.assertEqual(big["finding"], "over-provisioned")
        self.assertEqual(big["current_monthly_cost"], 560.64)  # 0.768 x 730
        best = big["options"][0]
        # 3% of 16 vCPUs fits one Graviton2 vCPU at 48% and 10% of 64 GiB fits 8 GiB at 80%
        # (r6g.medium, risk 3); a Graviton4 x8g.medium holds them at 32% and 40% (risk 0) and
        # comes first: riskier options rank after those at medium risk or less.
        self.assertEqual(best["type"], "x8g.medium")
        self.assertEqual(best["monthly_savings"], 489.32)  # (0.768 - 0.0977) x 730
        self.assertEqual(best["performance_risk"], 0)
        self.assertEqual([option["type"] for option in big["options"]],
                         ["x8g.medium", "r6g.large", "r7g.large"])
        self.assertEqual(best["migration_effort"], "medium")
        self.assertLessEqual(best["projected_mem_p99"], 80)
        self.assertLessEqual(best["projected_cpu_p99_5"], 80)
        self.assertLessEqual(len(big["options"]), 3)
        self.assertGreater(big["confidence"], 0.8)
        self.assertIn("switch from m5.4xlarge to x8g.medium, save $489.32/month", big["summary"])

        hot = by_id["i-hot"]
        self.assertEqual(hot["finding"], "under-provisioned")
        self.assertGreater(hot["profile"]["cpu"]["p99_5"], 95)
        # A Graviton4 c8g.large does 2 x 1.5 baseline vCPUs: 98% of 2 becomes 65% (risk 2) for
        # less; a Graviton3 c7g.large (78%, risk 3) would save more at a higher risk.
        self.assertEqual(hot["options"][0]["type"], "c8g.large")
        self.assertEqual(hot["options"][0]["monthly_savings"], 3.83)  # (0.085 - 0.07976) x 730
        self.assertLessEqual(hot["options"][0]["projected_cpu_p99_5"], 80)
        self.assertIn("move c5.large to c8g.large, save $3.83/month", hot["summary"])

        new = by_id["i-new"]
        self.assertEqual(new["finding"], "insufficient-data")
        self.assertEqual(new["options"], [])
        self.assertEqual(new["profile"]["hours_with_data"], 24)

        # Over-provisioned and idle instances count; the under-provisioned one is a fix.
        self.assertEqual(report["monthly_savings"], round(140.16 + 489.32, 2))

    def test_table_output(self):
        text = self.rightsize().stdout
        self.assertIn("right-sizing 4 instances over the 14 days to 2026-10-31", text)
        self.assertIn("i-big", text)
        self.assertIn("over-provisioned", text)
        self.assertIn("skipped i-off (stopped)", text)
        self.assertIn("potential savings: $629.48/month", text)

    def test_unattached_volumes_and_free_addresses_are_idle(self):
        volumes = os.path.join(self.tmp.name, "volumes.csv")
        addresses = os.path.join(self.tmp.name, "addresses.csv")
        with open(volumes, "w", encoding="utf-8") as out:
            out.write("volume_id,volume_type,size_gib,iops,throughput_mibps,region,state,"
                      "attached_instance_id,tags\n")
            out.write("vol-big,gp3,500,6000,250,us-east-1,available,,\n")    # 40 + 15 + 5
            out.write("vol-used,gp3,500,3000,125,us-east-1,in-use,i-big,\n")
            out.write("vol-old,gp2,100,,,us-east-1,available,,\n")           # 10
        with open(addresses, "w", encoding="utf-8") as out:
            out.write("allocation_id,public_ip,region,association_id,instance_id,tags\n")
            out.write("eipalloc-free,203.0.113.7,us-east-1,,,\n")            # 0.005 x 730
            out.write("eipalloc-used,203.0.113.8,us-east-1,eipassoc-1,i-big,\n")
        report = json.loads(self.rightsize("--volumes", volumes, "--addresses", addresses,
                                           "--format", "json").stdout)
        idle = report["idle_resources"]
        self.assertEqual([item["id"] for item in idle], ["vol-big", "vol-old", "eipalloc-free"])
        self.assertEqual([item["monthly_cost"] for item in idle], [60.0, 10.0, 3.65])
        self.assertEqual(idle[0]["kind"], "unattached-volume")
        self.assertEqual(idle[2]["kind"], "unassociated-address")
        self.assertEqual(idle[2]["action"], "release")
        self.assertEqual(report["monthly_savings"], round(140.16 + 489.32 + 73.65, 2))
        text = self.rightsize("--volumes", volumes, "--addresses", addresses).stdout
        self.assertIn("vol-big", text)
        self.assertIn("potential savings: $703.13/month", text)

        with open(volumes, "a", encoding="utf-8") as out:
            out.write("vol-bad,gp3,lots,,,us-east-1,available,,\n")
        result = self.rightsize("--volumes", volumes, check=False)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("volumes.csv:5: size_gib is not a non-negative number: 'lots'", result.stderr)

    def test_workloads_and_timings_are_reported(self):
        report = json.loads(self.rightsize("--format", "json").stdout)
        by_id = {item["instance_id"]: item for item in report["instances"]}
        # Three instances with enough data: too few to cluster, each is named by itself.
        self.assertEqual(report["workloads"]["k"], 0)
        self.assertEqual(by_id["i-idle"]["workload"]["name"], "idle")
        self.assertEqual(by_id["i-hot"]["workload"]["name"], "steady-high")
        self.assertIsNone(by_id["i-hot"]["workload"]["cluster"])
        self.assertEqual(len(by_id["i-hot"]["workload"]["features"]), 6)
        self.assertEqual(by_id["i-new"]["workload"]["name"], "unclassified")
        self.assertEqual(by_id["i-big"]["growth"], {"cpu": 1.0, "memory": 1.0})
        for stage in ("profile_seconds", "cluster_seconds", "recommend_seconds"):
            self.assertGreaterEqual(report["timings"][stage], 0)

    def test_the_sizing_policy_is_configurable(self):
        def options(*flags):
            report = json.loads(self.rightsize("--format", "json", *flags).stdout)
            return {item["instance_id"]: item for item in report["instances"]}["i-big"]["options"]

        self.assertEqual(options()[0]["migration_effort"], "medium")  # Graviton by default
        for option in options("--no-arm64"):
            self.assertNotEqual(option["migration_effort"], "medium")
        for option in options("--same-family"):
            self.assertTrue(option["type"].startswith("m5."), option["type"])
        for option in options("--cpu-target", "20", "--no-burstable"):
            self.assertLessEqual(option["projected_cpu_p99_5"], 20)
            self.assertIsNone(option["credits"])
        self.assertEqual(options("--max-risk", "4")[0]["type"], "r6g.medium")  # cheapest fit
        # One's own measurement: a Graviton4 vCPU worth only half a baseline one. 3% of 16
        # vCPUs (0.48) would be 96% of an x8g.medium: it is no longer the top option.
        performance = os.path.join(self.tmp.name, "performance.csv")
        with open(performance, "w", encoding="utf-8") as out:
            out.write("cpu_manufacturer,generation,factor\naws,8,0.5\n")
        self.assertNotIn("x8g.medium",
                         [option["type"] for option in options("--performance", performance)])
        result = self.rightsize("--cpu-target", "120", check=False)
        self.assertEqual(result.returncode, 2)

    def test_errors_name_the_file_and_line(self):
        with open(self.inventory, "a", encoding="utf-8") as out:
            out.write("i-odd,m5.huge,us-east-1,Linux/UNIX,running,\n")
        result = self.rightsize(check=False)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("inventory.csv:7: instance i-odd: the catalog has no price for m5.huge",
                      result.stderr)
        with open(self.metrics, "a", encoding="utf-8") as out:
            out.write("i-big,yesterday,CPUUtilization,5\n")
        result = self.rightsize(check=False)
        self.assertIn("metrics.csv", result.stderr)
        self.assertIn("timestamp is not a date and time: 'yesterday'", result.stderr)
        result = self.rightsize("--lookback-days", "10", check=False)
        self.assertNotEqual(result.returncode, 0)


if __name__ == "__main__":
    unittest.main()
