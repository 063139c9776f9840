#!/usr/bin/env python3
"""End-to-end test of `costwise anomalies score`, the contract the NAB evaluation uses: a
timestamp,value CSV in; timestamp,value,anomaly_score,is_anomaly out, one row per input row with
the input's own text; streaming semantics (cutting the input after row k changes no earlier
output row); a planted spike found; clear errors for bad input."""
import csv
import math
import os
import random
import sys
import tempfile
import unittest
from datetime import datetime, timedelta

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../support"))
import harness  # noqa: E402

NAB_FILE = os.path.join(os.environ.get("COSTWISE_SHARED_DATA_DIR", "../shared/data"), "nab-aws",
                        "rds_cpu_utilization_e47b3b.csv")


class AnomaliesScoreCliTest(unittest.TestCase):

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)

    def path(self, name):
        return os.path.join(self.tmp.name, name)

    def write_series(self, name, rows, header="timestamp,value"):
        with open(self.path(name), "w", encoding="utf-8") as out:
            out.write(header + "\n")
            for row in rows:
                out.write(",".join(row) + "\n")
        return self.path(name)

    def score(self, input_path, output_name, *extra):
        harness.costwise("anomalies", "score", "--input", input_path, "--output",
                         self.path(output_name), *extra)
        with open(self.path(output_name), encoding="utf-8", newline="") as scores:
            return list(csv.reader(scores))

    def hourly_series(self, hours, spike_at=None):
        generator = random.Random(11)
        start = datetime(2024, 3, 4)
        rows = []
        for hour in range(hours):
            value = 50 + 20 * math.sin(2 * math.pi * (hour % 24) / 24) + generator.gauss(0, 1)
            if hour == spike_at:
                value += 60
            stamp = (start + timedelta(hours=hour)).strftime("%Y-%m-%d %H:%M:%S")
            rows.append((stamp, f"{value:.3f}"))
        return rows

    def test_contract_on_a_real_nab_file(self):
        rows = self.score(NAB_FILE, "out.csv")
        with open(NAB_FILE, encoding="utf-8", newline="") as source:
            original = list(csv.reader(source))
        self.assertEqual(rows[0], ["timestamp", "value", "anomaly_score", "is_anomaly"])
        self.assertEqual(len(rows), len(original))
        for mine, theirs in zip(rows[1:], original[1:]):
            self.assertEqual(mine[:2], theirs)  # timestamps and values echoed as written
            self.assertTrue(0 <= float(mine[2]) <= 1)
            self.assertIn(mine[3], ("0", "1"))

    def test_cutting_the_input_changes_no_earlier_row(self):
        with open(NAB_FILE, encoding="utf-8") as source:
            lines = source.read().splitlines()
        full = self.score(NAB_FILE, "full.csv")
        for cut in (5, 300, 1000, 2700):
            prefix = self.path(f"prefix{cut}.csv")
            with open(prefix, "w", encoding="utf-8") as out:
                out.write("\n".join(lines[:cut + 1]) + "\n")
            part = self.score(prefix, f"part{cut}.csv")
            self.assertEqual(part, full[:cut + 1], f"cut after row {cut}")

    def test_finds_a_planted_spike(self):
        series = self.write_series("spike.csv", self.hourly_series(24 * 21, spike_at=24 * 18 + 5))
        rows = self.score(series, "spike_out.csv", "--details")
        self.assertEqual(rows[0][4:], ["expected", "lower", "upper", "z", "level_shift", "ongoing"])
        flagged = [i - 1 for i, row in enumerate(rows[1:], start=1) if row[3] == "1"]
        self.assertIn(24 * 18 + 5, flagged)
        self.assertLessEqual(len(flagged), 3, flagged)

    def test_errors_say_what_and_where(self):
        cases = [
            ("noheader.csv", "time,amount", [("2024-01-01", "1")], "timestamp and value"),
            ("badtime.csv", "timestamp,value", [("2024-01-01", "1"), ("yesterday", "2")],
             "badtime.csv:3: timestamp"),
            ("badvalue.csv", "timestamp,value", [("2024-01-01", "1"), ("2024-01-02", "n/a")],
             "badvalue.csv:3: value"),
            ("backwards.csv", "timestamp,value", [("2024-01-02", "1"), ("2024-01-01", "2")],
             "earlier than the row before"),
        ]
        for name, header, rows, message in cases:
            path = self.write_series(name, rows, header)
            result = harness.costwise("anomalies", "score", "--input", path, "--output",
                                      self.path("x.csv"), check=False)
            self.assertNotEqual(result.returncode, 0, name)
            self.assertIn(message, result.stderr, name)


if __name__ == "__main__":
    unittest.main()
