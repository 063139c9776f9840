#!/usr/bin/env python3
"""End-to-end test of `costwise sample load` on both database backends: the bundled samples
(data/samples) fill a tenant with both billing samples, the six Bitbrains VMs and their metrics,
and detection, forecast and right-sizing results; loading again changes no total; a missing
samples folder names the file it needs and stores nothing."""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../support"))
import harness  # noqa: E402

SAMPLES = os.path.join(os.path.dirname(__file__), "../../data/samples")


class SampleLoadTest(harness.BackendTestCase):

    def load(self, samples=SAMPLES, check=True):
        return harness.costwise("--db", self.db, "sample", "load", "--tenant", self.tenant,
                                "--samples-dir", samples, check=check)

    def test_loads_every_sample_and_again_changes_no_total(self):
        out = self.load().stdout
        self.assertIn("6 instances with 198088 metric samples", out)
        first = self.costs("--group-by", "provider")
        recommendations = json.loads(harness.costwise(
            "--db", self.db, "recommendations", "list", "--tenant", self.tenant, "--format",
            "json").stdout)["recommendations"]
        self.assertTrue(recommendations)
        self.assertEqual({r["resource_id"] for r in recommendations} - {
            f"i-bitbrains-{vm}" for vm in (17, 42, 116, 167, 228, 244)}, set())
        anomalies = json.loads(harness.costwise(
            "--db", self.db, "anomalies", "list", "--tenant", self.tenant, "--status", "all",
            "--format", "json").stdout)["anomalies"]
        self.assertTrue(anomalies)
        self.load()
        self.assertEqual(self.costs("--group-by", "provider")["totals"], first["totals"])

    def test_a_missing_samples_folder_names_the_file(self):
        result = self.load(samples=self.path("nowhere"), check=False)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("focus_1.0_sample_1000.csv is missing", result.stderr)
        costs = self.costs(check=False)  # the tenant does not exist, or has no rows
        if costs.returncode == 0:
            self.assertEqual(json.loads(costs.stdout)["rows"], [])


if __name__ == "__main__":
    harness.run_main([SampleLoadTest])
