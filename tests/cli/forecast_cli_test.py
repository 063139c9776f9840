#!/usr/bin/env python3
"""End-to-end test of `costwise forecast --tenant NAME --horizon 30|60|90 [--group-by DIM]` on
both database backends: a generated FOCUS export of four months of a small fleet (steady daily
spend with a weekly pattern and noise) that ends yesterday, so that this month's and (for long
enough horizons) this quarter's spend are projected. The table names every series and period;
the JSON's groups add up to the total on every day, the month projection is the month-to-date
spend plus the remaining forecast, and the accuracy comes with the model version. The CUR sample
(two weeks, the minimum) forecasts too; bad requests fail with a reason."""
import csv
import io
import json
import os
import random
import re
import sys
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../support"))
import harness  # noqa: E402
from fleets import HEADER, focus_row  # noqa: E402

DAYS = 120
LAST_DAY = datetime.now(timezone.utc).date() - timedelta(days=1)
FIRST_DAY = LAST_DAY - timedelta(days=DAYS - 1)

# account, service, region, usage type, resource id, weekday daily cost, tags
FLEET = [
    ("111122223333", "Amazon EC2", "us-east-1", "BoxUsage:m5.large", "i-0web", Decimal(120),
     {"team": "web"}),
    ("111122223333", "Amazon S3", "us-east-1", "TimedStorage-ByteHrs", "logs-bucket", Decimal(30),
     {"team": "web"}),
    ("222233334444", "Amazon RDS", "eu-west-1", "InstanceUsage:db.r5.large", "db-main",
     Decimal(25), {"team": "data"}),
    ("222233334444", "AWS Lambda", "eu-west-1", "Request", "fn-etl", Decimal(4), {}),
    ("333344445555", "Amazon SQS", "us-west-2", "Requests-Tier1", "queue-1", Decimal(2), {}),
]


def fleet_export(first_day, days):
    """The export and each day's total spend."""
    generator = random.Random(3)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    spend = {}
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        weekday_factor = Decimal("0.5") if day.weekday() >= 5 else Decimal(1)
        for resource in FLEET:
            noise = Decimal(str(round(generator.uniform(0.98, 1.02), 4)))
            cost = resource[5] * weekday_factor * noise
            writer.writerow(focus_row(resource, day, cost))
            spend[day] = spend.get(day, Decimal(0)) + cost
    return out.getvalue(), spend


def quarter_end(day):
    last_month = (day.month - 1) // 3 * 3 + 3
    start = date(day.year, last_month, 1)
    return (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)


class ForecastCliTest(harness.BackendTestCase):

    def setUp(self):
        super().setUp()
        text, self.spend = fleet_export(FIRST_DAY, DAYS)
        self.ingest(harness.write(self.path("fleet.csv"), text))

    def forecast(self, *args, tenant=None, check=True):
        return harness.costwise("--db", self.db, "forecast", "--tenant", tenant or self.tenant,
                                *args, check=check)

    def forecast_json(self, *args):
        return json.loads(self.forecast("--format", "json", *args).stdout)

    def test_table_by_service(self):
        out = self.forecast("--horizon", "30", "--group-by", "service", "--top", "2").stdout
        lines = out.splitlines()
        self.assertIn(f"cost forecast of tenant '{self.tenant}' by service: 30 days, "
                      f"{LAST_DAY + timedelta(days=1)} .. {LAST_DAY + timedelta(days=30)}",
                      lines[0])
        self.assertIn(f"{FIRST_DAY} .. {LAST_DAY} ({DAYS} days); model forecaster/1", lines[1])
        header = next(line for line in lines if line.startswith("series") and "period" in line)
        for column in ("currency", "actual to date", "forecast", "80% range", "95% range"):
            self.assertIn(column, header)
        month_end = (LAST_DAY.replace(day=1) + timedelta(days=32)).replace(day=1) \
            - timedelta(days=1)
        if LAST_DAY == month_end:  # the data ends with the month: the next one is projected
            month_end = (month_end + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        for label in ("total", "service=Amazon EC2", "service=Amazon S3",
                      "service=(other) 3 values"):
            escaped = re.escape(label)
            self.assertRegex(out, rf"\n{escaped} +USD +next 30 days +- +\d+\.\d\d +"
                                  rf"\d+\.\d\d \.\. \d+\.\d\d +\d+\.\d\d \.\. \d+\.\d\d\n")
            self.assertRegex(out, rf"\n{escaped} +USD +month to {month_end} +\d+\.\d\d "
                                  rf"+\d+\.\d\d ")
        model_header = next(line for line in lines if "MAPE %" in line)
        for column in ("model", "backtest days", "sMAPE %", "MASE", "in 80% %", "in 95% %",
                       "reconciliation"):
            self.assertIn(column, model_header)
        self.assertRegex(out, r"\ntotal +USD +\S.* +\d+ +\d+\.\d +\d+\.\d +\d+\.\d\d +\d+\.\d "
                              r"+\d+\.\d +-?\d+\.\d\d\n")

    def test_json_groups_add_up_and_the_month_is_actual_plus_forecast(self):
        report = self.forecast_json("--horizon", "90", "--group-by", "service")
        self.assertEqual(report["tenant"], self.tenant)
        self.assertEqual(report["group_by"], "service")
        self.assertEqual(report["horizon"], 90)
        self.assertEqual(report["as_of"], LAST_DAY.isoformat())
        self.assertEqual(report["history"], {"from": FIRST_DAY.isoformat(),
                                             "to": LAST_DAY.isoformat(), "days": DAYS})
        self.assertEqual(report["model_version"], "forecaster/1")
        self.assertEqual(report["levels"], [80, 95])
        series = report["series"]
        self.assertEqual([s["label"] for s in series],
                         ["total"] + [f"service={f[1]}" for f in FLEET])  # by spend
        total = series[0]
        self.assertEqual(total["kind"], "total")
        self.assertIsNone(total["value"])
        for s in series:
            self.assertEqual(len(s["points"]), 90)
            self.assertEqual(s["currency"], "USD")
            backtest = s["backtest"]
            self.assertGreater(backtest["points"], 0)
            for measure in ("mape", "smape", "mase", "coverage80", "coverage95"):
                self.assertIsInstance(backtest[measure], (int, float), measure)
            for point in s["points"]:
                self.assertLessEqual(Decimal(point["lo95"]), Decimal(point["lo80"]))
                self.assertLessEqual(Decimal(point["lo80"]), Decimal(point["yhat"]))
                self.assertLessEqual(Decimal(point["yhat"]), Decimal(point["hi80"]))
                self.assertLessEqual(Decimal(point["hi80"]), Decimal(point["hi95"]))
        # Reconciled: the services add up to the total on every day, to the nano.
        for h, point in enumerate(total["points"]):
            self.assertEqual(point["date"], (LAST_DAY + timedelta(days=h + 1)).isoformat())
            groups = sum(Decimal(s["points"][h]["yhat"]) for s in series[1:])
            self.assertEqual(groups, Decimal(point["yhat"]), point["date"])
        # The next 30 days are about 30 days of the fleet's spend.
        self.assertEqual([w["days"] for w in total["next_days"]], [30, 60, 90])
        week = sum(f[5] for f in FLEET) * Decimal("6")  # five weekdays and two half days
        thirty = Decimal(total["next_days"][0]["expected"])
        self.assertLess(abs(thirty - week * 30 / 7), week * 30 / 7 * Decimal("0.1"))

        # End of month: the month-to-date spend plus the remaining days' forecast.
        month = total["end_of_month"]
        self.assertIsNotNone(month)
        self.assertEqual(report["month_end"], month["to"])
        first = date.fromisoformat(month["from"])
        month_to_date = sum((c for d, c in self.spend.items() if first <= d <= LAST_DAY),
                            Decimal(0))
        self.assertEqual(Decimal(month["actual"]), month_to_date)
        remaining = [p for p in total["points"] if p["date"] <= month["to"]]
        self.assertEqual(Decimal(month["expected"]),
                         month_to_date + sum(Decimal(p["yhat"]) for p in remaining))
        self.assertEqual(Decimal(month["lower80"]),
                         month_to_date + sum(Decimal(p["lo80"]) for p in remaining))
        self.assertEqual(Decimal(month["upper95"]),
                         month_to_date + sum(Decimal(p["hi95"]) for p in remaining))
        quarter = total["end_of_quarter"]
        reaches = quarter_end(date.fromisoformat(month["from"])) <= LAST_DAY + timedelta(days=90)
        self.assertEqual(quarter is not None, reaches)
        if quarter is not None:
            self.assertEqual(quarter["to"], report["quarter_end"])
            self.assertGreaterEqual(Decimal(quarter["expected"]), Decimal(month["expected"]))

    def test_total_only_and_a_tag(self):
        total = self.forecast_json("--horizon", "60")
        self.assertIsNone(total["group_by"])
        self.assertEqual([s["label"] for s in total["series"]], ["total"])
        self.assertEqual(total["series"][0]["reconciliation_adjustment"], "0.000000000")
        by_team = self.forecast_json("--horizon", "30", "--group-by", "tag:team")
        self.assertEqual([s["label"] for s in by_team["series"]],
                         ["total", "tag:team=web", "tag:team=data", "tag:team="])

    def test_errors_say_what_is_wrong(self):
        unknown = self.forecast("--horizon", "30", tenant="nobody-" + self.tenant, check=False)
        self.assertEqual(unknown.returncode, 1)
        self.assertIn("no tenant named", unknown.stderr)
        horizon = self.forecast("--horizon", "45", check=False)
        self.assertEqual(horizon.returncode, 1)
        self.assertIn("must be 30, 60 or 90 days, not 45", horizon.stderr)
        group_by = self.forecast("--horizon", "30", "--group-by", "resource", check=False)
        self.assertEqual(group_by.returncode, 1)
        self.assertIn("service, account, region, usage-type or tag:KEY, not 'resource'",
                      group_by.stderr)
        missing = harness.costwise("--db", self.db, "forecast", "--horizon", "30", check=False)
        self.assertEqual(missing.returncode, 2)
        self.assertIn("--tenant", missing.stderr)

        short_tenant = self.tenant + "-short"
        text, _ = fleet_export(LAST_DAY - timedelta(days=9), 10)
        self.ingest(harness.write(self.path("short.csv"), text), tenant=short_tenant)
        short = self.forecast("--horizon", "30", tenant=short_tenant, check=False)
        self.assertEqual(short.returncode, 1)
        self.assertIn(f"has 10 days of cost data ({LAST_DAY - timedelta(days=9)} .. {LAST_DAY}); "
                      "a cost forecast needs at least 14", short.stderr)

    def test_cur_sample(self):
        tenant = self.tenant + "-cur"
        self.ingest(harness.CUR_SAMPLE, tenant=tenant)
        report = json.loads(self.forecast("--horizon", "30", "--group-by", "service",
                                          "--format", "json", tenant=tenant).stdout)
        self.assertEqual(report["history"]["days"], 14)  # two weeks: just enough
        self.assertEqual(report["series"][0]["label"], "total")
        for h, point in enumerate(report["series"][0]["points"]):
            groups = sum(Decimal(s["points"][h]["yhat"]) for s in report["series"][1:])
            self.assertEqual(groups, Decimal(point["yhat"]))
        # Too short to backtest: the accuracy says so.
        self.assertEqual(report["series"][0]["backtest"]["points"], 0)
        self.assertIsNone(report["series"][0]["backtest"]["mape"])
        self.assertIsNone(report["series"][0]["end_of_month"])  # 2023 is long past


if __name__ == "__main__":
    harness.run_main([ForecastCliTest])
