#!/usr/bin/python3
"""A STAND-IN for `costwise forecast series`, to test the benchmark scripts. Not costwise.

It implements the command-line contract of `costwise forecast series` with a seasonal naive
forecast, so that bench/m4/run_m4.sh, bench/forecast/compare.sh and bench/forecast/speed.sh can
be run and checked before the real command exists:

    standin_forecast.py forecast series --input FILE.csv --horizon H [--levels 80,95]
                        --output OUT.csv

Input: `ds,y` or `series_id,ds,y` (rows of a series contiguous, in time order; ds a date
`YYYY-MM-DD` or a timestamp `YYYY-MM-DD HH:MM:SS`). Output: `series_id,ds,yhat,lo80,hi80,...`,
one lo/hi pair per level in the order given, H rows per series continuing its own frequency.

The forecast is forecast::snaive's: the last season repeated, with period 24 for hourly data,
7 for daily, 12 for monthly (52 weekly, 4 quarterly, 1 otherwise; naive when the series is
shorter than one period), and intervals yhat +- z sqrt(k sigma2), where sigma2 is the mean of
the squared in-sample seasonal differences and k = floor((h - 1) / period) + 1 the number of
seasons ahead. On M4 Hourly its scores equal the sNaive benchmark's (bench/m4/m4_eval.py).

Use it as `COSTWISE_BIN=bench/forecast/standin-costwise` (a two-line wrapper) or
`COSTWISE_BIN="/usr/bin/python3 bench/forecast/standin_forecast.py"`. Standard library only.
"""
from __future__ import annotations

import argparse
import calendar
import csv
import math
import statistics
import sys
from datetime import date, datetime, timedelta
from statistics import NormalDist


def parse_ds(text: str) -> tuple[datetime, bool]:
    """A ds value as a datetime, and whether it had a time of day."""
    text = text.strip()
    if len(text) <= 10:
        return datetime.combine(date.fromisoformat(text), datetime.min.time()), False
    return datetime.fromisoformat(text.replace("T", " ")), True


def add_months(day: datetime, months: int, month_end: bool) -> datetime:
    """`day` plus whole months; at the month's end when the series is on month ends."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return day.replace(year=year, month=month + 1, day=last if month_end else min(day.day, last))


class Frequency:
    """The step between a series' rows: a fixed timedelta, or calendar months."""

    def __init__(self, stamps: list[datetime]):
        if len(stamps) < 2:
            raise ValueError("a series needs at least two rows to detect its frequency")
        steps = sorted((b - a).total_seconds() for a, b in zip(stamps, stamps[1:]))
        step = steps[len(steps) // 2]
        self.months = 0
        self.month_end = False
        if 28 * 86400 <= step <= 31 * 86400:
            self.months, self.period = 1, 12
            self.month_end = all((s + timedelta(days=1)).day == 1 for s in stamps)
        elif 89 * 86400 <= step <= 92 * 86400:
            self.months, self.period = 3, 4
            self.month_end = all((s + timedelta(days=1)).day == 1 for s in stamps)
        else:
            self.delta = timedelta(seconds=step)
            if step == 7 * 86400:
                self.period = 52
            elif step == 86400:
                self.period = 7
            elif step < 86400 and 86400 % step == 0:
                self.period = int(86400 // step)  # 24 for hourly data
            else:
                self.period = 1

    def next(self, last: datetime, k: int) -> datetime:
        if self.months:
            return add_months(last, self.months * k, self.month_end)
        return last + self.delta * k


def seasonal_naive(values: list[float], period: int, horizon: int, levels: list[float]):
    """forecast::snaive: rows of (yhat, [(lo, hi) per level])."""
    if len(values) <= period:
        period = 1
    diffs = [values[t] - values[t - period] for t in range(period, len(values))]
    sigma2 = statistics.fmean(d * d for d in diffs) if diffs else 0.0
    z = [NormalDist().inv_cdf(0.5 + level / 200.0) for level in levels]
    last = values[-period:]
    rows = []
    for h in range(1, horizon + 1):
        yhat = last[(h - 1) % period]
        se = math.sqrt(sigma2 * ((h - 1) // period + 1))
        rows.append((yhat, [(yhat - zz * se, yhat + zz * se) for zz in z]))
    return rows


def read_series(path: str):
    """[(series_id, [ds], [y])] in file order; series_id '' for a `ds,y` file."""
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = [h.strip() for h in next(reader)]
        if header[-2:] != ["ds", "y"] or len(header) not in (2, 3):
            raise ValueError(f"{path}: header must be ds,y or series_id,ds,y, not {header}")
        keyed = len(header) == 3
        series, seen = [], set()
        for row in reader:
            if not row:
                continue
            sid = row[0] if keyed else ""
            if not series or series[-1][0] != sid:
                if sid in seen:
                    raise ValueError(f"{path}: rows of series {sid!r} are not contiguous")
                seen.add(sid)
                series.append((sid, [], []))
            series[-1][1].append(row[-2])
            series[-1][2].append(float(row[-1]))
    return series


def fmt(value: float) -> str:
    return repr(float(value))


def run(args: argparse.Namespace) -> int:
    levels = [float(v) for v in args.levels.split(",")] if args.levels else []
    with open(args.output, "w", encoding="utf-8", newline="") as out:
        header = ["series_id", "ds", "yhat"]
        for level in levels:
            header += [f"lo{level:g}", f"hi{level:g}"]
        out.write(",".join(header) + "\n")
        for sid, ds_text, values in read_series(args.input):
            parsed = [parse_ds(t) for t in ds_text]
            stamps = [p[0] for p in parsed]
            with_time = parsed[-1][1]
            freq = Frequency(stamps)
            for k, (yhat, bounds) in enumerate(
                    seasonal_naive(values, freq.period, args.horizon, levels), start=1):
                ds = freq.next(stamps[-1], k)
                text = ds.strftime("%Y-%m-%d %H:%M:%S") if with_time else ds.strftime("%Y-%m-%d")
                cells = [sid, text, fmt(yhat)]
                for lo, hi in bounds:
                    cells += [fmt(lo), fmt(hi)]
                out.write(",".join(cells) + "\n")
    return 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="standin_forecast.py",
        description="STAND-IN for `costwise forecast series` (seasonal naive), for testing the "
                    "benchmark scripts only")
    parser.add_argument("command", choices=["forecast"])
    parser.add_argument("subcommand", choices=["series"])
    parser.add_argument("--input", required=True)
    parser.add_argument("--horizon", type=int, required=True)
    parser.add_argument("--levels", default="80,95")
    parser.add_argument("--output", required=True)
    args = parser.parse_args(argv)
    try:
        return run(args)
    except (OSError, ValueError) as error:
        print(f"standin_forecast.py: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
