#!/usr/bin/env python3
"""End-to-end tests of `costwise ingest` and `costwise costs` on both database backends:
restatement replaces a billing period, re-ingesting is idempotent, and bad input (truncated gzip,
a file that is not billing data, malformed rows, a failure in a later file) exits non-zero with a
clear message and leaves the database exactly as it was."""
import csv
import os
import sys
from decimal import Decimal

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../support"))
import harness  # noqa: E402
from harness import CUR_SAMPLE, FOCUS_SAMPLE  # noqa: E402


class IngestTest(harness.BackendTestCase):

    def snapshot(self):
        """Everything the tenant's cube answers, by every dimension, for before/after checks."""
        return {dimension: self.costs("--group-by", dimension, check=True)["rows"]
                for dimension in ("service", "account", "resource", "tag:environment")}

    def test_same_file_twice_gives_same_totals(self):
        self.ingest(FOCUS_SAMPLE)
        first = self.snapshot()
        out = self.ingest(FOCUS_SAMPLE).stdout
        self.assertIn("ingested 1000 rows (0 rejected)", out)
        self.assertEqual(self.snapshot(), first)
        self.assertEqual(self.total(), Decimal("20.520226762"))

    def test_restated_period_replaces_that_period_only(self):
        self.ingest(CUR_SAMPLE)
        self.ingest(FOCUS_SAMPLE)
        focus_only = self.costs("--filter", "provider=Microsoft,Oracle")["rows"]
        # AWS restates the month: a new version of the CUR with the first 200 line items only.
        lines = harness.read_lines(CUR_SAMPLE)
        restated = harness.write(self.path("restated.csv"), "".join(lines[:201]))
        out = self.ingest(restated).stdout
        self.assertIn("replaced 1 billing scope(s)", out)
        with open(restated, newline="", encoding="utf-8") as source:
            expected = sum(Decimal(row["lineItem/UnblendedCost"])
                           for row in csv.DictReader(source))
        cur = self.costs("--filter", "provider=AWS", "--filter", "billing-account=123412340534",
                         "--granularity", "month")["rows"]
        self.assertEqual(len(cur), 1)
        self.assertEqual(cur[0]["line_items"], 200)
        self.assertEqual(Decimal(cur[0]["billed_cost"]).quantize(Decimal("0.000001")),
                         expected.quantize(Decimal("0.000001")))
        # The other billing accounts and providers are untouched.
        self.assertEqual(self.costs("--filter", "provider=Microsoft,Oracle")["rows"], focus_only)

    def test_tenants_are_separate(self):
        other = self.tenant + "-other"
        self.ingest(FOCUS_SAMPLE)
        self.ingest(CUR_SAMPLE, tenant=other)
        self.assertEqual(self.total(), Decimal("20.520226762"))
        self.assertEqual(self.total(tenant=other).quantize(Decimal("0.01")), Decimal("1.68"))

    def test_truncated_gzip_changes_nothing(self):
        self.ingest(FOCUS_SAMPLE)
        before = self.snapshot()
        with open(FOCUS_SAMPLE, encoding="utf-8", newline="") as source:
            text = source.read()
        full = harness.write_gzip(self.path("full.csv.gz"), text.replace("0.", "1.", 50))
        with open(full, "rb") as source:
            data = source.read()
        cut = self.path("cut.csv.gz")
        with open(cut, "wb") as out:
            out.write(data[: len(data) // 2])
        result = self.ingest(cut, check=False)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("truncated gzip", result.stderr)
        self.assertIn("cut.csv.gz", result.stderr)
        self.assertEqual(self.snapshot(), before)

    def test_not_billing_data_changes_nothing(self):
        self.ingest(CUR_SAMPLE)
        before = self.snapshot()
        nab = os.path.join(harness.NAB_FILE, "realAWSCloudwatch")
        nab_file = os.path.join(nab, sorted(os.listdir(nab))[0]) if os.path.isdir(nab) else None
        if nab_file is None:
            nab_file = harness.write(self.path("metric.csv"), "timestamp,value\n2014-02-14,1\n")
        result = self.ingest(nab_file, check=False)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("not a billing export", result.stderr)
        self.assertIn("FOCUS", result.stderr)
        self.assertEqual(self.snapshot(), before)

    def test_a_bad_later_file_fails_the_whole_run(self):
        self.ingest(CUR_SAMPLE)
        before = self.snapshot()
        broken = harness.write(self.path("broken.csv"), "just,some\ncsv,text\n")
        result = self.ingest(FOCUS_SAMPLE, broken, check=False)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("broken.csv", result.stderr)
        self.assertEqual(self.snapshot(), before)

    def test_malformed_rows_are_reported_with_file_line_and_reason(self):
        lines = harness.read_lines(CUR_SAMPLE)
        lines[9] = lines[9].replace(",USD,,", ",USD,,oops", 1)   # line 10: bad cost
        lines.insert(500, "short,row\n")                         # line 501
        bad = harness.write(self.path("bad.csv"), "".join(lines))
        out = self.ingest(bad).stdout
        self.assertIn("1282 rows, 2 rejected", out)
        self.assertIn("bad.csv:10: lineItem/UnblendedCost is not a number: 'oops", out)
        self.assertIn("bad.csv:501: expected 94 fields as in the header, found 2", out)
        # With no tolerance for rejects the run fails and stores nothing.
        other = self.tenant + "-strict"
        result = self.ingest(bad, tenant=other, check=False, extra=("--max-rejected-percent", "0"))
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("2 of 1282 rows", result.stderr)
        self.assertIn("bad.csv:10:", result.stderr)
        missing = self.costs(tenant=other, check=False)
        self.assertNotEqual(missing.returncode, 0)

    def test_costs_for_unknown_tenant_and_bad_options(self):
        result = self.costs(tenant="nobody-" + self.tenant, check=False)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("nobody-", result.stderr)
        self.ingest(FOCUS_SAMPLE)
        bad = self.costs("--group-by", "colour", check=False)
        self.assertNotEqual(bad.returncode, 0)
        self.assertIn("not a dimension", bad.stderr)
        self.assertIn("usage-type", bad.stderr)
        bad_date = self.costs("--granularity", "month", "--filter", "nope", check=False)
        self.assertNotEqual(bad_date.returncode, 0)

    def test_table_and_csv_formats(self):
        self.ingest(FOCUS_SAMPLE)
        table = harness.costwise("--db", self.db, "costs", "--tenant", self.tenant, "--from",
                                 "2024-09-01", "--to", "2024-09-30", "--group-by", "provider",
                                 "--granularity", "month").stdout
        self.assertIn("2024-09", table)
        self.assertIn("AWS", table)
        self.assertIn("18.01", table)
        self.assertIn("20.52", table)
        csv_text = harness.costwise("--db", self.db, "costs", "--tenant", self.tenant, "--from",
                                    "2024-09-01", "--to", "2024-09-30", "--group-by",
                                    "tag:environment", "--format", "csv").stdout
        self.assertTrue(csv_text.startswith("period,group,currency,billed_cost"))
        self.assertIn(",dev,USD,", csv_text)

    def test_cur2_file_ingests(self):
        header = ("bill_payer_account_id,bill_billing_period_start_date,line_item_usage_account_id,"
                  "line_item_line_item_type,line_item_usage_start_date,line_item_product_code,"
                  "line_item_usage_type,line_item_usage_amount,line_item_currency_code,"
                  "line_item_unblended_cost,line_item_resource_id,product,product_region_code,"
                  "resource_tags\n")
        row = ('111,2023-11-01T00:00:00Z,222,Usage,2023-11-0{d}T00:00:00Z,AmazonS3,TimedStorage,'
               '3,USD,0.25,bucket,"{{""product_name"": ""Amazon Simple Storage Service""}}",'
               'us-east-2,"{{""user_team"": ""data""}}"\n')
        path = harness.write_gzip(self.path("cur2.csv.gz"),
                                  header + "".join(row.format(d=d) for d in range(1, 8)))
        out = self.ingest(path).stdout
        self.assertIn("cur-2.0 (gzip), 7 rows, 0 rejected, billing period 2023-11", out)
        rows = self.costs("--group-by", "tag:team", "--granularity", "month")["rows"]
        self.assertEqual([(r["group"], r["billed_cost"]) for r in rows], [("data", "1.750000000")])


if __name__ == "__main__":
    harness.run_main([IngestTest])
