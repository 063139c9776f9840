#!/usr/bin/env python3
"""The AWS connectors end to end, against the local AWS test double (tests/support/aws_double.py),
on both database backends. costwise serve runs with AWS_ENDPOINT_URL pointing at the double and
its own identity in the environment; the double checks every signature.

An organisation onboards an AWS account through the API (the External ID goes into the double's
role, whose permissions are exactly those of the policies costwise shows), tests the connection
(which queues the first sync), and the sync reads:
  - the CUR through Athena: a legacy-CUR table (the CUR's Athena integration, partitioned by
    year and month) with 91 days of a small fleet ending yesterday and a GPU spike two days ago;
  - the EC2 inventory (five instances, a volume, an address) and 14 days of 5-minute CloudWatch
    metrics, read over several pages.
Then detection, forecasting and right-sizing run as the sync's follow-up jobs on what came back,
a recommendation is applied (dry run, then for real: stop, resize, start), and a second apply
whose start fails in the middle is rolled back to the original type. A wrong External ID makes
the connection test fail with AWS's message."""
import os
import sys
import time
import unittest
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import api_harness

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../support"))
import aws_double  # noqa: E402
import harness  # noqa: E402

ACCOUNT = "444455556666"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/costwise-reader"
COSTWISE_ACCOUNT = "111122223333"  # the double's default key lives there
TOPIC = "arn:aws:sns:us-east-1:111122223333:ops"
ATHENA = {"athena": {"database": "cur", "table": "costwise_cur", "workgroup": "costwise",
                     "output_location": "s3://acme-athena-results/costwise/",
                     "data_location": "s3://acme-cur/reports/costwise/", "region": "us-east-1"}}

# account, service name, product code, region, usage type, resource, daily cost, team
FLEET = [
    (ACCOUNT, "Amazon Elastic Compute Cloud", "AmazonEC2", "us-east-1", "BoxUsage:m5.large",
     "i-0web", Decimal("40"), "web"),
    (ACCOUNT, "Amazon Simple Storage Service", "AmazonS3", "us-east-1", "TimedStorage-ByteHrs",
     "logs-bucket", Decimal("20"), "web"),
    (ACCOUNT, "Amazon Relational Database Service", "AmazonRDS", "us-east-1",
     "InstanceUsage:db.r5.large", "db-main", Decimal("10"), ""),
]
SPIKER = (ACCOUNT, "Amazon Elastic Compute Cloud", "AmazonEC2", "us-east-1",
          "BoxUsage:p3.8xlarge", "i-0spike", None, "ml")
CUR_COLUMNS = [
    ("identity_line_item_id", "string"), ("bill_payer_account_id", "string"),
    ("bill_billing_period_start_date", "timestamp"), ("line_item_usage_account_id", "string"),
    ("line_item_line_item_type", "string"), ("line_item_usage_start_date", "timestamp"),
    ("line_item_product_code", "string"), ("line_item_usage_type", "string"),
    ("line_item_resource_id", "string"), ("line_item_usage_amount", "double"),
    ("line_item_currency_code", "string"), ("line_item_unblended_cost", "double"),
    ("line_item_blended_cost", "double"), ("product_product_name", "string"),
    ("product_region", "string"), ("resource_tags_user_team", "string"),
    ("year", "string"), ("month", "string")]


def cur_rows(today):
    """91 days ending yesterday, two line items per resource and day (so Athena has something
    to sum), weekends cheaper, the GPU instance on the last-but-one two days. Returns the rows
    and the exact billed total by day."""
    rows, by_day = [], {}
    first = today - timedelta(days=91)
    spikes = {today - timedelta(days=3): Decimal("400.00"),
              today - timedelta(days=2): Decimal("1200.00")}
    for offset in range(91):
        day = first + timedelta(days=offset)
        factor = Decimal("0.6") if day.weekday() >= 5 else Decimal(1)
        resources = [(resource, resource[6] * factor * (1 + Decimal(offset % 7) / 100))
                     for resource in FLEET]
        if day in spikes:
            resources.append((SPIKER, spikes[day]))
        for resource, cost in resources:
            account, name, code, region, usage, resource_id, _, team = resource
            for half, hour in ((Decimal("0.3"), 0), (Decimal("0.7"), 12)):
                part = (cost * half).quantize(Decimal("0.0000000001"))
                rows.append((f"{resource_id}-{day}-{hour}", "999988887777",
                             f"{day.replace(day=1)} 00:00:00.000", account, "Usage",
                             f"{day} {hour:02}:00:00.000", code, usage, resource_id, 12.0,
                             "USD", float(part), float(part), name, region, team,
                             str(day.year), str(day.month)))
                by_day[day] = by_day.get(day, Decimal(0)) + part
    return rows, by_day


def metric_points(now, pattern):
    start = now - 14 * 86400
    start -= start % 300
    return [[t, pattern(i)] for i, t in enumerate(range(start, now - now % 300, 300))]


class AwsConnectorsTest(api_harness.ApiTestCase):
    def setUp(self):
        super().setUp()
        self.double = aws_double.AwsDouble()
        self.today = datetime.now(timezone.utc).date()
        rows, self.billed_by_day = cur_rows(self.today)
        self.double.athena_tables["cur.costwise_cur"] = {
            "columns": CUR_COLUMNS, "rows": rows, "partitions": ["year", "month"]}
        self.double.athena_polls = 1
        self.double.transition_polls = 1
        self.double.max_datapoints_per_page = 20000  # several GetMetricData pages
        self.double.ec2_instances = [
            {"InstanceId": "i-idle", "InstanceType": "m5.xlarge", "State": "running",
             "Tags": [{"Key": "Name", "Value": "batch-1"}]},
            {"InstanceId": "i-big", "InstanceType": "m5.4xlarge", "State": "running"},
            {"InstanceId": "i-hot", "InstanceType": "c5.large", "State": "running"},
            {"InstanceId": "i-new", "InstanceType": "m5.large", "State": "running"},
            {"InstanceId": "i-off", "InstanceType": "m5.large", "State": "stopped"}]
        for instance in self.double.ec2_instances:
            instance["region"] = "us-east-1"
            instance["PlatformDetails"] = "Linux/UNIX"
        # EC2 knows every type of the catalog right-sizing chooses from.
        with open(os.path.join(harness.DATA, "ec2-catalog/ec2_instances_ondemand_linux.csv"),
                  encoding="utf-8") as catalog:
            self.double.ec2_instance_types.update(
                line.split(",", 1)[0] for line in list(catalog)[1:])
        # The Price List API prices m5.4xlarge lower than the built-in catalog (0.768 $/h): the
        # sync refreshes the organisation's catalog and right-sizing uses the new price.
        self.double.pricing_products.append(aws_double.ec2_price_product(
            "m5.4xlarge", 16, 64, "us-east-1", "US East (N. Virginia)", 0.5,
            extra_attributes={"physicalProcessor": "Intel Xeon Platinum 8175"}))
        self.double.ec2_volumes = [
            {"VolumeId": "vol-free", "Size": 500, "VolumeType": "gp3", "State": "available",
             "Iops": 3000, "Throughput": 125, "region": "us-east-1"}]
        self.double.ec2_addresses = [
            {"PublicIp": "203.0.113.7", "AllocationId": "eipalloc-free", "Domain": "vpc",
             "region": "us-east-1"}]
        now = int(time.time())
        # i-big's CPU jumps to 80% for half an hour two days ago: an anomaly of the series.
        spike = range(4032 - 576, 4032 - 570)
        cpu = {"i-idle": lambda i: 0.5 + (i % 7) * 0.04,
               "i-big": lambda i: 80.0 if i in spike else 2 + (i % 10) * 0.1,
               "i-hot": lambda i: 96 + (i % 3)}
        self.spike_start = (now - 14 * 86400) - (now - 14 * 86400) % 300 + spike.start * 300
        # Bytes per 5 minutes: i-big serves traffic (so it is oversized, not idle).
        network = {"i-idle": lambda i: 100 + i % 50, "i-big": lambda i: 500000 + (i % 100) * 1e4,
                   "i-hot": lambda i: 100000 + i % 50}
        for instance, pattern in cpu.items():
            self.double.add_metric("AWS/EC2", "CPUUtilization", {"InstanceId": instance},
                                   metric_points(now, pattern))
            self.double.add_metric("AWS/EC2", "NetworkIn", {"InstanceId": instance},
                                   metric_points(now, network[instance]))
        self.double.add_metric("CWAgent", "mem_used_percent", {"InstanceId": "i-big"},
                               metric_points(now, lambda i: 9 + (i % 10) * 0.1))
        self.double.sns_topics.add(TOPIC)
        self.double.start()
        self.addCleanup(self.double.stop)
        os.environ.update({
            "AWS_ENDPOINT_URL": self.double.endpoint, "AWS_ACCESS_KEY_ID": "AKIDCOSTWISEDOUBLE",
            "AWS_SECRET_ACCESS_KEY": "double-secret-key", "AWS_REGION": "us-east-1",
            "AWS_EC2_METADATA_DISABLED": "true", "HOME": self.tmp})
        os.environ.pop("AWS_SESSION_TOKEN", None)
        os.environ.pop("AWS_PROFILE", None)
        self.start_server("--aws-poll-ms", "20", "--alerts-interval", "1")
        self.owner = api_harness.Browser(self)
        self.owner.sign_up(self.email("owner"), self.tenant)

    def call(self, method, path, body=None, status=200):
        reply = self.owner.request(method, path, body)
        self.assertEqual(reply.status, status, f"{method} {path}: {reply.text}")
        return reply.json

    def wait_job(self, job_id, timeout=120, status="succeeded"):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            job = self.call("GET", f"/api/jobs/{job_id}")
            if job["status"] in ("succeeded", "failed", "cancelled"):
                self.assertEqual(job["status"], status,
                                 f"{job}\n{self.server_output()[-3000:]}")
                return job
            time.sleep(0.1)
        self.fail(f"job {job_id} did not end in {timeout} s")

    def wait_kind(self, kind, timeout=120):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            jobs = self.call("GET", f"/api/jobs?kind={kind}")["jobs"]
            if jobs and jobs[0]["status"] in ("succeeded", "failed"):
                return self.wait_job(jobs[0]["id"])
            time.sleep(0.1)
        self.fail(f"no {kind} job ended in {timeout} s")

    def onboard(self):
        account = self.call("POST", "/api/cloud-accounts",
                            {"name": "production", "account_id": ACCOUNT}, status=201)
        path = f"/api/cloud-accounts/{account['id']}"
        self.call("PUT", path, {"role_arn": ROLE, "cur_source": ATHENA})
        policies = self.call("GET", f"{path}/policies")
        actions = set()
        for policy in (policies["permissions_policy"], policies["apply_policy"]):
            for statement in policy["Statement"]:
                listed = statement["Action"]
                actions.update([listed] if isinstance(listed, str) else listed)
        with self.double.lock:
            self.double.roles[ROLE] = {"external_id": account["external_id"],
                                       "trusted_accounts": [COSTWISE_ACCOUNT],
                                       "permissions": set(actions)}
        return account, path

    def test_onboard_sync_analyse_and_apply(self):
        account, path = self.onboard()
        # Anomalies of the synced metrics page the team through an ordinary alert rule.
        channel = self.call("POST", "/api/alerts/channels", {
            "name": "ops", "type": "sns", "config": {"topic_arn": TOPIC}}, status=201)
        self.call("POST", "/api/alerts/rules", {
            "name": "metric anomalies", "min_impact": "0", "filters": {"monitor": ["metric"]},
            "frequency": "immediate", "channel_ids": [channel["id"]]}, status=201)

        # The connection test assumes the role with the External ID and reads the table.
        tested = self.call("POST", f"{path}/test", {})
        self.assertTrue(tested["ok"], tested)
        self.assertEqual([(s["step"], s["status"]) for s in tested["steps"]],
                         [("assume-role", "passed"), ("identity", "passed"),
                          ("cur-source", "passed")])
        self.assertIn("cur-legacy", tested["steps"][2]["detail"])
        self.assertEqual(tested["account"]["status"], "connected")
        sync = self.wait_job(tested["sync_job"]["id"])
        synced = sync["result"]["accounts"][0]
        self.assertEqual(synced["status"], "connected", synced)
        self.assertEqual(synced["instances"], 5)
        self.assertEqual((synced["volumes"], synced["addresses"]), (1, 1))
        self.assertGreater(synced["metric_calls"], 1)  # paged
        # 7 series of 14 days of 5-minute points (one fewer each when a 5-minute boundary
        # passed between making the points and the sync).
        self.assertIn(synced["metric_samples"], (7 * 4031, 7 * 4032))
        self.assertEqual(sync["result"]["prices"], {"refreshed": 1, "error": None})
        months = sorted({(d.year, d.month) for d in self.billed_by_day})
        self.assertEqual(synced["cur"]["billing_periods"],
                         [f"{y:04}-{m:02}" for y, m in months])

        # The synced series went through the streaming detector: the CPU spike is an anomaly.
        self.assertGreaterEqual(sync["result"]["metric_anomalies"]["new"], 1, sync["result"])
        spikes = [a for a in self.call("GET", "/api/ml/metric-anomalies")["anomalies"]
                  if (a["instance_id"], a["metric"]) == ("i-big", "CPUUtilization")]
        self.assertEqual(len(spikes), 1, spikes)
        started = datetime.fromisoformat(spikes[0]["started_at"].replace("Z", "+00:00"))
        self.assertEqual(int(started.timestamp()), self.spike_start)
        self.assertEqual(spikes[0]["peak_value"], 80.0)
        self.assertLess(spikes[0]["expected_value"], 10)
        self.assertEqual(spikes[0]["status"], "closed")
        self.assertGreaterEqual(sync["result"]["metric_anomalies"]["alerts_queued"], 1)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not any(
                "i-big CPUUtilization" in m["subject"] for m in self.double.sns_messages):
            time.sleep(0.1)
        sent = [m for m in self.double.sns_messages if "i-big CPUUtilization" in m["subject"]]
        self.assertEqual(len(sent), 1, self.double.sns_messages)
        self.assertTrue(sent[0]["subject"].startswith("Metric anomaly: i-big CPUUtilization at 80"),
                        sent[0])
        self.assertIn("where", sent[0]["message"])
        delivery = next(d for d in self.call("GET", "/api/alerts/deliveries")["deliveries"]
                        if spikes[0]["id"] in d["metric_anomaly_ids"])
        self.assertEqual((delivery["status"], delivery["anomaly_ids"]), ("sent", []))

        # The billed cost came back exactly, day by day.
        report = self.call("GET", "/api/costs?from=2000-01-01&to=2099-12-31&granularity=day")
        by_day = {}
        for row in report["rows"]:
            day = date.fromisoformat(row["period"])
            by_day[day] = by_day.get(day, Decimal(0)) + Decimal(row["billed_cost"])
        self.assertEqual(by_day, self.billed_by_day)

        # Athena read one month's partition per query and only the columns it needs.
        with self.double.lock:
            executions = list(self.double.athena_executions.values())
        aggregations = [e for e in executions if "GROUP BY" in e["query"]]
        self.assertEqual(len(aggregations), 12)  # a first sync backfills 12 months
        for execution in aggregations:
            touched = execution["partitions"]["cur.costwise_cur"]
            self.assertLessEqual(len(touched), 1, execution)
            self.assertNotIn("line_item_blended_cost", execution["query"])
        full = sum(aws_double._row_bytes(row) for row in
                   self.double.athena_tables["cur.costwise_cur"]["rows"])
        self.assertEqual(sum(e["bytes_scanned"] for e in aggregations), full)

        # The follow-up jobs ran on what came back.
        self.wait_kind("detect")
        self.wait_kind("forecast")
        self.wait_kind("rightsize")
        anomalies = self.call("GET", "/api/ml/anomalies?limit=100")["anomalies"]
        total = [a for a in anomalies if a["monitor"]["dimension"] == "total"]
        self.assertTrue(total, anomalies)
        self.assertIn("i-0spike", [c["value"] for c in total[0]["root_causes"]])
        forecast = self.call("GET", "/api/ml/forecast?horizon=30")
        self.assertEqual(len(forecast["series"][0]["points"]), 30)
        recommendations = self.call("GET", "/api/ml/recommendations?limit=100")["recommendations"]
        by_resource = {r["resource_id"]: r for r in recommendations}
        self.assertEqual(by_resource["i-big"]["action"], "resize", recommendations)
        self.assertEqual(Decimal(by_resource["i-big"]["current_monthly_cost"]), Decimal("365"))
        self.assertEqual(by_resource["i-hot"]["action"], "resize", recommendations)
        self.assertEqual(by_resource["i-idle"]["action"], "stop", recommendations)

        # Apply: the dry run asks AWS and changes nothing.
        big = by_resource["i-big"]
        apply_path = f"/api/ml/recommendations/{big['id']}/apply"
        plan = self.call("POST", apply_path, {"dry_run": True})
        self.assertEqual(plan["outcome"], "planned", plan)
        self.assertEqual([s["step"] for s in plan["steps"]],
                         ["dry-run stop", "dry-run modify type", "dry-run start",
                          "check instance"])
        self.assertEqual(self.double.ec2_calls, [])

        # For real: stop, wait, resize, start, wait.
        applied, detail = self.apply(big)
        self.assertEqual(applied["outcome"], "applied", applied)
        self.assertEqual(detail["status"], "applied")
        self.assertEqual([action for action, _ in self.double.ec2_calls],
                         ["StopInstances", "ModifyInstanceAttribute", "StartInstances"])
        instance = next(i for i in self.double.ec2_instances if i["InstanceId"] == "i-big")
        self.assertEqual((instance["InstanceType"], instance["State"]),
                         (big["recommended_type"], "running"))
        audit = self.call("GET", f"/api/ml/recommendations/{big['id']}")["apply_requests"]
        self.assertEqual([(r["dry_run"], r["outcome"]) for r in audit],
                         [(False, "applied"), (True, "planned")])
        self.assertEqual(audit[0]["user"]["email"], self.email("owner"))
        self.assertEqual([s["step"] for s in audit[0]["plan"]["steps"]],
                         ["dry-run stop", "dry-run modify type", "dry-run start",
                          "check instance", "stop", "wait stopped", "modify type", "start",
                          "wait running"])

        # A failure in the middle: the start on the new type fails every retry; costwise puts
        # the old type back and starts the instance again.
        hot = by_resource["i-hot"]
        self.double.ec2_calls.clear()
        self.double.fail_next("ec2:StartInstances", 500, "InternalError", count=5,
                              message="An internal error has occurred", after=1)
        request, _ = self.apply(hot, job_status="failed")
        self.assertEqual(request["outcome"], "rolled-back", request)
        rolled = request["plan"]
        self.assertIn("rolled back: i-hot is c5.large and running", rolled["message"])
        self.assertEqual([(action, params.get("InstanceType.Value"))
                          for action, params in self.double.ec2_calls],
                         [("StopInstances", None),
                          ("ModifyInstanceAttribute", hot["recommended_type"]),
                          ("ModifyInstanceAttribute", "c5.large"), ("StartInstances", None)])
        instance = next(i for i in self.double.ec2_instances if i["InstanceId"] == "i-hot")
        self.assertEqual((instance["InstanceType"], instance["State"]), ("c5.large", "running"))
        failed = [s for s in rolled["steps"] if s["status"] == "failed"]
        self.assertEqual(failed[0]["step"], "start")
        self.assertIn("InternalError", failed[0]["detail"])
        self.assertEqual(self.call("GET", f"/api/ml/recommendations/{hot['id']}")["status"],
                         "open")

        self.assertEqual(self.double.signature_failures, 0)
        self.assertEqual(self.call("GET", path)["status"], "connected")
        self.assertIsNotNone(self.call("GET", path)["last_sync_at"])

    def recommendations_after_sync(self):
        account, path = self.onboard()
        tested = self.call("POST", f"{path}/test", {})
        self.assertTrue(tested["ok"], tested)
        self.wait_job(tested["sync_job"]["id"])
        self.wait_kind("rightsize")
        recommendations = self.call("GET", "/api/ml/recommendations?limit=100")["recommendations"]
        return {r["resource_id"]: r for r in recommendations}

    def apply(self, recommendation, job_status="succeeded"):
        """A real apply: queued as a job (202), carried out in the background; the request as the
        audit log has it once the job ended."""
        queued = self.call("POST", f"/api/ml/recommendations/{recommendation['id']}/apply",
                           {"dry_run": False}, status=202)
        self.assertEqual(queued["outcome"], "queued", queued)
        job = self.wait_job(queued["job_id"], status=job_status)
        self.assertEqual(job["kind"], "apply")
        detail = self.call("GET", f"/api/ml/recommendations/{recommendation['id']}")
        request = detail["apply_requests"][0]
        self.assertEqual(request["id"], queued["request_id"])
        return request, detail

    def instance(self, instance_id):
        return next(i for i in self.double.ec2_instances if i["InstanceId"] == instance_id)

    def test_applies_refused_stopped_and_rolled_back(self):
        by_resource = self.recommendations_after_sync()
        big, idle, hot = by_resource["i-big"], by_resource["i-idle"], by_resource["i-hot"]

        # Without ec2:ModifyInstanceAttribute the dry run fails and names it; nothing changes.
        with self.double.lock:
            self.double.roles[ROLE]["permissions"].discard("ec2:ModifyInstanceAttribute")
        refused = self.call("POST", f"/api/ml/recommendations/{big['id']}/apply",
                            {"dry_run": True}, status=409)
        self.assertIn("ec2:ModifyInstanceAttribute", refused["error"]["message"])
        request, _ = self.apply(big, job_status="failed")  # the job refuses the same way
        self.assertEqual(request["outcome"], "refused")
        self.assertIn("ec2:ModifyInstanceAttribute", request["plan"]["message"])
        self.assertEqual(self.double.ec2_calls, [])
        with self.double.lock:
            self.double.roles[ROLE]["permissions"].add("ec2:ModifyInstanceAttribute")

        # Someone resized it meanwhile: refused, it is not what was recommended.
        with self.double.lock:
            self.instance("i-big")["InstanceType"] = "m5.2xlarge"
        changed = self.call("POST", f"/api/ml/recommendations/{big['id']}/apply",
                            {"dry_run": True}, status=409)
        self.assertIn("i-big changed since the recommendation (m5.2xlarge now, was m5.4xlarge)",
                      changed["error"]["message"])

        # An idle instance is only stopped.
        stopped, _ = self.apply(idle)
        self.assertEqual(stopped["outcome"], "applied", stopped)
        self.assertEqual(self.instance("i-idle")["State"], "stopped")
        self.assertEqual([a for a, _ in self.double.ec2_calls], ["StopInstances"])

        # The type change is refused by EC2 after the dry runs: the instance is started again
        # with its type.
        self.double.ec2_calls.clear()
        self.double.fail_next("ec2:ModifyInstanceAttribute", 400, "Unsupported", after=1,
                              message="The requested configuration is currently not supported.")
        request, _ = self.apply(hot, job_status="failed")
        self.assertEqual(request["outcome"], "rolled-back", request)
        rolled = request["plan"]
        self.assertIn("Unsupported", [s for s in rolled["steps"] if s["status"] == "failed"][0]
                      ["detail"])
        self.assertEqual([a for a, _ in self.double.ec2_calls], ["StopInstances", "StartInstances"])
        self.assertEqual((self.instance("i-hot")["InstanceType"], self.instance("i-hot")["State"]),
                         ("c5.large", "running"))

    def test_a_wrong_external_id_fails_the_connection_test(self):
        account, path = self.onboard()
        with self.double.lock:
            self.double.roles[ROLE]["external_id"] = "someone-else"
        tested = self.call("POST", f"{path}/test", {})
        self.assertFalse(tested["ok"])
        self.assertEqual([(s["step"], s["status"]) for s in tested["steps"]],
                         [("assume-role", "failed"), ("identity", "skipped"),
                          ("cur-source", "skipped")])
        self.assertIn("cannot assume " + ROLE, tested["steps"][0]["detail"])
        self.assertIn("sts:AssumeRole", tested["steps"][0]["detail"])
        self.assertIsNone(tested["sync_job"])
        stored = self.call("GET", path)
        self.assertEqual(stored["status"], "error")
        self.assertIn("AccessDenied", stored["last_error"])


def load_tests(loader, tests, pattern):  # noqa: ARG001 (unittest's protocol)
    return harness.backend_suite(loader, [AwsConnectorsTest])


if __name__ == "__main__":
    unittest.main()
