#!/usr/bin/python3
"""The comparison set of bench/forecast/: series, their training parts and their hold-outs.

Two sources (see bench/forecast/README.md for the choices):

- Prophet's example series (`shared/data/prophet-examples/`): the daily Wikipedia page views of
  Peyton Manning and of R (log values, as Prophet's documentation uses them) and the daily
  pedestrian counts, with their missing days filled; the monthly retail sales and air passengers.
- Daily cost series from the benchmark generator: the 27 clean backgrounds of the cost-anomaly
  benchmark (`gen-orgNN-*`: 2024's daily usage spend of 12 generated organisations and of their
  steady services), rebuilt with bench/cost_anomalies/backgrounds.py from its cached
  aggregates (`bench/data/cost_anomalies/cache/generator-*.json`).

The last 30 days of a daily series (12 months of a monthly one) are held out. Written to OUT:

- `train_daily.csv`, `train_monthly.csv`: `series_id,ds,y`, the training parts (one file per
  frequency, because a `costwise forecast series` run has one horizon);
- `test.csv`: `series_id,ds,y`, the held-out values;
- `series.json`: per series its group, source, frequency, seasonal period, lengths and horizon.

Usage: prepare.py --out DIR [--shared DIR] [--cost-anomalies DIR] [--no-generator]
       [--holdout-daily 30] [--holdout-monthly 12]
Standard library only.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import sys
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT / "bench" / "cost_anomalies"))
import backgrounds  # noqa: E402  (bench/cost_anomalies/backgrounds.py)

GENERATOR_SEED, GENERATOR_YEAR, GENERATOR_ORGS = 42, 2024, 12  # backgrounds.py's defaults

# (id, file, frequency, what); Prophet's examples used as they are (the Wikipedia ones in logs).
PROPHET_DAILY = (
    ("peyton-manning", "example_wp_log_peyton_manning.csv",
     "log daily Wikipedia page views of Peyton Manning (Prophet's quick-start series)"),
    ("r-language", "example_wp_log_R.csv", "log daily Wikipedia page views of R"),
    ("pedestrians", "example_pedestrians_covid.csv",
     "daily pedestrian counts, with the 2020 lockdown"),
)
PROPHET_MONTHLY = (
    ("retail-sales", "example_retail_sales.csv", "US monthly retail sales (millions USD)"),
    ("air-passengers", "example_air_passengers.csv", "monthly airline passengers (thousands)"),
)
PERIOD = {"day": 7, "month": 12}


def read_prophet_file(path: Path) -> dict[date, float]:
    """A Prophet example file as {day: y}; csv reads its quoted fields and CR-only line ends."""
    with open(path, newline="", encoding="utf-8") as handle:
        return {date.fromisoformat(row["ds"][:10]): float(row["y"])
                for row in csv.DictReader(handle)}


def prophet_series(folder: Path) -> list[dict]:
    """The daily examples on a dense daily grid (backgrounds.fill_gaps: a missing day takes the
    mean of the same weekday a week before and after, else a linear interpolation), and the
    monthly ones as they are."""
    out = []
    for sid, name, what in PROPHET_DAILY:
        points = read_prophet_file(folder / name)
        days, values = backgrounds.fill_gaps(points)
        filled = len(days) - len(points)
        out.append({"id": sid, "group": "prophet-daily", "frequency": "day",
                    "source": f"prophet-examples/{name}",
                    "what": what + (f"; {filled} missing days filled" if filled else ""),
                    "days": days, "values": values})
    for sid, name, what in PROPHET_MONTHLY:
        points = read_prophet_file(folder / name)
        days = sorted(points)
        out.append({"id": sid, "group": "prophet-monthly", "frequency": "month",
                    "source": f"prophet-examples/{name}", "what": what,
                    "days": days, "values": [points[d] for d in days]})
    return out


def generator_cache(cost_anomalies: Path) -> Path | None:
    """The newest cached aggregate of backgrounds.py's generator run (seed 42, 2024, 12 orgs)."""
    pattern = f"generator-*-s{GENERATOR_SEED}-{GENERATOR_YEAR}-o{GENERATOR_ORGS}.json"
    found = sorted((cost_anomalies / "cache").glob(pattern), key=lambda p: p.stat().st_mtime)
    return found[-1] if found else None


def generated_series(cache: Path) -> list[dict]:
    """backgrounds.generator_backgrounds() on the cached aggregates: the same 27 series as the
    cost-anomaly benchmark's `backgrounds/gen-*.csv`."""
    orgs = json.loads(cache.read_text())
    return [{"id": bg.id, "group": "generated-cost", "frequency": "day",
             "source": "costwise_gen_billing via bench/cost_anomalies/backgrounds.py "
                       f"({cache.name})",
             "what": bg.what, "days": bg.days, "values": bg.values}
            for bg in backgrounds.generator_backgrounds(orgs, GENERATOR_YEAR)]


def fmt(value: float) -> str:
    """Values as written: up to 10 significant decimals, no exponent for ordinary numbers."""
    text = f"{value:.10g}"
    return text if "e" not in text else repr(value)


def write_split(out: Path, series: list[dict], holdout: dict[str, int]) -> list[dict]:
    """Writes the training parts by frequency and the hold-outs; returns the manifest."""
    out.mkdir(parents=True, exist_ok=True)
    files = {freq: open(out / f"train_{'daily' if freq == 'day' else 'monthly'}.csv", "w",
                        encoding="utf-8", newline="") for freq in PERIOD}
    manifest = []
    try:
        for handle in files.values():
            handle.write("series_id,ds,y\n")
        with open(out / "test.csv", "w", encoding="utf-8", newline="") as test:
            test.write("series_id,ds,y\n")
            for s in series:
                h = holdout[s["frequency"]]
                n = len(s["values"]) - h
                for d, v in zip(s["days"][:n], s["values"][:n]):
                    files[s["frequency"]].write(f"{s['id']},{d.isoformat()},{fmt(v)}\n")
                for d, v in zip(s["days"][n:], s["values"][n:]):
                    test.write(f"{s['id']},{d.isoformat()},{fmt(v)}\n")
                manifest.append({
                    "id": s["id"], "group": s["group"], "frequency": s["frequency"],
                    "period": PERIOD[s["frequency"]], "horizon": h, "n_train": n,
                    "first": s["days"][0].isoformat(), "last_train": s["days"][n - 1].isoformat(),
                    "last": s["days"][-1].isoformat(), "source": s["source"], "what": s["what"]})
    finally:
        for handle in files.values():
            handle.close()
    (out / "series.json").write_text(json.dumps(manifest, indent=1) + "\n")
    return manifest


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--shared", type=Path, default=Path(os.environ.get(
        "COSTWISE_SHARED_DATA_DIR", ROOT.parent / "shared" / "data")))
    parser.add_argument("--cost-anomalies", type=Path,
                        default=ROOT / "bench" / "data" / "cost_anomalies",
                        help="the cost-anomaly benchmark's output folder (its cache/)")
    parser.add_argument("--no-generator", action="store_true",
                        help="Prophet's examples only")
    parser.add_argument("--holdout-daily", type=int, default=30)
    parser.add_argument("--holdout-monthly", type=int, default=12)
    args = parser.parse_args(argv)

    series = prophet_series(args.shared / "prophet-examples")
    if not args.no_generator:
        cache = generator_cache(args.cost_anomalies)
        if cache is None:
            print(f"prepare.py: no generator cache in {args.cost_anomalies}/cache (run "
                  "bench/cost_anomalies/run.sh, or pass --no-generator)", file=sys.stderr)
            return 2
        series += generated_series(cache)
    manifest = write_split(args.out, series, {"day": args.holdout_daily,
                                              "month": args.holdout_monthly})
    groups: dict[str, int] = {}
    for s in manifest:
        groups[s["group"]] = groups.get(s["group"], 0) + 1
    print(f"[forecast] {len(manifest)} series ({', '.join(f'{g} {n}' for g, n in groups.items())})"
          f" written to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
