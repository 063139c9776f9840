#!/usr/bin/env python3
"""Requests of every AWS API costwise calls, serialized and signed by botocore (Debian's
python3-botocore), as a JSON list on stdout: the reference the C++ signer is compared with
(tests/ingest/aws/sigv4_botocore_test.cpp).

botocore builds each request from the service's own model (query protocol for EC2, STS and
CloudWatch, JSON 1.1 for Athena and Pricing, REST XML for S3), with random parameters from a fixed
seed: names with spaces and non-ASCII letters, long lists, SQL text, paging tokens. Each request
is signed at its own frozen instant, with or without a session token. A few S3 GetObject URLs are
presigned as well. Nothing is sent: the capture stops the call before the network.

Usage: /usr/bin/python3 botocore_requests.py [COUNT_PER_SERVICE]
"""
import datetime
import json
import random
import sys

import botocore.auth
import botocore.session
from botocore.config import Config

SEED = 20261127
PER_SERVICE = int(sys.argv[1]) if len(sys.argv) > 1 else 40
ACCESS_KEY = "AKIDEXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
TOKEN = "IQoJb3JpZ2luX2VjEPT//////////wEaCXVzLWVhc3QtMSJHMEUCIQDexample+token/with=chars"
REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2", "us-west-2", "eu-central-1"]


class Frozen:
    """Stands in for botocore.auth's datetime module: utcnow() is the instant we choose."""
    now = datetime.datetime(2026, 11, 27, 10, 0, 0)

    class datetime(datetime.datetime):  # noqa: N801 (mirrors the module's name)
        @classmethod
        def utcnow(cls):
            return Frozen.now

        @classmethod
        def strptime(cls, text, fmt):
            return datetime.datetime.strptime(text, fmt)


botocore.auth.datetime = Frozen


class Captured(Exception):
    pass


def capture(request, **_):
    raise Captured(request)


def words(rng, low=1, high=3):
    pool = ["cost", "report", "daily", "ü-ber", "naïve", "a b", "x+y", "50%", "tag=v", "東京",
            "prod", "dev", "~tilde", "semi;colon", "slash/ed", "quote'", "star*"]
    return " ".join(rng.choice(pool) for _ in range(rng.randint(low, high)))


def ident(rng, prefix, length=8):
    return prefix + "".join(rng.choice("0123456789abcdef") for _ in range(length))


def athena_call(rng):
    op = rng.choice(["start_query_execution", "get_query_execution", "get_query_results"])
    if op == "start_query_execution":
        sql = ("SELECT line_item_usage_account_id, sum(line_item_unblended_cost) FROM "
               f"\"cur\".\"{words(rng)}\" WHERE billing_period = '2026-{rng.randint(1, 12):02}' "
               "GROUP BY 1 -- ünïcode ✓")
        return op, {"QueryString": sql, "WorkGroup": rng.choice(["primary", "cost wg"]),
                    "QueryExecutionContext": {"Database": "cur", "Catalog": "AwsDataCatalog"},
                    "ResultConfiguration": {"OutputLocation": f"s3://results-{ident(rng, '')}/q/"}}
    if op == "get_query_execution":
        return op, {"QueryExecutionId": ident(rng, "", 32)}
    params = {"QueryExecutionId": ident(rng, "", 32), "MaxResults": rng.randint(1, 1000)}
    if rng.random() < 0.5:
        params["NextToken"] = ident(rng, "tok/+=", 40)
    return op, params


def s3_call(rng):
    op = rng.choice(["list_objects_v2", "get_object", "head_object"])
    bucket = rng.choice(["cur-bucket", "cost.reports.example", "billing-2026"])
    if op == "list_objects_v2":
        params = {"Bucket": bucket, "Prefix": rng.choice(["cur/", "cur/daily report/", "a b/ü/"])}
        if rng.random() < 0.5:
            params["ContinuationToken"] = ident(rng, "1/+=Token", 30)
        if rng.random() < 0.5:
            params["MaxKeys"] = rng.randint(1, 1000)
        if rng.random() < 0.3:
            params["Delimiter"] = "/"
        return op, params
    key = f"cur/{words(rng)}/20261101-20261201/{ident(rng, 'manifest-')}.json"
    params = {"Bucket": bucket, "Key": key}
    if op == "get_object" and rng.random() < 0.3:
        params["Range"] = f"bytes=0-{rng.randint(100, 100000)}"
    return op, params


def ec2_call(rng):
    op = rng.choice(["describe_instances", "describe_volumes", "describe_addresses",
                     "stop_instances", "start_instances", "modify_instance_attribute"])
    ids = [ident(rng, "i-", 17) for _ in range(rng.randint(1, 4))]
    if op == "describe_instances":
        params = {"MaxResults": rng.randint(5, 1000)}
        if rng.random() < 0.5:
            params["NextToken"] = ident(rng, "eyJ+/=", 30)
        if rng.random() < 0.5:
            params["Filters"] = [{"Name": "tag:Name", "Values": [words(rng), words(rng)]},
                                 {"Name": "instance-state-name", "Values": ["running", "stopped"]}]
        return op, params
    if op == "describe_volumes":
        return op, {"MaxResults": rng.randint(5, 500),
                    "Filters": [{"Name": "attachment.instance-id", "Values": ids}]}
    if op == "describe_addresses":
        return op, {"Filters": [{"Name": "domain", "Values": ["vpc"]}]}
    if op == "modify_instance_attribute":
        return op, {"InstanceId": ids[0], "InstanceType": {"Value": rng.choice(
            ["m5.large", "t3.micro", "c6g.xlarge"])}, "DryRun": rng.random() < 0.5}
    return op, {"InstanceIds": ids, "DryRun": rng.random() < 0.5}


def cloudwatch_call(rng):
    queries = []
    for n in range(rng.randint(1, 60)):
        metric = rng.choice(["CPUUtilization", "NetworkIn", "NetworkOut", "EBSReadBytes",
                             "mem_used_percent"])
        queries.append({
            "Id": f"q{n}",
            "MetricStat": {
                "Metric": {"Namespace": "CWAgent" if metric.startswith("mem") else "AWS/EC2",
                           "MetricName": metric,
                           "Dimensions": [{"Name": "InstanceId", "Value": ident(rng, "i-", 17)}]},
                "Period": rng.choice([300, 3600]),
                "Stat": rng.choice(["Average", "Maximum", "p95"]),
            },
            "ReturnData": True,
        })
    start = datetime.datetime(2026, rng.randint(1, 10), rng.randint(1, 28))
    params = {"MetricDataQueries": queries, "StartTime": start,
              "EndTime": start + datetime.timedelta(days=rng.randint(1, 14)),
              "ScanBy": "TimestampAscending"}
    if rng.random() < 0.4:
        params["NextToken"] = ident(rng, "next+/=", 24)
    return "get_metric_data", params


def sts_call(rng):
    if rng.random() < 0.3:
        return "get_caller_identity", {}
    return "assume_role", {
        "RoleArn": f"arn:aws:iam::{rng.randint(10**11, 10**12 - 1)}:role/costwise-{words(rng, 1, 1).replace(' ', '')}",
        "RoleSessionName": "costwise-sync",
        "ExternalId": ident(rng, "cw-ext-+/=", 24),
        "DurationSeconds": rng.choice([900, 3600]),
    }


def pricing_call(rng):
    params = {
        "ServiceCode": "AmazonEC2",
        "Filters": [
            {"Type": "TERM_MATCH", "Field": "location", "Value": rng.choice(
                ["US East (N. Virginia)", "EU (Ireland)", "Asia Pacific (Sydney)"])},
            {"Type": "TERM_MATCH", "Field": "operatingSystem", "Value": "Linux"},
            {"Type": "TERM_MATCH", "Field": "tenancy", "Value": "Shared"},
        ],
        "FormatVersion": "aws_v1",
        "MaxResults": 100,
    }
    if rng.random() < 0.5:
        params["NextToken"] = ident(rng, "pricing+/=", 40)
    return "get_products", params


SERVICES = [("athena", athena_call), ("s3", s3_call), ("ec2", ec2_call),
            ("cloudwatch", cloudwatch_call), ("sts", sts_call), ("pricing", pricing_call)]


def client_for(session, service, region, with_token):
    # Pricing answers only in us-east-1 and ap-south-1.
    if service == "pricing":
        region = "us-east-1"
    return session.create_client(
        service, region_name=region, aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY, aws_session_token=TOKEN if with_token else None,
        config=Config(retries={"max_attempts": 1}, signature_version="s3v4" if service == "s3"
                      else None, s3={"addressing_style": "path"} if region.startswith("eu")
                      else None)), region


def record(service, region, request, signing_name):
    body = request.body or b""
    if hasattr(body, "read"):
        body = body.read()
    if isinstance(body, str):
        body = body.encode()
    # The region the signature is scoped to: botocore's endpoint rules choose it (the global STS
    # endpoint signs for us-east-1 whatever the client's region).
    authorization = request.headers["Authorization"]
    authorization = authorization.decode() if isinstance(authorization, bytes) else authorization
    region = authorization.split("Credential=")[1].split("/")[2]
    return {
        "service": signing_name,
        "region": region,
        "method": request.method,
        "url": request.url,
        "headers": [[name, value.decode() if isinstance(value, bytes) else value]
                    for name, value in request.headers.items()],
        "body": body.decode("utf-8"),
        "s3": service == "s3",
    }


def main():
    rng = random.Random(SEED)
    session = botocore.session.get_session()
    session.register("before-send", capture)
    out = []
    for service, make_call in SERVICES:
        for _ in range(PER_SERVICE):
            Frozen.now = datetime.datetime(2026, 1, 1) + datetime.timedelta(
                seconds=rng.randint(0, 330 * 86400))
            region = rng.choice(REGIONS)
            client, region = client_for(session, service, region, rng.random() < 0.5)
            op, params = make_call(rng)
            try:
                getattr(client, op)(**params)
                raise SystemExit(f"{service}.{op} was not captured")
            except Captured as captured:
                entry = record(service, region, captured.args[0],
                               client.meta.service_model.signing_name)
                entry["operation"] = op
                out.append(entry)
    for _ in range(max(5, PER_SERVICE // 4)):
        Frozen.now = datetime.datetime(2026, 1, 1) + datetime.timedelta(
            seconds=rng.randint(0, 330 * 86400))
        region = rng.choice(REGIONS)
        client, region = client_for(session, "s3", region, rng.random() < 0.5)
        expires = rng.choice([60, 900, 3600, 604800])
        url = client.generate_presigned_url(
            "get_object", Params={"Bucket": "cur-bucket",
                                  "Key": f"cur/{words(rng)}/{ident(rng, 'part-')}.csv.gz"},
            ExpiresIn=expires)
        out.append({"service": "s3", "region": region, "method": "GET", "url": url,
                    "headers": [], "body": "", "s3": True, "presigned": True,
                    "expires": expires, "operation": "presign get_object"})
    json.dump(out, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
