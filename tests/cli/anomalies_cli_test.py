#!/usr/bin/env python3
"""End-to-end test of `costwise anomalies detect|list|feedback` on both database backends: a
generated FOCUS export of three months of a small fleet with steady daily spend, noise and a
weekly pattern, and one GPU instance that appears for two days, making the total five times its
usual and then more (a growing spike, so that the second day is no mere level shift). Detection
finds the spike and names the instance as its root cause with its exact cost; list shows it with
its root causes; feedback is recorded; detecting again adds nothing."""
import json
import os
import sys
from decimal import Decimal

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../support"))
import harness  # noqa: E402
from fleets import fleet_export, spike_spend  # noqa: E402


class AnomaliesTest(harness.BackendTestCase):

    def setUp(self):
        super().setUp()
        self.ingest(harness.write(self.path("fleet.csv"), fleet_export()))

    def anomalies(self, *args, tenant=None, check=True):
        return harness.costwise("--db", self.db, "anomalies", *args, "--tenant",
                                tenant or self.tenant, check=check)

    def listed(self, *args):
        return json.loads(self.anomalies("list", "--format", "json", *args).stdout)["anomalies"]

    def total_anomaly(self):
        totals = [a for a in self.listed("--status", "all") if a["monitor"]["dimension"] == "total"]
        self.assertEqual(len(totals), 1, totals)
        return totals[0]

    def test_detect_finds_the_spike_and_its_root_cause(self):
        out = self.anomalies("detect").stdout
        self.assertRegex(out, r"scanned \d+ monitors of tenant '.*' from 2024-06-04 to 2024-09-01")
        self.assertIn("total", out)
        self.assertIn("resource=i-0spike (+", out)

        anomaly = self.total_anomaly()
        self.assertEqual(anomaly["start_date"], "2024-08-20")
        self.assertIn(anomaly["end_date"], ("2024-08-20", "2024-08-21"))
        planted = spike_spend(anomaly["start_date"], anomaly["end_date"])
        self.assertIn(f"resource=i-0spike (+{planted:.2f})", out)
        self.assertEqual(anomaly["status"], "closed")
        self.assertEqual(anomaly["model_version"], "series-detector/1")
        self.assertEqual(Decimal(anomaly["impact"]),
                         Decimal(anomaly["actual_spend"]) - Decimal(anomaly["expected_spend"]))
        self.assertGreater(Decimal(anomaly["impact"]), planted * Decimal("0.9"))
        self.assertGreater(anomaly["impact_percent"], 300)
        self.assertIn(anomaly["severity"], ("high", "critical"))
        self.assertEqual(anomaly["top_root_cause"],
                         {"dimension": "resource", "value": "i-0spike",
                          "impact": f"{planted:.9f}"})
        causes = {(c["dimension"], c["value"]) for c in anomaly["root_causes"]}
        for expected in [("resource", "i-0spike"), ("account", "222233334444"),
                         ("usage-type", "BoxUsage:p3.8xlarge"), ("region", "eu-west-1"),
                         ("tag:team", "ml")]:
            self.assertIn(expected, causes)
        impacts = [Decimal(c["impact"]) for c in anomaly["root_causes"]]
        self.assertEqual(impacts, sorted(impacts, reverse=True))
        self.assertEqual(anomaly["feedback"], {"verdict": "none", "note": "", "at": None})

    def test_detecting_again_adds_nothing(self):
        first = json.loads(self.anomalies("detect", "--format", "json").stdout)
        self.assertGreater(first["new"], 0)
        second = json.loads(self.anomalies("detect", "--format", "json").stdout)
        self.assertEqual((second["new"], second["extended"], second["updated"]), (0, 0, 0))
        self.assertEqual(second["unchanged"], len(first["anomalies"]))
        self.assertEqual(sorted(a["id"] for a in second["anomalies"]),
                         sorted(a["id"] for a in first["anomalies"]))

    def test_feedback_is_recorded_and_checked(self):
        self.anomalies("detect")
        anomaly = self.total_anomaly()
        out = self.anomalies("feedback", "--id", str(anomaly["id"]), "--verdict", "no",
                             "--note", "GPU load test").stdout
        self.assertIn(f"anomaly {anomaly['id']}", out)
        self.assertIn("feedback no", out)
        feedback = self.total_anomaly()["feedback"]
        self.assertEqual((feedback["verdict"], feedback["note"]), ("no", "GPU load test"))
        self.assertRegex(feedback["at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")

        other = self.anomalies("feedback", "--id", str(anomaly["id"]), "--verdict", "yes",
                               tenant=self.tenant + "-other", check=False)
        self.assertNotEqual(other.returncode, 0)
        self.assertIn("no tenant named", other.stderr)
        harness.costwise("--db", self.db, "ingest", "--tenant", self.tenant + "-other",
                         self.path("fleet.csv"))
        foreign = self.anomalies("feedback", "--id", str(anomaly["id"]), "--verdict", "yes",
                                 tenant=self.tenant + "-other", check=False)
        self.assertNotEqual(foreign.returncode, 0)
        self.assertIn(f"has no anomaly {anomaly['id']}", foreign.stderr)
        bad = self.anomalies("feedback", "--id", str(anomaly["id"]), "--verdict", "maybe",
                             check=False)
        self.assertEqual(bad.returncode, 2)
        self.assertEqual(self.total_anomaly()["feedback"]["verdict"], "no")

    def test_list_filters_by_status_and_prints_a_table(self):
        self.anomalies("detect")
        self.assertTrue(all(a["status"] == "open" for a in self.listed()))
        self.assertTrue(all(a["status"] == "closed" for a in self.listed("--status", "closed")))
        table = self.anomalies("list", "--status", "all").stdout
        header = table.splitlines()[0].split()
        self.assertEqual(header[:3], ["id", "monitor", "start"])
        self.assertIn("top root cause", table.splitlines()[0])
        self.assertRegex(table, r"\n *\d+  total +2024-08-20  2024-08-2[01] ")


if __name__ == "__main__":
    harness.run_main([AnomaliesTest])
