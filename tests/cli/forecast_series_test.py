#!/usr/bin/env python3
"""End-to-end test of `costwise forecast series`, the contract the forecast evaluations use:
ds,y or series_id,ds,y in; series_id,ds,yhat,lo80,hi80,lo95,hi95 out, horizon rows per series
continuing each series' own frequency (daily, hourly, monthly); intervals nested around the
mean; a known pattern forecast; clear errors for bad input."""
import csv
import math
import os
import random
import sys
import tempfile
import unittest
from datetime import date, datetime, timedelta

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../support"))
import harness  # noqa: E402

AIR_PASSENGERS = os.path.join(os.environ.get("COSTWISE_SHARED_DATA_DIR", "../shared/data"),
                              "prophet-examples", "example_air_passengers.csv")


class ForecastSeriesCliTest(unittest.TestCase):

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)

    def path(self, name):
        return os.path.join(self.tmp.name, name)

    def write(self, name, header, rows):
        with open(self.path(name), "w", encoding="utf-8") as out:
            out.write(header + "\n")
            for row in rows:
                out.write(",".join(str(x) for x in row) + "\n")
        return self.path(name)

    def forecast(self, input_path, horizon, *extra, check=True):
        result = harness.costwise("forecast", "series", "--input", input_path, "--horizon",
                                  str(horizon), "--output", self.path("out.csv"), *extra,
                                  check=check)
        if not check:
            return result
        with open(self.path("out.csv"), encoding="utf-8", newline="") as out:
            return list(csv.DictReader(out))

    def daily_spend(self, days, seed=1):
        generator = random.Random(seed)
        start = date(2024, 1, 1)
        rows = []
        for day in range(days):
            weekend = (start + timedelta(days=day)).weekday() >= 5
            value = (600 if weekend else 1000) + 0.5 * day + generator.gauss(0, 10)
            rows.append(((start + timedelta(days=day)).isoformat(), round(value, 2)))
        return rows

    def test_daily_series_continues_by_day_with_nested_intervals(self):
        rows = self.daily_spend(200)
        out = self.forecast(self.write("daily.csv", "ds,y", rows), 30)
        self.assertEqual(len(out), 30)
        self.assertEqual(list(out[0].keys()),
                         ["series_id", "ds", "yhat", "lo80", "hi80", "lo95", "hi95"])
        self.assertEqual(out[0]["series_id"], "")
        self.assertEqual(out[0]["ds"], "2024-07-19")  # the day after the last (2024-07-18)
        self.assertEqual(out[-1]["ds"], "2024-08-17")
        for row in out:
            lo95, lo80, yhat, hi80, hi95 = (float(row[k]) for k in
                                            ("lo95", "lo80", "yhat", "hi80", "hi95"))
            self.assertLessEqual(lo95, lo80)
            self.assertLess(lo80, yhat)
            self.assertLess(yhat, hi80)
            self.assertLessEqual(hi80, hi95)
            day = datetime.strptime(row["ds"], "%Y-%m-%d").date()
            expected = (600 if day.weekday() >= 5 else 1000) + 0.5 * (day - date(2024, 1, 1)).days
            self.assertLess(abs(float(row["yhat"]) - expected), 40, row)

    def test_many_series_in_one_file_each_in_its_own_frequency(self):
        rows = [("spend", d, y) for d, y in self.daily_spend(60)]
        start = datetime(2024, 5, 1)
        generator = random.Random(3)
        for hour in range(24 * 14):
            value = 50 + 20 * math.sin(2 * math.pi * hour / 24) + generator.gauss(0, 1)
            rows.append(("cpu", (start + timedelta(hours=hour)).strftime("%Y-%m-%d %H:%M:%S"),
                         round(value, 3)))
        out = self.forecast(self.write("many.csv", "series_id,ds,y", rows), 48, "--levels", "90")
        self.assertEqual(list(out[0].keys()), ["series_id", "ds", "yhat", "lo90", "hi90"])
        spend = [r for r in out if r["series_id"] == "spend"]
        cpu = [r for r in out if r["series_id"] == "cpu"]
        self.assertEqual((len(spend), len(cpu)), (48, 48))
        self.assertEqual(out[0]["series_id"], "spend")  # input order
        self.assertEqual(cpu[0]["ds"], "2024-05-15 00:00:00")
        self.assertEqual(cpu[1]["ds"], "2024-05-15 01:00:00")
        # The daily cycle carries on: 6 am (the peak) above 6 pm (the trough).
        self.assertGreater(float(cpu[6]["yhat"]) - float(cpu[18]["yhat"]), 30)

    def test_monthly_series_continue_by_calendar_month(self):
        out = self.forecast(AIR_PASSENGERS, 12, "--report", self.path("report.csv"))
        self.assertEqual([r["ds"] for r in out[:3]], ["1961-01-01", "1961-02-01", "1961-03-01"])
        # Summer peaks above the winter trough, as every year of the history.
        self.assertGreater(float(out[6]["yhat"]), float(out[10]["yhat"]))
        with open(self.path("report.csv"), encoding="utf-8", newline="") as report:
            rows = list(csv.DictReader(report))
        self.assertEqual(len(rows), 1)
        self.assertEqual(rows[0]["frequency"], "monthly")
        self.assertGreater(int(rows[0]["backtest_points"]), 0)
        self.assertGreater(float(rows[0]["backtest_mase"]), 0)

    def test_missing_days_and_empty_values_are_gaps(self):
        rows = self.daily_spend(90)
        del rows[40:45]
        rows[50] = (rows[50][0], "")
        out = self.forecast(self.write("gaps.csv", "ds,y", rows), 7)
        self.assertEqual(len(out), 7)
        self.assertTrue(all(math.isfinite(float(r["yhat"])) for r in out))

    def test_bad_input_gets_a_clear_error(self):
        bad_value = self.write("bad.csv", "ds,y", [("2024-01-01", 1), ("2024-01-02", "abc")])
        result = self.forecast(bad_value, 3, check=False)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("bad.csv:3: y is not a number", result.stderr)
        no_column = self.write("nocol.csv", "date,value", [("2024-01-01", 1)])
        result = self.forecast(no_column, 3, check=False)
        self.assertIn("needs the columns ds and y", result.stderr)
        split = self.write("split.csv", "series_id,ds,y",
                           [("a", "2024-01-01", 1), ("b", "2024-01-01", 1), ("a", "2024-01-02", 2)])
        result = self.forecast(split, 3, check=False)
        self.assertIn("series 'a' appears again", result.stderr)
        short = self.write("short.csv", "series_id,ds,y", [("tiny", "2024-01-01", 1),
                                                           ("tiny", "2024-01-02", 2)])
        result = self.forecast(short, 3, check=False)
        self.assertIn("series 'tiny' (from line 2)", result.stderr)
        result = self.forecast(self.write("ok.csv", "ds,y", self.daily_spend(30)), 3, "--levels",
                               "80,120", check=False)
        self.assertIn("120", result.stderr)


if __name__ == "__main__":
    unittest.main()
