#!/usr/bin/python3
"""Cost-anomaly detection continued from the saved detector state against a full rescan, on the
daily CUR updates of a generated fleet (docs/service.md, "Model artifacts").

Three months of a generated FOCUS export (bench/costwise_gen_billing, the same fleet every
month) are ingested into two databases; then each day of the fourth month arrives as a
month-to-date file (replacing the month, as a provider's daily export does) and detection runs:

  continued  `anomalies detect --models-dir`: each monitor fed only the new day
  rescan     `anomalies detect` without saved state: the whole window again, every day

Both are timed as a user runs them (process start, cube load, detection, storing). After the
last day, a third database rescans the continued run's exact window in one go and must store
the same anomalies (the online detector's promise); the script fails otherwise.

  bench/cost_anomalies/incremental_bench.py [--rows-per-month 200000] [--days 5]

COSTWISE_BIN and GEN_BILLING override the binaries (default: build-release's)."""
import argparse
import csv
import json
import os
import platform
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "../.."))
COSTWISE = os.environ.get("COSTWISE_BIN",
                          os.path.join(ROOT, "build-release/apps/costwise/costwise"))
GEN = os.environ.get("GEN_BILLING", os.path.join(ROOT, "build-release/bench/costwise_gen_billing"))
MONTHS = ["2024-01", "2024-02", "2024-03", "2024-04"]


def run(*args):
    result = subprocess.run(args, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"{' '.join(args)} failed:\n{result.stderr}")
    return result.stdout


def detect(db, *extra):
    started = time.monotonic()
    out = run(COSTWISE, "--db", db, "anomalies", "detect", "--tenant", "bench", "--format",
              "json", *extra)
    return time.monotonic() - started, json.loads(out)


def month_to_date(source, target, last_day):
    """The rows of `source` charged on or before `last_day` (YYYY-MM-DD)."""
    with open(source, newline="") as src, open(target, "w", newline="") as dst:
        reader = csv.reader(src)
        writer = csv.writer(dst, quoting=csv.QUOTE_MINIMAL)
        header = next(reader)
        writer.writerow(header)
        start = header.index("ChargePeriodStart")
        for row in reader:
            if row[start][:10] <= last_day:
                writer.writerow(row)


def signature(anomaly):
    return (json.dumps(anomaly["monitor"], sort_keys=True), anomaly["start_date"],
            anomaly["end_date"], anomaly["actual_spend"], anomaly["expected_spend"],
            anomaly["max_score"], json.dumps(anomaly["root_causes"], sort_keys=True))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows-per-month", type=int, default=200_000)
    parser.add_argument("--days", type=int, default=5)
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="costwise-incremental-")
    files = []
    for month in MONTHS:
        path = os.path.join(work, f"focus-{month}.csv")
        run(GEN, "--format", "focus", "--rows", str(args.rows_per_month), "--seed", "1",
            "--month", month, "--output", path)
        files.append(path)
    continued_db = f"sqlite:{work}/continued.db"
    rescan_db = f"sqlite:{work}/rescan.db"
    models = os.path.join(work, "models")
    os.makedirs(models)
    for db in (continued_db, rescan_db):
        run(COSTWISE, "--db", db, "ingest", "--tenant", "bench", *files[:3])

    print(f"fleet: {args.rows_per_month:,} FOCUS rows a month, seed 1; machine: "
          f"{platform.machine()}, {os.cpu_count()} cores")
    print("| day | monitors | continued (s) | resumed | rescan (s) | ratio |")
    print("|---|---|---|---|---|---|")
    rows = []
    for day in range(0, args.days + 1):
        if day > 0:
            partial = os.path.join(work, "focus-2024-04-mtd.csv")
            month_to_date(files[3], partial, f"2024-04-{day:02d}")
            for db in (continued_db, rescan_db):
                run(COSTWISE, "--db", db, "ingest", "--tenant", "bench", partial)
        continued_seconds, continued = detect(continued_db, "--models-dir", models)
        rescan_seconds, rescan = detect(rescan_db)
        label = "2024-03-31 (first run)" if day == 0 else f"2024-04-{day:02d}"
        ratio = rescan_seconds / continued_seconds
        print(f"| {label} | {continued['monitors']} | {continued_seconds:.2f} | "
              f"{continued['resumed_monitors']} | {rescan_seconds:.2f} | {ratio:.1f}x |")
        rows.append((day, continued_seconds, rescan_seconds, continued))
    later = [r for r in rows if r[0] > 0]
    if later:
        mean_continued = sum(r[1] for r in later) / len(later)
        mean_rescan = sum(r[2] for r in later) / len(later)
        print(f"\ndaily updates: continued {mean_continued:.2f} s, rescan {mean_rescan:.2f} s "
              f"on average ({mean_rescan / mean_continued:.1f}x)")

    # The continued run's window, rescanned in one go, must store the same anomalies.
    last = rows[-1][3]
    window_days = (time.mktime(time.strptime(last["to"], "%Y-%m-%d")) -
                   time.mktime(time.strptime(last["from"], "%Y-%m-%d"))) / 86400 + 1
    check_db = f"sqlite:{work}/check.db"
    run(COSTWISE, "--db", check_db, "ingest", "--tenant", "bench", *files[:3],
        os.path.join(work, "focus-2024-04-mtd.csv") if args.days > 0 else files[2])
    _, check = detect(check_db, "--lookback-days", str(int(round(window_days))))
    listed = json.loads(run(COSTWISE, "--db", continued_db, "anomalies", "list", "--tenant",
                            "bench", "--status", "all", "--format", "json"))["anomalies"]
    rescanned = json.loads(run(COSTWISE, "--db", check_db, "anomalies", "list", "--tenant",
                               "bench", "--status", "all", "--format", "json"))["anomalies"]
    same = sorted(map(signature, listed)) == sorted(map(signature, rescanned))
    print(f"window {last['from']}..{last['to']}: {len(listed)} anomalies continued, "
          f"{len(rescanned)} in one rescan of the same window: "
          f"{'identical' if same else 'DIFFERENT'}")
    if not same:
        sys.exit(1)


if __name__ == "__main__":
    main()
