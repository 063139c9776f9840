#!/usr/bin/python3
"""Clean daily cost backgrounds for the cost-anomaly benchmark (no injections yet).

Two sources, both written as `timestamp,value` CSV files (one row per day, dollars) under
`OUT/backgrounds/`, with a manifest `OUT/backgrounds.json` saying what each series is:

- `prophet`: real daily series from Prophet's examples (Wikipedia page views of Peyton Manning
  and of R, pedestrian counts through the 2020 lockdown), cut into non-overlapping windows and
  rescaled to dollars as the spend of a usage-billed service whose demand they are.
- `generator`: a year of legacy CUR from `costwise_gen_billing` for each of 12 organisations of
  different sizes, one file per month, aggregated with the csv module to daily usage spend (the
  sum of `lineItem/UnblendedCost` over the usage line types, by the UTC day of
  `lineItem/UsageStartDate`): each organisation's total, and its services (`product/ProductName`,
  else `lineItem/ProductCode`) whose spend is steady within every month. The generator makes one
  month at a time, so the months are chain-linked (see `chain_link`).

The shared data's m4-hourly (31 to 42 days once summed per day), vm-traces (one month) and
cur-sample / focus-sample (one month) are too short for a 60-day warm-up and are not used.

Usage: backgrounds.py --out DIR [--gen-bin PATH] [--shared DIR] [--seed 42] [--year 2024]
                      [--orgs 12] [--window 240]
"""
from __future__ import annotations

import argparse
import calendar
import csv
import hashlib
import json
import math
import multiprocessing
import os
import re
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

USAGE_LINE_TYPES = frozenset({"Usage", "DiscountedUsage", "SavingsPlanCoveredUsage"})
LINK_DAYS = 7  # days averaged on each side of a month boundary when chain-linking
MEDIAN_DOLLARS = 2000.0  # the median daily spend a Prophet series is rescaled to
# Generated organisations: CUR rows per 30 days of each (10 to 50 usage accounts).
ORG_ROWS = (1_000_000, 200_000, 600_000, 300_000, 800_000, 400_000, 250_000, 500_000,
            350_000, 700_000, 450_000, 900_000)
GENERATOR_JOBS = 2  # months generated and aggregated at once
MIN_SERVICE_DOLLARS = 5.0  # a generated service series needs this median daily spend
MAX_WITHIN_MONTH_DRIFT = math.log(1.25)  # and at most this |log(last week / first week)| a month

PROPHET_SERIES = (
    # (key, file, values are log, first day used, what the demand is)
    ("peyton", "example_wp_log_peyton_manning.csv", True, date(2008, 8, 1),
     "daily Wikipedia page views of Peyton Manning (NFL seasons, playoffs, weekly cycle)"),
    ("rlang", "example_wp_log_R.csv", True, date(2008, 8, 1),
     "daily Wikipedia page views of R (programming language) (weekly cycle, growth, holidays)"),
    ("pedestrians", "example_pedestrians_covid.csv", False, None,
     "daily pedestrian counts (weekly cycle, seasons, the 2020 lockdown level shift)"),
)


@dataclass
class Background:
    """One clean daily series and what it is."""

    id: str
    source: str
    what: str
    days: list[date] = field(repr=False)
    values: list[float] = field(repr=False)

    def manifest(self) -> dict:
        """The manifest entry (no values)."""
        return {"id": self.id, "source": self.source, "what": self.what,
                "first": self.days[0].isoformat(), "last": self.days[-1].isoformat(),
                "days": len(self.days), "median": round(statistics.median(self.values), 4)}


def slug(text: str) -> str:
    """A file-name-safe lower-case form of a label."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


# ---- Prophet examples ----------------------------------------------------------------------

def read_prophet(path: Path, log_values: bool) -> dict[date, float]:
    """A Prophet example file (`ds`, `y`) as {day: value}, undoing the log when asked."""
    with open(path, newline="") as handle:
        rows = list(csv.DictReader(handle))
    return {date.fromisoformat(row["ds"][:10]): math.exp(float(row["y"])) if log_values
            else float(row["y"]) for row in rows}


def fill_gaps(points: dict[date, float]) -> tuple[list[date], list[float]]:
    """A dense daily series: a missing day takes the mean of the same weekday a week before and
    after when both exist, else a linear interpolation between its known neighbours."""
    first, last = min(points), max(points)
    days = [first + timedelta(d) for d in range((last - first).days + 1)]
    values = []
    for i, day in enumerate(days):
        if day in points:
            values.append(points[day])
            continue
        week = [points.get(day + timedelta(s)) for s in (-7, 7)]
        if None not in week:
            values.append(sum(week) / 2)
            continue
        before = max(d for d in points if d < day)
        after = min(d for d in points if d > day)
        frac = (day - before).days / (after - before).days
        values.append(points[before] + frac * (points[after] - points[before]))
    return days, values


def prophet_backgrounds(folder: Path, window: int) -> list[Background]:
    """Non-overlapping `window`-day windows of the long daily Prophet examples, in dollars."""
    out = []
    for key, name, log_values, first_day, what in PROPHET_SERIES:
        days, values = fill_gaps(read_prophet(folder / name, log_values))
        if first_day is not None:
            start = days.index(first_day)
            days, values = days[start:], values[start:]
        unit = MEDIAN_DOLLARS / statistics.median(values)
        for w in range(len(days) // window):
            span = slice(w * window, (w + 1) * window)
            out.append(Background(
                id=f"{key}-w{w + 1:02d}", source=f"prophet:{key}",
                what=f"{what}, window {w + 1}, x {unit:.4g} $/unit",
                days=days[span], values=[round(v * unit, 4) for v in values[span]]))
    return out


# ---- the billing generator -----------------------------------------------------------------

@dataclass(frozen=True)
class MonthJob:
    """One generated month of one organisation."""

    gen_bin: str
    org: int
    seed: int
    year: int
    month: int
    rows: int


def month_jobs(gen_bin: str, seed: int, year: int, orgs: int) -> list[MonthJob]:
    """The 12 months of each organisation. Organisation o bills ORG_ROWS[o] CUR rows per 30 days
    (months get rows in proportion to their days, so the rows per day do not jump), and month m
    is drawn with the seed `seed + 1000 o + m`. The generator draws its fleet and its hourly
    noise from the seed and the row budget alone: with one seed for the year, the months of the
    same length repeat each other day for day. So an organisation here is a sequence of 12
    independently drawn fleets of the same size; its total and its services carry over by name,
    its account ids do not (no per-account series)."""
    jobs = []
    for org in range(orgs):
        per_30_days = ORG_ROWS[org % len(ORG_ROWS)]
        for month in range(1, 13):
            rows = per_30_days * calendar.monthrange(year, month)[1] // 30
            jobs.append(MonthJob(gen_bin, org, seed + 1000 * org + month, year, month, rows))
    return jobs


def aggregate_cur(path: Path) -> dict[str, dict[str, float]]:
    """A legacy CUR file's daily usage spend under the keys `total` and `service:<name>`
    ({key: {YYYY-MM-DD: dollars}}): the sum of lineItem/UnblendedCost over the usage line types,
    by the UTC day of lineItem/UsageStartDate."""
    daily: dict[str, dict[str, float]] = {}
    with open(path, newline="") as handle:
        reader = csv.reader(handle)
        header = {name: i for i, name in enumerate(next(reader))}
        kind, start, cost, name, code = (header[k] for k in (
            "lineItem/LineItemType", "lineItem/UsageStartDate", "lineItem/UnblendedCost",
            "product/ProductName", "lineItem/ProductCode"))
        for row in reader:
            if row[kind] not in USAGE_LINE_TYPES:
                continue
            day, value = row[start][:10], float(row[cost])
            for key in ("total", f"service:{row[name] or row[code]}"):
                series = daily.setdefault(key, {})
                series[day] = series.get(day, 0.0) + value
    return daily


def run_month(job: MonthJob) -> tuple[MonthJob, dict[str, dict[str, float]]]:
    """Generates one month into a temporary file, aggregates it and deletes the file."""
    with tempfile.TemporaryDirectory(prefix="cost-anomalies-gen-") as tmp:
        path = Path(tmp) / "cur.csv"
        subprocess.run(
            [job.gen_bin, "--format", "cur-legacy", "--rows", str(job.rows), "--seed",
             str(job.seed), "--month", f"{job.year:04d}-{job.month:02d}", "--output", str(path)],
            stdout=subprocess.DEVNULL, check=True)
        return job, aggregate_cur(path)


def generator_daily(jobs: list[MonthJob], cache: Path) -> dict[str, dict[str, dict[str, float]]]:
    """Daily usage spend per organisation ({org: {key: {day: dollars}}}), two months at a time,
    cached as JSON in `cache`."""
    if cache.exists():
        return json.loads(cache.read_text())
    orgs: dict[str, dict[str, dict[str, float]]] = {}
    with multiprocessing.Pool(GENERATOR_JOBS) as pool:
        for done, (job, daily) in enumerate(pool.imap_unordered(run_month, jobs), start=1):
            org = orgs.setdefault(str(job.org), {})
            for key, series in daily.items():
                org.setdefault(key, {}).update(series)
            print(f"[backgrounds] generated and aggregated {done}/{len(jobs)}: org {job.org} "
                  f"{job.year}-{job.month:02d}, {job.rows} CUR rows", file=sys.stderr)
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text(json.dumps(orgs))
    return orgs


def chain_link(months: list[list[float]]) -> list[float]:
    """Joins monthly blocks into one series: each month after the first is multiplied by the
    ratio of the previous (already linked) month's last-week mean to its own first-week mean, so
    that the month boundaries, where the generator draws a new fleet, are not level shifts. Whole
    weeks on both sides keep the weekly cycle out of the ratio."""
    linked = list(months[0])
    for block in months[1:]:
        factor = statistics.fmean(linked[-LINK_DAYS:]) / statistics.fmean(block[:LINK_DAYS])
        linked.extend(v * factor for v in block)
    return linked


def boundary_jumps(months: list[list[float]]) -> list[float]:
    """The raw jumps that chain-linking removes: each month's first-week mean over the previous
    month's last-week mean."""
    return [statistics.fmean(b[:LINK_DAYS]) / statistics.fmean(a[-LINK_DAYS:])
            for a, b in zip(months, months[1:])]


def within_month_drift(months: list[list[float]]) -> float:
    """The largest |log| ratio of a month's last-week mean to its first-week mean: large when the
    generator's churn window moves a service's resources in or out during every month."""
    return max(abs(math.log(statistics.fmean(m[-LINK_DAYS:]) / statistics.fmean(m[:LINK_DAYS])))
               for m in months)


def generator_backgrounds(orgs: dict[str, dict[str, dict[str, float]]],
                          year: int) -> list[Background]:
    """Each organisation's chain-linked total, then its services that bill every day, have a
    median of at least MIN_SERVICE_DOLLARS and drift less than MAX_WITHIN_MONTH_DRIFT within
    every month."""
    days = [date(year, 1, 1) + timedelta(d) for d in range(366 if calendar.isleap(year) else 365)]
    out = []
    for org, daily in sorted(orgs.items(), key=lambda kv: int(kv[0])):
        for key, series in sorted(daily.items(), key=lambda kv: -sum(kv[1].values())):
            raw = [series.get(d.isoformat(), 0.0) for d in days]
            months = [[v for d, v in zip(days, raw) if d.month == m] for m in range(1, 13)]
            if key != "total" and (min(raw) <= 0 or statistics.median(raw) < MIN_SERVICE_DOLLARS
                                   or within_month_drift(months) > MAX_WITHIN_MONTH_DRIFT):
                continue
            jumps = boundary_jumps(months)
            name = key.partition(":")[2]
            out.append(Background(
                id=f"gen-org{int(org) + 1:02d}-" + (slug(name) if name else "total"),
                source="generator:" + ("service" if name else "total"),
                what=(f"costwise_gen_billing {year}, organisation {int(org) + 1} "
                      f"({ORG_ROWS[int(org) % len(ORG_ROWS)]:,} CUR rows per 30 days), usage "
                      f"spend of {'service ' + name if name else 'all services'}; month-boundary "
                      f"jumps of x{min(jumps):.2f} to x{max(jumps):.2f} removed by chain-linking"),
                days=days, values=[round(v, 4) for v in chain_link(months)]))
    return out


# ---- output --------------------------------------------------------------------------------

def write_backgrounds(out: Path, backgrounds: list[Background]) -> None:
    """Writes each series to OUT/backgrounds/<id>.csv and the manifest OUT/backgrounds.json."""
    folder = out / "backgrounds"
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.csv"):
        old.unlink()
    for bg in backgrounds:
        with open(folder / f"{bg.id}.csv", "w", newline="") as handle:
            handle.write("timestamp,value\n")
            handle.writelines(f"{d.isoformat()},{v:.4f}\n" for d, v in zip(bg.days, bg.values))
    (out / "backgrounds.json").write_text(
        json.dumps([bg.manifest() for bg in backgrounds], indent=1) + "\n")


def parse_args(argv: list[str]) -> argparse.Namespace:
    """The command line."""
    root = Path(__file__).resolve().parents[2]
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--shared", type=Path, default=Path(os.environ.get(
        "COSTWISE_SHARED_DATA_DIR", root.parent / "shared" / "data")))
    parser.add_argument("--gen-bin", help="costwise_gen_billing (omit to skip the generator)")
    parser.add_argument("--seed", type=int, default=42, help="generator base seed")
    parser.add_argument("--year", type=int, default=2024, help="generated year")
    parser.add_argument("--orgs", type=int, default=len(ORG_ROWS),
                        help="generated organisations (a year of CUR each)")
    parser.add_argument("--window", type=int, default=240, help="days per Prophet window")
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    """Builds every background and writes them."""
    args = parse_args(argv)
    backgrounds = prophet_backgrounds(args.shared / "prophet-examples", args.window)
    if args.gen_bin:
        jobs = month_jobs(args.gen_bin, args.seed, args.year, args.orgs)
        digest = hashlib.sha256(Path(args.gen_bin).read_bytes()).hexdigest()[:12]
        cache = f"generator-{digest}-s{args.seed}-{args.year}-o{args.orgs}.json"
        backgrounds += generator_backgrounds(generator_daily(jobs, args.out / "cache" / cache),
                                             args.year)
    else:
        print("[backgrounds] no --gen-bin: generator backgrounds skipped", file=sys.stderr)
    write_backgrounds(args.out, backgrounds)
    by_source: dict[str, int] = {}
    for bg in backgrounds:
        by_source[bg.source] = by_source.get(bg.source, 0) + 1
    print(f"[backgrounds] {len(backgrounds)} series: " +
          ", ".join(f"{k} {v}" for k, v in sorted(by_source.items())), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
