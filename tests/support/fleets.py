"""Generated data shared by the end-to-end tests. Standard library only.

- A FOCUS export (or a legacy CUR) of three months of a small fleet with steady daily spend, noise and a weekly
  pattern, and one GPU instance that appears for two days (2024-08-20 and 21), making the total
  five times its usual and then more: detection finds it and names i-0spike as its root cause.
- The right-sizing fleet: an inventory of five instances (idle, oversized, hot, new, stopped), a
  free volume and address, and 14 days of 5-minute CloudWatch-style metrics."""
import csv
import io
import json
import os
import random
from datetime import date, datetime, timedelta
from decimal import Decimal

# The anomaly fleet.
FIRST_DAY = date(2024, 6, 3)  # a Monday
DAYS = 91  # to 2024-09-01; the default lookback scans the last 90
# The GPU instance's spend: 2024-08-20 and 2024-08-21, after eleven weeks of history.
SPIKES = {date(2024, 8, 20): Decimal("400.00"), date(2024, 8, 21): Decimal("1200.00")}

HEADER = ["BilledCost", "BillingAccountId", "BillingCurrency", "BillingPeriodEnd",
          "BillingPeriodStart", "ChargeCategory", "ChargePeriodEnd", "ChargePeriodStart",
          "ConsumedQuantity", "EffectiveCost", "ProviderName", "RegionId", "ResourceId",
          "ServiceName", "SubAccountId", "Tags", "x_UsageType"]

# account, service, region, usage type, resource id, weekday daily cost, tags
FLEET = [
    ("111122223333", "Amazon EC2", "us-east-1", "BoxUsage:m5.large", "i-0web", Decimal(40),
     {"team": "web"}),
    ("111122223333", "Amazon S3", "us-east-1", "TimedStorage-ByteHrs", "logs-bucket", Decimal(20),
     {"team": "web"}),
    ("222233334444", "Amazon EC2", "eu-west-1", "BoxUsage:c5.xlarge", "i-0etl", Decimal(30),
     {"team": "data"}),
    ("333344445555", "Amazon RDS", "us-west-2", "InstanceUsage:db.r5.large", "db-main", Decimal(10),
     {}),
]
SPIKER = ("222233334444", "Amazon EC2", "eu-west-1", "BoxUsage:p3.8xlarge", "i-0spike", None,
          {"team": "ml"})


def month_bounds(day):
    start = day.replace(day=1)
    end = (start + timedelta(days=32)).replace(day=1)
    return start, end


def focus_row(resource, day, cost):
    account, service, region, usage_type, resource_id, _, tags = resource
    period_start, period_end = month_bounds(day)
    return [f"{cost:.10f}", "999988887777", "USD", f"{period_end} 00:00:00",
            f"{period_start} 00:00:00", "Usage", f"{day + timedelta(days=1)} 00:00:00",
            f"{day} 00:00:00", "24", f"{cost:.10f}", "AWS", region, resource_id, service,
            account, json.dumps(tags) if tags else "", usage_type]


# Legacy CUR columns of the generated CUR files (tests/api/jobs_test.py, the web end-to-end test).
CUR_COLUMNS = [
    "identity/LineItemId", "identity/TimeInterval", "bill/BillType", "bill/PayerAccountId",
    "bill/BillingPeriodStartDate", "bill/BillingPeriodEndDate", "lineItem/UsageAccountId",
    "lineItem/LineItemType", "lineItem/UsageStartDate", "lineItem/UsageEndDate",
    "lineItem/ProductCode", "lineItem/UsageType", "lineItem/Operation", "lineItem/ResourceId",
    "lineItem/UsageAmount", "lineItem/CurrencyCode", "lineItem/UnblendedCost",
    "lineItem/BlendedCost", "product/region", "resourceTags/user:team",
]
PRODUCT_CODES = {"Amazon EC2": "AmazonEC2", "Amazon S3": "AmazonS3", "Amazon RDS": "AmazonRDS"}


def cur_row(resource, day, cost):
    account, service, region, usage_type, resource_id, _, tags = resource
    period_start, period_end = month_bounds(day)
    start, end = f"{day}T00:00:00Z", f"{day + timedelta(days=1)}T00:00:00Z"
    return [f"{resource_id}-{day}", f"{start}/{end}", "Anniversary", "999988887777",
            f"{period_start}T00:00:00Z", f"{period_end}T00:00:00Z", account, "Usage", start, end,
            PRODUCT_CODES[service], usage_type, "", resource_id, "24", "USD", f"{cost:.10f}",
            f"{cost:.10f}", region, tags.get("team", "")]


def fleet_export(cur=False):
    """The anomaly fleet as a FOCUS export, or as a legacy CUR with cur=True (same days, costs
    and spike)."""
    generator = random.Random(11)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CUR_COLUMNS if cur else HEADER)
    row = cur_row if cur else focus_row
    for offset in range(DAYS):
        day = FIRST_DAY + timedelta(days=offset)
        weekday_factor = Decimal("0.6") if day.weekday() >= 5 else Decimal(1)
        for resource in FLEET:
            noise = Decimal(str(round(generator.uniform(0.97, 1.03), 4)))
            writer.writerow(row(resource, day, resource[5] * weekday_factor * noise))
        if day in SPIKES:
            writer.writerow(row(SPIKER, day, SPIKES[day]))
    return out.getvalue()


def spike_spend(start, end):
    """What the GPU instance cost from start to end (ISO dates, inclusive)."""
    first, last = date.fromisoformat(start), date.fromisoformat(end)
    return sum((cost for day, cost in SPIKES.items() if first <= day <= last), Decimal(0))



# The right-sizing fleet.
RIGHTSIZE_END = datetime(2026, 11, 1)
RIGHTSIZE_DAYS = 14


def write_fleet(folder):
    """The file mode's generated fleet (tests/cli/rightsize_cli_test.py) with a volume and an
    address file; returns the paths."""
    paths = {name: os.path.join(folder, f"{name}.csv")
             for name in ("inventory", "metrics", "volumes", "addresses")}
    generator = random.Random(5)
    with open(paths["inventory"], "w", encoding="utf-8") as out:
        out.write("instance_id,instance_type,region,platform,state,tags\n")
        out.write('i-idle,m5.xlarge,us-east-1,Linux/UNIX,running,"{""Name"": ""batch-1""}"\n')
        out.write("i-big,m5.4xlarge,us-east-1,Linux/UNIX,running,\n")
        out.write("i-hot,c5.large,us-east-1,Linux/UNIX,running,\n")
        out.write("i-new,m5.large,us-east-1,Linux/UNIX,running,\n")
        out.write("i-off,m5.large,us-east-1,Linux/UNIX,stopped,\n")
    with open(paths["volumes"], "w", encoding="utf-8") as out:
        out.write("volume_id,volume_type,size_gib,iops,throughput_mibps,region,state,"
                  "attached_instance_id,tags\n")
        out.write("vol-free,gp3,500,3000,125,us-east-1,available,,\n")
        out.write("vol-used,gp2,100,,,us-east-1,in-use,i-big,\n")
    with open(paths["addresses"], "w", encoding="utf-8") as out:
        out.write("allocation_id,public_ip,region,association_id,instance_id,tags\n")
        out.write("eipalloc-free,203.0.113.7,us-east-1,,,\n")
        out.write("eipalloc-used,203.0.113.8,us-east-1,eipassoc-1,i-big,\n")
    with open(paths["metrics"], "w", encoding="utf-8") as out:
        out.write("instance_id,timestamp,metric,value\n")
        start = RIGHTSIZE_END - timedelta(days=RIGHTSIZE_DAYS)
        for step in range(RIGHTSIZE_DAYS * 288):
            t = (start + timedelta(minutes=5 * step)).strftime("%Y-%m-%dT%H:%M:%SZ")
            out.write(f"i-idle,{t},CPUUtilization,{0.5 + generator.random() * 0.3:.3f}\n")
            out.write(f"i-idle,{t},NetworkIn,{generator.randint(50, 150)}\n")
            out.write(f"i-idle,{t},NetworkOut,{generator.randint(50, 150)}\n")
            out.write(f"i-big,{t},CPUUtilization,{2 + generator.random():.3f}\n")
            out.write(f"i-big,{t},mem_used_percent,{9 + generator.random():.3f}\n")
            out.write(f"i-big,{t},NetworkIn,{generator.randint(500000, 1500000)}\n")
            out.write(f"i-hot,{t},CPUUtilization,{96 + 2 * generator.random():.3f}\n")
            if step >= (RIGHTSIZE_DAYS - 1) * 288:
                out.write(f"i-new,{t},CPUUtilization,40\n")
    return paths
