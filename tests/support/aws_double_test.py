#!/usr/bin/python3
"""Self-test of aws_double.py: every operation is called through real botocore clients (the
reference AWS client), so what the double answers is what botocore parses from AWS.

    /usr/bin/python3 tests/support/aws_double_test.py
"""
import datetime
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.request

os.environ.update({"AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
                   "AWS_EC2_METADATA_DISABLED": "true", "NO_PROXY": "127.0.0.1,localhost",
                   "no_proxy": "127.0.0.1,localhost"})
for _name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
              "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_REGION", "AWS_DEFAULT_REGION"):
    os.environ.pop(_name, None)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import botocore.exceptions  # noqa: E402
import botocore.session  # noqa: E402
from botocore.auth import SigV4Auth  # noqa: E402
from botocore.awsrequest import AWSRequest  # noqa: E402
from botocore.config import Config  # noqa: E402
from botocore.credentials import Credentials  # noqa: E402
from botocore.utils import InstanceMetadataFetcher  # noqa: E402

import aws_double  # noqa: E402
from aws_double import (DEFAULT_ACCESS_KEY, DEFAULT_ACCOUNT, DEFAULT_SECRET_KEY,  # noqa: E402
                        AwsDouble, ec2_price_product)

SESSION = botocore.session.get_session()
NO_RETRY = Config(retries={"total_max_attempts": 1}, s3={"addressing_style": "path"},
                  connect_timeout=5, read_timeout=10)
URLLIB = urllib.request.build_opener(urllib.request.ProxyHandler({}))

ROLE_ARN = "arn:aws:iam::444455556666:role/CostwiseReadOnly"
T0 = 1790812800  # 2026-10-01T00:00:00Z


def instance(iid, state="running", itype="m5.large", region="us-east-1", tags=None, **extra):
    item = {"InstanceId": iid, "InstanceType": itype, "State": state, "region": region,
            "LaunchTime": "2026-09-01T08:00:00Z", "Placement": {"AvailabilityZone": region + "b"},
            "Architecture": "x86_64", "PlatformDetails": "Linux/UNIX",
            "Tags": [{"Key": k, "Value": v} for k, v in (tags or {}).items()]}
    item.update(extra)
    return item


CUR_COLUMNS = [("line_item_usage_account_id", "string"), ("line_item_product_code", "string"),
               ("line_item_unblended_cost", "double"), ("line_item_usage_start_date", "string"),
               ("resource_tags", "map<string,string>"), ("billing_period", "string")]
CUR_ROWS = [
    ("111122223333", "AmazonEC2", 10.25, "2026-10-01T00:00:00Z",
     {"user:team": "data", "user:env": "prod"}, "2026-10"),
    ("111122223333", "AmazonEC2", 4.75, "2026-10-02T00:00:00Z", {"user:team": "web"}, "2026-10"),
    ("111122223333", "AmazonS3", 1.5, "2026-10-03T00:00:00Z", {}, "2026-10"),
    ("111122223333", "AmazonS3", None, "2026-10-04T00:00:00Z", {}, "2026-10"),
    ("111122223333", None, 0.5, "2026-10-05T00:00:00Z", {}, "2026-10"),
    ("111122223333", "AmazonEC2", 99.0, "2026-09-01T00:00:00Z", {"user:team": "data"}, "2026-09"),
    ("111122223333", "AmazonRDS", 7.0, "2026-09-02T00:00:00Z", {}, "2026-09"),
]


def csv_bytes(row):
    """What the double counts per row, computed here independently."""
    def text(v):
        if v is None:
            return ""
        if isinstance(v, dict):
            return json.dumps(v, separators=(",", ":"))
        if isinstance(v, float):
            return repr(v)
        return str(v)
    return len((",".join(text(v) for v in row) + "\n").encode())


class DoubleTestCase(unittest.TestCase):
    def setUp(self):
        self.double = AwsDouble()
        self.seed(self.double)
        self.double.start()
        self.addCleanup(self.double.stop)

    def seed(self, double):
        pass

    def client(self, service, key=DEFAULT_ACCESS_KEY, secret=DEFAULT_SECRET_KEY, token=None,
               region="us-east-1", config=NO_RETRY):
        client = SESSION.create_client(service, endpoint_url=self.double.endpoint,
                                       region_name=region, aws_access_key_id=key,
                                       aws_secret_access_key=secret, aws_session_token=token,
                                       config=config)
        self.addCleanup(client.close)
        return client

    def assertAwsError(self, code, call, *args, status=None, **kwargs):
        with self.assertRaises(botocore.exceptions.ClientError) as caught:
            call(*args, **kwargs)
        error = caught.exception.response
        self.assertEqual(error["Error"]["Code"], code, error)
        if status is not None:
            self.assertEqual(error["ResponseMetadata"]["HTTPStatusCode"], status, error)
        return error

    def assume_role(self, external_id="costwise-ext", duration=900, permissions=None):
        if permissions is not None:
            self.double.roles[ROLE_ARN]["permissions"] = set(permissions)
        creds = self.client("sts").assume_role(
            RoleArn=ROLE_ARN, RoleSessionName="test-session", ExternalId=external_id,
            DurationSeconds=duration)["Credentials"]
        return creds

    def role_client(self, service, creds, **kwargs):
        return self.client(service, key=creds["AccessKeyId"], secret=creds["SecretAccessKey"],
                           token=creds["SessionToken"], **kwargs)


def seed_everything(double):
    double.roles[ROLE_ARN] = {"external_id": "costwise-ext", "trusted_accounts": [DEFAULT_ACCOUNT],
                              "permissions": {"ec2:Describe*", "cloudwatch:GetMetricData"},
                              "max_session_duration": 3600}
    ids = [f"i-0{n:016x}" for n in range(1, 8)]
    for n, iid in enumerate(ids):
        double.ec2_instances.append(instance(
            iid, state="stopped" if n == 6 else "running",
            itype="m5.large" if n % 2 else "t3.micro",
            tags={"team": "data" if n < 3 else "web", "Name": f"host {n}"}))
    double.ec2_instances.append(instance("i-0aaaaaaaaaaaaaaaa", region="eu-west-1"))
    for n in range(6):
        double.ec2_volumes.append({
            "VolumeId": f"vol-0{n:016x}", "Size": 100 + n, "VolumeType": "gp3" if n else "gp2",
            "State": "available" if n == 5 else "in-use", "CreateTime": "2026-08-01T00:00:00Z",
            "AvailabilityZone": "us-east-1b", "region": "us-east-1",
            "Attachments": [] if n == 5 else [{"InstanceId": ids[n], "Device": "/dev/xvda",
                                               "State": "attached",
                                               "AttachTime": "2026-08-01T00:00:05Z"}]})
    double.ec2_addresses += [
        {"PublicIp": "203.0.113.10", "AllocationId": "eipalloc-0123456789abcdef0",
         "AssociationId": "eipassoc-0123456789abcdef0", "InstanceId": ids[0], "Domain": "vpc"},
        {"PublicIp": "203.0.113.11", "AllocationId": "eipalloc-0123456789abcdef1", "Domain": "vpc"}]


class StsTest(DoubleTestCase):
    seed = staticmethod(seed_everything)

    def test_get_caller_identity(self):
        answer = self.client("sts").get_caller_identity()
        self.assertEqual(answer["Account"], DEFAULT_ACCOUNT)
        self.assertEqual(answer["Arn"], f"arn:aws:iam::{DEFAULT_ACCOUNT}:user/costwise-double")
        self.assertTrue(answer["UserId"])
        self.assertTrue(answer["ResponseMetadata"]["RequestId"])

    def test_assume_role_and_use_the_temporary_credentials(self):
        before = time.time()
        answer = self.client("sts").assume_role(RoleArn=ROLE_ARN, RoleSessionName="test-session",
                                                ExternalId="costwise-ext", DurationSeconds=900)
        creds = answer["Credentials"]
        self.assertTrue(creds["AccessKeyId"].startswith("ASIA"))
        self.assertGreater(len(creds["SessionToken"]), 100)
        self.assertAlmostEqual(creds["Expiration"].timestamp(), before + 900, delta=5)
        arn = "arn:aws:sts::444455556666:assumed-role/CostwiseReadOnly/test-session"
        self.assertEqual(answer["AssumedRoleUser"]["Arn"], arn)
        self.assertIn(creds["AccessKeyId"], self.double.credentials)
        me = self.role_client("sts", creds).get_caller_identity()
        self.assertEqual((me["Account"], me["Arn"]), ("444455556666", arn))
        self.assertTrue(me["UserId"].endswith(":test-session"))
        # permitted: ec2:Describe*; not permitted: ec2:StopInstances
        ec2 = self.role_client("ec2", creds)
        self.assertEqual(len(ec2.describe_instances()["Reservations"]), 7)
        error = self.assertAwsError("UnauthorizedOperation", ec2.stop_instances,
                                    InstanceIds=["i-00000000000000001"], status=403)
        self.assertEqual(error["Error"]["Message"],
                         f"You are not authorized to perform this operation. User: {arn} is not "
                         "authorized to perform: ec2:StopInstances on resource: "
                         "arn:aws:ec2:us-east-1:444455556666:instance/i-00000000000000001 because "
                         "no identity-based policy allows the ec2:StopInstances action")
        self.assertEqual(self.double.ec2_calls, [])

    def test_assume_role_refused(self):
        sts = self.client("sts")
        expected = (f"User: arn:aws:iam::{DEFAULT_ACCOUNT}:user/costwise-double is not authorized "
                    f"to perform: sts:AssumeRole on resource: {ROLE_ARN}")
        for kwargs in ({"ExternalId": "wrong"}, {}):
            error = self.assertAwsError("AccessDenied", sts.assume_role, RoleArn=ROLE_ARN,
                                        RoleSessionName="s1", status=403, **kwargs)
            self.assertEqual(error["Error"]["Message"], expected)
        self.double.add_credentials("AKIDOTHERACCOUNT", "other-secret", account="999988887777")
        other = self.client("sts", key="AKIDOTHERACCOUNT", secret="other-secret")
        self.assertAwsError("AccessDenied", other.assume_role, RoleArn=ROLE_ARN,
                            RoleSessionName="s1", ExternalId="costwise-ext")
        self.assertAwsError("AccessDenied", sts.assume_role,
                            RoleArn="arn:aws:iam::444455556666:role/Nope", RoleSessionName="s1")
        self.assertAwsError("ValidationError", sts.assume_role, RoleArn=ROLE_ARN,
                            RoleSessionName="s1", ExternalId="costwise-ext", DurationSeconds=7200)

    def test_permission_denied_in_every_service(self):
        creds = self.assume_role(permissions=set())
        arn = "arn:aws:sts::444455556666:assumed-role/CostwiseReadOnly/test-session"
        error = self.assertAwsError("AccessDeniedException",
                                    self.role_client("athena", creds).start_query_execution,
                                    QueryString="SELECT 1", status=400)
        self.assertEqual(error["Error"]["Message"],
                         f"User: {arn} is not authorized to perform: athena:StartQueryExecution on "
                         "resource: arn:aws:athena:us-east-1:444455556666:workgroup/primary "
                         "because no identity-based policy allows the "
                         "athena:StartQueryExecution action")
        error = self.assertAwsError(
            "AccessDenied", self.role_client("cloudwatch", creds).get_metric_data,
            MetricDataQueries=[{"Id": "m", "MetricStat": {"Metric": {"Namespace": "AWS/EC2",
                                                                     "MetricName": "CPU"},
                                                          "Period": 60, "Stat": "Average"}}],
            StartTime=T0, EndTime=T0 + 3600, status=403)
        self.assertIn("cloudwatch:GetMetricData", error["Error"]["Message"])
        self.double.s3_objects[("bills", "a.csv")] = b"x"
        error = self.assertAwsError("AccessDenied", self.role_client("s3", creds).get_object,
                                    Bucket="bills", Key="a.csv", status=403)
        self.assertIn('s3:GetObject on resource: "arn:aws:s3:::bills/a.csv"',
                      error["Error"]["Message"])
        error = self.assertAwsError("AccessDeniedException",
                                    self.role_client("pricing", creds).get_products,
                                    ServiceCode="AmazonEC2")
        self.assertIn("pricing:GetProducts", error["Error"]["Message"])

    def test_expired_temporary_credentials(self):
        creds = self.assume_role(permissions={"*"})
        self.role_client("sts", creds).get_caller_identity()
        self.double.clock_offset = 901
        error = self.assertAwsError("ExpiredToken",
                                    self.role_client("sts", creds).get_caller_identity, status=403)
        self.assertEqual(error["Error"]["Message"],
                         "The security token included in the request is expired")
        self.assertAwsError("ExpiredTokenException",
                            self.role_client("athena", creds).list_work_groups, status=400)
        self.assertAwsError("RequestExpired", self.role_client("ec2", creds).describe_instances,
                            status=400)
        self.assertAwsError("ExpiredToken", self.role_client("s3", creds).list_objects_v2,
                            Bucket="b", status=400)
        self.assertAwsError("ExpiredToken", self.role_client("cloudwatch", creds).get_metric_data,
                            MetricDataQueries=[], StartTime=T0, EndTime=T0 + 60)


class SignatureTest(DoubleTestCase):
    def seed(self, double):
        double.s3_objects[("bills", "reports/été 2026+x (1).csv")] = b"a,b\n1,2\n"
        double.s3_objects[("bills", "plain.txt")] = b"0123456789"
        double.ec2_instances.append(instance("i-0123456789abcdef0",
                                             tags={"Name": "web  é/x+y=z&q"}))

    def test_odd_characters_are_signed_and_verified(self):
        s3 = self.client("s3")
        listed = s3.list_objects_v2(Bucket="bills", Prefix="reports/été 2026+")
        keys = [o["Key"] for o in listed["Contents"]]
        self.assertEqual(keys, ["reports/été 2026+x (1).csv"])
        self.assertEqual(s3.get_object(Bucket="bills", Key=keys[0])["Body"].read(), b"a,b\n1,2\n")
        ec2 = self.client("ec2")
        answer = ec2.describe_instances(Filters=[{"Name": "tag:Name",
                                                  "Values": ["web  é/x+y=z&q"]}])
        self.assertEqual(len(answer["Reservations"]), 1)
        self.assertEqual(self.double.signature_failures, 0)

    def test_wrong_secret(self):
        clients = {s: self.client(s, secret="not-the-secret")
                   for s in ("sts", "ec2", "athena", "s3")}
        error = self.assertAwsError("SignatureDoesNotMatch", clients["sts"].get_caller_identity,
                                    status=403)
        self.assertTrue(error["Error"]["Message"].startswith(
            "The request signature we calculated does not match the signature you provided."))
        self.assertIn("The Canonical String for this request should have been",
                      error["Error"]["Message"])
        self.assertAwsError("SignatureDoesNotMatch", clients["ec2"].describe_instances, status=403)
        self.assertAwsError("InvalidSignatureException", clients["athena"].list_work_groups,
                            status=400)
        error = self.assertAwsError("SignatureDoesNotMatch", clients["s3"].get_object,
                                    Bucket="bills", Key="plain.txt", status=403)
        self.assertIn("CanonicalRequest", error["Error"])
        self.assertEqual(self.double.signature_failures, 4)
        self.assertEqual([c["status"] for c in self.double.calls], [403, 403, 400, 403])

    def test_unknown_key_and_bad_token(self):
        cases = [("sts", "InvalidClientTokenId", 403, "get_caller_identity", {}),
                 ("ec2", "AuthFailure", 401, "describe_instances", {}),
                 ("athena", "UnrecognizedClientException", 400, "list_work_groups", {}),
                 ("s3", "InvalidAccessKeyId", 403, "list_objects_v2", {"Bucket": "bills"})]
        for service, code, status, op, kwargs in cases:
            client = self.client(service, key="AKIDNOBODYKNOWS")
            self.assertAwsError(code, getattr(client, op), status=status, **kwargs)
        self.double.add_credentials("ASIATEMPORARYKEY", "s", token="right-token")
        self.assertAwsError("InvalidClientTokenId", self.client(
            "sts", key="ASIATEMPORARYKEY", secret="s", token="wrong-token").get_caller_identity)
        self.assertAwsError("InvalidClientTokenId", self.client(
            "sts", key="ASIATEMPORARYKEY", secret="s").get_caller_identity)
        self.assertAwsError("InvalidToken", self.client(
            "s3", key="ASIATEMPORARYKEY", secret="s", token="wrong").list_objects_v2,
            Bucket="bills")
        self.client("sts", key="ASIATEMPORARYKEY", secret="s",
                    token="right-token").get_caller_identity()
        self.assertEqual(self.double.signature_failures, 0)

    def test_clock_skew(self):
        self.double.skew_offset = 3600
        error = self.assertAwsError("SignatureDoesNotMatch",
                                    self.client("sts").get_caller_identity, status=403)
        self.assertRegex(error["Error"]["Message"],
                         r"^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z "
                         r"\(\d{8}T\d{6}Z - 15 min\.\)$")
        self.assertAwsError("RequestTimeTooSkewed", self.client("s3").list_objects_v2,
                            Bucket="bills", status=403)
        self.assertAwsError("RequestExpired", self.client("ec2").describe_instances, status=400)
        self.assertAwsError("InvalidSignatureException", self.client("athena").list_work_groups)
        self.double.skew_offset = 600  # within 15 minutes: fine
        self.client("sts").get_caller_identity()

    def test_presigned_s3_url(self):
        v4 = Config(signature_version="s3v4", s3={"addressing_style": "path"})
        s3 = self.client("s3", config=v4)
        url = s3.generate_presigned_url(
            "get_object", Params={"Bucket": "bills", "Key": "reports/été 2026+x (1).csv"},
            ExpiresIn=60)
        self.assertIn("X-Amz-Signature=", url)
        with URLLIB.open(url) as answer:
            self.assertEqual(answer.read(), b"a,b\n1,2\n")
        tampered = url.replace("X-Amz-Expires=60", "X-Amz-Expires=600")
        with self.assertRaises(urllib.error.HTTPError) as caught:
            URLLIB.open(tampered)
        self.assertEqual(caught.exception.code, 403)
        self.assertIn(b"<Code>SignatureDoesNotMatch</Code>", caught.exception.read())
        self.assertEqual(self.double.signature_failures, 1)
        # with a session token (in the URL), then expired
        self.double.add_credentials("ASIAPRESIGNTOKEN", "s", token="tok/en+=")
        url = self.client("s3", key="ASIAPRESIGNTOKEN", secret="s", token="tok/en+=", config=v4) \
            .generate_presigned_url("get_object", Params={"Bucket": "bills", "Key": "plain.txt"},
                                    ExpiresIn=60)
        with URLLIB.open(url) as answer:
            self.assertEqual(answer.read(), b"0123456789")
        self.double.clock_offset = 120
        with self.assertRaises(urllib.error.HTTPError) as caught:
            URLLIB.open(url)
        body = caught.exception.read()
        self.assertEqual(caught.exception.code, 403)
        self.assertIn(b"<Message>Request has expired</Message>", body)

    def test_hand_signed_requests_path_and_query(self):
        """Paths with dot segments and encoded characters (double-encoded in the canonical
        request for every service but S3) and a GET with the parameters in the query."""
        creds = Credentials(DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY)

        def send(method, url, service, data=None, headers=None):
            request = AWSRequest(method=method, url=url, data=data, headers=headers or {})
            SigV4Auth(creds, service, "us-east-1").add_auth(request)
            prepared = request.prepare()
            req = urllib.request.Request(prepared.url, data=prepared.body or None,
                                         headers=dict(prepared.headers), method=method)
            try:
                with URLLIB.open(req) as answer:
                    return answer.status, answer.read()
            except urllib.error.HTTPError as err:
                return err.code, err.read()

        base = self.double.endpoint
        status, body = send("GET", base + "/?Action=GetCallerIdentity&Version=2011-06-15", "sts")
        self.assertEqual(status, 200, body)
        self.assertIn(b"<Account>111122223333</Account>", body)
        status, body = send("POST", base + "/a/./b/../c%20d/%E2%82%AC/", "athena",
                            data=b"{}", headers={"X-Amz-Target": "AmazonAthena.ListWorkGroups",
                                                 "Content-Type": "application/x-amz-json-1.1"})
        # the signature is good: the double then says it does not implement ListWorkGroups
        self.assertEqual(status, 400, body)
        self.assertEqual(json.loads(body)["__type"],
                         "com.amazon.coral.service#UnknownOperationException")
        self.assertEqual(self.double.signature_failures, 0)


class ErrorShapeTest(DoubleTestCase):
    """The raw error bodies and headers, per protocol."""

    def raw(self, service, headers=None, data=b"", path="/", method="POST"):
        creds = Credentials(DEFAULT_ACCESS_KEY, "wrong-secret")
        request = AWSRequest(method=method, url=self.double.endpoint + path, data=data,
                             headers=headers or {})
        if service == "s3":
            request.headers["X-Amz-Content-SHA256"] = hashlib.sha256(data).hexdigest()
        SigV4Auth(creds, service, "us-east-1").add_auth(request)
        prepared = request.prepare()
        req = urllib.request.Request(prepared.url, data=prepared.body or None,
                                     headers=dict(prepared.headers), method=method)
        with self.assertRaises(urllib.error.HTTPError) as caught:
            URLLIB.open(req)
        return caught.exception.code, dict(caught.exception.headers), caught.exception.read()

    def test_shapes(self):
        form = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
        status, headers, body = self.raw("sts", form,
                                         b"Action=GetCallerIdentity&Version=2011-06-15")
        self.assertEqual(status, 403)
        self.assertIn("x-amzn-RequestId", headers)
        self.assertRegex(body.decode(), r'(?s)^<ErrorResponse xmlns="https://sts.amazonaws.com/'
                         r'doc/2011-06-15/">\s*<Error>\s*<Type>Sender</Type>\s*<Code>'
                         r"SignatureDoesNotMatch</Code>\s*<Message>The request signature.*"
                         r"</Message>\s*</Error>\s*"
                         r"<RequestId>[-0-9a-f]{36}</RequestId>\s*</ErrorResponse>\s*$")
        status, headers, body = self.raw("ec2", form,
                                         b"Action=DescribeInstances&Version=2016-11-15")
        self.assertRegex(body.decode(), r"(?s)<Response><Errors><Error><Code>SignatureDoesNotMatch"
                         r"</Code><Message>.*</Message></Error></Errors><RequestID>[-0-9a-f]{36}"
                         r"</RequestID></Response>$")
        status, headers, body = self.raw(
            "athena", {"X-Amz-Target": "AmazonAthena.GetQueryExecution",
                       "Content-Type": "application/x-amz-json-1.1"},
            b'{"QueryExecutionId": "x"}')
        self.assertEqual(status, 400)
        self.assertEqual(headers["x-amzn-ErrorType"], "InvalidSignatureException:http://internal."
                         "amazon.com/coral/com.amazon.coral.service/")
        self.assertEqual(json.loads(body)["__type"],
                         "com.amazon.coral.service#InvalidSignatureException")
        self.assertIn("x-amzn-RequestId", headers)
        status, headers, body = self.raw("s3", path="/bucket/key", method="GET")
        self.assertEqual(status, 403)
        self.assertIn("x-amz-request-id", headers)
        self.assertRegex(body.decode(), r"(?s)^<\?xml[^>]*>\s*<Error><Code>SignatureDoesNotMatch"
                         r"</Code><Message>.*</Message>.*<RequestId>\w+</RequestId><HostId>.*"
                         r"</HostId></Error>$")

    def test_athena_modeled_error(self):
        error = self.assertAwsError("InvalidRequestException",
                                    self.client("athena").get_query_execution,
                                    QueryExecutionId="nope", status=400)
        self.assertEqual(error["Error"]["Message"], "QueryExecution nope was not found")


class FaultTest(DoubleTestCase):
    seed = staticmethod(seed_everything)

    def test_fail_next(self):
        ec2 = self.client("ec2")
        self.double.fail_next("ec2:DescribeInstances", 503, "RequestLimitExceeded", count=2)
        self.assertAwsError("RequestLimitExceeded", ec2.describe_instances, status=503)
        self.assertAwsError("RequestLimitExceeded", ec2.describe_instances, status=503)
        ec2.describe_instances()
        self.double.fail_next("athena:GetQueryExecution", 400, "ThrottlingException")
        error = self.assertAwsError("ThrottlingException",
                                    self.client("athena").get_query_execution,
                                    QueryExecutionId="x", status=400)
        self.assertEqual(error["Error"]["Message"], "Rate exceeded")
        self.double.fail_next("s3", 503, "SlowDown")
        self.assertAwsError("SlowDown", self.client("s3").list_objects_v2, Bucket="b", status=503)
        self.double.fail_next("cloudwatch", 400, "Throttling")
        self.assertAwsError("Throttling", self.client("cloudwatch").get_metric_data,
                            MetricDataQueries=[], StartTime=T0, EndTime=T0 + 60, status=400)
        self.double.fail_next("sts:GetCallerIdentity", 400, "Throttling")
        self.assertAwsError("Throttling", self.client("sts").get_caller_identity)
        self.double.fail_next("pricing", 500, "InternalError", message="boom")
        error = self.assertAwsError("InternalError", self.client("pricing").get_products,
                                    ServiceCode="AmazonEC2", status=500)
        self.assertEqual(error["Error"]["Message"], "boom")
        codes = [(c["service"], c["action"], c["status"], c["error"]) for c in self.double.calls]
        self.assertEqual(codes[:3], [("ec2", "DescribeInstances", 503, "RequestLimitExceeded")] * 2
                         + [("ec2", "DescribeInstances", 200, None)])
        self.assertEqual(codes[-1], ("pricing", "GetProducts", 500, "InternalError"))
        self.assertEqual(self.double.calls[0]["access_key"], DEFAULT_ACCESS_KEY)

    def test_botocore_retries_a_throttled_call(self):
        self.double.fail_next("ec2:DescribeInstances", 503, "RequestLimitExceeded")
        ec2 = self.client("ec2", config=Config(retries={"mode": "standard",
                                                        "total_max_attempts": 3}))
        ec2.describe_instances()
        self.assertEqual([c["status"] for c in self.double.calls], [503, 200])

    def test_delay_next(self):
        self.double.delay_next("sts:GetCallerIdentity", 1.5)
        sts = self.client("sts", config=Config(retries={"total_max_attempts": 1}, read_timeout=0.3))
        with self.assertRaises(botocore.exceptions.ReadTimeoutError):
            sts.get_caller_identity()
        sts.get_caller_identity()  # the delay was for one call only


class Ec2Test(DoubleTestCase):
    seed = staticmethod(seed_everything)

    def test_describe_paging_and_filters(self):
        ec2 = self.client("ec2")
        pages = list(ec2.get_paginator("describe_instances").paginate(
            PaginationConfig={"PageSize": 5}))
        self.assertEqual(len(pages), 2)
        self.assertIn("NextToken", pages[0])
        found = [i for p in pages for r in p["Reservations"] for i in r["Instances"]]
        self.assertEqual(len(found), 7)
        first = found[0]
        self.assertEqual(first["InstanceId"], "i-00000000000000001")
        self.assertEqual(first["InstanceType"], "t3.micro")
        self.assertEqual(first["State"], {"Code": 16, "Name": "running"})
        self.assertEqual(first["Placement"]["AvailabilityZone"], "us-east-1b")
        self.assertEqual(first["LaunchTime"],
                         datetime.datetime(2026, 9, 1, 8, tzinfo=datetime.timezone.utc))
        self.assertEqual(first["PlatformDetails"], "Linux/UNIX")
        self.assertEqual(first["Architecture"], "x86_64")
        self.assertIn({"Key": "team", "Value": "data"}, first["Tags"])
        running = ec2.describe_instances(Filters=[
            {"Name": "instance-state-name", "Values": ["running"]},
            {"Name": "tag:team", "Values": ["data"]}])
        self.assertEqual(len(running["Reservations"]), 3)
        answer = ec2.describe_instances(InstanceIds=["i-00000000000000007"])
        self.assertEqual(answer["Reservations"][0]["Instances"][0]["State"]["Name"], "stopped")
        self.assertAwsError("InvalidInstanceID.NotFound", ec2.describe_instances,
                            InstanceIds=["i-0ffffffffffffffff"], status=400)
        self.assertAwsError("InvalidParameterValue", ec2.describe_instances,
                            Filters=[{"Name": "no-such-filter", "Values": ["x"]}])
        eu = self.client("ec2", region="eu-west-1").describe_instances()
        self.assertEqual([r["Instances"][0]["InstanceId"] for r in eu["Reservations"]],
                         ["i-0aaaaaaaaaaaaaaaa"])

    def test_stop_modify_start(self):
        ec2 = self.client("ec2")
        iid = "i-00000000000000001"

        def state():
            answer = ec2.describe_instances(InstanceIds=[iid])
            return answer["Reservations"][0]["Instances"][0]

        error = self.assertAwsError("IncorrectInstanceState", ec2.modify_instance_attribute,
                                    InstanceId=iid, InstanceType={"Value": "m5.xlarge"}, status=400)
        self.assertEqual(error["Error"]["Message"],
                         f"The instance '{iid}' is not in the 'stopped' state.")
        change = ec2.stop_instances(InstanceIds=[iid])["StoppingInstances"][0]
        self.assertEqual((change["InstanceId"], change["PreviousState"], change["CurrentState"]),
                         (iid, {"Code": 16, "Name": "running"}, {"Code": 64, "Name": "stopping"}))
        polls = 0
        while state()["State"]["Name"] != "stopped":
            polls += 1
            self.assertLess(polls, 5)
        self.assertEqual(polls, 1)  # one DescribeInstances saw "stopping"
        self.assertAwsError("InvalidParameterValue", ec2.modify_instance_attribute,
                            InstanceId=iid, InstanceType={"Value": "m5.huge"})
        ec2.modify_instance_attribute(InstanceId=iid, InstanceType={"Value": "m5.xlarge"})
        change = ec2.start_instances(InstanceIds=[iid])["StartingInstances"][0]
        self.assertEqual(change["CurrentState"]["Name"], "pending")
        self.assertEqual(state()["State"]["Name"], "pending")
        final = state()
        self.assertEqual((final["State"]["Name"], final["InstanceType"]), ("running", "m5.xlarge"))
        self.assertEqual([a for a, _ in self.double.ec2_calls],
                         ["StopInstances", "ModifyInstanceAttribute", "StartInstances"])
        self.assertEqual(self.double.ec2_calls[1][1]["InstanceType.Value"], "m5.xlarge")

    def test_dry_run(self):
        ec2 = self.client("ec2")
        iid = "i-00000000000000002"
        for call, kwargs in ((ec2.stop_instances, {"InstanceIds": [iid]}),
                             (ec2.start_instances, {"InstanceIds": [iid]}),
                             (ec2.modify_instance_attribute,
                              {"InstanceId": iid, "InstanceType": {"Value": "m5.xlarge"}}),
                             (ec2.describe_instances, {})):
            error = self.assertAwsError("DryRunOperation", call, DryRun=True, status=412, **kwargs)
            self.assertEqual(error["Error"]["Message"],
                             "Request would have succeeded, but DryRun flag is set.")
        self.assertEqual(self.double.ec2_calls, [])
        self.assertEqual(self.double.ec2_instances[1]["State"], "running")
        creds = self.assume_role()
        error = self.assertAwsError("UnauthorizedOperation",
                                    self.role_client("ec2", creds).stop_instances,
                                    InstanceIds=[iid], DryRun=True, status=403)
        self.assertIn("ec2:StopInstances on resource: arn:aws:ec2:us-east-1:444455556666:instance/"
                      + iid, error["Error"]["Message"])
        self.assertAwsError("DryRunOperation", self.role_client("ec2", creds).describe_volumes,
                            DryRun=True)

    def test_volumes_and_addresses(self):
        ec2 = self.client("ec2")
        pages = list(ec2.get_paginator("describe_volumes").paginate(
            PaginationConfig={"PageSize": 5}))
        self.assertEqual([len(p["Volumes"]) for p in pages], [5, 1])
        volume = pages[0]["Volumes"][1]
        self.assertEqual(
            (volume["VolumeId"], volume["Size"], volume["VolumeType"], volume["State"]),
            ("vol-00000000000000001", 101, "gp3", "in-use"))
        self.assertEqual(volume["Attachments"][0]["InstanceId"], "i-00000000000000002")
        self.assertEqual(volume["Attachments"][0]["State"], "attached")
        self.assertEqual(volume["CreateTime"].year, 2026)
        available = ec2.describe_volumes(Filters=[{"Name": "status", "Values": ["available"]}])
        self.assertEqual([v["VolumeId"] for v in available["Volumes"]], ["vol-00000000000000005"])
        addresses = ec2.describe_addresses()["Addresses"]
        self.assertEqual(
            [(a["PublicIp"], a.get("AssociationId"), a.get("InstanceId"), a["Domain"])
             for a in addresses],
            [("203.0.113.10", "eipassoc-0123456789abcdef0", "i-00000000000000001", "vpc"),
             ("203.0.113.11", None, None, "vpc")])
        self.assertNotIn("NextToken", ec2.describe_addresses())
        self.assertAwsError("InvalidAddress.NotFound", ec2.describe_addresses,
                            PublicIps=["198.51.100.1"])


class CloudWatchTest(DoubleTestCase):
    def seed(self, double):
        # one point a minute for an hour: value = minute number
        double.add_metric("AWS/EC2", "CPUUtilization", {"InstanceId": "i-1"},
                          [(T0 + 60 * m, m) for m in range(60)])
        double.add_metric("AWS/EC2", "NetworkIn", {"InstanceId": "i-1"},
                          [(T0 + 60 * m, 1000) for m in range(60)])

    @staticmethod
    def query(qid, metric, stat, period=300):
        return {"Id": qid, "MetricStat": {"Metric": {
            "Namespace": "AWS/EC2", "MetricName": metric,
            "Dimensions": [{"Name": "InstanceId", "Value": "i-1"}]},
            "Period": period, "Stat": stat}}

    def test_statistics(self):
        cw = self.client("cloudwatch")
        raw = []
        cw.meta.events.register("after-call.cloudwatch.GetMetricData",
                                lambda http_response, **_: raw.append(http_response.content))
        answer = cw.get_metric_data(
            MetricDataQueries=[self.query("avg", "CPUUtilization", "Average"),
                               self.query("mx", "CPUUtilization", "Maximum"),
                               self.query("sm", "CPUUtilization", "Sum"),
                               self.query("n", "CPUUtilization", "SampleCount"),
                               self.query("p90", "CPUUtilization", "p90"),
                               self.query("none", "NoSuchMetric", "Average")],
            StartTime=datetime.datetime.fromtimestamp(T0, datetime.timezone.utc),
            EndTime=datetime.datetime.fromtimestamp(T0 + 3600, datetime.timezone.utc),
            ScanBy="TimestampAscending")
        results = {r["Id"]: r for r in answer["MetricDataResults"]}
        self.assertEqual(results["avg"]["Values"], [5.0 * k + 2 for k in range(12)])
        self.assertEqual(results["mx"]["Values"], [5.0 * k + 4 for k in range(12)])
        self.assertEqual(results["sm"]["Values"], [25.0 * k + 10 for k in range(12)])
        self.assertEqual(results["n"]["Values"], [5.0] * 12)
        self.assertEqual(results["p90"]["Values"], [5.0 * k + 4 for k in range(12)])
        self.assertEqual(results["avg"]["Timestamps"][0],
                         datetime.datetime.fromtimestamp(T0, datetime.timezone.utc))
        self.assertEqual(results["avg"]["Label"], "CPUUtilization")
        self.assertEqual((results["none"]["Values"], results["none"]["StatusCode"]),
                         ([], "Complete"))
        self.assertIn(b"<member>2026-10-01T00:00:00Z</member>", raw[0])
        # default order: newest first
        answer = cw.get_metric_data(
            MetricDataQueries=[self.query("avg", "CPUUtilization", "Average")],
            StartTime=T0, EndTime=T0 + 3600)
        self.assertEqual(answer["MetricDataResults"][0]["Values"][0], 57.0)

    def test_paging(self):
        self.double.max_datapoints_per_page = 5
        cw = self.client("cloudwatch")
        queries = [self.query("cpu", "CPUUtilization", "Maximum", 300),
                   self.query("net", "NetworkIn", "Sum", 300)]
        first = cw.get_metric_data(MetricDataQueries=queries, StartTime=T0, EndTime=T0 + 3600)
        self.assertIn("NextToken", first)
        self.assertEqual(first["MetricDataResults"][0]["StatusCode"], "PartialData")
        merged = {}
        pages = list(cw.get_paginator("get_metric_data").paginate(
            MetricDataQueries=queries, StartTime=T0, EndTime=T0 + 3600))
        self.assertEqual(len(pages), 5)  # 24 points, 5 a page
        for page in pages:
            self.assertLessEqual(sum(len(r["Values"]) for r in page["MetricDataResults"]), 5)
            for r in page["MetricDataResults"]:
                merged.setdefault(r["Id"], []).extend(r["Values"])
        self.assertEqual(merged["cpu"], [5.0 * k + 4 for k in reversed(range(12))])
        self.assertEqual(merged["net"], [5000.0] * 12)
        self.assertEqual(pages[-1]["MetricDataResults"][-1]["StatusCode"], "Complete")
        # MaxDatapoints caps a page too
        self.double.max_datapoints_per_page = 100800
        answer = cw.get_metric_data(MetricDataQueries=queries, StartTime=T0, EndTime=T0 + 3600,
                                    MaxDatapoints=7)
        self.assertEqual(sum(len(r["Values"]) for r in answer["MetricDataResults"]), 7)

    def test_too_many_queries(self):
        queries = [self.query(f"q{n}", "CPUUtilization", "Average") for n in range(501)]
        error = self.assertAwsError("ValidationError", self.client("cloudwatch").get_metric_data,
                                    MetricDataQueries=queries, StartTime=T0, EndTime=T0 + 3600,
                                    status=400)
        self.assertIn("500", error["Error"]["Message"])


class SnsTest(DoubleTestCase):
    TOPIC = "arn:aws:sns:eu-west-1:111122223333:costwise-alerts"

    def test_publish_to_a_topic(self):
        self.double.sns_topics.add(self.TOPIC)
        sns = self.client("sns", region="eu-west-1")
        answer = sns.publish(TopicArn=self.TOPIC, Subject="costwise: 1 anomaly",
                             Message="EC2 spend rose by $1,200.00")
        self.assertTrue(answer["MessageId"])
        self.assertEqual(len(self.double.sns_messages), 1)
        self.assertEqual(self.double.sns_messages[0]["subject"], "costwise: 1 anomaly")
        self.assertAwsError("NotFound", sns.publish,
                            TopicArn="arn:aws:sns:eu-west-1:111122223333:nope", Message="x",
                            status=404)
        self.assertAwsError("InvalidParameter", sns.publish, TopicArn=self.TOPIC,
                            Message="x", Subject="two\nlines", status=400)

    def test_publish_needs_the_permission(self):
        self.double.sns_topics.add(self.TOPIC)
        self.double.add_credentials("AKIDNOSNS", "no-sns-secret", permissions=["ec2:*"])
        sns = self.client("sns", key="AKIDNOSNS", secret="no-sns-secret", region="eu-west-1")
        self.assertAwsError("AuthorizationError", sns.publish, TopicArn=self.TOPIC,
                            Message="x", status=403)


class PricingTest(DoubleTestCase):
    def seed(self, double):
        for itype, vcpu, mem, price in (("m5.large", 2, 8, 0.096), ("m5.xlarge", 4, 16, 0.192),
                                        ("t3.micro", 2, 1, 0.0104), ("t3.nano", 2, 0.5, 0.0052)):
            double.pricing_products.append(ec2_price_product(
                itype, vcpu, mem, "us-east-1", "US East (N. Virginia)", price))
        double.pricing_products.append(ec2_price_product(
            "m5.large", 2, 8, "eu-west-1", "EU (Ireland)", 0.107))

    def test_get_products(self):
        pricing = self.client("pricing")
        answer = pricing.get_products(ServiceCode="AmazonEC2", FormatVersion="aws_v1", Filters=[
            {"Type": "TERM_MATCH", "Field": "instanceType", "Value": "m5.large"},
            {"Type": "TERM_MATCH", "Field": "regionCode", "Value": "us-east-1"},
            {"Type": "TERM_MATCH", "Field": "operatingSystem", "Value": "Linux"},
            {"Type": "TERM_MATCH", "Field": "tenancy", "Value": "Shared"},
            {"Type": "TERM_MATCH", "Field": "preInstalledSw", "Value": "NA"},
            {"Type": "TERM_MATCH", "Field": "capacitystatus", "Value": "Used"}])
        self.assertEqual(answer["FormatVersion"], "aws_v1")
        self.assertEqual(len(answer["PriceList"]), 1)
        self.assertIsInstance(answer["PriceList"][0], str)
        product = json.loads(answer["PriceList"][0])
        attrs = product["product"]["attributes"]
        self.assertEqual((attrs["vcpu"], attrs["memory"], attrs["location"]),
                         ("2", "8 GiB", "US East (N. Virginia)"))
        offer = next(iter(product["terms"]["OnDemand"].values()))
        dimension = next(iter(offer["priceDimensions"].values()))
        self.assertEqual((dimension["unit"], dimension["pricePerUnit"]["USD"]),
                         ("Hrs", "0.0960000000"))
        nano = json.loads(pricing.get_products(ServiceCode="AmazonEC2", Filters=[
            {"Type": "TERM_MATCH", "Field": "instanceType", "Value": "t3.nano"}])["PriceList"][0])
        self.assertEqual(nano["product"]["attributes"]["memory"], "0.5 GiB")
        self.assertEqual(pricing.get_products(ServiceCode="AmazonRDS")["PriceList"], [])

    def test_paging(self):
        pricing = self.client("pricing")
        pages = list(pricing.get_paginator("get_products").paginate(
            ServiceCode="AmazonEC2", PaginationConfig={"PageSize": 2}))
        self.assertEqual([len(p["PriceList"]) for p in pages], [2, 2, 1])
        self.assertEqual(len({p for page in pages for p in page["PriceList"]}), 5)
        self.assertAwsError("InvalidNextTokenException", pricing.get_products,
                            ServiceCode="AmazonEC2", NextToken="garbage")


class S3Test(DoubleTestCase):
    def seed(self, double):
        for key in ("cur/2026-09/part-0.csv.gz", "cur/2026-10/part-0.csv.gz",
                    "cur/2026-10/part-1.csv.gz", "cur/manifest.json", "other/a", "top.txt"):
            double.s3_objects[("bills", key)] = key.encode() * 3
        double.s3_buckets.add("empty")

    def test_list_objects_v2(self):
        s3 = self.client("s3")
        answer = s3.list_objects_v2(Bucket="bills", Prefix="cur/", Delimiter="/")
        self.assertEqual([p["Prefix"] for p in answer["CommonPrefixes"]],
                         ["cur/2026-09/", "cur/2026-10/"])
        self.assertEqual([o["Key"] for o in answer["Contents"]], ["cur/manifest.json"])
        self.assertEqual((answer["KeyCount"], answer["IsTruncated"]), (3, False))
        obj = answer["Contents"][0]
        data = b"cur/manifest.json" * 3
        self.assertEqual((obj["Size"], obj["ETag"]),
                         (len(data), '"%s"' % hashlib.md5(data).hexdigest()))
        first = s3.list_objects_v2(Bucket="bills", MaxKeys=2)
        self.assertTrue(first["IsTruncated"])
        self.assertEqual(first["KeyCount"], 2)
        rest = s3.list_objects_v2(Bucket="bills", ContinuationToken=first["NextContinuationToken"])
        self.assertEqual([o["Key"] for o in first["Contents"] + rest["Contents"]],
                         sorted(k for b, k in self.double.s3_objects))
        keys = [o["Key"] for page in s3.get_paginator("list_objects_v2").paginate(
            Bucket="bills", PaginationConfig={"PageSize": 4}) for o in page.get("Contents", [])]
        self.assertEqual(keys, sorted(k for b, k in self.double.s3_objects))
        prefixes = [p["Prefix"] for page in s3.get_paginator("list_objects_v2").paginate(
            Bucket="bills", Delimiter="/", PaginationConfig={"PageSize": 1})
            for p in page.get("CommonPrefixes", [])]
        self.assertEqual(prefixes, ["cur/", "other/"])
        self.assertEqual(s3.list_objects_v2(Bucket="empty")["KeyCount"], 0)
        self.assertAwsError("NoSuchBucket", s3.list_objects_v2, Bucket="nope", status=404)

    def test_get_and_head_object(self):
        s3 = self.client("s3")
        data = b"top.txt" * 3
        answer = s3.get_object(Bucket="bills", Key="top.txt")
        self.assertEqual(answer["Body"].read(), data)
        self.assertEqual(answer["ContentLength"], len(data))
        self.assertEqual(answer["ETag"], '"%s"' % hashlib.md5(data).hexdigest())
        self.assertIsInstance(answer["LastModified"], datetime.datetime)
        part = s3.get_object(Bucket="bills", Key="top.txt", Range="bytes=2-5")
        self.assertEqual(part["ResponseMetadata"]["HTTPStatusCode"], 206)
        self.assertEqual(part["ContentRange"], f"bytes 2-5/{len(data)}")
        self.assertEqual(part["Body"].read(), data[2:6])
        tail = s3.get_object(Bucket="bills", Key="top.txt", Range="bytes=-3")
        self.assertEqual(tail["Body"].read(), data[-3:])
        error = self.assertAwsError("NoSuchKey", s3.get_object, Bucket="bills", Key="missing",
                                    status=404)
        self.assertEqual(error["Error"]["Key"], "missing")
        self.assertAwsError("NoSuchBucket", s3.get_object, Bucket="nope", Key="x", status=404)
        self.assertAwsError("InvalidRange", s3.get_object, Bucket="bills", Key="top.txt",
                            Range="bytes=999-", status=416)
        head = s3.head_object(Bucket="bills", Key="top.txt")
        self.assertEqual(head["ContentLength"], len(data))
        self.assertAwsError("404", s3.head_object, Bucket="bills", Key="missing", status=404)
        self.assertEqual(self.double.calls[-1]["action"], "HeadObject")


class AthenaTest(DoubleTestCase):
    def seed(self, double):
        double.athena_tables["costwise.cur"] = {"columns": CUR_COLUMNS, "rows": list(CUR_ROWS),
                                                "partitions": ["billing_period"]}
        double.athena_tables["costwise.cur_ym"] = {
            "columns": [("cost", "double"), ("year", "string"), ("month", "string")],
            "rows": [(1.0, "2026", "09"), (2.0, "2026", "10"), (4.0, "2026", "10"),
                     (8.0, "2025", "10")],
            "partitions": ["year", "month"]}

    def run_query(self, sql, database="costwise", **kwargs):
        athena = self.client("athena")
        qid = athena.start_query_execution(
            QueryString=sql, QueryExecutionContext={"Database": database}, WorkGroup="primary",
            ResultConfiguration={"OutputLocation": "s3://athena-results/costwise/"},
            **kwargs)["QueryExecutionId"]
        states = []
        while True:
            execution = athena.get_query_execution(QueryExecutionId=qid)["QueryExecution"]
            states.append(execution["Status"]["State"])
            if states[-1] in ("SUCCEEDED", "FAILED", "CANCELLED"):
                return qid, execution, states
            self.assertLess(len(states), 10)

    def rows(self, qid, page_size=None):
        athena = self.client("athena")
        config = {"PageSize": page_size} if page_size else {}
        pages = list(athena.get_paginator("get_query_results").paginate(
            QueryExecutionId=qid, PaginationConfig=config))
        rows = [[d.get("VarCharValue") for d in r["Data"]]
                for p in pages for r in p["ResultSet"]["Rows"]]
        return pages, rows

    def test_group_by_sum(self):
        sql = ('SELECT line_item_product_code AS product, SUM(line_item_unblended_cost) AS cost, '
               'COUNT(*) FROM "costwise"."cur" WHERE billing_period = \'2026-10\' '
               'GROUP BY line_item_product_code ORDER BY product')
        qid, execution, states = self.run_query(sql)
        self.assertEqual(states, ["QUEUED", "RUNNING", "SUCCEEDED"])
        self.assertEqual(execution["Query"], sql)
        self.assertEqual(execution["QueryExecutionContext"]["Database"], "costwise")
        self.assertEqual(execution["ResultConfiguration"]["OutputLocation"],
                         f"s3://athena-results/costwise/{qid}.csv")
        stats = execution["Statistics"]
        self.assertGreaterEqual(stats["EngineExecutionTimeInMillis"], 1)
        self.assertEqual(stats["DataScannedInBytes"],
                         sum(csv_bytes(r) for r in CUR_ROWS if r[5] == "2026-10"))
        pages, rows = self.rows(qid)
        self.assertEqual(rows[0], ["product", "cost", "_col2"])  # the header row comes first
        self.assertEqual(rows[1:], [[None, "0.5", "1"], ["AmazonEC2", "15.0", "2"],
                                    ["AmazonS3", "1.5", "2"]])
        columns = pages[0]["ResultSet"]["ResultSetMetadata"]["ColumnInfo"]
        self.assertEqual([(c["Name"], c["Type"]) for c in columns],
                         [("product", "varchar"), ("cost", "double"), ("_col2", "bigint")])
        raw = pages[0]["ResultSet"]["Rows"][1]["Data"][0]
        self.assertEqual(raw, {})  # NULL: no VarCharValue
        self.assertEqual(self.double.athena_queries, [sql])
        self.assertEqual(self.double.athena_executions[qid]["partitions"],
                         {"costwise.cur": [{"billing_period": "2026-10"}]})
        csv = self.double.s3_objects[("athena-results", f"costwise/{qid}.csv")].decode()
        self.assertTrue(csv.startswith('"product","cost","_col2"\n,"0.5","1"\n'))

    def test_partition_pruning_changes_bytes_scanned(self):
        _, pruned, _ = self.run_query("SELECT sum(line_item_unblended_cost) FROM cur "
                                      "WHERE billing_period = '2026-09'")
        _, full, _ = self.run_query("SELECT sum(line_item_unblended_cost) FROM cur")
        _, both, _ = self.run_query("SELECT count(*) FROM cur "
                                    "WHERE billing_period IN ('2026-09', '2026-10')")
        self.assertEqual(pruned["Statistics"]["DataScannedInBytes"],
                         sum(csv_bytes(r) for r in CUR_ROWS if r[5] == "2026-09"))
        everything = sum(csv_bytes(r) for r in CUR_ROWS)
        self.assertEqual(full["Statistics"]["DataScannedInBytes"], everything)
        self.assertEqual(both["Statistics"]["DataScannedInBytes"], everything)
        self.assertLess(pruned["Statistics"]["DataScannedInBytes"], everything)
        qid, ym, _ = self.run_query("SELECT sum(cost) FROM costwise.cur_ym "
                                    "WHERE year = '2026' AND month = '10'")
        self.assertEqual(self.rows(qid)[1][1], ["6.0"])
        self.assertEqual(self.double.athena_executions[qid]["partitions"],
                         {"costwise.cur_ym": [{"year": "2026", "month": "10"}]})
        self.assertEqual(ym["Statistics"]["DataScannedInBytes"],
                         sum(csv_bytes(r) for r in [(2.0, "2026", "10"), (4.0, "2026", "10")]))
        qid, _, _ = self.run_query("SELECT 1")
        self.assertEqual(self.double.athena_executions[qid]["bytes_scanned"], 0)

    def test_trino_rewrites(self):
        sql = """SELECT date_format(line_item_usage_start_date, '%Y-%m-%d') AS day,
                        DATE(line_item_usage_start_date) AS day2,
                        json_format(CAST(resource_tags AS JSON)) AS tags,
                        element_at(resource_tags, 'user:team') AS team,
                        resource_tags['user:env'] AS env,
                        CAST(line_item_unblended_cost AS DECIMAL(12,2)) AS cost,
                        CAST(line_item_unblended_cost AS VARCHAR) AS cost_text
                 FROM awsdatacatalog."costwise"."cur"
                 WHERE billing_period = '2026-10' AND line_item_product_code = 'AmazonEC2'
                   AND CAST(line_item_usage_start_date AS DATE) = DATE '2026-10-01'"""
        qid, execution, _ = self.run_query(sql)
        self.assertEqual(execution["Status"]["State"], "SUCCEEDED", execution["Status"])
        _, rows = self.rows(qid)
        self.assertEqual(rows, [["day", "day2", "tags", "team", "env", "cost", "cost_text"],
                                ["2026-10-01", "2026-10-01",
                                 '{"user:team":"data","user:env":"prod"}', "data", "prod",
                                 "10.25", "10.25"]])

    def test_paging_results(self):
        qid, _, _ = self.run_query("SELECT line_item_usage_start_date FROM cur ORDER BY 1")
        pages, rows = self.rows(qid, page_size=3)
        self.assertEqual([len(p["ResultSet"]["Rows"]) for p in pages], [3, 3, 2])
        self.assertEqual(rows[0], ["line_item_usage_start_date"])
        self.assertEqual([r[0] for r in rows[1:]], sorted(r[3] for r in CUR_ROWS))
        self.assertNotIn("NextToken", pages[-1])
        first = self.client("athena").get_query_results(QueryExecutionId=qid)
        self.assertEqual(len(first["ResultSet"]["Rows"]), 8)

    def test_failures(self):
        qid, execution, states = self.run_query("SELECT no_such_column FROM cur")
        self.assertEqual(states[-1], "FAILED")
        reason = execution["Status"]["StateChangeReason"]
        self.assertTrue(reason.startswith("COLUMN_NOT_FOUND: line 1:8: Column 'no_such_column' "
                                          "cannot be resolved"), reason)
        self.assertEqual(execution["Status"]["AthenaError"]["ErrorCategory"], 2)
        self.assertAwsError("InvalidRequestException", self.client("athena").get_query_results,
                            QueryExecutionId=qid)
        _, execution, _ = self.run_query("SELECT * FROM nowhere")
        self.assertIn("TABLE_NOT_FOUND", execution["Status"]["StateChangeReason"])
        error = self.assertAwsError("InvalidRequestException",
                                    self.client("athena").start_query_execution,
                                    QueryString="SELEC oops FROM", status=400)
        self.assertIn("mismatched input", error["Error"]["Message"])
        # results before the query finished
        athena = self.client("athena")
        qid = athena.start_query_execution(QueryString="SELECT 1")["QueryExecutionId"]
        error = self.assertAwsError("InvalidRequestException", athena.get_query_results,
                                    QueryExecutionId=qid)
        self.assertEqual(error["Error"]["Message"],
                         "Query has not yet finished. Current state: QUEUED")
        self.assertEqual(len(self.double.athena_queries), 4)


class ImdsTest(DoubleTestCase):
    def get(self, path, token=None, method="GET", headers=None):
        request = urllib.request.Request(self.double.endpoint + path, method=method,
                                         headers=dict(headers or {}))
        if token:
            request.add_header("X-aws-ec2-metadata-token", token)
        try:
            with URLLIB.open(request, timeout=5) as answer:
                return answer.status, answer.read().decode()
        except urllib.error.HTTPError as err:
            return err.code, err.read().decode()

    def test_imdsv2_flow(self):
        status, token = self.get("/latest/api/token", method="PUT",
                                 headers={"X-aws-ec2-metadata-token-ttl-seconds": "21600"})
        self.assertEqual(status, 200)
        self.assertEqual(self.get("/latest/meta-data/iam/security-credentials/")[0], 401)
        self.assertEqual(self.get("/latest/meta-data/iam/security-credentials/", "bogus")[0], 401)
        self.assertEqual(self.get("/latest/api/token", method="PUT")[0], 400)
        status, role = self.get("/latest/meta-data/iam/security-credentials/", token)
        self.assertEqual((status, role), (200, "costwise-instance"))
        status, body = self.get(f"/latest/meta-data/iam/security-credentials/{role}", token)
        creds = json.loads(body)
        self.assertEqual((creds["Code"], creds["Type"]), ("Success", "AWS-HMAC"))
        self.assertEqual(set(creds), {"Code", "LastUpdated", "Type", "AccessKeyId",
                                      "SecretAccessKey", "Token", "Expiration"})
        self.assertIn(creds["AccessKeyId"], self.double.credentials)
        status, body = self.get("/latest/dynamic/instance-identity/document", token)
        self.assertEqual(json.loads(body)["region"], "us-east-1")
        me = self.client("sts", key=creds["AccessKeyId"], secret=creds["SecretAccessKey"],
                         token=creds["Token"]).get_caller_identity()
        self.assertEqual(me["Arn"], f"arn:aws:sts::{DEFAULT_ACCOUNT}:assumed-role/"
                                    f"costwise-instance/{self.double.imds_instance_id}")
        # botocore's own IMDS client parses it
        fetcher = InstanceMetadataFetcher(timeout=5, num_attempts=1, env={},
                                          base_url=self.double.endpoint + "/")
        fetched = fetcher.retrieve_iam_role_credentials()
        fetcher._session.close()
        self.assertEqual((fetched["role_name"], fetched["access_key"]),
                         ("costwise-instance", creds["AccessKeyId"]))
        self.double.imds_role = None
        self.assertEqual(self.get("/latest/api/token", method="PUT",
                                  headers={"X-aws-ec2-metadata-token-ttl-seconds": "60"})[0], 404)
        self.assertEqual(self.double.calls[0]["service"], "imds")


class ProcessModeTest(unittest.TestCase):
    def test_runs_as_a_process(self):
        tmp = tempfile.mkdtemp(prefix="aws-double-")
        state = {"credentials": {"AKIDPROCESS": {"secret": "process-secret",
                                                 "account": "123456789012",
                                                 "permissions": ["ec2:*"]}},
                 "ec2_instances": [instance("i-0bbbbbbbbbbbbbbbb")],
                 "ec2_prices": [{"instance_type": "m5.large", "vcpu": 2, "memory_gib": 8,
                                 "region_code": "us-east-1", "location": "US East (N. Virginia)",
                                 "usd_per_hour": 0.096}],
                 "faults": [{"target": "ec2:DescribeInstances", "status": 503,
                             "code": "RequestLimitExceeded"}]}
        with open(os.path.join(tmp, "state.json"), "w") as f:
            json.dump(state, f)
        record = os.path.join(tmp, "record.json")
        proc = subprocess.Popen([sys.executable, aws_double.__file__, "--port", "0", "--state",
                                 os.path.join(tmp, "state.json"), "--record", record],
                                stdout=subprocess.PIPE, text=True)
        try:
            line = proc.stdout.readline()
            self.assertRegex(line, r"^listening http://127\.0\.0\.1:\d+\n$")
            endpoint = line.split()[1]
            ec2 = SESSION.create_client("ec2", endpoint_url=endpoint, region_name="us-east-1",
                                        aws_access_key_id="AKIDPROCESS",
                                        aws_secret_access_key="process-secret", config=NO_RETRY)
            self.addCleanup(ec2.close)
            with self.assertRaises(botocore.exceptions.ClientError):
                ec2.describe_instances()
            answer = ec2.describe_instances()
            self.assertEqual(answer["Reservations"][0]["Instances"][0]["InstanceId"],
                             "i-0bbbbbbbbbbbbbbbb")
            self.assertEqual(answer["Reservations"][0]["OwnerId"], "123456789012")
        finally:
            proc.terminate()
            self.assertEqual(proc.wait(10), 0)
            proc.stdout.close()
        with open(record) as f:
            calls = json.load(f)["calls"]
        self.assertEqual([c["status"] for c in calls], [503, 200])


class UnitTest(unittest.TestCase):
    def test_java_double(self):
        from aws_double import _java_double
        self.assertEqual(
            [_java_double(x) for x in (1.5, 100.0, 1e7, 1.2e-4, 0.001, 12345678.9, 0.0)],
            ["1.5", "100.0", "1.0E7", "1.2E-4", "0.001", "1.23456789E7", "0.0"])

    def test_rewrite(self):
        from aws_double import _rewrite_trino
        self.assertEqual(_rewrite_trino("SELECT m['a''b'], x FROM t WHERE s = 'm[''k'']'"),
                         "SELECT json_extract(m, '$.\"a''b\"'), x FROM t WHERE s = 'm[''k'']'")
        self.assertEqual(_rewrite_trino("SELECT json_format(CAST(t.tags AS JSON)) FROM t"),
                         "SELECT t.tags FROM t")


if __name__ == "__main__":
    unittest.main(verbosity=2)
