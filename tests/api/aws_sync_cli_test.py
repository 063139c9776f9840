#!/usr/bin/env python3
"""`costwise sync` and `costwise aws prices` against the local AWS test double, with the real
anonymized legacy CUR sample (../shared/data/cur-sample, 2023-11), on both database backends.
The account is onboarded through the API; the syncs run from the command line.

- CUR files in S3: the manifests name the latest report version of the period; the files are
  streamed into the file ingestion path and cost exactly what `costwise ingest` of the same file
  gives. A new report version restates the period (it replaces, never adds).
- The same CUR as the CUR's Athena table: the aggregation pushed down to Athena gives the same
  totals per service, billed and amortized, to the rounding of the sum (Athena sums ten decimal
  places exactly; the file path keeps nine per row).
- A role without s3:GetObject: the sync fails naming the permission, exits 1, and the stored
  costs stay as they were.
- The Price List API gives the instance catalog CSV."""
import csv
import gzip
import io
import json
import os
import sys
import unittest
from decimal import Decimal

import api_harness

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../support"))
import aws_double  # noqa: E402
import harness  # noqa: E402

ACCOUNT = "444455556666"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/costwise-reader"
BUCKET = "acme-cur"
PREFIX = "reports/costwise/"
PERIOD = "20231101-20231201"


def athena_name(column):
    """A legacy CUR column as the CUR's Athena integration names it: lineItem/UsageStartDate ->
    line_item_usage_start_date, reservation/ReservationARN -> reservation_reservation_a_r_n,
    resourceTags/user:team -> resource_tags_user_team."""
    out = []
    for char in column.replace("/", "_"):
        if char.isupper():
            if out and out[-1] != "_":
                out.append("_")
            out.append(char.lower())
        elif char.isalnum():
            out.append(char)
        elif out and out[-1] != "_":
            out.append("_")
    return "".join(out)


def manifest(assembly, keys):
    return json.dumps({"assemblyId": assembly, "account": "999988887777",
                       "billingPeriod": {"start": "20231101T000000.000Z",
                                         "end": "20231201T000000.000Z"},
                       "bucket": BUCKET, "reportKeys": keys, "compression": "GZIP",
                       "contentType": "text/csv"}).encode()


class AwsSyncCliTest(api_harness.ApiTestCase):
    def setUp(self):
        super().setUp()
        with open(harness.CUR_SAMPLE, "rb") as sample:
            self.sample = sample.read()
        self.double = aws_double.AwsDouble()
        self.double.athena_polls = 1
        self.double.start()
        self.addCleanup(self.double.stop)
        self.env = {"AWS_ENDPOINT_URL": self.double.endpoint,
                    "AWS_ACCESS_KEY_ID": "AKIDCOSTWISEDOUBLE",
                    "AWS_SECRET_ACCESS_KEY": "double-secret-key", "AWS_REGION": "us-east-1",
                    "AWS_EC2_METADATA_DISABLED": "true", "HOME": self.tmp}
        os.environ.update(self.env)
        self.start_server()
        self.owner = api_harness.Browser(self)
        self.owner.sign_up(self.email("owner"), self.tenant)
        account = self.owner.request("POST", "/api/cloud-accounts",
                                     {"name": "production", "account_id": ACCOUNT})
        self.assertEqual(account.status, 201, account.text)
        self.account = account.json
        self.path = f"/api/cloud-accounts/{self.account['id']}"
        self.permissions = ["s3:ListBucket", "s3:GetObject", "athena:*", "ec2:Describe*",
                            "cloudwatch:GetMetricData"]
        self.double.roles[ROLE] = {"external_id": self.account["external_id"],
                                   "trusted_accounts": ["111122223333"],
                                   "permissions": self.permissions}

    def configure(self, source):
        reply = self.owner.request("PUT", self.path, {"role_arn": ROLE, "cur_source": source})
        self.assertEqual(reply.status, 200, reply.text)

    def sync(self, *extra, check=True):
        return harness.costwise("--db", self.db, "sync", "--tenant", self.tenant, "--since",
                                "2023-11", "--until", "2023-11", "--skip", "inventory",
                                "--skip", "metrics", *extra, check=check)

    def by_service(self, tenant):
        report = self.costs("--group-by", "service", "--granularity", "month", tenant=tenant)
        out = {}
        for row in report["rows"]:
            billed, effective = out.get(row["group"], (Decimal(0), Decimal(0)))
            out[row["group"]] = (billed + Decimal(row["billed_cost"]),
                                 effective + Decimal(row["effective_cost"]))
        return out

    def file_ingest_reference(self):
        reference = self.tenant + "-file"
        self.ingest(harness.CUR_SAMPLE, tenant=reference)
        return self.by_service(reference)

    def put_object(self, key, data, modified):
        with self.double.lock:
            self.double.s3_objects[(BUCKET, key)] = data
            self.double.s3_last_modified[(BUCKET, key)] = modified

    def test_s3_reports_are_read_from_the_latest_manifest_and_restate_the_period(self):
        self.configure({"s3": {"bucket": BUCKET, "prefix": PREFIX, "region": "us-east-1"}})
        # Version 1: the first 600 line items only.
        lines = self.sample.decode().splitlines(keepends=True)
        first = "".join(lines[:601]).encode()
        old_key = f"{PREFIX}costwise-cur/{PERIOD}/assembly-1/costwise-cur-00001.csv.gz"
        self.put_object(old_key, gzip.compress(first), 1700000000)
        self.put_object(f"{PREFIX}costwise-cur/{PERIOD}/costwise-cur-Manifest.json",
                        manifest("assembly-1", [old_key]), 1700000000)
        self.put_object(f"{PREFIX}costwise-cur/{PERIOD}/assembly-1/costwise-cur-Manifest.json",
                        manifest("assembly-1", [old_key]), 1700000000)
        synced = self.sync()
        self.assertIn("CUR via s3 (files): periods 2023-11, 1 files", synced.stdout)
        partial = self.total()
        self.assertGreater(partial, 0)

        # Version 2 (the whole month): the top manifest now names it.
        new_key = f"{PREFIX}costwise-cur/{PERIOD}/assembly-2/costwise-cur-00001.csv.gz"
        self.put_object(new_key, gzip.compress(self.sample), 1700100000)
        self.put_object(f"{PREFIX}costwise-cur/{PERIOD}/assembly-2/costwise-cur-Manifest.json",
                        manifest("assembly-2", [new_key]), 1700100000)
        self.put_object(f"{PREFIX}costwise-cur/{PERIOD}/costwise-cur-Manifest.json",
                        manifest("assembly-2", [new_key]), 1700100000)
        self.sync()
        self.assertEqual(self.by_service(self.tenant), self.file_ingest_reference())
        self.assertGreater(self.total(), partial)

    def test_athena_table_of_the_same_cur_gives_the_same_costs(self):
        self.configure({"athena": {"database": "cur", "table": "costwise_cur",
                                   "workgroup": "costwise",
                                   "output_location": "s3://acme-athena-results/costwise/",
                                   "data_location": "s3://acme-cur/reports/", "region":
                                       "us-east-1"}})
        reader = csv.reader(io.StringIO(self.sample.decode()))
        header = next(reader)
        money = {"lineItem/UnblendedCost", "lineItem/BlendedCost", "pricing/publicOnDemandCost",
                 "reservation/EffectiveCost", "lineItem/UsageAmount"}
        columns = [(athena_name(c), "double" if c in money else "string") for c in header]
        columns += [("year", "string"), ("month", "string")]
        rows = []
        for record in reader:
            rows.append(tuple((value if value != "" else None) for value in record) +
                        ("2023", "11"))
        self.double.athena_tables["cur.costwise_cur"] = {"columns": columns, "rows": rows,
                                                         "partitions": ["year", "month"]}
        synced = self.sync()
        self.assertIn("CUR via athena (cur-legacy): periods 2023-11", synced.stdout)
        athena = self.by_service(self.tenant)
        files = self.file_ingest_reference()
        self.assertEqual(set(athena), set(files))
        # Each row keeps nine decimal places on the file path; Athena sums ten exactly.
        tolerance = Decimal(len(rows)) * Decimal("0.0000000005")
        for service, (billed, effective) in files.items():
            self.assertLessEqual(abs(athena[service][0] - billed), tolerance, service)
            self.assertLessEqual(abs(athena[service][1] - effective), tolerance, service)
            self.assertEqual(athena[service][0].quantize(Decimal("0.01")),
                             billed.quantize(Decimal("0.01")), service)
        query = next(q for q in self.double.athena_queries if "GROUP BY" in q)
        self.assertIn("WHERE year = '2023' AND month = '11'", query)
        self.assertNotIn("line_item_blended_cost", query)

    def test_a_missing_permission_fails_the_sync_and_keeps_what_was_stored(self):
        self.configure({"s3": {"bucket": BUCKET, "prefix": PREFIX, "region": "us-east-1"}})
        key = f"{PREFIX}costwise-cur/{PERIOD}/assembly-1/costwise-cur-00001.csv.gz"
        self.put_object(key, gzip.compress(self.sample), 1700000000)
        self.put_object(f"{PREFIX}costwise-cur/{PERIOD}/costwise-cur-Manifest.json",
                        manifest("assembly-1", [key]), 1700000000)
        self.sync()
        before = self.total()
        self.double.roles[ROLE]["permissions"] = ["s3:ListBucket"]
        failed = self.sync(check=False)
        self.assertEqual(failed.returncode, 1, failed.stdout + failed.stderr)
        self.assertIn("s3:GetObject", failed.stdout)
        self.assertIn("some accounts failed to sync", failed.stderr)
        self.assertEqual(self.total(), before)
        account = self.owner.request("GET", self.path).json
        self.assertEqual(account["status"], "error")
        self.assertIn("AccessDenied", account["last_error"])
        self.assertIsNotNone(account["last_sync_at"])  # the last good sync's time is kept

    def test_prices_come_from_the_price_list_api(self):
        for instance_type, vcpu, memory, price, processor in (
                ("m5.large", 2, 8, 0.096, "Intel Xeon Platinum 8175"),
                ("c6g.xlarge", 4, 8, 0.136, "AWS Graviton2 Processor")):
            self.double.pricing_products.append(aws_double.ec2_price_product(
                instance_type, vcpu, memory, "eu-west-1", "EU (Ireland)", price,
                extra_attributes={"physicalProcessor": processor}))
        out = self.path_of("catalog.csv")
        result = harness.costwise("aws", "prices", "--region", "eu-west-1", "--out", out)
        self.assertIn("wrote 2 instance types of eu-west-1", result.stdout)
        with open(out, encoding="utf-8") as catalog:
            rows = list(csv.DictReader(catalog))
        self.assertEqual([(r["instance_type"], r["vcpu"], r["price_per_hour_ondemand_linux_usd"])
                          for r in rows],
                         [("c6g.xlarge", "4", "0.136000"), ("m5.large", "2", "0.096000")])
        self.assertEqual(rows[0]["arch"], "arm64")

    def path_of(self, name):
        return os.path.join(self.tmp, name)


def load_tests(loader, tests, pattern):  # noqa: ARG001 (unittest's protocol)
    return harness.backend_suite(loader, [AwsSyncCliTest])


if __name__ == "__main__":
    unittest.main()
