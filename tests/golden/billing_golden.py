#!/usr/bin/env python3
"""Golden test: the real CUR and FOCUS samples of ../shared/data ingest with zero rejected rows,
and every total `costwise costs` reports (overall, per service, per day, per provider, per tag;
billed and effective) equals the sum computed here, independently, from the raw file with
Python's csv and decimal modules, to the cent. Both databases (SQLite and PostgreSQL) are used
and must give identical answers. The independent totals are also kept as golden files
(expected_<case>.json); `--write` regenerates them.

Environment: COSTWISE_BIN (the binary), COSTWISE_SHARED_DATA_DIR, COSTWISE_TEST_POSTGRES_URL
(required: run through scripts/with-postgres.sh).
"""
import csv
import decimal
import json
import os
import subprocess
import sys
import tempfile
from collections import defaultdict
from decimal import Decimal

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.environ.get("COSTWISE_SHARED_DATA_DIR", os.path.join(HERE, "../../../shared/data"))
CENT = Decimal("0.01")
FROM, TO = "2000-01-01", "2099-12-31"

CASES = {
    "cur_legacy": {
        "file": "cur-sample/legacy_cur_anonymized_2023-11.csv",
        "rows": 1281,
        "tags": [],
    },
    "focus_1_0": {
        "file": "focus-sample/focus_1.0_sample_1000.csv",
        "rows": 1000,
        "tags": ["application", "environment", "business_unit"],
    },
}


def money(text):
    return Decimal(0) if text in ("", "NULL") else Decimal(text)


def independent_totals(case):
    """Sums straight from the raw file, with the mapping documented in docs/ingestion.md."""
    path = os.path.join(DATA, CASES[case]["file"])
    groups = defaultdict(lambda: defaultdict(lambda: [Decimal(0), Decimal(0)]))
    rows = 0
    with open(path, newline="", encoding="utf-8") as source:
        for row in csv.DictReader(source):
            rows += 1
            if case == "cur_legacy":
                billed = money(row["lineItem/UnblendedCost"])
                effective = billed  # the sample has only Usage and Tax line items
                assert row["lineItem/LineItemType"] in ("Usage", "Tax")
                keys = {
                    "total": "",
                    "provider": "AWS",
                    "service": row["product/ProductName"] or row["lineItem/ProductCode"],
                    "day": row["lineItem/UsageStartDate"][:10],
                    "account": row["lineItem/UsageAccountId"],
                    "charge-category": row["lineItem/LineItemType"],
                }
            else:
                billed = money(row["BilledCost"])
                effective = money(row["EffectiveCost"])
                tags = json.loads(row["Tags"]) if row["Tags"] not in ("", "NULL") else {}
                keys = {
                    "total": "",
                    "provider": row["ProviderName"],
                    "service": row["ServiceName"],
                    "day": row["ChargePeriodStart"][:10],
                    "account": "" if row["SubAccountId"] == "NULL" else row["SubAccountId"],
                    "charge-category": row["ChargeCategory"],
                }
                for key in CASES[case]["tags"]:
                    value = tags.get(key)
                    keys["tag:" + key] = "" if value in (None, "") else str(value)
            for dimension, value in keys.items():
                cell = groups[dimension][value]
                cell[0] += billed
                cell[1] += effective
    assert rows == CASES[case]["rows"], (case, rows)
    return {
        dimension: {
            value: [str(b.quantize(CENT, decimal.ROUND_HALF_UP)),
                    str(e.quantize(CENT, decimal.ROUND_HALF_UP))]
            for value, (b, e) in sorted(values.items())
        }
        for dimension, values in sorted(groups.items())
    }


def run(args, check=True):
    binary = os.environ["COSTWISE_BIN"]
    result = subprocess.run([binary] + args, capture_output=True, text=True)
    if check and result.returncode != 0:
        raise AssertionError(f"costwise {' '.join(args)} failed ({result.returncode}):\n"
                             f"{result.stdout}{result.stderr}")
    return result


def costwise_totals(db, tenant, dimension):
    args = ["--db", db, "costs", "--tenant", tenant, "--from", FROM, "--to", TO,
            "--format", "json"]
    if dimension == "day":
        args += ["--granularity", "day"]
    else:
        args += ["--granularity", "month"]
        if dimension != "total":
            args += ["--group-by", dimension]
    report = json.loads(run(args).stdout)
    sums = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for row in report["rows"]:
        key = row["period"] if dimension == "day" else row["group"]
        sums[key][0] += Decimal(row["billed_cost"])
        sums[key][1] += Decimal(row["effective_cost"])
    return report, {
        key: [str(b.quantize(CENT, decimal.ROUND_HALF_UP)),
              str(e.quantize(CENT, decimal.ROUND_HALF_UP))]
        for key, (b, e) in sorted(sums.items())
    }


def strip_floats(report):
    for row in report["rows"] + report["totals"]:
        row.pop("usage_quantity", None)
    return report


def main():
    write = "--write" in sys.argv
    postgres = os.environ.get("COSTWISE_TEST_POSTGRES_URL")
    if not postgres and not write:
        print("FAIL: COSTWISE_TEST_POSTGRES_URL is not set; run through scripts/with-postgres.sh "
              "(a database backend whose tests did not run is a failure)")
        return 1
    failures = 0
    checks = 0
    for case in CASES:
        expected = independent_totals(case)
        golden_path = os.path.join(HERE, f"expected_{case}.json")
        if write:
            with open(golden_path, "w", encoding="utf-8") as out:
                json.dump(expected, out, indent=1, sort_keys=True)
                out.write("\n")
            print(f"wrote {golden_path}")
            continue
        with open(golden_path, encoding="utf-8") as golden:
            if json.load(golden) != expected:
                print(f"FAIL {case}: independent totals differ from {golden_path}")
                failures += 1
        with tempfile.TemporaryDirectory() as tmp:
            databases = {"sqlite": f"sqlite:{tmp}/golden.db", "postgresql": postgres}
            reports = {}
            # A tenant of its own per case and run: the PostgreSQL database is shared.
            tenant = f"golden-{case}-{os.getpid()}"
            for backend, db in databases.items():
                out = run(["--db", db, "ingest", "--tenant", tenant,
                           os.path.join(DATA, CASES[case]["file"])]).stdout
                rows = CASES[case]["rows"]
                if f"ingested {rows} rows (0 rejected)" not in out:
                    print(f"FAIL {case}/{backend}: expected {rows} rows, 0 rejected:\n{out}")
                    failures += 1
                for dimension, want in expected.items():
                    report, got = costwise_totals(db, tenant, dimension)
                    reports[(backend, dimension)] = strip_floats(report)
                    checks += 1
                    if got != want:
                        failures += 1
                        print(f"FAIL {case}/{backend}/{dimension}:")
                        for key in sorted(set(got) | set(want)):
                            if got.get(key) != want.get(key):
                                print(f"  {key!r}: costwise {got.get(key)} independent "
                                      f"{want.get(key)}")
            for dimension in expected:
                if reports[("sqlite", dimension)] != reports[("postgresql", dimension)]:
                    failures += 1
                    print(f"FAIL {case}/{dimension}: SQLite and PostgreSQL answers differ")
    if write:
        return 0
    print(f"{checks} totals checked on 2 backends; {failures} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
