#!/usr/bin/python3
"""Seeded injection of cost anomalies into copies of the clean backgrounds.

For every background (`OUT/backgrounds.json`, `OUT/backgrounds/<id>.csv`) and every anomaly type
it writes one injected copy, `OUT/injected/<id>--<type>.csv` (`timestamp,value`), so that each
type has its own corpus with its own false positives. The labels go to `OUT/labels.csv` (one row
per injection) and the list of series to `OUT/injected.json`.

Injections, all increases of cost, added to the series (a new resource's spend comes on top of
the existing spend, weekly cycle and all):

- `spike`: `amount` added on 1 to 3 consecutive days, then gone;
- `level_shift`: `amount` added from the start day to the end of the series;
- `drift`: a linear ramp from amount/L on the first day to `amount` on day L (L = 7 to 21 days),
  then `amount` from there on.

`amount = magnitude x local level`, the local level being the median of the 28 days before the
start (in the series as injected so far); magnitudes are log-uniform from 10% to 300%, so the
buckets 10-30%, 30-100% and 100-300% are about equally filled. The first start is 60 to 74 days
in (the warm-up); each later one starts 30 to 45 days after the previous one's tolerance window
ends. An injection's tolerance window is [start, start + max(extent, 7)] (days, both included;
extent = 1 for a level shift), and it must end inside the series.

Everything is drawn from `random.Random("<seed>:<background>:<type>")`: the same seed gives the
same files.

Usage: inject.py --out DIR [--seed 3]
"""
from __future__ import annotations

import argparse
import csv
import json
import math
import random
import statistics
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

TYPES = ("spike", "level_shift", "drift")
WARMUP_DAYS = 60
FIRST_START_JITTER = 14
GAP_DAYS = (30, 45)  # from the end of one tolerance window to the next start
MIN_WINDOW_DAYS = 7  # the tolerance window lasts at least this long after the start
LEVEL_DAYS = 28  # days whose median is the local level
MAGNITUDE_RANGE = (0.10, 3.00)
BUCKETS = ((0.10, 0.30, "10-30%"), (0.30, 1.00, "30-100%"), (1.00, 3.00, "100-300%"))
LABEL_FIELDS = ("series", "background", "source", "type", "start", "start_date", "extent",
                "window_end", "window_end_date", "magnitude", "bucket", "local_level", "amount")


@dataclass
class Injection:
    """One labelled injection (day indices count from the series' first day, 0-based)."""

    series: str
    background: str
    source: str
    type: str
    start: int
    start_date: str
    extent: int
    window_end: int  # last day of the tolerance window, included
    window_end_date: str
    magnitude: float
    bucket: str
    local_level: float
    amount: float


def bucket_of(magnitude: float) -> str:
    """The magnitude bucket's label."""
    for low, high, label in BUCKETS:
        if low <= magnitude < high or (high == MAGNITUDE_RANGE[1] and magnitude == high):
            return label
    raise ValueError(f"magnitude {magnitude} outside {MAGNITUDE_RANGE}")


def draw_extent(kind: str, rng: random.Random) -> int:
    """Days the injection takes to develop: a spike's length, a drift's ramp, 1 for a shift."""
    return {"spike": lambda: rng.randint(1, 3), "level_shift": lambda: 1,
            "drift": lambda: rng.randint(7, 21)}[kind]()


def draw_magnitude(rng: random.Random) -> float:
    """A log-uniform magnitude in MAGNITUDE_RANGE."""
    low, high = (math.log(m) for m in MAGNITUDE_RANGE)
    return math.exp(rng.uniform(low, high))


def effect(kind: str, extent: int, amount: float, day: int) -> float:
    """What an injection adds `day` days after its start (day >= 0)."""
    if kind == "spike":
        return amount if day < extent else 0.0
    if kind == "level_shift":
        return amount
    return amount * min(day + 1, extent) / extent  # drift


def inject_series(values: list[float], days: list[str], background: dict, kind: str,
                  seed: int) -> tuple[list[float], list[Injection]]:
    """An injected copy of one background and its labels."""
    rng = random.Random(f"{seed}:{background['id']}:{kind}")
    out = list(values)
    labels = []
    series = f"{background['id']}--{kind}"
    start = WARMUP_DAYS + rng.randint(0, FIRST_START_JITTER)
    while True:
        extent = draw_extent(kind, rng)
        window_end = start + max(extent, MIN_WINDOW_DAYS)
        if window_end >= len(out):
            break
        magnitude = draw_magnitude(rng)
        level = statistics.median(out[start - LEVEL_DAYS:start])
        amount = magnitude * level
        for day in range(start, len(out)):
            out[day] += effect(kind, extent, amount, day - start)
        labels.append(Injection(
            series=series, background=background["id"], source=background["source"], type=kind,
            start=start, start_date=days[start], extent=extent, window_end=window_end,
            window_end_date=days[window_end], magnitude=round(magnitude, 4),
            bucket=bucket_of(magnitude), local_level=round(level, 4), amount=round(amount, 4)))
        start = window_end + 1 + rng.randint(*GAP_DAYS)
    return out, labels


def read_series(path: Path) -> tuple[list[str], list[float]]:
    """A `timestamp,value` file."""
    with open(path, newline="") as handle:
        rows = list(csv.DictReader(handle))
    return [r["timestamp"] for r in rows], [float(r["value"]) for r in rows]


def write_series(path: Path, days: list[str], values: list[float]) -> None:
    """Writes a `timestamp,value` file."""
    with open(path, "w", newline="") as handle:
        handle.write("timestamp,value\n")
        handle.writelines(f"{d},{v:.4f}\n" for d, v in zip(days, values))


def main(argv: list[str]) -> int:
    """Injects every type into every background and writes the series and the labels."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args(argv)

    backgrounds = json.loads((args.out / "backgrounds.json").read_text())
    folder = args.out / "injected"
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.csv"):
        old.unlink()
    labels: list[Injection] = []
    manifest = []
    for background in backgrounds:
        days, values = read_series(args.out / "backgrounds" / f"{background['id']}.csv")
        for kind in TYPES:
            injected, found = inject_series(values, days, background, kind, args.seed)
            name = f"{background['id']}--{kind}"
            write_series(folder / f"{name}.csv", days, injected)
            labels += found
            manifest.append({"series": name, "background": background["id"],
                             "source": background["source"], "type": kind, "days": len(days),
                             "injections": len(found)})
    with open(args.out / "labels.csv", "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=LABEL_FIELDS)
        writer.writeheader()
        writer.writerows(asdict(label) for label in labels)
    (args.out / "injected.json").write_text(json.dumps(
        {"seed": args.seed, "warmup_days": WARMUP_DAYS, "series": manifest}, indent=1) + "\n")
    counts = {(l.type, l.bucket): 0 for l in labels}
    for label in labels:
        counts[(label.type, label.bucket)] += 1
    print(f"[inject] {len(manifest)} series, {len(labels)} injections: " +
          ", ".join(f"{t} {b} {n}" for (t, b), n in sorted(counts.items())), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
