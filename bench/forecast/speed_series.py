#!/usr/bin/python3
"""The input of bench/forecast/speed.sh: 1,000 daily cost series of 730 days each.

Built from real and generated daily series (the shapes of real spend; what a window holds does
not matter much for speed, but it should not be trivially easy for an optimiser):

- **Windows of Prophet's long daily examples**, un-logged and priced: the Wikipedia page views of
  Peyton Manning and of R (2,964 and 2,922 days, gaps filled as bench/cost_anomalies does) and the
  pedestrian counts (1,490 days). Window starts are spread evenly over each series
  (overlapping windows). Each window is multiplied by a unit price so that its median is a spend
  drawn log-uniformly between $20 and $20,000 a day: the spend of a usage-billed service whose
  demand it is.
- **Two-year generated cost series**: the generator's 27 daily spend series of 2024 (the
  cost-anomaly benchmark's `gen-orgNN-*` backgrounds). Each series is one ordered pair (A, B) of
  different ones: A's 2024, then B's year from its first Wednesday (2024-01-03) on, so that the
  weekdays of B's days stay those of the dates they are given (2025-01-01 is a Wednesday), B
  chain-linked to A (scaled so that its first-week mean equals A's last-week mean, as
  backgrounds.py links months). 2024-01-01 to 2025-12-30, rescaled by a log-uniform factor
  between 0.1 and 10.

By default 500 of each (all 1,000 from Prophet's examples with --no-generator). Deterministic
(random.Random(seed)). Writes OUT/input.csv (`series_id,ds,y`, 730,000 rows), OUT/sample.csv
(every 50th series, alternately a real and a generated one: the R sample) and OUT/series.json.

Usage: speed_series.py --out DIR [--series 1000] [--days 730] [--sample-every 50] [--seed 7]
       [--no-generator] [--shared DIR] [--cost-anomalies DIR]
Standard library only.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import random
import statistics
import sys
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "bench" / "cost_anomalies"))
import backgrounds  # noqa: E402
import prepare  # noqa: E402

REAL = (  # (key, file, values are logs, share of the real windows)
    ("peyton", "example_wp_log_peyton_manning.csv", True, 0.4),
    ("rlang", "example_wp_log_R.csv", True, 0.4),
    ("pedestrians", "example_pedestrians_covid.csv", False, 0.2),
)


def real_windows(folder: Path, count: int, days: int, rng: random.Random) -> list[dict]:
    out = []
    for index, (key, name, logs, share) in enumerate(REAL):
        k = count - len(out) if index == len(REAL) - 1 else round(count * share)
        points = prepare.read_prophet_file(folder / name)
        if logs:
            points = {d: math.exp(v) for d, v in points.items()}
        all_days, values = backgrounds.fill_gaps(points)
        if len(all_days) < days:
            raise ValueError(f"{name}: {len(all_days)} days, fewer than {days}")
        span = len(all_days) - days
        for j in range(k):
            start = round(j * span / max(k - 1, 1))
            window = values[start:start + days]
            median = math.exp(rng.uniform(math.log(20), math.log(20000)))
            unit = median / statistics.median(window)
            out.append({"id": f"{key}-{start:04d}-{j:03d}", "kind": f"prophet:{key}",
                        "first": all_days[start], "values": [v * unit for v in window]})
    return out


def generated_pairs(cache: Path, count: int, days: int, rng: random.Random) -> list[dict]:
    series = prepare.generated_series(cache)
    first = series[0]["days"][0]
    if first != date(2024, 1, 1) or any(len(s["values"]) != 366 for s in series):
        raise ValueError("expected the generator's 366 days of 2024")
    pairs = [(a, b) for a in range(len(series)) for b in range(len(series)) if a != b]
    chosen = rng.sample(pairs, min(count, len(pairs)))
    out = []
    for a, b in chosen:
        year1 = series[a]["values"]
        year2 = series[b]["values"][2:]  # from Wednesday 2024-01-03, for 2025-01-01 (a Wednesday)
        factor = statistics.fmean(year1[-7:]) / statistics.fmean(year2[:7])
        values = (year1 + [v * factor for v in year2])[:days]
        scale = math.exp(rng.uniform(math.log(0.1), math.log(10)))
        out.append({"id": f"{series[a]['id']}--{series[b]['id'].removeprefix('gen-')}",
                    "kind": "generated", "first": first, "values": [v * scale for v in values]})
    if len(out) < count:
        raise ValueError(f"only {len(out)} generated pairs")
    return out


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--series", type=int, default=1000)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--sample-every", type=int, default=50)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-generator", action="store_true")
    parser.add_argument("--shared", type=Path, default=Path(os.environ.get(
        "COSTWISE_SHARED_DATA_DIR", ROOT.parent / "shared" / "data")))
    parser.add_argument("--cost-anomalies", type=Path,
                        default=ROOT / "bench" / "data" / "cost_anomalies")
    args = parser.parse_args(argv)

    rng = random.Random(args.seed)
    generated = []
    if not args.no_generator:
        cache = prepare.generator_cache(args.cost_anomalies)
        if cache is None:
            print(f"speed_series.py: no generator cache in {args.cost_anomalies}/cache "
                  "(or pass --no-generator)", file=sys.stderr)
            return 2
        generated = generated_pairs(cache, args.series // 2, args.days, rng)
    real = real_windows(args.shared / "prophet-examples", args.series - len(generated),
                        args.days, rng)
    series = []
    for r, g in zip(real, generated):  # interleaved, so that any sample holds both kinds
        series += [r, g]
    series += real[len(generated):] + generated[len(real):]

    args.out.mkdir(parents=True, exist_ok=True)
    # Every sample_every-th series, alternately a real and a generated one (they are interleaved).
    sample_ids = {series[j * args.sample_every + j % 2]["id"]
                  for j in range(len(series) // args.sample_every)}
    with open(args.out / "input.csv", "w", encoding="utf-8", newline="") as full, \
            open(args.out / "sample.csv", "w", encoding="utf-8", newline="") as sample:
        full.write("series_id,ds,y\n")
        sample.write("series_id,ds,y\n")
        for s in series:
            text = "".join(f"{s['id']},{(s['first'] + timedelta(days=k)).isoformat()},{v:.4f}\n"
                           for k, v in enumerate(s["values"]))
            full.write(text)
            if s["id"] in sample_ids:
                sample.write(text)
    (args.out / "series.json").write_text(json.dumps(
        [{"id": s["id"], "kind": s["kind"], "first": s["first"].isoformat(),
          "days": len(s["values"]), "sample": s["id"] in sample_ids} for s in series],
        indent=1) + "\n")
    kinds: dict[str, int] = {}
    for s in series:
        kinds[s["kind"]] = kinds.get(s["kind"], 0) + 1
    print(f"[speed] {len(series)} series of {args.days} days ("
          + ", ".join(f"{k} {n}" for k, n in kinds.items())
          + f"), sample of {len(sample_ids)}, written to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
