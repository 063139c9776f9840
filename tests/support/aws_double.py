#!/usr/bin/python3
"""A local AWS test double: STS, EC2, CloudWatch, Athena, Pricing, S3, SNS (Publish) and the EC2
instance metadata service (IMDSv2), all on ONE HTTP endpoint, for the tests of costwise's AWS client.

Standard library only (Debian's /usr/bin/python3). Its self-test, aws_double_test.py, proves with
real botocore clients that every response below parses the way AWS's own does.

Use from Python
---------------
    double = AwsDouble()          # the state below; nothing started yet
    double.ec2_instances.append({"InstanceId": "i-0123456789abcdef0", "InstanceType": "m5.large",
                                 "State": "running", "region": "us-east-1"})
    double.start()                # ThreadingHTTPServer on 127.0.0.1, a free port, daemon thread
    double.endpoint               # "http://127.0.0.1:PORT": give it as AWS_ENDPOINT_URL
    ...
    double.stop()

Use from any other test (a process)
-----------------------------------
    /usr/bin/python3 tests/support/aws_double.py --port 0 --state state.json [--record out.json]

prints "listening http://127.0.0.1:PORT" (flushed) on stdout and serves until SIGTERM or SIGINT.
With --record, it then writes {"calls", "ec2_calls", "athena_queries", "athena_executions",
"signature_failures"} as JSON to that file. The state file is one JSON object; every key is
optional and mirrors the attribute of the same name (see load_state):

    {"credentials": {"AKID...": {"secret": "...", "token": null, "expires": null,
                                 "account": "111122223333", "arn": "arn:aws:iam::...:user/x",
                                 "permissions": ["*"]}},
     "roles": {"arn:aws:iam::444455556666:role/Costwise": {"external_id": "xyz",
               "trusted_accounts": ["111122223333"], "permissions": ["ec2:Describe*"],
               "max_session_duration": 3600}},
     "ec2_instances": [{...}], "ec2_volumes": [{...}], "ec2_addresses": [{...}],
     "metrics": [{"namespace": "AWS/EC2", "metric_name": "CPUUtilization",
                  "dimensions": {"InstanceId": "i-..."}, "points": [[unix_time, value], ...]}],
     "pricing_products": ["<price-list JSON string>", {... or the object itself ...}],
     "ec2_prices": [{"instance_type": "m5.large", "vcpu": 2, "memory_gib": 8,
                     "region_code": "us-east-1", "location": "US East (N. Virginia)",
                     "usd_per_hour": 0.096}],            # built with ec2_price_product()
     "s3_objects": [{"bucket": "b", "key": "k", "text": "..."} or {..., "base64": "..."}],
     "athena_tables": {"db.table": {"columns": [["name", "type"], ...], "rows": [[...], ...],
                                    "partitions": ["billing_period"]}},
     "imds_role": "costwise-instance" or null, "imds_permissions": ["*"],
     "transition_polls": 1, "athena_polls": 2, "max_datapoints_per_page": 100800,
     "clock_offset": 0, "skew_offset": 0, "default_region": "us-east-1",
     "faults": [{"target": "athena:GetQueryResults", "status": 400, "after": 0,
                 "code": "ThrottlingException", "count": 1, "message": null}],
     "delays": [{"target": "ec2:DescribeInstances", "seconds": 2.0, "count": 1}]}

State (plain attributes; tests set them directly, under `double.lock` once serving)
----------------------------------------------------------------------------------
credentials     access key id -> {"secret", "token" (None for long-term keys), "expires" (unix
                time or None), "account", "arn", "user_id", "permissions" (set of IAM actions,
                fnmatch patterns: "*", "ec2:*", "ec2:Describe*")}. Missing fields get defaults.
                Starts with AKIDCOSTWISEDOUBLE / "double-secret-key" in account 111122223333.
roles           role ARN -> {"external_id" (str or None), "trusted_accounts" (accounts or
                principal ARNs allowed to assume it), "permissions", "max_session_duration"}.
ec2_instances   list of dicts: InstanceId, InstanceType, State ("pending", "running",
                "stopping", "stopped", ...), LaunchTime (unix time or ISO 8601), Placement
                {"AvailabilityZone"}, Platform ("windows" or absent), PlatformDetails, Tags
                [{"Key", "Value"}], Architecture, ImageId, VpcId, SubnetId, PrivateIpAddress,
                ReservationId, OwnerId, and "region" (default default_region).
ec2_volumes     VolumeId, Size, VolumeType, State, Attachments [{"InstanceId", "Device",
                "State", "AttachTime", "DeleteOnTermination"}], CreateTime, AvailabilityZone,
                Iops, Throughput, Encrypted, Tags, region.
ec2_addresses   PublicIp, AllocationId, AssociationId, InstanceId, Domain, PrivateIpAddress,
                NetworkInterfaceId, Tags, region.
ec2_instance_types  the set ModifyInstanceAttribute accepts (common families x sizes, plus the
                types of ec2_instances and of pricing_products).
metrics         (namespace, metric_name, frozenset({(dim_name, dim_value), ...})) ->
                [(unix_time, value), ...] raw points (any resolution).
pricing_products  price-list items, each a JSON *string* exactly like GetProducts' PriceList
                elements (see ec2_price_product()).
s3_objects      (bucket, key) -> bytes. s3_buckets: extra (empty) buckets. s3_last_modified:
                optional (bucket, key) -> unix time (default: when the double was made).
athena_tables   "database.table" -> {"columns": [(name, athena_type)], "rows": [tuple, ...],
                "partitions": [partition column names, which are also in columns]}. Map
                values may be dicts (stored as JSON text).
sns_topics      topic ARNs that exist (Publish to another is NotFound); each Publish is recorded
                in sns_messages as {"topic", "subject", "message", "access_key", "message_id"}.
imds_role       the instance profile's role name (None: IMDS answers 404); imds_permissions,
                imds_account, imds_region, imds_instance_id, imds_credential_ttl.
transition_polls  DescribeInstances calls an instance stays stopping/pending (default 1).
athena_polls    GetQueryExecution calls a query stays QUEUED/RUNNING (default 2).
max_datapoints_per_page  GetMetricData's page size across queries (default 100800, AWS's).
clock_offset    seconds added to the double's clock: expiry of credentials, tokens and
                presigned URLs, and the times it reports.
skew_offset     seconds added to the clock that X-Amz-Date is checked against (15 minutes of
                tolerance), to simulate a client whose clock is off.

Records: calls (dicts {service, action, access_key, status, error, region, time} for every
request, IMDS included as service "imds"), ec2_calls ((action, params) of every EC2 mutation
that happened: not dry runs, not refused ones), athena_queries (every query string),
athena_executions (id -> {query, database, workgroup, state, partitions touched per table,
bytes_scanned, ...}), signature_failures (count of requests whose signature did not match).

Fault injection: fail_next(target, status, code, count=1, message=None) and
delay_next(target, seconds, count=1). target is "*", a service ("ec2", "cloudwatch" or
"monitoring", "imds"...), "service:Action" or a bare "Action". A fault is answered after the
signature check, in the service's own error format; a delay sleeps before anything is read.

Protocols and errors (as AWS sends them)
----------------------------------------
Services are told apart by the SigV4 credential scope (Authorization header, or X-Amz-Credential
of a presigned URL): sts, ec2, monitoring (CloudWatch), athena, pricing, s3; without one, by
X-Amz-Target (AmazonAthena., AWSPriceListService.), then Action (query protocols), else S3.

  query (STS, CloudWatch): <ErrorResponse xmlns><Error><Type>Sender|Receiver</Type><Code/>
      <Message/></Error><RequestId/></ErrorResponse>, header x-amzn-RequestId.
  ec2: <Response><Errors><Error><Code/><Message/></Error></Errors><RequestID/></Response>.
  json 1.1 (Athena, Pricing): {"__type": ..., "message"/"Message": ...} and x-amzn-ErrorType;
      authentication errors carry the "com.amazon.coral.service#" prefix, as AWS's front end.
  rest-xml (S3): <Error><Code/><Message/>...<RequestId/><HostId/></Error>, x-amz-request-id.

Authentication and authorization errors, per protocol (status code):

  unknown access key   query 403 InvalidClientTokenId; ec2 401 AuthFailure;
                       json 400 UnrecognizedClientException; S3 403 InvalidAccessKeyId
  wrong/missing token  query 403 InvalidClientTokenId; ec2 401 AuthFailure;
                       json 400 UnrecognizedClientException; S3 400 InvalidToken
  expired credentials  query 403 ExpiredToken; ec2 400 RequestExpired;
                       json 400 ExpiredTokenException; S3 400 ExpiredToken
  bad signature        query 403 SignatureDoesNotMatch; ec2 403 SignatureDoesNotMatch;
                       json 400 InvalidSignatureException; S3 403 SignatureDoesNotMatch
  X-Amz-Date > 15 min  query 403 SignatureDoesNotMatch "Signature expired: ..." (or "Signature
    off skew clock       not yet current: ..."); ec2 400 RequestExpired; json 400
                       InvalidSignatureException "Signature expired: ..."; S3 403
                       RequestTimeTooSkewed
  presigned URL past   S3 403 AccessDenied "Request has expired"
    X-Amz-Expires
  no signature at all  query 403 MissingAuthenticationToken; ec2 401 MissingAuthenticationToken;
                       json 400 MissingAuthenticationTokenException; S3 403 AccessDenied
  action not allowed   STS 403 AccessDenied; CloudWatch 403 AccessDenied; EC2 403
                       UnauthorizedOperation; Athena/Pricing 400 AccessDeniedException; S3 403
                       AccessDenied ("User: ARN is not authorized to perform: ACTION [on
                       resource: ARN] because no identity-based policy allows the ACTION action")
  DryRun=true          EC2 412 DryRunOperation when allowed, 403 UnauthorizedOperation when not.

Signature mismatches name the canonical request and string to sign the double expected (in the
message for query/ec2/json, in CanonicalRequest/StringToSign elements for S3), as AWS does.

Operations served (anything else: query 400 InvalidAction, json 400 UnknownOperationException,
S3 501 NotImplemented)
--------------------------------------------------------------------------------------------
STS         AssumeRole (ExternalId, DurationSeconds 900..role's max_session_duration, 3600 when
            chaining roles), GetCallerIdentity (always allowed, as in AWS).
EC2         DescribeInstances (InstanceId.N, Filter.N: instance-state-name, instance-state-code,
            instance-id, instance-type, availability-zone, platform, platform-details,
            architecture, vpc-id, subnet-id, image-id, instance-lifecycle, tag:KEY, tag-key;
            MaxResults 5..1000 + NextToken; one reservation per instance unless ReservationId),
            DescribeVolumes (VolumeId.N, filters, MaxResults 5..500), DescribeAddresses (no
            paging), StopInstances, StartInstances, ModifyInstanceAttribute (InstanceType.Value
            or Attribute=instanceType&Value=). All take DryRun.
CloudWatch  GetMetricData: MetricStat queries only (no math expressions); buckets are aligned to
            multiples of Period since the epoch and hold points with StartTime <= t < EndTime;
            Average, Sum, Minimum, Maximum, SampleCount, pNN (nearest rank); ScanBy (default
            TimestampDescending); pages of min(MaxDatapoints, max_datapoints_per_page) points.
Pricing     GetProducts: ServiceCode, Filters (TERM_MATCH/EQUALS, CONTAINS, ANY_OF, NONE_OF on
            product attributes, case-insensitive), MaxResults 1..100, NextToken.
Athena      StartQueryExecution (ClientRequestToken idempotent; a statement that does not begin
            with a SQL verb is refused at once with InvalidRequestException MALFORMED_QUERY, as
            Athena does for syntax errors), GetQueryExecution, GetQueryResults, StopQueryExecution.
            With an explicit ResultConfiguration.OutputLocation, the result CSV is also written to
            s3_objects (OutputLocation/ID.csv, values quoted, NULL empty).
S3          path-style only (/bucket/key): ListObjectsV2 (prefix, delimiter, max-keys,
            continuation-token, start-after, encoding-type=url, fetch-owner), GetObject (Range),
            HeadObject, HeadBucket, ListBuckets; presigned GET URLs.
IMDSv2      PUT /latest/api/token; GET /latest/meta-data/iam/security-credentials/[ROLE],
            /latest/meta-data/iam/info, /latest/dynamic/instance-identity/document,
            /latest/meta-data/{instance-id,instance-type,placement/region,
            placement/availability-zone}. Requests under /latest/ without a SigV4 signature.

Athena runs the SQL on SQLite (AthenaEngine): one SQLite table per athena_tables entry, each
database ATTACHed under its own name, the context database's tables also visible unqualified.
The Trino-only constructs rewritten first are listed in _rewrite_trino's docstring. Results:
column names as Trino gives them (lower case; _colN for unnamed expressions); types from the
table's declared types for plain columns, else inferred (bigint, double, varchar); doubles
written as Java does (1.5, 1.0E7), DECIMAL(p,s) casts with s decimals; maps as JSON text (not
Trino's {k=v}). DataScannedInBytes: the UTF-8 CSV size of every row of the tables read (FROM /
JOIN) in the partitions that the WHERE equality / IN predicates on partition columns select
(values of one column unioned; no predicate: all rows). athena_executions[id]["partitions"]
lists the partitions touched per table. FAILED reasons mimic Trino's (COLUMN_NOT_FOUND,
TABLE_NOT_FOUND, SCHEMA_NOT_FOUND, FUNCTION_NOT_FOUND, ...: line L:C: ...), with AthenaError
{ErrorCategory 2 (user), ErrorType 1006}.
"""

import argparse
import base64
import datetime
import email.utils
import fnmatch
import hashlib
import hmac
import http.server
import json
import math
import re
import secrets
import signal
import sqlite3
import sys
import threading
import time
import urllib.parse
import uuid
from decimal import ROUND_HALF_UP, Decimal
from xml.sax.saxutils import escape as _xml_escape

DEFAULT_ACCESS_KEY = "AKIDCOSTWISEDOUBLE"
DEFAULT_SECRET_KEY = "double-secret-key"
DEFAULT_ACCOUNT = "111122223333"
DEFAULT_REGION = "us-east-1"

MAX_SKEW_SECONDS = 15 * 60
AWS_MAX_DATAPOINTS = 100800

# Signing name (credential scope) -> wire protocol, IAM action prefix, XML namespace.
PROTOCOLS = {"sts": "query", "monitoring": "query", "ec2": "ec2", "athena": "json",
             "pricing": "json", "s3": "rest-xml", "sns": "query"}
IAM_PREFIX = {"sts": "sts", "monitoring": "cloudwatch", "ec2": "ec2", "athena": "athena",
              "pricing": "pricing", "s3": "s3", "sns": "sns"}
XMLNS = {"sts": "https://sts.amazonaws.com/doc/2011-06-15/",
         "monitoring": "http://monitoring.amazonaws.com/doc/2010-08-01/",
         "ec2": "http://ec2.amazonaws.com/doc/2016-11-15/",
         "s3": "http://s3.amazonaws.com/doc/2006-03-01/",
         "sns": "http://sns.amazonaws.com/doc/2010-03-31/"}
JSON_TARGET_PREFIXES = {"AmazonAthena": "athena", "AWSPriceListService": "pricing"}
QUERY_ACTION_SERVICES = {"AssumeRole": "sts", "GetCallerIdentity": "sts",
                         "GetMetricData": "monitoring", "GetMetricStatistics": "monitoring",
                         "ListMetrics": "monitoring", "Publish": "sns"}

SIGNATURE_MESSAGE = ("The request signature we calculated does not match the signature you "
                     "provided. Check your AWS Secret Access Key and signing method. Consult the "
                     "service documentation for details.")
S3_SIGNATURE_MESSAGE = ("The request signature we calculated does not match the signature you "
                        "provided. Check your key and signing method.")

# (status, code, message) per failure kind and protocol.
_INVALID_TOKEN = "The security token included in the request is invalid."
_EXPIRED_TOKEN = "The security token included in the request is expired"
_EC2_AUTH_FAILURE = "AWS was not able to validate the provided access credentials"
AUTH_ERRORS = {
    "unknown_key": {
        "query": (403, "InvalidClientTokenId", _INVALID_TOKEN),
        "ec2": (401, "AuthFailure", _EC2_AUTH_FAILURE),
        "json": (400, "UnrecognizedClientException", _INVALID_TOKEN),
        "rest-xml": (403, "InvalidAccessKeyId",
                     "The AWS Access Key Id you provided does not exist in our records."),
    },
    "bad_token": {
        "query": (403, "InvalidClientTokenId", _INVALID_TOKEN),
        "ec2": (401, "AuthFailure", _EC2_AUTH_FAILURE),
        "json": (400, "UnrecognizedClientException", _INVALID_TOKEN),
        "rest-xml": (400, "InvalidToken", "The provided token is malformed or otherwise invalid."),
    },
    "expired": {
        "query": (403, "ExpiredToken", _EXPIRED_TOKEN),
        "ec2": (400, "RequestExpired", "Request has expired."),
        "json": (400, "ExpiredTokenException", _EXPIRED_TOKEN),
        "rest-xml": (400, "ExpiredToken", "The provided token has expired."),
    },
    "missing": {
        "query": (403, "MissingAuthenticationToken", "Request is missing Authentication Token"),
        "ec2": (401, "MissingAuthenticationToken", "Request is missing Authentication Token"),
        "json": (400, "MissingAuthenticationTokenException", "Missing Authentication Token"),
        "rest-xml": (403, "AccessDenied", "Access Denied"),
    },
    "signature": {
        "query": (403, "SignatureDoesNotMatch", SIGNATURE_MESSAGE),
        "ec2": (403, "SignatureDoesNotMatch", SIGNATURE_MESSAGE),
        "json": (400, "InvalidSignatureException", SIGNATURE_MESSAGE),
        "rest-xml": (403, "SignatureDoesNotMatch", S3_SIGNATURE_MESSAGE),
    },
    "malformed": {
        "query": (400, "IncompleteSignature", None),
        "ec2": (400, "IncompleteSignature", None),
        "json": (400, "IncompleteSignatureException", None),
        "rest-xml": (400, "AuthorizationHeaderMalformed", None),
    },
}

# Default messages for fault injection, by code.
FAULT_MESSAGES = {
    "Throttling": "Rate exceeded", "ThrottlingException": "Rate exceeded",
    "TooManyRequestsException": "Rate exceeded",
    "RequestLimitExceeded": "Request limit exceeded.",
    "SlowDown": "Please reduce your request rate.",
    "InternalError": "We encountered an internal error. Please try again.",
    "InternalFailure": "An internal error occurred.",
    "InternalServerException": "An internal error occurred.",
    "InternalErrorException": "An internal error occurred.",
    "ServiceUnavailable": "Service is unavailable. Please try again later.",
    "Unavailable": "The server is unavailable.",
}

EC2_STATE_CODES = {"pending": 0, "running": 16, "shutting-down": 32, "terminated": 48,
                   "stopping": 64, "stopped": 80}

_EC2_FAMILIES = (
    "a1 c4 c5 c5a c5ad c5d c5n c6a c6g c6gd c6gn c6i c6id c6in c7a c7g c7gd c7gn c7i d2 d3 "
    "d3en g4ad g4dn g5 g5g g6 i3 i3en i4g i4i im4gn inf1 inf2 is4gen m4 m5 m5a m5ad m5d m5dn "
    "m5n m5zn m6a m6g m6gd m6i m6id m6idn m6in m7a m7g m7gd m7i m7i-flex p3 p3dn p4d p5 r4 r5 "
    "r5a r5ad r5b r5d r5dn r5n r6a r6g r6gd r6i r6id r6idn r6in r7a r7g r7gd r7i r7iz t2 t3 "
    "t3a t4g trn1 u-6tb1 vt1 x1 x1e x2gd x2idn x2iedn x2iezn z1d").split()
_EC2_SIZES = ("nano micro small medium large xlarge 2xlarge 3xlarge 4xlarge 6xlarge 8xlarge "
              "9xlarge 10xlarge 12xlarge 16xlarge 18xlarge 24xlarge 32xlarge 48xlarge metal "
              "metal-24xl metal-48xl").split()


class AwsError(Exception):
    """An AWS error answer: HTTP status, error code, message, and extra fields (S3 XML
    elements, JSON members such as AthenaErrorCode)."""

    def __init__(self, status, code, message, extra=None, coral=False, headers=None):
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.extra = extra or {}
        self.coral = coral  # json 1.1: "com.amazon.coral.service#" type (front-end errors)
        self.headers = headers or []


class Response:
    def __init__(self, status=200, body=b"", headers=None, content_type=None):
        self.status = status
        self.body = body.encode() if isinstance(body, str) else body
        self.headers = list(headers or [])
        if content_type:
            self.headers.append(("Content-Type", content_type))
        self.content_length = None  # HEAD: the length of what GET would send


class Request:
    """What the handler read: method, the raw path and query (as on the request line), the
    headers (an email.message.Message: get_all for repeated ones) and the body."""

    def __init__(self, method, target, headers, body):
        self.method = method
        self.target = target
        path, _, query = target.partition("?")
        self.raw_path = path or "/"
        self.raw_query = query
        self.headers = headers
        self.body = body

    def header(self, name):
        return self.headers.get(name)

    def query_pairs(self):
        """Decoded (name, value) pairs of the URL query ('+' stays a plus, as AWS reads it)."""
        pairs = []
        for part in self.raw_query.split("&"):
            if part:
                name, _, value = part.partition("=")
                pairs.append((urllib.parse.unquote(name), urllib.parse.unquote(value)))
        return pairs

    def query_dict(self):
        return dict(self.query_pairs())


# ----------------------------------------------------------------------------------------------
# Small helpers: time, XML, tokens

def _to_unix(value):
    """Unix seconds from a number, a datetime or an ISO 8601 string (or None)."""
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=datetime.timezone.utc)
        return value.timestamp()
    text = str(value).strip()
    if re.fullmatch(r"-?\d+(\.\d+)?", text):
        return float(text)
    if text.endswith("Z") or text.endswith("z"):
        text = text[:-1] + "+00:00"
    parsed = datetime.datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=datetime.timezone.utc)
    return parsed.timestamp()


def iso_z(unix):
    """2026-11-27T09:52:03Z"""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(unix))


def iso_ms(unix):
    """2026-11-27T09:52:03.000Z (EC2, S3)"""
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(unix)) + ".%03dZ" % int(
        (unix - math.floor(unix)) * 1000)


def http_date(unix):
    return email.utils.formatdate(unix, usegmt=True)


def amz_date(unix):
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(unix))


def _parse_amz_date(text):
    try:
        return float(datetime.datetime.strptime(text, "%Y%m%dT%H%M%SZ").replace(
            tzinfo=datetime.timezone.utc).timestamp())
    except (TypeError, ValueError):
        return None


class _Flat(list):
    """A list rendered as repeated elements of its own name (S3's flattened lists)."""


def _xml(name, value, item):
    if value is None:
        return ""
    if isinstance(value, _Flat):
        return "".join(_xml(name, v, item) for v in value)
    if isinstance(value, dict):
        inner = "".join(_xml(k, v, item) for k, v in value.items())
        return f"<{name}>{inner}</{name}>"
    if isinstance(value, (list, tuple)):
        inner = "".join(_xml(item, v, item) for v in value)
        return f"<{name}>{inner}</{name}>"
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, float):
        text = repr(value)
    else:
        text = str(value)
    return f"<{name}>{_xml_escape(text)}</{name}>"


def _b64_token(obj):
    return base64.urlsafe_b64encode(json.dumps(obj, sort_keys=True).encode()).decode().rstrip("=")


def _read_token(token):
    """The object inside a pagination token, or None when it is not one of ours."""
    if not token:
        return None
    try:
        padded = token + "=" * (-len(token) % 4)
        return json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
    except (ValueError, UnicodeDecodeError):
        return None


def _hex_id(text):
    """A stable 17-character id (the tail of AIDA..., AROA... ids) derived from text."""
    return hashlib.sha1(text.encode()).hexdigest()[:17].upper()


def _random_id(alphabet, length):
    return "".join(secrets.choice(alphabet) for _ in range(length))


_UPPER32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


def _param_tree(params):
    """Flat query-protocol parameters ("Filter.1.Value.2", "Queries.member.3.Id") as nested
    dicts and lists (1-based indexes become list positions; "member" before an index drops)."""
    root = {}
    for key, value in params.items():
        parts = key.split(".")
        cleaned = [p for i, p in enumerate(parts)
                   if not (p == "member" and i + 1 < len(parts) and parts[i + 1].isdigit())]
        node = root
        for i, part in enumerate(cleaned):
            k = int(part) if part.isdigit() else part
            if i == len(cleaned) - 1:
                if not isinstance(node.get(k), dict):
                    node[k] = value
            else:
                child = node.get(k)
                if not isinstance(child, dict):
                    child = node[k] = {}
                node = child

    def listify(node):
        if isinstance(node, dict):
            if node and all(isinstance(k, int) for k in node):
                return [listify(node[k]) for k in sorted(node)]
            return {k: listify(v) for k, v in node.items()}
        return node

    return listify(root)


def _as_list(value):
    if value is None or value == "":
        return []
    return value if isinstance(value, list) else [value]


def _bool_param(value):
    return str(value).lower() == "true"


def _remove_dot_segments(path):
    """botocore.utils.remove_dot_segments: RFC 3986 5.2.4 plus collapsing repeated slashes."""
    if not path:
        return "/"
    output = []
    for segment in path.split("/"):
        if segment and segment != ".":
            if segment == "..":
                if output:
                    output.pop()
            else:
                output.append(segment)
    first = "/" if path[0] == "/" else ""
    last = "/" if path[-1] == "/" and output else ""
    return first + "/".join(output) + last


def _java_double(x):
    """Trino's (Java's Double.toString) text of a double: 1.5, 100.0, 1.0E7, 1.2E-4."""
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    if x == 0:
        return "-0.0" if math.copysign(1, x) < 0 else "0.0"
    if 1e-3 <= abs(x) < 1e7:
        text = repr(float(x))
        if "e" in text or "E" in text:
            text = format(Decimal(text), "f")
        return text if "." in text else text + ".0"
    sign, digits, exponent = Decimal(repr(float(x))).normalize().as_tuple()
    digits = "".join(map(str, digits))
    exp10 = len(digits) - 1 + exponent
    mantissa = digits[0] + "." + (digits[1:] or "0")
    return ("-" if sign else "") + f"{mantissa}E{exp10}"


# ----------------------------------------------------------------------------------------------
# Pricing helper

_REGION_USAGE_PREFIX = {
    "us-east-1": "", "us-east-2": "USE2-", "us-west-1": "USW1-", "us-west-2": "USW2-",
    "eu-west-1": "EU-", "eu-west-2": "EUW2-", "eu-west-3": "EUW3-", "eu-central-1": "EUC1-",
    "eu-north-1": "EUN1-", "ap-northeast-1": "APN1-", "ap-southeast-1": "APS1-",
    "ap-southeast-2": "APS2-", "ap-south-1": "APS3-", "ca-central-1": "CAN1-",
    "sa-east-1": "SAE1-"}


def ec2_price_product(instance_type, vcpu, memory_gib, region_code, location, usd_per_hour,
                      operating_system="Linux", tenancy="Shared", pre_installed_sw="NA",
                      capacity_status="Used", license_model="No License required",
                      extra_attributes=None):
    """One GetProducts PriceList element (a JSON string) for an EC2 on-demand instance price,
    in the real price list's layout."""
    memory = (f"{int(memory_gib)} GiB" if float(memory_gib).is_integer()
              else f"{memory_gib:g} GiB")
    prefix = _REGION_USAGE_PREFIX.get(region_code, region_code.upper().replace("-", "") + "-")
    usage_kind = {"Shared": "BoxUsage", "Dedicated": "DedicatedUsage",
                  "Host": "HostBoxUsage"}.get(tenancy, "BoxUsage")
    operation = {"Linux": "RunInstances", "Windows": "RunInstances:0002",
                 "RHEL": "RunInstances:0010", "SUSE": "RunInstances:000g"}.get(
        operating_system, "RunInstances")
    attributes = {
        "instanceType": instance_type, "instanceFamily": "General purpose",
        "vcpu": str(vcpu), "memory": memory, "location": location,
        "locationType": "AWS Region", "regionCode": region_code,
        "operatingSystem": operating_system, "tenancy": tenancy,
        "preInstalledSw": pre_installed_sw, "capacitystatus": capacity_status,
        "licenseModel": license_model, "usagetype": f"{prefix}{usage_kind}:{instance_type}",
        "operation": operation, "servicecode": "AmazonEC2",
        "servicename": "Amazon Elastic Compute Cloud", "storage": "EBS only",
        "currentGeneration": "Yes", "marketoption": "OnDemand", "availabilityzone": "NA",
        "processorArchitecture": "64-bit", "networkPerformance": "Up to 10 Gigabit",
    }
    attributes.update(extra_attributes or {})
    digest = hashlib.sha256(json.dumps(attributes, sort_keys=True).encode()).digest()
    sku = base64.b32encode(digest).decode()[:16]
    offer = f"{sku}.JRTCKXETXF"
    dimension = f"{offer}.6YS6EN2CT7"
    price = f"{Decimal(str(usd_per_hour)):.10f}"
    os_word = "Linux" if operating_system == "Linux" else operating_system
    product = {
        "product": {"productFamily": "Compute Instance", "attributes": attributes, "sku": sku},
        "serviceCode": "AmazonEC2",
        "terms": {"OnDemand": {offer: {
            "priceDimensions": {dimension: {
                "unit": "Hrs", "endRange": "Inf",
                "description": f"${Decimal(str(usd_per_hour)).normalize():f} per On Demand "
                               f"{os_word} {instance_type} Instance Hour",
                "appliesTo": [], "rateCode": dimension, "beginRange": "0",
                "pricePerUnit": {"USD": price}}},
            "sku": sku, "effectiveDate": "2026-10-01T00:00:00Z", "offerTermCode": "JRTCKXETXF",
            "termAttributes": {}}}},
        "version": "20261001000000",
        "publicationDate": "2026-10-01T00:00:00Z",
    }
    return json.dumps(product, separators=(",", ":"))


# ----------------------------------------------------------------------------------------------
# Athena: Trino SQL on SQLite

_TOKEN_RE = re.compile(r"""
    (?P<ws>\s+)
  | (?P<comment>--[^\n]*|/\*.*?\*/)
  | (?P<str>'(?:[^']|'')*')
  | (?P<qid>"(?:[^"]|"")*")
  | (?P<bq>`[^`]*`)
  | (?P<num>(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<id>[A-Za-z_][A-Za-z0-9_$]*)
  | (?P<op><>|!=|<=|>=|\|\||[^\s])
""", re.S | re.X)


def _tokenize(sql):
    tokens = []
    for m in _TOKEN_RE.finditer(sql):
        kind = m.lastgroup
        text = m.group()
        if kind == "bq":
            kind, text = "qid", '"' + text[1:-1].replace('"', '""') + '"'
        tokens.append((kind, text, m.start()))
    return tokens


def _ident(token):
    """The lower-case name of an identifier token (quoted or not), or None."""
    kind, text = token[0], token[1]
    if kind == "id":
        return text.lower()
    if kind == "qid":
        return text[1:-1].replace('""', '"').lower()
    return None


def _skip_ws(tokens, i):
    while i < len(tokens) and tokens[i][0] in ("ws", "comment"):
        i += 1
    return i


def _matching_paren(tokens, i):
    depth = 0
    for j in range(i, len(tokens)):
        if tokens[j][:2] == ("op", "("):
            depth += 1
        elif tokens[j][:2] == ("op", ")"):
            depth -= 1
            if depth == 0:
                return j
    return None


def _split_args(tokens):
    args, current, depth = [], [], 0
    for tok in tokens:
        if tok[:2] == ("op", "("):
            depth += 1
        elif tok[:2] == ("op", ")"):
            depth -= 1
        if tok[:2] == ("op", ",") and depth == 0:
            args.append(current)
            current = []
        else:
            current.append(tok)
    args.append(current)
    return args


def _sql_string(text):
    return "'" + text.replace("'", "''") + "'"


def _string_literal(tokens):
    """The value of an argument that is just a string literal, else None."""
    significant = [t for t in tokens if t[0] not in ("ws", "comment")]
    if len(significant) == 1 and significant[0][0] == "str":
        return significant[0][1][1:-1].replace("''", "'")
    return None


def _json_path(key):
    return _sql_string('$."' + key.replace('"', '\\"') + '"')


_MYSQL_TO_STRFTIME = {"%Y": "%Y", "%m": "%m", "%d": "%d", "%H": "%H", "%i": "%M", "%s": "%S",
                      "%S": "%S", "%j": "%j", "%y": "%Y", "%e": "%d", "%c": "%m", "%k": "%H",
                      "%T": "%H:%M:%S", "%%": "%%"}


def _rw_cast(args):
    if len(args) != 1:
        return None
    toks = args[0]
    depth, as_index = 0, None
    for idx, tok in enumerate(toks):
        if tok[:2] == ("op", "("):
            depth += 1
        elif tok[:2] == ("op", ")"):
            depth -= 1
        elif depth == 0 and tok[0] == "id" and tok[1].lower() == "as":
            as_index = idx
    if as_index is None:
        return None
    expr = _rewrite_tokens(toks[:as_index]).strip()
    type_text = "".join(t[1] for t in toks[as_index + 1:]).strip()
    base = re.sub(r"\s+", "", type_text).upper()
    if base == "JSON" or base.startswith("TIMESTAMP"):
        return expr
    if base == "DATE":
        return f"substr({expr}, 1, 10)"
    return f"CAST({expr} AS {type_text})"


def _rw_date_format(args):
    if len(args) != 2:
        return None
    expr = _rewrite_tokens(args[0]).strip()
    fmt = _string_literal(args[1])
    if fmt is None:
        return None
    prefixes = {"%Y-%m-%d": 10, "%Y-%m": 7, "%Y": 4, "%Y-%m-%d %H": 13,
                "%Y-%m-%d %H:%i": 16, "%Y-%m-%d %H:%i:%s": 19}
    if fmt in prefixes:
        return f"substr({expr}, 1, {prefixes[fmt]})"
    converted = re.sub(r"%.", lambda m: _MYSQL_TO_STRFTIME.get(m.group(), m.group()), fmt)
    return f"strftime({_sql_string(converted)}, {expr})"


def _rw_element_at(args):
    if len(args) != 2:
        return None
    base = _rewrite_tokens(args[0]).strip()
    key = _string_literal(args[1])
    if key is not None:
        return f"json_extract({base}, {_json_path(key)})"
    return f"json_extract({base}, '$.\"' || ({_rewrite_tokens(args[1]).strip()}) || '\"')"


def _rw_date_trunc(args):
    if len(args) != 2:
        return None
    unit = (_string_literal(args[0]) or "").lower()
    expr = _rewrite_tokens(args[1]).strip()
    forms = {"day": f"substr({expr}, 1, 10)",
             "month": f"(substr({expr}, 1, 7) || '-01')",
             "year": f"(substr({expr}, 1, 4) || '-01-01')",
             "hour": f"(substr({expr}, 1, 13) || ':00:00')"}
    return forms.get(unit)


def _rw_sum(args):
    """SUM(CAST(x AS DECIMAL(p, s))) -> decimal_sum(x, s): Trino sums decimals exactly, SQLite
    would sum doubles."""
    if len(args) != 1:
        return None
    inner = _rewrite_tokens(args[0]).strip()
    match = re.fullmatch(r"(?is)CAST\((.*) AS DECIMAL\(\s*\d+\s*,\s*(\d+)\s*\)\)", inner)
    if not match:
        return None
    return f"decimal_sum({match.group(1)}, {match.group(2)})"


class _DecimalSum:
    """The aggregate behind decimal_sum: each value rounded to the scale, as CAST(double AS
    DECIMAL(p, s)) does, then summed exactly; answered as Athena's decimal text."""

    def __init__(self):
        self.total = None
        self.scale = 0

    def step(self, value, scale):
        self.scale = int(scale)
        if value is None:
            return
        exact = Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value))
        exact = exact.quantize(Decimal(1).scaleb(-self.scale), rounding=ROUND_HALF_UP)
        self.total = exact if self.total is None else self.total + exact

    def finalize(self):
        if self.total is None:
            return None
        return format(self.total.quantize(Decimal(1).scaleb(-self.scale)), "f")


def _rw_simple(template):
    def rewrite(args):
        parts = [_rewrite_tokens(a).strip() for a in args]
        return template(parts)
    return rewrite


_FUNCTION_REWRITES = {
    "cast": _rw_cast,
    "sum": _rw_sum,
    "try_cast": _rw_cast,
    "json_format": _rw_simple(lambda p: p[0] if len(p) == 1 else None),
    "date_format": _rw_date_format,
    "format_datetime": _rw_date_format,
    "date": _rw_simple(lambda p: f"substr({p[0]}, 1, 10)" if len(p) == 1 else None),
    "from_iso8601_timestamp": _rw_simple(lambda p: p[0] if len(p) == 1 else None),
    "from_iso8601_date": _rw_simple(lambda p: f"substr({p[0]}, 1, 10)" if len(p) == 1 else None),
    "element_at": _rw_element_at,
    "date_trunc": _rw_date_trunc,
    "concat": _rw_simple(lambda p: "(" + " || ".join(p) + ")"),
    "strpos": _rw_simple(lambda p: f"instr({p[0]}, {p[1]})" if len(p) == 2 else None),
    "if": _rw_simple(lambda p: f"iif({p[0]}, {p[1]}, {p[2] if len(p) > 2 else 'NULL'})"),
    "approx_distinct": _rw_simple(lambda p: f"count(DISTINCT {p[0]})" if len(p) == 1 else None),
    "arbitrary": _rw_simple(lambda p: f"max({p[0]})" if len(p) == 1 else None),
    "any_value": _rw_simple(lambda p: f"max({p[0]})" if len(p) == 1 else None),
}


def _pop_operand(out):
    """Pops an identifier chain (a, "a"."b") or a rewritten expression from the end of out."""
    while out and out[-1][0] in ("ws", "comment"):
        out.pop()
    if not out:
        return None
    if out[-1][0] == "expr":
        return out.pop()[1]
    if out[-1][0] not in ("id", "qid"):
        return None
    chain = [out.pop()[1]]
    while len(out) >= 2 and out[-1][:2] == ("op", ".") and out[-2][0] in ("id", "qid"):
        out.pop()
        chain.insert(0, out.pop()[1])
    return ".".join(chain)


def _rewrite_tokens(tokens):
    out = []
    i = 0
    n = len(tokens)
    while i < n:
        tok = tokens[i]
        kind, text = tok[0], tok[1]
        if kind in ("id", "qid"):
            low = _ident(tok)
            j = _skip_ws(tokens, i + 1)
            # awsdatacatalog."db"."table" -> "db"."table"
            if low == "awsdatacatalog" and j < n and tokens[j][:2] == ("op", "."):
                i = _skip_ws(tokens, j + 1)
                continue
            if kind == "id":
                # DATE '2026-10-01', TIMESTAMP '2026-10-01 00:00:00' -> the string
                if low in ("date", "timestamp") and j < n and tokens[j][0] == "str":
                    out.append(("expr", tokens[j][1]))
                    i = j + 1
                    continue
                if low in _FUNCTION_REWRITES and j < n and tokens[j][:2] == ("op", "("):
                    k = _matching_paren(tokens, j)
                    if k is not None:
                        replaced = _FUNCTION_REWRITES[low](_split_args(tokens[j + 1:k]))
                        if replaced is not None:
                            out.append(("expr", replaced))
                            i = k + 1
                            continue
                        inner = ", ".join(_rewrite_tokens(a).strip()
                                          for a in _split_args(tokens[j + 1:k]))
                        out.append(("expr", f"{text}({inner})"))
                        i = k + 1
                        continue
        if (kind, text) == ("op", "["):
            # map_col['key'] -> json_extract(map_col, '$."key"')
            j = _skip_ws(tokens, i + 1)
            k = _skip_ws(tokens, j + 1)
            if j < n and tokens[j][0] == "str" and k < n and tokens[k][:2] == ("op", "]"):
                base = _pop_operand(out)
                if base is not None:
                    key = tokens[j][1][1:-1].replace("''", "'")
                    out.append(("expr", f"json_extract({base}, {_json_path(key)})"))
                    i = k + 1
                    continue
        out.append((kind, text))
        i += 1
    return "".join(t[1] for t in out)


def _rewrite_trino(sql):
    """Trino (Athena engine 3) SQL -> SQLite SQL. The rewrites, outside string literals:

      json_format(x), CAST(x AS JSON)          -> x   (so json_format(CAST(x AS JSON)) -> x)
      CAST(x AS DATE), DATE(x)                 -> substr(x, 1, 10)
      CAST(x AS TIMESTAMP), from_iso8601_timestamp(x) -> x
      DATE '...', TIMESTAMP '...' literals     -> '...'
      date_format(x, '%Y-%m-%d') (and '%Y-%m', '%Y', '... %H:%i:%s' prefixes) -> substr(x, 1, n);
      other date_format formats                -> strftime(converted format, x)
      date_trunc('day'|'month'|'year'|'hour', x) -> substr(x, ...) padded ('2026-10-01')
      element_at(m, 'k'), m['k']               -> json_extract(m, '$."k"')  (maps are JSON text)
      concat(a, b, ...)                        -> (a || b || ...)
      strpos(a, b) -> instr(a, b); if(c, a, b) -> iif(c, a, b);
      approx_distinct(x) -> count(DISTINCT x); arbitrary(x), any_value(x) -> max(x)
      awsdatacatalog."db"."t"                  -> "db"."t";  `x` (backticks) -> "x"
    CAST to DOUBLE, DECIMAL(p,s), VARCHAR, BIGINT... stays: SQLite takes them (type affinity).
    Everything else goes to SQLite as written."""
    return _rewrite_tokens(_tokenize(sql))


_ATHENA_STATEMENTS = {
    "SELECT", "WITH", "VALUES", "TABLE", "ALTER", "ANALYZE", "CALL", "COMMENT", "COMMIT", "CREATE",
    "DEALLOCATE", "DELETE", "DENY", "DESC", "DESCRIBE", "DROP", "EXECUTE", "EXPLAIN", "GRANT",
    "INSERT", "MERGE", "MSCK", "OPTIMIZE", "PREPARE", "REFRESH", "RESET", "REVOKE", "ROLLBACK",
    "SET", "SHOW", "START", "TRUNCATE", "UNLOAD", "UPDATE", "USE", "VACUUM"}

_ATHENA_TYPE_NAMES = {"string": "varchar", "int": "integer", "integer": "integer",
                      "bigint": "bigint", "smallint": "smallint", "tinyint": "tinyint",
                      "double": "double", "float": "real", "real": "real",
                      "boolean": "boolean", "date": "date", "timestamp": "timestamp",
                      "binary": "varbinary"}
_PRECISION = {"varchar": 2147483647, "bigint": 19, "integer": 10, "smallint": 5, "tinyint": 3,
              "double": 17, "real": 7, "boolean": 0, "date": 0, "timestamp": 3}


def _trino_type(athena_type):
    t = athena_type.strip().lower()
    base = re.split(r"[<(]", t)[0].strip()
    if base in ("map", "array", "row", "struct", "decimal", "char", "varchar"):
        return {"struct": "row"}.get(base, base)
    return _ATHENA_TYPE_NAMES.get(base, base)


def _sqlite_affinity(athena_type):
    base = _trino_type(athena_type)
    if base in ("double", "real", "decimal"):
        return "REAL"
    if base in ("bigint", "integer", "smallint", "tinyint", "boolean"):
        return "INTEGER"
    return "TEXT"


def _sqlite_value(value):
    """A row value as stored in SQLite: maps and arrays as compact JSON text, Decimal as a
    double, dates and times as ISO 8601 text."""
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"))
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat()
    return value


def _cell_text(value):
    value = _sqlite_value(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _java_double(value)
    return str(value)


def _row_bytes(row):
    """The size of one row as Athena reads it here: the UTF-8 CSV line (values, commas and the
    newline; NULL empty)."""
    return len((",".join(_cell_text(v) for v in row) + "\n").encode())


class AthenaEngine:
    """Runs one Athena query on SQLite over athena_tables and measures what it scanned."""

    def __init__(self, tables):
        self.tables = {k.lower(): v for k, v in tables.items()}

    def referenced_tables(self, tokens, database):
        """The "db.table" keys the query reads: identifier chains after FROM / JOIN (and after
        commas of a FROM list), qualified or resolved in the context database."""
        found = []
        n = len(tokens)

        def chain_at(i):
            names = []
            i = _skip_ws(tokens, i)
            while i < n and tokens[i][0] in ("id", "qid"):
                names.append(_ident(tokens[i]))
                j = _skip_ws(tokens, i + 1)
                if j < n and tokens[j][:2] == ("op", "."):
                    i = _skip_ws(tokens, j + 1)
                else:
                    i = j
                    break
            return names, i

        for idx, tok in enumerate(tokens):
            if tok[0] == "id" and tok[1].lower() in ("from", "join"):
                pos = idx + 1
                while True:
                    names, pos = chain_at(pos)
                    if names and names[0] == "awsdatacatalog":
                        names = names[1:]
                    if len(names) == 1 and database:
                        key = f"{database.lower()}.{names[0]}"
                    elif len(names) == 2:
                        key = ".".join(names)
                    else:
                        key = None
                    if key in self.tables and key not in found:
                        found.append(key)
                    if tok[1].lower() != "from" or not names:
                        break
                    # FROM a x, b y: skip an alias, continue after a comma
                    pos = _skip_ws(tokens, pos)
                    if pos < n and tokens[pos][0] == "id" and tokens[pos][1].lower() == "as":
                        pos = _skip_ws(tokens, pos + 1)
                    if pos < n and tokens[pos][0] in ("id", "qid") and tokens[pos][1].lower() \
                            not in ("where", "group", "order", "limit", "join", "left", "right",
                                    "inner", "cross", "full", "union", "having", "on"):
                        pos = _skip_ws(tokens, pos + 1)
                    if pos < n and tokens[pos][:2] == ("op", ","):
                        pos += 1
                        continue
                    break
        return found

    @staticmethod
    def partition_predicates(tokens, columns):
        """{partition column: set of values} from `col = 'v'`, `'v' = col` and
        `col IN ('a', 'b')` after the first WHERE (values of one column are unioned)."""
        values = {}
        start = next((i for i, t in enumerate(tokens)
                      if t[0] == "id" and t[1].lower() == "where"), None)
        if start is None:
            return values
        sig = [t for t in tokens[start:] if t[0] not in ("ws", "comment")]

        def literal(tok):
            if tok[0] == "str":
                return tok[1][1:-1].replace("''", "'")
            if tok[0] == "num":
                return tok[1]
            return None

        for i, tok in enumerate(sig):
            name = _ident(tok)
            if name not in columns or (i + 1 < len(sig) and sig[i + 1][:2] == ("op", ".")):
                continue
            if i + 2 < len(sig) and sig[i + 1][:2] == ("op", "="):
                value = literal(sig[i + 2])
                if value is not None:
                    values.setdefault(name, set()).add(value)
            elif i + 2 < len(sig) and sig[i + 1][0] == "id" and sig[i + 1][1].lower() == "in" \
                    and sig[i + 2][:2] == ("op", "("):
                j = i + 3
                while j < len(sig) and sig[j][:2] != ("op", ")"):
                    value = literal(sig[j])
                    if value is not None:
                        values.setdefault(name, set()).add(value)
                    j += 1
            if i >= 2 and sig[i - 1][:2] == ("op", "="):
                value = literal(sig[i - 2])
                if value is not None and (i < 3 or sig[i - 3][:2] != ("op", ".")):
                    values.setdefault(name, set()).add(value)
        return values

    def scan(self, tokens, database):
        """(bytes scanned, {table: [partition dicts touched]}) for the query's tables."""
        total = 0
        touched = {}
        for key in self.referenced_tables(tokens, database):
            table = self.tables[key]
            names = [c[0].lower() for c in table["columns"]]
            parts = [p.lower() for p in table.get("partitions", [])]
            predicates = self.partition_predicates(tokens, set(parts))
            positions = {p: names.index(p) for p in parts if p in names}
            seen = []
            for row in table["rows"]:
                if all(str(row[positions[p]]) in vals
                       for p, vals in predicates.items() if p in positions):
                    total += _row_bytes(row)
                    if parts:
                        partition = {p: row[positions[p]] for p in parts if p in positions}
                        if partition not in seen:
                            seen.append(partition)
            touched[key] = seen
        return total, touched

    def run(self, sql, database):
        """Executes; returns (column names, column types, rows). Raises sqlite3.Error."""
        rewritten = _rewrite_trino(sql)
        tokens = _tokenize(sql)
        referenced = self.referenced_tables(tokens, database)
        conn = sqlite3.connect(":memory:")
        conn.create_aggregate("decimal_sum", 2, _DecimalSum)
        try:
            databases = sorted({k.split(".", 1)[0] for k in self.tables})
            wanted = [d for d in databases
                      if d == (database or "").lower()
                      or any(r.startswith(d + ".") for r in referenced)
                      or re.search(r'(?i)(\b|")' + re.escape(d) + r'("?)\s*\.', sql)]
            for db in wanted[:10]:
                conn.execute(f"ATTACH DATABASE ':memory:' AS \"{db}\"")
            for key, table in self.tables.items():
                db, name = key.split(".", 1)
                if db not in wanted[:10]:
                    continue
                cols = ", ".join(f'"{c}" {_sqlite_affinity(t)}' for c, t in table["columns"])
                conn.execute(f'CREATE TABLE "{db}"."{name}" ({cols})')
                marks = ", ".join("?" for _ in table["columns"])
                conn.executemany(f'INSERT INTO "{db}"."{name}" VALUES ({marks})',
                                 [[_sqlite_value(v) for v in row] for row in table["rows"]])
                if database and db == database.lower():
                    conn.execute(f'CREATE TEMP VIEW "{name}" AS SELECT * FROM "{db}"."{name}"')
            cursor = conn.execute(rewritten)
            rows = cursor.fetchall() if cursor.description else []
            raw_names = [d[0] for d in cursor.description or []]
        finally:
            conn.close()
        declared = {}
        for key in referenced:
            for c, t in self.tables[key]["columns"]:
                declared.setdefault(c.lower(), t)
        names, types = [], []
        for idx, raw in enumerate(raw_names):
            name = raw.lower() if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", raw) else f"_col{idx}"
            values = [r[idx] for r in rows if r[idx] is not None]
            if name in declared and not (values and isinstance(values[0], float)
                                         and _trino_type(declared[name]) == "varchar"):
                ctype = declared[name]
            elif values and all(isinstance(v, int) for v in values):
                ctype = "bigint"
            elif values and all(isinstance(v, (int, float)) for v in values):
                ctype = "double"
            else:
                ctype = "varchar"
            names.append(name)
            types.append(ctype)
        return names, types, rows


def _athena_value(value, athena_type):
    if value is None:
        return None
    base = _trino_type(athena_type)
    if base == "boolean" and isinstance(value, int):
        return "true" if value else "false"
    if isinstance(value, float):
        if base == "decimal":
            m = re.search(r"\(\s*\d+\s*,\s*(\d+)\s*\)", athena_type)
            return f"{value:.{int(m.group(1)) if m else 0}f}"
        if base in ("bigint", "integer", "smallint", "tinyint") and value.is_integer():
            return str(int(value))
        return _java_double(value)
    if isinstance(value, bytes):
        return value.hex()
    return str(value)


def _athena_failure(exc, sql, database):
    """(Athena state-change reason, is a syntax error) for a SQLite error."""
    text = str(exc)

    def where(word):
        m = re.search(r"(?i)" + re.escape(word), sql) if word else None
        pos = m.start() if m else 0
        line = sql.count("\n", 0, pos) + 1
        col = pos - (sql.rfind("\n", 0, pos) + 1) + 1
        return f"line {line}:{col}"

    m = re.match(r"no such column: (.+)", text)
    if m:
        col = m.group(1)
        return (f"COLUMN_NOT_FOUND: {where(col.split('.')[-1])}: Column '{col}' cannot be "
                f"resolved or requester is not authorized to access requested resources"), False
    m = re.match(r"no such table: (.+)", text)
    if m:
        name = m.group(1)
        qualified = name if "." in name else f"{database}.{name}"
        return (f"TABLE_NOT_FOUND: {where(name.split('.')[-1])}: Table "
                f"'awsdatacatalog.{qualified}' does not exist"), False
    m = re.match(r"unknown database (.+)", text)
    if m:
        return f"SCHEMA_NOT_FOUND: {where(m.group(1))}: Schema '{m.group(1)}' does not exist", False
    m = re.match(r"no such function: (.+)", text)
    if m:
        return (f"FUNCTION_NOT_FOUND: {where(m.group(1))}: Function '{m.group(1).lower()}' "
                f"not registered"), False
    m = re.match(r"ambiguous column name: (.+)", text)
    if m:
        return (f"AMBIGUOUS_NAME: {where(m.group(1))}: Column '{m.group(1)}' is ambiguous"), False
    m = re.match(r'near "(.*)": syntax error', text)
    if m:
        return f"{where(m.group(1))}: mismatched input '{m.group(1)}'", True
    if "incomplete input" in text or "unrecognized token" in text:
        return f"line 1:{len(sql) + 1}: mismatched input '<EOF>'", True
    return f"GENERIC_USER_ERROR: {text}", False


# ----------------------------------------------------------------------------------------------
# The double

class AwsDouble:
    """The state, the HTTP server, and one handler per AWS operation. See the module docstring."""

    def __init__(self):
        self.lock = threading.RLock()
        self.created = time.time()
        self.credentials = {
            DEFAULT_ACCESS_KEY: {"secret": DEFAULT_SECRET_KEY, "token": None, "expires": None,
                                 "account": DEFAULT_ACCOUNT,
                                 "arn": f"arn:aws:iam::{DEFAULT_ACCOUNT}:user/costwise-double",
                                 "user_id": "AIDACOSTWISEDOUBLEUSER", "permissions": {"*"}},
        }
        self.roles = {}
        self.default_region = DEFAULT_REGION
        self.ec2_instances = []
        self.ec2_volumes = []
        self.ec2_addresses = []
        self.ec2_instance_types = {f"{f}.{s}" for f in _EC2_FAMILIES for s in _EC2_SIZES}
        self.metrics = {}
        self.pricing_products = []
        self.s3_objects = {}
        self.s3_buckets = set()
        self.s3_last_modified = {}
        self.athena_tables = {}
        self.imds_role = "costwise-instance"
        self.imds_permissions = {"*"}
        self.imds_account = DEFAULT_ACCOUNT
        self.imds_region = DEFAULT_REGION
        self.imds_instance_id = "i-0d0b1e0c0057c0de1"
        self.imds_credential_ttl = 6 * 3600
        self.transition_polls = 1
        self.athena_polls = 2
        self.max_datapoints_per_page = AWS_MAX_DATAPOINTS
        self.clock_offset = 0.0
        self.skew_offset = 0.0
        # records
        self.calls = []
        self.ec2_calls = []
        self.athena_queries = []
        self.sns_topics = set()  # topic ARNs that exist
        self.sns_messages = []   # {"topic", "subject", "message", "access_key"} of each Publish
        self.athena_executions = {}
        self.signature_failures = 0
        # internals
        self._faults = []
        self._delays = []
        self._transitions = {}  # instance id -> [target state, DescribeInstances calls left]
        self._athena_tokens = {}
        self._imds_tokens = {}
        self._imds_credentials = None
        self._server = None
        self._thread = None
        self.endpoint = None

    # -- lifecycle ----------------------------------------------------------------------------

    def start(self, host="127.0.0.1", port=0):
        double = self

        class Handler(_Handler):
            pass

        Handler.double = double
        self._server = http.server.ThreadingHTTPServer((host, port), Handler)
        self._server.daemon_threads = True
        self.endpoint = f"http://{host}:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,),
                                        name="aws-double", daemon=True)
        self._thread.start()
        return self

    def stop(self):
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(5)
            self._server = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def now(self):
        return time.time() + self.clock_offset

    # -- test controls ------------------------------------------------------------------------

    def fail_next(self, target, status, code, count=1, message=None, after=0):
        """The next `count` calls matching target answer this AWS error, once `after` matching
        calls went through (a fault in the middle of a sequence: after its dry run, say)."""
        with self.lock:
            self._faults.append({"target": target, "status": int(status), "code": code,
                                 "count": int(count), "message": message,
                                 "after": int(after)})

    def delay_next(self, target, seconds, count=1):
        """The next `count` calls matching target wait `seconds` before being answered."""
        with self.lock:
            self._delays.append({"target": target, "seconds": float(seconds), "count": int(count)})

    def add_metric(self, namespace, metric_name, dimensions, points):
        """metrics[(namespace, metric_name, frozenset(dimensions.items()))] += points."""
        key = (namespace, metric_name, frozenset(dict(dimensions).items()))
        self.metrics.setdefault(key, []).extend((float(t), float(v)) for t, v in points)

    def add_credentials(self, access_key, secret, token=None, expires=None, account=None,
                        arn=None, permissions=("*",)):
        account = account or DEFAULT_ACCOUNT
        self.credentials[access_key] = {
            "secret": secret, "token": token, "expires": expires, "account": account,
            "arn": arn or f"arn:aws:iam::{account}:user/{access_key.lower()}",
            "permissions": set(permissions)}

    def load_state(self, state):
        """Applies a state object (the --state JSON format of the module docstring)."""
        for key, cred in state.get("credentials", {}).items():
            cred = dict(cred)
            if "permissions" in cred:
                cred["permissions"] = set(cred["permissions"])
            self.credentials[key] = cred
        for arn, role in state.get("roles", {}).items():
            role = dict(role)
            role["permissions"] = set(role.get("permissions", []))
            self.roles[arn] = role
        self.ec2_instances.extend(state.get("ec2_instances", []))
        self.ec2_volumes.extend(state.get("ec2_volumes", []))
        self.ec2_addresses.extend(state.get("ec2_addresses", []))
        for metric in state.get("metrics", []):
            self.add_metric(metric["namespace"], metric["metric_name"],
                            metric.get("dimensions", {}), metric.get("points", []))
        for product in state.get("pricing_products", []):
            self.pricing_products.append(product if isinstance(product, str)
                                         else json.dumps(product))
        for price in state.get("ec2_prices", []):
            self.pricing_products.append(ec2_price_product(**price))
        for obj in state.get("s3_objects", []):
            data = (base64.b64decode(obj["base64"]) if "base64" in obj
                    else obj.get("text", "").encode())
            self.s3_objects[(obj["bucket"], obj["key"])] = data
        self.s3_buckets.update(state.get("s3_buckets", []))
        self.sns_topics.update(state.get("sns_topics", []))
        for name, table in state.get("athena_tables", {}).items():
            self.athena_tables[name] = {
                "columns": [tuple(c) for c in table["columns"]],
                "rows": [tuple(r) for r in table.get("rows", [])],
                "partitions": list(table.get("partitions", []))}
        for key in ("imds_role", "imds_account", "imds_region", "imds_instance_id",
                    "imds_credential_ttl", "transition_polls", "athena_polls",
                    "max_datapoints_per_page", "clock_offset", "skew_offset", "default_region"):
            if key in state:
                setattr(self, key, state[key])
        if "imds_permissions" in state:
            self.imds_permissions = set(state["imds_permissions"])
        for fault in state.get("faults", []):
            self.fail_next(fault["target"], fault["status"], fault["code"],
                           fault.get("count", 1), fault.get("message"), fault.get("after", 0))
        for delay in state.get("delays", []):
            self.delay_next(delay["target"], delay["seconds"], delay.get("count", 1))

    def record(self):
        """What happened, as JSON-ready data (the --record file)."""
        with self.lock:
            return {"calls": list(self.calls),
                    "ec2_calls": [[a, p] for a, p in self.ec2_calls],
                    "athena_queries": list(self.athena_queries),
                    "athena_executions": {
                        k: {f: v for f, v in e.items() if f not in ("rows", "types", "columns")}
                        for k, e in self.athena_executions.items()},
                    "signature_failures": self.signature_failures}

    # -- dispatch -----------------------------------------------------------------------------

    @staticmethod
    def _target_matches(target, service, action):
        if target == "*":
            return True
        aliases = {service, IAM_PREFIX.get(service, service)}
        if ":" in target:
            svc, _, act = target.partition(":")
            return svc.lower() in aliases and act == action
        return target.lower() in aliases or target == action

    def _take(self, queue, service, action):
        with self.lock:
            for entry in queue:
                if entry["count"] > 0 and self._target_matches(entry["target"], service, action):
                    if entry.get("after", 0) > 0:
                        entry["after"] -= 1
                        return None
                    entry["count"] -= 1
                    if entry["count"] == 0:
                        queue.remove(entry)
                    return entry
        return None

    def handle(self, request):
        """One HTTP request -> Response."""
        request_id = str(uuid.uuid4())
        if request.raw_path.startswith("/latest/") and not self._has_signature(request):
            return self._handle_imds(request)
        service, region, action, params = self._identify(request)
        delay = self._take(self._delays, service, action)
        if delay:
            time.sleep(delay["seconds"])
        protocol = PROTOCOLS.get(service, "query")
        identity = None
        try:
            if service not in PROTOCOLS:
                raise AwsError(400, "InvalidAction",
                               f"The AWS double does not serve the service '{service}'.")
            identity = self._authenticate(request, service, protocol)
            fault = self._take(self._faults, service, action)
            if fault:
                raise AwsError(fault["status"], fault["code"],
                               fault["message"] or FAULT_MESSAGES.get(fault["code"], fault["code"]))
            handler = self._handler(service, action)
            with self.lock:
                try:
                    response = handler(request, params, identity, region)
                except (ValueError, TypeError, KeyError, AttributeError) as exc:
                    code = {"ec2": "InvalidParameterValue", "json": "SerializationException",
                            "rest-xml": "InvalidArgument"}.get(protocol, "ValidationError")
                    raise AwsError(400, code, f"The AWS double could not read the request: "
                                              f"{exc!r}")
        except AwsError as err:
            response = self._error_response(protocol, service, err, request_id, request)
        self._add_request_id(response, service, request_id)
        with self.lock:
            self.calls.append({"service": IAM_PREFIX.get(service, service), "action": action,
                               "access_key": identity["access_key"] if identity else
                               self._claimed_key(request),
                               "status": response.status, "region": region,
                               "error": getattr(response, "error_code", None), "time": time.time()})
        return response

    @staticmethod
    def _has_signature(request):
        return bool(request.header("Authorization")) or "X-Amz-Credential" in request.raw_query

    @staticmethod
    def _scope(request):
        """(access key, date, region, service) of the credential scope, or None."""
        auth = request.header("Authorization") or ""
        m = re.search(r"Credential=([^,\s]+)", auth)
        credential = m.group(1) if m else request.query_dict().get("X-Amz-Credential")
        if not credential:
            return None
        parts = credential.split("/")
        if len(parts) != 5:
            return None
        return parts[0], parts[1], parts[2], parts[3]

    def _claimed_key(self, request):
        scope = self._scope(request)
        return scope[0] if scope else None

    def _identify(self, request):
        """(service signing name, region, action, params) of a request."""
        scope = self._scope(request)
        service = scope[3] if scope else None
        region = scope[2] if scope else self.default_region
        target = request.header("X-Amz-Target") or ""
        if service is None and target:
            service = JSON_TARGET_PREFIXES.get(target.split(".")[0])
        params = {}
        content_type = (request.header("Content-Type") or "").lower()
        if service in (None, "sts", "monitoring", "ec2", "sns") and (
                "x-www-form-urlencoded" in content_type or request.method == "GET"):
            params = dict(urllib.parse.parse_qsl(request.raw_query, keep_blank_values=True))
            if "x-www-form-urlencoded" in content_type:
                params.update(urllib.parse.parse_qsl(request.body.decode("utf-8", "replace"),
                                                     keep_blank_values=True))
        if service is None:
            action = params.get("Action")
            if action:
                service = QUERY_ACTION_SERVICES.get(action, "ec2")
            else:
                service = "s3"
        if service == "cloudwatch":
            service = "monitoring"
        protocol = PROTOCOLS.get(service)
        if protocol in ("query", "ec2"):
            action = params.get("Action", "")
        elif protocol == "json":
            action = target.split(".", 1)[1] if "." in target else ""
            try:
                params = json.loads(request.body or b"{}")
            except ValueError:
                params = None
        elif protocol == "rest-xml":
            action = self._s3_action(request)
        else:
            action = params.get("Action") or target
        return service, region, action, params

    def _handler(self, service, action):
        handlers = {
            ("sts", "AssumeRole"): self._sts_assume_role,
            ("sts", "GetCallerIdentity"): self._sts_get_caller_identity,
            ("sns", "Publish"): self._sns_publish,
            ("ec2", "DescribeInstances"): self._ec2_describe_instances,
            ("ec2", "DescribeVolumes"): self._ec2_describe_volumes,
            ("ec2", "DescribeAddresses"): self._ec2_describe_addresses,
            ("ec2", "StopInstances"): self._ec2_stop_instances,
            ("ec2", "StartInstances"): self._ec2_start_instances,
            ("ec2", "ModifyInstanceAttribute"): self._ec2_modify_instance_attribute,
            ("monitoring", "GetMetricData"): self._cw_get_metric_data,
            ("athena", "StartQueryExecution"): self._athena_start,
            ("athena", "GetQueryExecution"): self._athena_get_execution,
            ("athena", "GetQueryResults"): self._athena_get_results,
            ("athena", "StopQueryExecution"): self._athena_stop,
            ("pricing", "GetProducts"): self._pricing_get_products,
            ("s3", "ListObjectsV2"): self._s3_list_objects_v2,
            ("s3", "GetObject"): self._s3_get_object,
            ("s3", "HeadObject"): self._s3_get_object,
            ("s3", "HeadBucket"): self._s3_head_bucket,
            ("s3", "ListBuckets"): self._s3_list_buckets,
        }
        handler = handlers.get((service, action))
        if handler:
            return handler
        protocol = PROTOCOLS[service]
        if protocol == "json":
            raise AwsError(400, "UnknownOperationException", None, coral=True)
        if protocol == "rest-xml":
            raise AwsError(501, "NotImplemented", "A header you provided implies functionality "
                                                  "that is not implemented")
        raise AwsError(400, "InvalidAction",
                       f"The action {action} is not valid for this web service.")

    # -- responses ----------------------------------------------------------------------------

    @staticmethod
    def _add_request_id(response, service, request_id):
        names = {h[0].lower() for h in response.headers}
        if service == "s3":
            if "x-amz-request-id" not in names:
                response.headers.append(("x-amz-request-id",
                                         request_id.replace("-", "")[:16].upper()))
                response.headers.append(("x-amz-id-2", base64.b64encode(
                    hashlib.sha256(request_id.encode()).digest()).decode()))
        elif "x-amzn-requestid" not in names:
            response.headers.append(("x-amzn-RequestId", request_id))

    def _error_response(self, protocol, service, err, request_id, request):
        message = err.message
        if protocol == "json":
            kind = f"com.amazon.coral.service#{err.code}" if err.coral else err.code
            body = {"__type": kind}
            if message is not None:
                body["message" if err.coral else "Message"] = message
            body.update(err.extra)
            error_type = (f"{err.code}:http://internal.amazon.com/coral/com.amazon.coral.service/"
                          if err.coral else err.code)
            headers = [("x-amzn-RequestId", request_id), ("x-amzn-ErrorType", error_type)]
            response = Response(err.status, json.dumps(body), headers + err.headers,
                                "application/x-amz-json-1.1")
        elif protocol == "ec2":
            body = ('<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error>'
                    f"{_xml('Code', err.code, 'item')}{_xml('Message', message, 'item')}"
                    f"</Error></Errors>{_xml('RequestID', request_id, 'item')}</Response>")
            response = Response(err.status, body, [("x-amzn-RequestId", request_id)] + err.headers,
                                "text/xml;charset=UTF-8")
        elif protocol == "rest-xml":
            s3_id = request_id.replace("-", "")[:16].upper()
            host_id = base64.b64encode(hashlib.sha256(request_id.encode()).digest()).decode()
            extra = "".join(_xml(k, v, "item") for k, v in err.extra.items())
            body = ('<?xml version="1.0" encoding="UTF-8"?>\n<Error>'
                    f"{_xml('Code', err.code, 'item')}{_xml('Message', message, 'item')}{extra}"
                    f"{_xml('RequestId', s3_id, 'item')}{_xml('HostId', host_id, 'item')}</Error>")
            headers = [("x-amz-request-id", s3_id), ("x-amz-id-2", host_id)] + err.headers
            if request.method == "HEAD":
                response = Response(err.status, b"", headers)
            else:
                response = Response(err.status, body, headers, "application/xml")
        else:
            kind = "Receiver" if err.status >= 500 else "Sender"
            body = (f'<ErrorResponse xmlns="{XMLNS.get(service, XMLNS["sts"])}">\n  <Error>\n'
                    f"    <Type>{kind}</Type>\n    {_xml('Code', err.code, 'member')}\n"
                    f"    {_xml('Message', message, 'member')}\n  </Error>\n"
                    f"  <RequestId>{request_id}</RequestId>\n</ErrorResponse>\n")
            response = Response(err.status, body, [("x-amzn-RequestId", request_id)] + err.headers,
                                "text/xml")
        response.error_code = err.code
        return response

    @staticmethod
    def _query_response(service, action, result):
        inner = "".join(_xml(k, v, "member") for k, v in result.items())
        body = (f'<{action}Response xmlns="{XMLNS[service]}">\n  <{action}Result>{inner}'
                f"</{action}Result>\n  <ResponseMetadata>\n    <RequestId>{{rid}}</RequestId>\n"
                f"  </ResponseMetadata>\n</{action}Response>\n")
        return _DeferredIdResponse(body, "text/xml")

    @staticmethod
    def _ec2_response(action, result):
        inner = "".join(_xml(k, v, "item") for k, v in result.items())
        body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<{action}Response '
                f'xmlns="{XMLNS["ec2"]}">\n    <requestId>{{rid}}</requestId>\n    {inner}\n'
                f"</{action}Response>")
        return _DeferredIdResponse(body, "text/xml;charset=UTF-8")

    @staticmethod
    def _json_response(obj):
        return Response(200, json.dumps(obj), content_type="application/x-amz-json-1.1")

    # -- SigV4 --------------------------------------------------------------------------------

    def _auth_error(self, kind, protocol, message=None, extra=None):
        status, code, default = AUTH_ERRORS[kind][protocol]
        return AwsError(status, code, message or default, extra=extra,
                        coral=(protocol == "json"))

    def _authenticate(self, request, service, protocol):
        """Checks the SigV4 signature; returns the caller's identity (credential record plus
        access_key) or raises the AWS error."""
        query = request.query_dict()
        presigned = False
        auth = request.header("Authorization")
        if auth:
            if not auth.startswith("AWS4-HMAC-SHA256 "):
                if protocol == "rest-xml":
                    raise AwsError(400, "InvalidArgument", "Unsupported Authorization Type",
                                   extra={"ArgumentName": "Authorization",
                                          "ArgumentValue": auth})
                raise self._auth_error("malformed", protocol,
                                       f"Unsupported authorization type: {auth.split(' ')[0]}")
            fields = {}
            for part in auth[len("AWS4-HMAC-SHA256 "):].split(","):
                name, _, value = part.strip().partition("=")
                fields[name] = value
            missing = [f for f in ("Credential", "SignedHeaders", "Signature") if f not in fields]
            if missing:
                raise self._auth_error(
                    "malformed", protocol,
                    f"Authorization header requires '{missing[0]}' parameter. Authorization="
                    + auth)
            credential = fields["Credential"]
            signed_headers = fields["SignedHeaders"]
            signature = fields["Signature"]
            date_text = request.header("X-Amz-Date")
            if not date_text and request.header("Date"):
                try:
                    date_text = amz_date(email.utils.parsedate_to_datetime(
                        request.header("Date")).timestamp())
                except (TypeError, ValueError):
                    date_text = request.header("Date")
            token = request.header("X-Amz-Security-Token")
        elif "X-Amz-Credential" in query:
            presigned = True
            if query.get("X-Amz-Algorithm") != "AWS4-HMAC-SHA256":
                raise AwsError(400, "AuthorizationQueryParametersError",
                               "X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"")
            credential = query["X-Amz-Credential"]
            signed_headers = query.get("X-Amz-SignedHeaders", "")
            signature = query.get("X-Amz-Signature", "")
            date_text = query.get("X-Amz-Date")
            token = query.get("X-Amz-Security-Token")
        else:
            raise self._auth_error("missing", protocol)

        parts = credential.split("/")
        if len(parts) != 5 or parts[4] != "aws4_request":
            raise self._auth_error("malformed", protocol,
                                   f"Credential should be scoped to correct service: '{service}'. ")
        access_key, scope_date, region, scope_service = parts[:4]
        cred = self.credentials.get(access_key)
        if cred is None:
            extra = {"AWSAccessKeyId": access_key} if protocol == "rest-xml" else None
            raise self._auth_error("unknown_key", protocol, extra=extra)
        if (cred.get("token") or None) != (token or None):
            extra = {"Token-0": token} if protocol == "rest-xml" and token else None
            raise self._auth_error("bad_token", protocol, extra=extra)
        now = self.now()
        if cred.get("expires") is not None and now >= _to_unix(cred["expires"]):
            extra = {"Token-0": token} if protocol == "rest-xml" and token else None
            raise self._auth_error("expired", protocol, extra=extra)
        request_time = _parse_amz_date(date_text)
        if request_time is None:
            raise self._auth_error(
                "malformed", protocol,
                "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' "
                "header." if not date_text else
                f"Date must be in ISO-8601 'basic format'. Got '{date_text}'.")
        if presigned:
            expires = query.get("X-Amz-Expires", "")
            if not expires.isdigit():
                raise AwsError(400, "AuthorizationQueryParametersError",
                               "X-Amz-Expires should be a number")
            expires = int(expires)
            if expires > 604800:
                raise AwsError(400, "AuthorizationQueryParametersError",
                               "X-Amz-Expires must be less than a week (in seconds) that is 604800")
            if now > request_time + expires:
                raise AwsError(403, "AccessDenied", "Request has expired",
                               extra={"X-Amz-Expires": expires,
                                      "Expires": iso_z(request_time + expires),
                                      "ServerTime": iso_z(now)})
        else:
            self._check_skew(request_time, date_text, protocol)

        canonical, string_to_sign, expected = self._signature(
            request, service, cred["secret"], scope_date, region, scope_service, date_text,
            signed_headers, presigned)
        if not hmac.compare_digest(expected, signature):
            with self.lock:
                self.signature_failures += 1
            if protocol == "rest-xml":
                raise AwsError(403, "SignatureDoesNotMatch", S3_SIGNATURE_MESSAGE, extra={
                    "AWSAccessKeyId": access_key, "StringToSign": string_to_sign,
                    "SignatureProvided": signature,
                    "StringToSignBytes": " ".join(f"{b:02x}" for b in string_to_sign.encode()),
                    "CanonicalRequest": canonical,
                    "CanonicalRequestBytes": " ".join(f"{b:02x}" for b in canonical.encode())})
            raise self._auth_error(
                "signature", protocol,
                f"{SIGNATURE_MESSAGE}\n\nThe Canonical String for this request should have been\n"
                f"'{canonical}'\n\nThe String-to-Sign should have been\n'{string_to_sign}'\n")
        if service == "s3" and not presigned:
            self._check_s3_payload(request)
        identity = dict(cred)
        identity["access_key"] = access_key
        identity.setdefault("account", DEFAULT_ACCOUNT)
        identity.setdefault("arn", f"arn:aws:iam::{identity['account']}:user/{access_key.lower()}")
        identity.setdefault("user_id", "AIDA" + _hex_id(access_key))
        identity["permissions"] = set(identity.get("permissions", {"*"}))
        return identity

    def _check_skew(self, request_time, date_text, protocol):
        server = time.time() + self.skew_offset
        if abs(request_time - server) <= MAX_SKEW_SECONDS:
            return
        if protocol == "rest-xml":
            raise AwsError(403, "RequestTimeTooSkewed",
                           "The difference between the request time and the current time is too "
                           "large.", extra={"RequestTime": date_text, "ServerTime": iso_z(server),
                                            "MaxAllowedSkewMilliseconds": 900000})
        if protocol == "ec2":
            raise AwsError(400, "RequestExpired", "Request has expired.")
        if request_time < server:
            message = (f"Signature expired: {date_text} is now earlier than "
                       f"{amz_date(server - MAX_SKEW_SECONDS)} ({amz_date(server)} - 15 min.)")
        else:
            message = (f"Signature not yet current: {date_text} is still later than "
                       f"{amz_date(server + MAX_SKEW_SECONDS)} ({amz_date(server)} + 15 min.)")
        status, code, _ = AUTH_ERRORS["signature"][protocol]
        raise AwsError(status, code, message, coral=(protocol == "json"))

    @staticmethod
    def _check_s3_payload(request):
        declared = request.header("x-amz-content-sha256")
        if declared is None:
            raise AwsError(400, "InvalidRequest",
                           "Missing required header for this request: x-amz-content-sha256")
        if re.fullmatch(r"[0-9a-f]{64}", declared):
            actual = hashlib.sha256(request.body).hexdigest()
            if actual != declared:
                raise AwsError(400, "XAmzContentSHA256Mismatch",
                               "The provided 'x-amz-content-sha256' header does not match what "
                               "was computed.", extra={"ClientComputedContentSHA256": declared,
                                                       "S3ComputedContentSHA256": actual})

    @staticmethod
    def _signature(request, service, secret, scope_date, region, scope_service, date_text,
                   signed_headers, presigned):
        """(canonical request, string to sign, signature) the double expects."""
        if service == "s3":
            canonical_uri = request.raw_path
        else:
            canonical_uri = urllib.parse.quote(_remove_dot_segments(request.raw_path), safe="/~")
        pairs = []
        for part in request.raw_query.split("&"):
            if not part:
                continue
            name, _, value = part.partition("=")
            name = urllib.parse.unquote(name)
            value = urllib.parse.unquote(value)
            if presigned and name == "X-Amz-Signature":
                continue
            pairs.append((urllib.parse.quote(name, safe="-_.~"),
                          urllib.parse.quote(value, safe="-_.~")))
        canonical_query = "&".join(f"{k}={v}" for k, v in sorted(pairs))
        header_lines = []
        for name in signed_headers.lower().split(";"):
            values = request.headers.get_all(name) or []
            header_lines.append(f"{name}:" + ",".join(" ".join(str(v).split()) for v in values))
        if presigned and service == "s3":
            payload = "UNSIGNED-PAYLOAD"  # a presigned S3 URL never signs the body
        elif request.header("x-amz-content-sha256"):
            payload = request.header("x-amz-content-sha256")  # may be UNSIGNED-PAYLOAD
        else:
            payload = hashlib.sha256(request.body).hexdigest()
        canonical = "\n".join([request.method, canonical_uri, canonical_query,
                               "\n".join(header_lines) + "\n", signed_headers.lower(), payload])
        scope = f"{scope_date}/{region}/{scope_service}/aws4_request"
        string_to_sign = "\n".join(["AWS4-HMAC-SHA256", date_text or "", scope,
                                    hashlib.sha256(canonical.encode()).hexdigest()])

        def sign(key, msg):
            return hmac.new(key, msg.encode(), hashlib.sha256).digest()

        key = sign(("AWS4" + secret).encode(), scope_date)
        key = sign(key, region)
        key = sign(key, scope_service)
        key = sign(key, "aws4_request")
        signature = hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()
        return canonical, string_to_sign, signature

    # -- authorization ------------------------------------------------------------------------

    @staticmethod
    def _allowed(identity, iam_action):
        return any(fnmatch.fnmatchcase(iam_action.lower(), p.lower())
                   for p in identity.get("permissions", {"*"}))

    def _authorize(self, identity, service, iam_action, resource=None):
        if self._allowed(identity, iam_action):
            return
        user = identity["arn"]
        base = f"User: {user} is not authorized to perform: {iam_action}"
        tail = f" because no identity-based policy allows the {iam_action} action"
        on = f" on resource: {resource}" if resource else ""
        if service == "ec2":
            raise AwsError(403, "UnauthorizedOperation",
                           "You are not authorized to perform this operation. " + base + on + tail)
        if service == "sts":
            raise AwsError(403, "AccessDenied", base + on)
        if service == "sns":
            raise AwsError(403, "AuthorizationError", base + on + tail)
        if service == "monitoring":
            raise AwsError(403, "AccessDenied", base + on + tail)
        if service == "s3":
            raise AwsError(403, "AccessDenied", base + (f' on resource: "{resource}"' if resource
                                                        else "") + tail)
        raise AwsError(400, "AccessDeniedException", base + on + tail)

    # -- SNS ----------------------------------------------------------------------------------

    def _sns_publish(self, request, params, identity, region):
        topic = params.get("TopicArn", "")
        message = params.get("Message")
        if not topic.startswith("arn:aws:sns:"):
            raise AwsError(400, "InvalidParameter",
                           "Invalid parameter: TopicArn Reason: An ARN must have at least 6 "
                           "elements, not 1")
        if message is None or message == "":
            raise AwsError(400, "InvalidParameter", "Invalid parameter: Message")
        if len(message.encode()) > 262144:
            raise AwsError(400, "InvalidParameter",
                           "Invalid parameter: Message too long")
        subject = params.get("Subject")
        if subject is not None and (len(subject) > 100 or any(c in subject for c in "\r\n")):
            raise AwsError(400, "InvalidParameter", "Invalid parameter: Subject")
        self._authorize(identity, "sns", "sns:Publish", topic)
        if topic not in self.sns_topics:
            raise AwsError(404, "NotFound", "Topic does not exist")
        message_id = str(uuid.uuid4())
        with self.lock:
            self.sns_messages.append({"topic": topic, "subject": subject, "message": message,
                                      "access_key": identity.get("access_key"),
                                      "message_id": message_id})
        return self._query_response("sns", "Publish", {"MessageId": message_id})

    # -- STS ----------------------------------------------------------------------------------

    def _sts_get_caller_identity(self, request, params, identity, region):
        return self._query_response("sts", "GetCallerIdentity", {
            "Arn": identity["arn"], "UserId": identity["user_id"], "Account": identity["account"]})

    def _sts_assume_role(self, request, params, identity, region):
        role_arn = params.get("RoleArn", "")
        session = params.get("RoleSessionName", "")
        if not role_arn or len(role_arn) < 20:
            raise AwsError(400, "ValidationError", "1 validation error detected: Value "
                           f"'{role_arn}' at 'roleArn' failed to satisfy constraint: Member must "
                           "have length greater than or equal to 20")
        if not re.fullmatch(r"[\w+=,.@-]{2,64}", session):
            raise AwsError(400, "ValidationError", "1 validation error detected: Value "
                           f"'{session}' at 'roleSessionName' failed to satisfy constraint: Member "
                           "must satisfy regular expression pattern: [\\w+=,.@-]*")
        duration = int(params.get("DurationSeconds", 3600))
        if duration < 900:
            raise AwsError(400, "ValidationError", "1 validation error detected: Value "
                           f"'{duration}' at 'durationSeconds' failed to satisfy constraint: "
                           "Member must have value greater than or equal to 900")
        denied = AwsError(403, "AccessDenied", f"User: {identity['arn']} is not authorized to "
                                               f"perform: sts:AssumeRole on resource: {role_arn}")
        role = self.roles.get(role_arn)
        if role is None or not self._allowed(identity, "sts:AssumeRole"):
            raise denied
        trusted = role.get("trusted_accounts", [])
        if identity["account"] not in trusted and identity["arn"] not in trusted:
            raise denied
        if role.get("external_id") is not None and params.get("ExternalId") != role["external_id"]:
            raise denied
        if ":assumed-role/" in identity["arn"] and duration > 3600:
            raise AwsError(400, "ValidationError", "The requested DurationSeconds exceeds the 1 "
                                                   "hour session limit for roles assumed by role "
                                                   "chaining.")
        if duration > int(role.get("max_session_duration", 3600)):
            raise AwsError(400, "ValidationError", "The requested DurationSeconds exceeds the "
                                                   "MaxSessionDuration set for this role.")
        account = role_arn.split(":")[4] if role_arn.count(":") >= 5 else DEFAULT_ACCOUNT
        role_name = role_arn.rsplit("/", 1)[-1]
        role_id = "AROA" + _hex_id(role_arn)
        key, secret, token = self._new_temporary_keys()
        expires = int(self.now()) + duration
        arn = f"arn:aws:sts::{account}:assumed-role/{role_name}/{session}"
        self.credentials[key] = {"secret": secret, "token": token, "expires": expires,
                                 "account": account, "arn": arn,
                                 "user_id": f"{role_id}:{session}", "role_arn": role_arn,
                                 "permissions": set(role.get("permissions", set()))}
        return self._query_response("sts", "AssumeRole", {
            "Credentials": {"AccessKeyId": key, "SecretAccessKey": secret,
                            "SessionToken": token, "Expiration": iso_z(expires)},
            "AssumedRoleUser": {"AssumedRoleId": f"{role_id}:{session}", "Arn": arn}})

    @staticmethod
    def _new_temporary_keys():
        key = "ASIA" + _random_id(_UPPER32, 16)
        secret = base64.b64encode(secrets.token_bytes(30)).decode()
        token = "IQoJb3JpZ2luX2VjE" + base64.b64encode(secrets.token_bytes(600)).decode()
        return key, secret, token

    # -- EC2 ----------------------------------------------------------------------------------

    @staticmethod
    def _ec2_tags(item):
        tags = item.get("Tags") or []
        if isinstance(tags, dict):
            return [{"Key": k, "Value": v} for k, v in tags.items()]
        return tags

    @staticmethod
    def _ec2_state(instance):
        state = instance.get("State", "running")
        return state.get("Name", "running") if isinstance(state, dict) else state

    def _ec2_in_region(self, items, region):
        return [i for i in items if i.get("region", self.default_region) == region]

    def _ec2_filter(self, items, filters, fields):
        """Keeps the items matching every filter (EC2 semantics: values OR-ed, * and ?
        wildcards)."""
        for flt in filters:
            name = flt.get("Name", "")
            values = _as_list(flt.get("Value"))
            if name.startswith("tag:"):
                key = name[4:]

                def getter(item, key=key):
                    return [t["Value"] for t in self._ec2_tags(item) if t["Key"] == key]
            elif name == "tag-key":
                def getter(item):
                    return [t["Key"] for t in self._ec2_tags(item)]
            elif name in fields:
                getter = fields[name]
            else:
                raise AwsError(400, "InvalidParameterValue", f"The filter '{name}' is invalid")
            items = [item for item in items
                     if any(fnmatch.fnmatchcase(str(got), str(want))
                            for got in _as_list(getter(item)) for want in values)]
        return items

    def _ec2_page(self, items, params, low, high, name="maxResults"):
        max_results = params.get("MaxResults")
        token = params.get("NextToken")
        start = 0
        if token:
            parsed = _read_token(token)
            if not isinstance(parsed, dict) or "o" not in parsed:
                raise AwsError(400, "InvalidParameterValue", "Unable to parse pagination token")
            start = int(parsed["o"])
        if max_results is None:
            return items[start:], None
        count = int(max_results)
        if not low <= count <= high:
            raise AwsError(400, "InvalidParameterValue",
                           f"Value ( {count} ) for parameter {name} is invalid. Expecting a value "
                           f"between {low} and {high}.")
        page = items[start:start + count]
        more = start + count < len(items)
        return page, (_b64_token({"o": start + count}) if more else None)

    def _ec2_lookup_instances(self, ids, region):
        by_id = {i["InstanceId"]: i for i in self._ec2_in_region(self.ec2_instances, region)}
        bad = [i for i in ids
               if i not in by_id and not re.fullmatch(r"i-[0-9a-f]{8}([0-9a-f]{9})?", i)]
        if bad:
            raise AwsError(400, "InvalidInstanceID.Malformed", f'Invalid id: "{bad[0]}"')
        missing = [i for i in ids if i not in by_id]
        if len(missing) == 1:
            raise AwsError(400, "InvalidInstanceID.NotFound",
                           f"The instance ID '{missing[0]}' does not exist")
        if missing:
            raise AwsError(400, "InvalidInstanceID.NotFound",
                           f"The instance IDs '{', '.join(missing)}' do not exist")
        return [by_id[i] for i in ids]

    @staticmethod
    def _dry_run(params):
        if _bool_param(params.get("DryRun")):
            raise AwsError(412, "DryRunOperation",
                           "Request would have succeeded, but DryRun flag is set.")

    def _instance_arn(self, identity, region, instance_id):
        return f"arn:aws:ec2:{region}:{identity['account']}:instance/{instance_id}"

    def _ec2_instance_xml(self, inst):
        state = self._ec2_state(inst)
        launch = _to_unix(inst.get("LaunchTime")) or self.created
        placement = inst.get("Placement") or {}
        az = placement.get("AvailabilityZone") or inst.get("AvailabilityZone") or (
            inst.get("region", self.default_region) + "a")
        platform = inst.get("Platform")
        private_ip = inst.get("PrivateIpAddress", "10.0.0.10")
        out = {
            "instanceId": inst["InstanceId"],
            "imageId": inst.get("ImageId", "ami-0abcdef1234567890"),
            "instanceState": {"code": EC2_STATE_CODES.get(state, 16), "name": state},
            "privateDnsName": f"ip-{private_ip.replace('.', '-')}.ec2.internal",
            "dnsName": inst.get("PublicDnsName", ""),
            "reason": inst.get("StateTransitionReason", ""),
            "amiLaunchIndex": 0,
            "productCodes": [],
            "instanceType": inst.get("InstanceType", "t3.micro"),
            "launchTime": iso_ms(launch),
            "placement": {"availabilityZone": az, "groupName": "",
                          "tenancy": placement.get("Tenancy", "default")},
            "platform": platform,
            "monitoring": {"state": "disabled"},
            "subnetId": inst.get("SubnetId", "subnet-0123456789abcdef0"),
            "vpcId": inst.get("VpcId", "vpc-0123456789abcdef0"),
            "privateIpAddress": private_ip,
            "ipAddress": inst.get("PublicIpAddress"),
            "sourceDestCheck": True,
            "groupSet": [],
            "architecture": inst.get("Architecture", "x86_64"),
            "rootDeviceType": "ebs",
            "rootDeviceName": "/dev/xvda",
            "blockDeviceMapping": [],
            "virtualizationType": "hvm",
            "tagSet": [{"key": t["Key"], "value": t["Value"]} for t in self._ec2_tags(inst)],
            "hypervisor": "xen",
            "ebsOptimized": bool(inst.get("EbsOptimized", False)),
            "enaSupport": True,
            "instanceLifecycle": inst.get("InstanceLifecycle"),
            "platformDetails": inst.get("PlatformDetails",
                                        "Windows" if platform == "windows" else "Linux/UNIX"),
            "usageOperation": inst.get("UsageOperation",
                                       "RunInstances:0002" if platform == "windows"
                                       else "RunInstances"),
        }
        if state == "stopped":
            out["stateReason"] = {
                "code": "Client.UserInitiatedShutdown",
                "message": "Client.UserInitiatedShutdown: User initiated shutdown"}
        return out

    def _ec2_describe_instances(self, request, params, identity, region):
        tree = _param_tree(params)
        ids = _as_list(tree.get("InstanceId"))
        if ids and params.get("MaxResults"):
            raise AwsError(400, "InvalidParameterCombination", "The parameter instancesSet "
                                                               "cannot be used with the parameter "
                                                               "maxResults")
        self._authorize(identity, "ec2", "ec2:DescribeInstances")
        self._dry_run(params)
        instances = (self._ec2_lookup_instances(ids, region) if ids
                     else self._ec2_in_region(self.ec2_instances, region))
        fields = {
            "instance-state-name": self._ec2_state,
            "instance-state-code": lambda i: EC2_STATE_CODES.get(self._ec2_state(i)),
            "instance-id": lambda i: i["InstanceId"],
            "instance-type": lambda i: i.get("InstanceType"),
            "availability-zone": lambda i: (i.get("Placement") or {}).get("AvailabilityZone"),
            "platform": lambda i: i.get("Platform"),
            "platform-details": lambda i: i.get("PlatformDetails"),
            "architecture": lambda i: i.get("Architecture", "x86_64"),
            "vpc-id": lambda i: i.get("VpcId"),
            "subnet-id": lambda i: i.get("SubnetId"),
            "image-id": lambda i: i.get("ImageId"),
            "instance-lifecycle": lambda i: i.get("InstanceLifecycle"),
        }
        instances = self._ec2_filter(instances, _as_list(tree.get("Filter")), fields)
        page, next_token = self._ec2_page(instances, params, 5, 1000)
        reservations = []
        by_reservation = {}
        for inst in page:
            rid = inst.get("ReservationId") or "r-" + hashlib.sha1(
                inst["InstanceId"].encode()).hexdigest()[:17]
            if rid not in by_reservation:
                by_reservation[rid] = {"reservationId": rid,
                                       "ownerId": inst.get("OwnerId", identity["account"]),
                                       "groupSet": [], "instancesSet": []}
                reservations.append(by_reservation[rid])
            by_reservation[rid]["instancesSet"].append(self._ec2_instance_xml(inst))
        response = self._ec2_response("DescribeInstances",
                                      {"reservationSet": reservations, "nextToken": next_token})
        self._advance_transitions(region)
        return response

    def _advance_transitions(self, region):
        by_id = {i["InstanceId"]: i for i in self._ec2_in_region(self.ec2_instances, region)}
        for iid in list(self._transitions):
            if iid in by_id:
                entry = self._transitions[iid]
                entry[1] -= 1
                if entry[1] <= 0:
                    by_id[iid]["State"] = entry[0]
                    del self._transitions[iid]

    def _ec2_change_state(self, params, identity, region, action, iam_action):
        ids = _as_list(_param_tree(params).get("InstanceId"))
        if not ids:
            raise AwsError(400, "MissingParameter",
                           "The request must contain the parameter InstanceId")
        instances = self._ec2_lookup_instances(ids, region)
        for iid in ids:
            self._authorize(identity, "ec2", iam_action, self._instance_arn(identity, region, iid))
        self._dry_run(params)
        changes = []
        stopping = action == "StopInstances"
        for inst in instances:
            previous = self._ec2_state(inst)
            if stopping:
                if previous in ("pending", "shutting-down", "terminated"):
                    raise AwsError(400, "IncorrectInstanceState",
                                   f"This instance '{inst['InstanceId']}' is not in a state from "
                                   "which it can be stopped.")
                transitional, final = "stopping", "stopped"
                moving = previous == "running"
            else:
                if previous in ("stopping", "shutting-down", "terminated"):
                    raise AwsError(400, "IncorrectInstanceState",
                                   f"The instance '{inst['InstanceId']}' is not in a state from "
                                   "which it can be started.")
                transitional, final = "pending", "running"
                moving = previous == "stopped"
            changes.append((inst, previous, transitional if moving else previous, moving, final))
        items = []
        for inst, previous, current, moving, final in changes:
            if moving:
                if self.transition_polls > 0:
                    inst["State"] = current
                    self._transitions[inst["InstanceId"]] = [final, self.transition_polls]
                else:
                    inst["State"] = final
            items.append({"currentState": {"code": EC2_STATE_CODES[current], "name": current},
                          "instanceId": inst["InstanceId"],
                          "previousState": {"code": EC2_STATE_CODES[previous], "name": previous}})
        self.ec2_calls.append((action, self._mutation_params(params)))
        return self._ec2_response(action, {"instancesSet": items})

    @staticmethod
    def _mutation_params(params):
        return {k: v for k, v in params.items() if k not in ("Action", "Version")}

    def _ec2_stop_instances(self, request, params, identity, region):
        return self._ec2_change_state(params, identity, region, "StopInstances",
                                      "ec2:StopInstances")

    def _ec2_start_instances(self, request, params, identity, region):
        return self._ec2_change_state(params, identity, region, "StartInstances",
                                      "ec2:StartInstances")

    def _known_instance_types(self):
        types = set(self.ec2_instance_types)
        types.update(i.get("InstanceType") for i in self.ec2_instances)
        for product in self.pricing_products:
            try:
                types.add(json.loads(product)["product"]["attributes"]["instanceType"])
            except (ValueError, KeyError, TypeError):
                pass
        return types

    def _ec2_modify_instance_attribute(self, request, params, identity, region):
        iid = params.get("InstanceId")
        if not iid:
            raise AwsError(400, "MissingParameter",
                           "The request must contain the parameter InstanceId")
        inst = self._ec2_lookup_instances([iid], region)[0]
        self._authorize(identity, "ec2", "ec2:ModifyInstanceAttribute",
                        self._instance_arn(identity, region, iid))
        new_type = params.get("InstanceType.Value")
        if new_type is None and params.get("Attribute") == "instanceType":
            new_type = params.get("Value")
        if new_type is not None and new_type not in self._known_instance_types():
            raise AwsError(400, "InvalidParameterValue",
                           f"Value ({new_type}) for parameter instanceType is invalid. "
                           "Invalid instance type.")
        self._dry_run(params)
        if new_type is not None:
            if self._ec2_state(inst) != "stopped":
                raise AwsError(400, "IncorrectInstanceState",
                               f"The instance '{iid}' is not in the 'stopped' state.")
            inst["InstanceType"] = new_type
        self.ec2_calls.append(("ModifyInstanceAttribute", self._mutation_params(params)))
        return self._ec2_response("ModifyInstanceAttribute", {"return": True})

    def _ec2_describe_volumes(self, request, params, identity, region):
        tree = _param_tree(params)
        ids = _as_list(tree.get("VolumeId"))
        self._authorize(identity, "ec2", "ec2:DescribeVolumes")
        self._dry_run(params)
        volumes = self._ec2_in_region(self.ec2_volumes, region)
        if ids:
            known = {v["VolumeId"] for v in volumes}
            missing = [v for v in ids if v not in known]
            if missing:
                raise AwsError(400, "InvalidVolume.NotFound",
                               f"The volume '{missing[0]}' does not exist.")
            volumes = [v for v in volumes if v["VolumeId"] in ids]
        fields = {
            "status": lambda v: v.get("State", "in-use"),
            "volume-id": lambda v: v["VolumeId"],
            "volume-type": lambda v: v.get("VolumeType", "gp3"),
            "size": lambda v: v.get("Size"),
            "availability-zone": lambda v: v.get("AvailabilityZone"),
            "encrypted": lambda v: str(bool(v.get("Encrypted", False))).lower(),
            "attachment.instance-id": lambda v: [a.get("InstanceId")
                                                 for a in v.get("Attachments", [])],
            "attachment.status": lambda v: [a.get("State", "attached")
                                            for a in v.get("Attachments", [])],
        }
        volumes = self._ec2_filter(volumes, _as_list(tree.get("Filter")), fields)
        page, next_token = self._ec2_page(volumes, params, 5, 500)
        items = []
        for vol in page:
            created = _to_unix(vol.get("CreateTime")) or self.created
            az = vol.get("AvailabilityZone") or vol.get("region", self.default_region) + "a"
            items.append({
                "volumeId": vol["VolumeId"], "size": vol.get("Size", 8),
                "snapshotId": vol.get("SnapshotId", ""), "availabilityZone": az,
                "status": vol.get("State", "in-use"), "createTime": iso_ms(created),
                "attachmentSet": [{
                    "volumeId": vol["VolumeId"], "instanceId": a.get("InstanceId"),
                    "device": a.get("Device", "/dev/xvda"), "status": a.get("State", "attached"),
                    "attachTime": iso_ms(_to_unix(a.get("AttachTime")) or created),
                    "deleteOnTermination": bool(a.get("DeleteOnTermination", True))}
                    for a in vol.get("Attachments", [])],
                "volumeType": vol.get("VolumeType", "gp3"), "iops": vol.get("Iops"),
                "throughput": vol.get("Throughput"),
                "encrypted": bool(vol.get("Encrypted", False)),
                "tagSet": [{"key": t["Key"], "value": t["Value"]} for t in self._ec2_tags(vol)],
                "multiAttachEnabled": False})
        return self._ec2_response("DescribeVolumes", {"volumeSet": items, "nextToken": next_token})

    def _ec2_describe_addresses(self, request, params, identity, region):
        tree = _param_tree(params)
        self._authorize(identity, "ec2", "ec2:DescribeAddresses")
        self._dry_run(params)
        addresses = self._ec2_in_region(self.ec2_addresses, region)
        for ip in _as_list(tree.get("PublicIp")):
            if ip not in {a.get("PublicIp") for a in addresses}:
                raise AwsError(400, "InvalidAddress.NotFound", f"Address '{ip}' not found.")
        for alloc in _as_list(tree.get("AllocationId")):
            if alloc not in {a.get("AllocationId") for a in addresses}:
                raise AwsError(400, "InvalidAllocationID.NotFound",
                               f"The allocation ID '{alloc}' does not exist")
        if tree.get("PublicIp"):
            addresses = [a for a in addresses if a.get("PublicIp") in tree["PublicIp"]]
        if tree.get("AllocationId"):
            addresses = [a for a in addresses if a.get("AllocationId") in tree["AllocationId"]]
        fields = {name: (lambda a, key=key: a.get(key)) for name, key in (
            ("domain", "Domain"), ("instance-id", "InstanceId"), ("public-ip", "PublicIp"),
            ("allocation-id", "AllocationId"), ("association-id", "AssociationId"),
            ("network-interface-id", "NetworkInterfaceId"),
            ("private-ip-address", "PrivateIpAddress"))}
        addresses = self._ec2_filter(addresses, _as_list(tree.get("Filter")), fields)
        items = [{
            "publicIp": a.get("PublicIp"), "allocationId": a.get("AllocationId"),
            "domain": a.get("Domain", "vpc"), "instanceId": a.get("InstanceId"),
            "associationId": a.get("AssociationId"),
            "networkInterfaceId": a.get("NetworkInterfaceId"),
            "networkInterfaceOwnerId": identity["account"] if a.get("NetworkInterfaceId") else None,
            "privateIpAddress": a.get("PrivateIpAddress"),
            "tagSet": [{"key": t["Key"], "value": t["Value"]} for t in self._ec2_tags(a)],
            "publicIpv4Pool": "amazon",
            "networkBorderGroup": a.get("region", self.default_region)} for a in addresses]
        return self._ec2_response("DescribeAddresses", {"addressesSet": items})

    # -- CloudWatch ---------------------------------------------------------------------------

    @staticmethod
    def _statistic(stat, values):
        if stat == "Average":
            return sum(values) / len(values)
        if stat == "Sum":
            return float(sum(values))
        if stat == "Minimum":
            return float(min(values))
        if stat == "Maximum":
            return float(max(values))
        if stat == "SampleCount":
            return float(len(values))
        m = re.fullmatch(r"p(\d{1,2}(?:\.\d+)?|100)", stat)
        if m:
            ordered = sorted(values)
            rank = max(1, math.ceil(float(m.group(1)) / 100 * len(ordered)))
            return float(ordered[rank - 1])
        raise AwsError(400, "InvalidParameterValue", f"The statistic '{stat}' is not supported "
                                                     "by the AWS double.")

    def _cw_get_metric_data(self, request, params, identity, region):
        tree = _param_tree(params)
        queries = _as_list(tree.get("MetricDataQueries"))
        if len(queries) > 500:
            raise AwsError(400, "ValidationError", "The collection MetricDataQueries must not "
                                                   "have a size greater than 500.")
        if not queries:
            raise AwsError(400, "ValidationError", "1 validation error detected: Value null at "
                           "'metricDataQueries' failed to satisfy constraint: Member must not be "
                           "null")
        self._authorize(identity, "monitoring", "cloudwatch:GetMetricData")
        try:
            start = _to_unix(params.get("StartTime"))
            end = _to_unix(params.get("EndTime"))
        except ValueError:
            raise AwsError(400, "InvalidParameterValue", "The parameter StartTime or EndTime is "
                                                         "not a valid timestamp.")
        if start is None or end is None:
            raise AwsError(400, "ValidationError", "1 validation error detected: Value null at "
                           f"'{'startTime' if start is None else 'endTime'}' failed to satisfy "
                           "constraint: Member must not be null")
        if end <= start:
            raise AwsError(400, "ValidationError", "The parameter StartTime must be less than "
                                                   "the parameter EndTime.")
        descending = params.get("ScanBy", "TimestampDescending") != "TimestampAscending"
        ids = set()
        series = []
        for q in queries:
            qid = q.get("Id", "")
            if not re.fullmatch(r"[a-z][a-zA-Z0-9_]*", qid):
                raise AwsError(400, "ValidationError", f"The value {qid} for parameter "
                               "MetricDataQueries.member.Id is not valid: it must start with a "
                               "lowercase letter and contain only letters, numbers and "
                               "underscores.")
            if qid in ids:
                raise AwsError(400, "ValidationError", f"The value {qid} for parameter "
                                                       "MetricDataQueries.member.Id is duplicated.")
            ids.add(qid)
            if "Expression" in q:
                raise AwsError(400, "ValidationError", "Metric math expressions are not "
                                                       "supported by the AWS double.")
            stat_q = q.get("MetricStat") or {}
            metric = stat_q.get("Metric") or {}
            period = int(stat_q.get("Period", 0) or 0)
            if period <= 0 or (period % 60 and period not in (1, 5, 10, 30)):
                raise AwsError(400, "ValidationError", f"The value {period} for parameter "
                               "MetricDataQueries.member.MetricStat.Period is not valid: it must "
                               "be 1, 5, 10, 30 or a multiple of 60.")
            stat = stat_q.get("Stat", "")
            dims = frozenset((d.get("Name"), d.get("Value"))
                             for d in _as_list(metric.get("Dimensions")))
            points = self.metrics.get((metric.get("Namespace"), metric.get("MetricName"), dims), [])
            buckets = {}
            for t, v in points:
                if start <= t < end:
                    buckets.setdefault(int(t - (t % period)), []).append(v)
            times = sorted(buckets, reverse=descending)
            values = [self._statistic(stat, buckets[t]) for t in times]
            if _bool_param(q.get("ReturnData", "true")):
                series.append({"Id": qid, "Label": q.get("Label") or metric.get("MetricName", qid),
                               "Timestamps": times, "Values": values})
        token = params.get("NextToken")
        offsets = [0] * len(series)
        if token:
            parsed = _read_token(token)
            if not isinstance(parsed, dict) or len(parsed.get("o", [])) != len(series):
                raise AwsError(400, "InvalidNextToken", "The service couldn't process the token.")
            offsets = parsed["o"]
        budget = min(int(params.get("MaxDatapoints") or AWS_MAX_DATAPOINTS),
                     int(self.max_datapoints_per_page))
        results = []
        more = False
        for idx, s in enumerate(series):
            begin = offsets[idx]
            take = max(0, min(budget, len(s["Timestamps"]) - begin))
            budget -= take
            offsets[idx] = begin + take
            remaining = offsets[idx] < len(s["Timestamps"])
            more = more or remaining
            if take or not token:
                results.append({
                    "Id": s["Id"], "Label": s["Label"],
                    "Timestamps": [iso_z(t) for t in s["Timestamps"][begin:begin + take]],
                    "Values": [repr(v) for v in s["Values"][begin:begin + take]],
                    "StatusCode": "PartialData" if remaining else "Complete",
                    "Messages": []})
        return self._query_response("monitoring", "GetMetricData", {
            "MetricDataResults": results,
            "NextToken": _b64_token({"o": offsets}) if more else None,
            "Messages": []})

    # -- Pricing ------------------------------------------------------------------------------

    def _json_params(self, params):
        if not isinstance(params, dict):
            raise AwsError(400, "SerializationException", None)
        return params

    def _pricing_get_products(self, request, params, identity, region):
        params = self._json_params(params)
        self._authorize(identity, "pricing", "pricing:GetProducts")
        service_code = params.get("ServiceCode")
        if not service_code:
            raise AwsError(400, "InvalidParameterException", "Input parameters ServiceCode is "
                                                             "required.")
        max_results = params.get("MaxResults", 100)
        if not isinstance(max_results, int) or not 1 <= max_results <= 100:
            raise AwsError(400, "InvalidParameterException", "Input parameter MaxResults is "
                                                             "invalid. It must be from 1 to 100.")
        filters = params.get("Filters") or []
        matches = []
        for text in self.pricing_products:
            product = json.loads(text)
            attrs = (product.get("product") or {}).get("attributes") or {}
            top = {k.lower(): v for k, v in (product.get("product") or {}).items()
                   if isinstance(v, str)}
            if product.get("serviceCode", attrs.get("servicecode")) != service_code:
                continue
            lowered = {k.lower(): v for k, v in attrs.items()}
            ok = True
            for f in filters:
                field = str(f.get("Field", "")).lower()
                have = lowered.get(field, top.get(field))
                want = str(f.get("Value", ""))
                kind = f.get("Type", "TERM_MATCH")
                if kind in ("TERM_MATCH", "EQUALS"):
                    ok = have is not None and have.lower() == want.lower()
                elif kind == "CONTAINS":
                    ok = have is not None and want.lower() in have.lower()
                elif kind == "ANY_OF":
                    ok = have is not None and have.lower() in [w.strip().lower()
                                                               for w in want.split(",")]
                elif kind == "NONE_OF":
                    ok = have is None or have.lower() not in [w.strip().lower()
                                                              for w in want.split(",")]
                else:
                    raise AwsError(400, "InvalidParameterException",
                                   f"Input parameter Filters.Type {kind} is invalid.")
                if not ok:
                    break
            if ok:
                matches.append(text)
        start = 0
        if params.get("NextToken"):
            parsed = _read_token(params["NextToken"])
            if not isinstance(parsed, dict) or parsed.get("s") != service_code:
                raise AwsError(400, "InvalidNextTokenException", "The nextToken is invalid.")
            start = parsed["o"]
        page = matches[start:start + max_results]
        result = {"FormatVersion": params.get("FormatVersion", "aws_v1"), "PriceList": page}
        if start + max_results < len(matches):
            result["NextToken"] = _b64_token({"s": service_code, "o": start + max_results})
        return self._json_response(result)

    # -- Athena -------------------------------------------------------------------------------

    def _athena_workgroup_arn(self, identity, region, workgroup):
        return f"arn:aws:athena:{region}:{identity['account']}:workgroup/{workgroup}"

    def _athena_execution(self, params):
        qid = params.get("QueryExecutionId")
        if not qid:
            raise AwsError(400, "InvalidRequestException", "QueryExecutionId is required",
                           extra={"AthenaErrorCode": "INVALID_INPUT"})
        execution = self.athena_executions.get(qid)
        if execution is None:
            raise AwsError(400, "InvalidRequestException", f"QueryExecution {qid} was not found",
                           extra={"AthenaErrorCode": "INVALID_INPUT"})
        return execution

    def _athena_start(self, request, params, identity, region):
        params = self._json_params(params)
        query = params.get("QueryString")
        workgroup = params.get("WorkGroup") or "primary"
        self._authorize(identity, "athena", "athena:StartQueryExecution",
                        self._athena_workgroup_arn(identity, region, workgroup))
        if not query:
            raise AwsError(400, "InvalidRequestException", "QueryString is required",
                           extra={"AthenaErrorCode": "INVALID_INPUT"})
        client_token = params.get("ClientRequestToken")
        if client_token and client_token in self._athena_tokens:
            return self._json_response({"QueryExecutionId": self._athena_tokens[client_token]})
        context = params.get("QueryExecutionContext") or {}
        database = context.get("Database") or "default"
        output = (params.get("ResultConfiguration") or {}).get("OutputLocation")
        self.athena_queries.append(query)
        qid = str(uuid.uuid4())
        execution = {
            "id": qid, "query": query, "database": database,
            "catalog": context.get("Catalog", "AwsDataCatalog"), "workgroup": workgroup,
            "region": region, "account": identity["account"],
            "output_location": (output.rstrip("/") + f"/{qid}.csv") if output else
            f"s3://aws-athena-query-results-{identity['account']}-{region}/{qid}.csv",
            "submitted": self.now(), "polls": 0, "state": "QUEUED", "reason": None,
            "partitions": {}, "bytes_scanned": 0, "engine_ms": 0, "columns": [], "types": [],
            "rows": []}
        statement = re.match(r"\s*\(*\s*([A-Za-z]*)", query)
        first = statement.group(1).upper()
        if first not in _ATHENA_STATEMENTS:
            found = re.search(r"\S+", query)
            raise AwsError(400, "InvalidRequestException",
                           f"line 1:{found.start() + 1 if found else 1}: mismatched input "
                           f"'{found.group() if found else '<EOF>'}'. Expecting: 'ALTER', "
                           "'ANALYZE', 'CALL', 'COMMENT', 'COMMIT', 'CREATE', 'DEALLOCATE', "
                           "'DELETE', 'DENY', 'DESC', 'DESCRIBE', 'DROP', 'EXECUTE', 'EXPLAIN', "
                           "'GRANT', 'INSERT', 'MERGE', 'PREPARE', 'REFRESH', 'RESET', 'REVOKE', "
                           "'ROLLBACK', 'SET', 'SHOW', 'START', 'TRUNCATE', 'UPDATE', 'USE', "
                           "<query>", extra={"AthenaErrorCode": "MALFORMED_QUERY"})
        engine = AthenaEngine(self.athena_tables)
        began = time.monotonic()
        if first not in ("SELECT", "WITH", "VALUES"):
            execution["final_state"] = "FAILED"
            execution["reason"] = (f"NOT_SUPPORTED: line 1:1: the AWS double runs only SELECT "
                                   f"queries, not {first or 'an empty statement'}")
        else:
            try:
                names, types, rows = engine.run(query, database)
            except sqlite3.Error as exc:
                reason, syntax = _athena_failure(exc, query, database)
                if syntax:
                    raise AwsError(400, "InvalidRequestException", reason,
                                   extra={"AthenaErrorCode": "MALFORMED_QUERY"})
                execution["final_state"] = "FAILED"
                execution["reason"] = reason
            else:
                scanned, touched = engine.scan(_tokenize(query), database)
                execution.update(final_state="SUCCEEDED", columns=names, types=types,
                                 rows=[[_athena_value(v, t) for v, t in zip(row, types)]
                                       for row in rows],
                                 bytes_scanned=scanned, partitions=touched)
        execution["engine_ms"] = max(1, int((time.monotonic() - began) * 1000))
        if execution["final_state"] == "SUCCEEDED" and output:
            self._athena_write_csv(execution)
        self.athena_executions[qid] = execution
        if client_token:
            self._athena_tokens[client_token] = qid
        return self._json_response({"QueryExecutionId": qid})

    def _athena_write_csv(self, execution):
        """Writes the result as Athena does: s3://.../ID.csv, every value quoted, NULL empty."""
        m = re.fullmatch(r"s3://([^/]+)/(.*)", execution["output_location"])
        if not m:
            return

        def quote(v):
            return "" if v is None else '"' + v.replace('"', '""') + '"'

        lines = [",".join(quote(c) for c in execution["columns"])]
        lines += [",".join(quote(v) for v in row) for row in execution["rows"]]
        self.s3_objects[(m.group(1), m.group(2))] = ("\n".join(lines) + "\n").encode()

    def _athena_status(self, execution):
        state = execution["state"]
        if state not in ("SUCCEEDED", "FAILED", "CANCELLED"):
            execution["polls"] += 1
            polls = execution["polls"]
            if polls > self.athena_polls:
                state = execution["final_state"]
                execution["completed"] = self.now()
            elif polls == 1 and self.athena_polls >= 2:
                state = "QUEUED"
            else:
                state = "RUNNING"
            execution["state"] = state
        return state

    def _athena_get_execution(self, request, params, identity, region):
        params = self._json_params(params)
        execution = self._athena_execution(params)
        self._authorize(identity, "athena", "athena:GetQueryExecution",
                        self._athena_workgroup_arn(identity, region, execution["workgroup"]))
        state = self._athena_status(execution)
        status = {"State": state, "SubmissionDateTime": execution["submitted"]}
        done = state in ("SUCCEEDED", "FAILED", "CANCELLED")
        if done:
            status["CompletionDateTime"] = execution.get("completed", self.now())
        if state == "FAILED":
            status["StateChangeReason"] = execution["reason"]
            status["AthenaError"] = {"ErrorCategory": 2, "ErrorType": 1006, "Retryable": False,
                                     "ErrorMessage": execution["reason"]}
        statistics = {"QueryQueueTimeInMillis": 0}
        if state != "QUEUED":
            engine = execution["engine_ms"] if done else 0
            statistics.update({
                "EngineExecutionTimeInMillis": engine,
                "DataScannedInBytes": execution["bytes_scanned"] if state == "SUCCEEDED" else 0,
                "TotalExecutionTimeInMillis": engine + 1,
                "QueryPlanningTimeInMillis": 0, "ServiceProcessingTimeInMillis": 1,
                "ResultReuseInformation": {"ReusedPreviousResult": False}})
        return self._json_response({"QueryExecution": {
            "QueryExecutionId": execution["id"], "Query": execution["query"],
            "StatementType": "DML",
            "ResultConfiguration": {"OutputLocation": execution["output_location"]},
            "ResultReuseConfiguration": {"ResultReuseByAgeConfiguration": {"Enabled": False}},
            "QueryExecutionContext": {"Database": execution["database"],
                                      "Catalog": execution["catalog"].lower()},
            "Status": status, "Statistics": statistics, "WorkGroup": execution["workgroup"],
            "EngineVersion": {"SelectedEngineVersion": "AUTO",
                              "EffectiveEngineVersion": "Athena engine version 3"},
            "SubstatementType": "SELECT"}})

    def _athena_get_results(self, request, params, identity, region):
        params = self._json_params(params)
        execution = self._athena_execution(params)
        self._authorize(identity, "athena", "athena:GetQueryResults",
                        self._athena_workgroup_arn(identity, region, execution["workgroup"]))
        state = execution["state"]
        if state in ("QUEUED", "RUNNING"):
            raise AwsError(400, "InvalidRequestException",
                           f"Query has not yet finished. Current state: {state}",
                           extra={"AthenaErrorCode": "INVALID_INPUT"})
        if state != "SUCCEEDED":
            raise AwsError(400, "InvalidRequestException",
                           f"Query did not finish successfully. Final query state: {state}\n"
                           f"{execution.get('reason') or ''}".rstrip(),
                           extra={"AthenaErrorCode": "INVALID_INPUT"})
        max_results = params.get("MaxResults", 1000)
        if not isinstance(max_results, int) or not 1 <= max_results <= 1000:
            raise AwsError(400, "InvalidRequestException", "1 validation error detected: Value "
                           f"'{max_results}' at 'maxResults' failed to satisfy constraint: Member "
                           "must have value less than or equal to 1000",
                           extra={"AthenaErrorCode": "INVALID_INPUT"})
        start = 0
        if params.get("NextToken"):
            parsed = _read_token(params["NextToken"])
            if not isinstance(parsed, dict) or parsed.get("q") != execution["id"]:
                raise AwsError(400, "InvalidRequestException", "NextToken is invalid",
                               extra={"AthenaErrorCode": "INVALID_INPUT"})
            start = parsed["o"]
        all_rows = [list(execution["columns"])] + execution["rows"]
        page = all_rows[start:start + max_results]
        columns = []
        for name, ctype in zip(execution["columns"], execution["types"]):
            base = _trino_type(ctype)
            precision, scale = _PRECISION.get(base, 0), 0
            m = re.search(r"\(\s*(\d+)\s*(?:,\s*(\d+))?\s*\)", ctype)
            if base == "decimal" and m:
                precision, scale = int(m.group(1)), int(m.group(2) or 0)
            columns.append({"CatalogName": "hive", "SchemaName": "", "TableName": "",
                            "Name": name, "Label": name, "Type": base, "Precision": precision,
                            "Scale": scale, "Nullable": "UNKNOWN",
                            "CaseSensitive": base == "varchar"})
        result = {"UpdateCount": 0, "ResultSet": {
            "Rows": [{"Data": [{} if v is None else {"VarCharValue": v} for v in row]}
                     for row in page],
            "ResultSetMetadata": {"ColumnInfo": columns}}}
        if start + max_results < len(all_rows):
            result["NextToken"] = _b64_token({"q": execution["id"], "o": start + max_results})
        return self._json_response(result)

    def _athena_stop(self, request, params, identity, region):
        params = self._json_params(params)
        execution = self._athena_execution(params)
        self._authorize(identity, "athena", "athena:StopQueryExecution",
                        self._athena_workgroup_arn(identity, region, execution["workgroup"]))
        if execution["state"] in ("QUEUED", "RUNNING"):
            execution["state"] = "CANCELLED"
            execution["reason"] = "Query cancelled by user"
            execution["completed"] = self.now()
        return self._json_response({})

    # -- S3 -----------------------------------------------------------------------------------

    @staticmethod
    def _s3_split(request):
        path = request.raw_path.lstrip("/")
        bucket, _, key = path.partition("/")
        return urllib.parse.unquote(bucket), urllib.parse.unquote(key)

    def _s3_action(self, request):
        bucket, key = self._s3_split(request)
        query = request.query_dict()
        if not bucket:
            return "ListBuckets" if request.method == "GET" else request.method
        if not key:
            if request.method == "HEAD":
                return "HeadBucket"
            if request.method == "GET":
                return "ListObjectsV2" if query.get("list-type") == "2" else "ListObjects"
            return {"PUT": "CreateBucket", "DELETE": "DeleteBucket"}.get(request.method, "")
        return {"GET": "GetObject", "HEAD": "HeadObject", "PUT": "PutObject",
                "DELETE": "DeleteObject"}.get(request.method, "")

    def _s3_bucket_exists(self, bucket):
        return bucket in self.s3_buckets or any(b == bucket for b, _ in self.s3_objects)

    def _s3_require_bucket(self, bucket):
        if not self._s3_bucket_exists(bucket):
            raise AwsError(404, "NoSuchBucket", "The specified bucket does not exist",
                           extra={"BucketName": bucket})

    def _s3_xml(self, root, inner):
        body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<{root} xmlns="{XMLNS["s3"]}">'
                + "".join(_xml(k, v, "member") for k, v in inner.items()) + f"</{root}>")
        return Response(200, body, content_type="application/xml")

    def _s3_list_buckets(self, request, params, identity, region):
        self._authorize(identity, "s3", "s3:ListAllMyBuckets")
        names = sorted(self.s3_buckets | {b for b, _ in self.s3_objects})
        return self._s3_xml("ListAllMyBucketsResult", {
            "Owner": {"ID": hashlib.sha256(identity["account"].encode()).hexdigest(),
                      "DisplayName": "costwise"},
            "Buckets": _Flat([{"Bucket": {"Name": n, "CreationDate": iso_ms(self.created)}}
                              for n in names])})

    def _s3_head_bucket(self, request, params, identity, region):
        bucket, _ = self._s3_split(request)
        self._authorize(identity, "s3", "s3:ListBucket", f"arn:aws:s3:::{bucket}")
        self._s3_require_bucket(bucket)
        return Response(200, b"", [("x-amz-bucket-region", region)])

    def _s3_list_objects_v2(self, request, params, identity, region):
        bucket, _ = self._s3_split(request)
        self._authorize(identity, "s3", "s3:ListBucket", f"arn:aws:s3:::{bucket}")
        self._s3_require_bucket(bucket)
        query = request.query_dict()
        prefix = query.get("prefix", "")
        delimiter = query.get("delimiter", "")
        start_after = query.get("start-after", "")
        encoding = query.get("encoding-type")
        try:
            max_keys = min(int(query.get("max-keys", "1000")), 1000)
            if max_keys < 0:
                raise ValueError
        except ValueError:
            raise AwsError(400, "InvalidArgument", "Provided max-keys not an integer or within "
                           "integer range", extra={"ArgumentName": "max-keys",
                                                   "ArgumentValue": query.get("max-keys")})
        token = query.get("continuation-token")
        after, skip_prefix = start_after, None
        if token is not None:
            parsed = _read_token(token)
            if not isinstance(parsed, dict) or "a" not in parsed:
                raise AwsError(400, "InvalidArgument", "The continuation token provided is "
                               "incorrect", extra={"ArgumentName": "continuation-token"})
            after, skip_prefix = parsed["a"], parsed.get("p")
        keys = sorted((k for b, k in self.s3_objects if b == bucket and k.startswith(prefix)),
                      key=lambda k: k.encode())
        entries = []  # ("key", k) or ("prefix", p)
        truncated = False
        for key in keys:
            if after and key.encode() <= after.encode():
                continue
            if skip_prefix and key.startswith(skip_prefix):
                continue
            if delimiter:
                rest = key[len(prefix):]
                idx = rest.find(delimiter)
                if idx >= 0:
                    common = prefix + rest[:idx + len(delimiter)]
                    if entries and entries[-1] == ("prefix", common):
                        continue
                    if len(entries) >= max_keys:
                        truncated = True
                        break
                    entries.append(("prefix", common))
                    continue
            if len(entries) >= max_keys:
                truncated = True
                break
            entries.append(("key", key))
        next_token = None
        if truncated and entries:
            kind, last = entries[-1]
            next_token = _b64_token({"a": last, "p": last if kind == "prefix" else None})

        def enc(text):
            return urllib.parse.quote_plus(text, safe="/") if encoding == "url" else text

        contents = []
        for kind, key in entries:
            if kind != "key":
                continue
            data = self.s3_objects[(bucket, key)]
            item = {"Key": enc(key),
                    "LastModified": iso_ms(self.s3_last_modified.get((bucket, key), self.created)),
                    "ETag": '"' + hashlib.md5(data).hexdigest() + '"', "Size": len(data),
                    "StorageClass": "STANDARD"}
            if query.get("fetch-owner") == "true":
                item["Owner"] = {"ID": hashlib.sha256(identity["account"].encode()).hexdigest(),
                                 "DisplayName": "costwise"}
            contents.append(item)
        result = {"Name": bucket, "Prefix": enc(prefix), "KeyCount": len(entries),
                  "MaxKeys": max_keys}
        if delimiter:
            result["Delimiter"] = enc(delimiter)
        if encoding:
            result["EncodingType"] = encoding
        result["IsTruncated"] = truncated
        result["Contents"] = _Flat(contents)
        result["CommonPrefixes"] = _Flat([{"Prefix": enc(p)} for kind, p in entries
                                          if kind == "prefix"])
        if token is not None:
            result["ContinuationToken"] = token
        if next_token:
            result["NextContinuationToken"] = next_token
        if start_after:
            result["StartAfter"] = enc(start_after)
        return self._s3_xml("ListBucketResult", result)

    def _s3_get_object(self, request, params, identity, region):
        bucket, key = self._s3_split(request)
        self._authorize(identity, "s3", "s3:GetObject", f"arn:aws:s3:::{bucket}/{key}")
        self._s3_require_bucket(bucket)
        data = self.s3_objects.get((bucket, key))
        if data is None:
            if not self._allowed(identity, "s3:ListBucket"):
                raise AwsError(403, "AccessDenied", "Access Denied")
            raise AwsError(404, "NoSuchKey", "The specified key does not exist.",
                           extra={"Key": key})
        headers = [("Last-Modified", http_date(self.s3_last_modified.get((bucket, key),
                                                                         self.created))),
                   ("ETag", '"' + hashlib.md5(data).hexdigest() + '"'),
                   ("Accept-Ranges", "bytes"), ("Content-Type", "binary/octet-stream")]
        status = 200
        body = data
        range_header = request.header("Range")
        if range_header:
            m = re.fullmatch(r"bytes=(\d*)-(\d*)", range_header.strip())
            if m and (m.group(1) or m.group(2)):
                size = len(data)
                if m.group(1):
                    first = int(m.group(1))
                    last = min(int(m.group(2)), size - 1) if m.group(2) else size - 1
                else:
                    first, last = max(0, size - int(m.group(2))), size - 1
                if first >= size or first > last:
                    raise AwsError(416, "InvalidRange", "The requested range is not satisfiable",
                                   extra={"RangeRequested": range_header,
                                          "ActualObjectSize": size})
                body = data[first:last + 1]
                status = 206
                headers.append(("Content-Range", f"bytes {first}-{last}/{size}"))
        response = Response(status, b"" if request.method == "HEAD" else body, headers)
        response.content_length = len(body)
        return response

    # -- IMDS ---------------------------------------------------------------------------------

    def _handle_imds(self, request):
        path = request.raw_path
        with self.lock:
            fault = self._take(self._faults, "imds", path)
        delay = self._take(self._delays, "imds", path)
        if delay:
            time.sleep(delay["seconds"])
        with self.lock:
            if fault:
                response = Response(fault["status"], fault["message"] or "",
                                    content_type="text/plain")
            else:
                response = self._imds_answer(request, path)
            self.calls.append({"service": "imds", "action": f"{request.method} {path}",
                               "access_key": None, "status": response.status, "region": None,
                               "error": None, "time": time.time()})
        return response

    def _imds_answer(self, request, path):
        def text(status, body, headers=()):
            return Response(status, body, list(headers), "text/plain")

        if self.imds_role is None:
            return text(404, "Not Found")
        now = self.now()
        if path == "/latest/api/token":
            if request.method != "PUT":
                return text(405, "Method Not Allowed")
            ttl = request.header("X-aws-ec2-metadata-token-ttl-seconds")
            if ttl is None or not ttl.strip().isdigit() or not 1 <= int(ttl) <= 21600:
                return text(400, "Bad Request")
            token = base64.urlsafe_b64encode(secrets.token_bytes(42)).decode()
            self._imds_tokens[token] = now + int(ttl)
            return text(200, token, [("X-aws-ec2-metadata-token-ttl-seconds", ttl.strip())])
        token = request.header("X-aws-ec2-metadata-token")
        if not token or self._imds_tokens.get(token, 0) <= now:
            return text(401, "Unauthorized")
        if request.method != "GET":
            return text(405, "Method Not Allowed")
        az = self.imds_region + "a"
        if path == "/latest/meta-data/iam/security-credentials/":
            return text(200, self.imds_role)
        if path == f"/latest/meta-data/iam/security-credentials/{self.imds_role}":
            creds = self._imds_credentials
            if creds is None or creds["expires"] - now < 300 or \
                    creds["key"] not in self.credentials:
                key, secret, token_value = self._new_temporary_keys()
                creds = {"key": key, "secret": secret, "token": token_value,
                         "expires": int(now) + int(self.imds_credential_ttl), "updated": now}
                self._imds_credentials = creds
                self.credentials[key] = {
                    "secret": secret, "token": token_value, "expires": creds["expires"],
                    "account": self.imds_account,
                    "arn": f"arn:aws:sts::{self.imds_account}:assumed-role/{self.imds_role}/"
                           f"{self.imds_instance_id}",
                    "user_id": f"AROA{_hex_id(self.imds_role)}:{self.imds_instance_id}",
                    "permissions": set(self.imds_permissions)}
            body = json.dumps({"Code": "Success", "LastUpdated": iso_z(creds["updated"]),
                               "Type": "AWS-HMAC", "AccessKeyId": creds["key"],
                               "SecretAccessKey": creds["secret"], "Token": creds["token"],
                               "Expiration": iso_z(creds["expires"])}, indent=2)
            return text(200, body)
        if path == "/latest/meta-data/iam/info":
            return text(200, json.dumps({
                "Code": "Success", "LastUpdated": iso_z(now),
                "InstanceProfileArn": f"arn:aws:iam::{self.imds_account}:instance-profile/"
                                      f"{self.imds_role}",
                "InstanceProfileId": "AIPA" + _hex_id(self.imds_role)},
                indent=2))
        if path == "/latest/dynamic/instance-identity/document":
            return text(200, json.dumps({
                "accountId": self.imds_account, "architecture": "x86_64",
                "availabilityZone": az, "billingProducts": None, "devpayProductCodes": None,
                "marketplaceProductCodes": None, "imageId": "ami-0abcdef1234567890",
                "instanceId": self.imds_instance_id, "instanceType": "t3.medium",
                "kernelId": None, "pendingTime": iso_z(self.created), "privateIp": "10.0.0.10",
                "ramdiskId": None, "region": self.imds_region, "version": "2017-09-30"},
                indent=2))
        simple = {"/latest/meta-data/placement/region": self.imds_region,
                  "/latest/meta-data/placement/availability-zone": az,
                  "/latest/meta-data/instance-id": self.imds_instance_id,
                  "/latest/meta-data/instance-type": "t3.medium"}
        if path in simple:
            return text(200, simple[path])
        return text(404, "Not Found")


class _DeferredIdResponse(Response):
    """An XML answer whose {rid} placeholder becomes the request id when it is sent."""

    def __init__(self, body, content_type):
        super().__init__(200, b"", content_type=content_type)
        self.template = body


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "AwsDouble/1.0"
    sys_version = ""
    double = None

    def log_message(self, fmt, *args):  # quiet
        pass

    def version_string(self):
        return self.server_version

    def _read_body(self):
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _serve(self):
        try:
            body = self._read_body()
            request = Request(self.command, self.path, self.headers, body)
            response = self.double.handle(request)
            if isinstance(response, _DeferredIdResponse):
                rid = next((v for k, v in response.headers if k.lower() == "x-amzn-requestid"), "")
                response.body = response.template.replace("{rid}", rid).encode()
            self.send_response(response.status)
            for name, value in response.headers:
                self.send_header(name, value)
            length = response.content_length if response.content_length is not None \
                else len(response.body)
            self.send_header("Content-Length", str(length))
            self.end_headers()
            if self.command != "HEAD" and response.body:
                self.wfile.write(response.body)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            self.close_connection = True
        except Exception as exc:  # a bug in the double: answer 500 and say so
            import traceback
            traceback.print_exc(file=sys.stderr)
            try:
                message = f"AWS double internal error: {exc!r}".encode()
                self.send_response(500)
                self.send_header("Content-Length", str(len(message)))
                self.end_headers()
                self.wfile.write(message)
            except OSError:
                pass
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_HEAD = do_DELETE = do_PATCH = _serve


# ----------------------------------------------------------------------------------------------
# Process mode

def main(argv=None):
    parser = argparse.ArgumentParser(description="Local AWS test double (see the docstring).")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--state", help="JSON state file (format in the module docstring)")
    parser.add_argument("--record", help="write calls and records here as JSON on exit")
    args = parser.parse_args(argv)
    double = AwsDouble()
    if args.state:
        with open(args.state, encoding="utf-8") as f:
            double.load_state(json.load(f))
    double.start(args.host, args.port)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    print(f"listening {double.endpoint}", flush=True)
    while not stop.wait(0.2):
        pass
    double.stop()
    if args.record:
        with open(args.record, "w", encoding="utf-8") as f:
            json.dump(double.record(), f, indent=1, default=str)
    return 0


if __name__ == "__main__":
    sys.exit(main())
