#!/usr/bin/python3
"""The summary of bench/forecast/speed.sh: checks costwise's output and prints the numbers.

Reads OUT/series.json (speed_series.py), the costwise run times (OUT/costwise_runs.tsv: one
`seconds<TAB>max_rss_kib` line per run over all series, then OUT/costwise_sample.tsv for the run
over the R sample alone), the costwise forecast file, and r_forecast.R's timings of the sample
(OUT/r/<tool>_timings.csv). Prints a markdown table and writes OUT/speed.json.

Usage: speed_report.py --out DIR --horizon 90 --name costwise [--tool prophet --tool ets]
Standard library only.
"""
from __future__ import annotations

import argparse
import csv
import json
import statistics
import sys
from pathlib import Path

GOAL_SECONDS = 10.0  # one costwise run over the 1,000 series
GOAL_RATIO = 50.0  # costwise at least 50 times faster per series than prophet


def read_runs(path: Path) -> list[tuple[float, int]]:
    runs = []
    for line in path.read_text().split("\n"):
        if line.strip():
            seconds, rss = line.split("\t")
            runs.append((float(seconds), int(rss)))
    return runs


def check_forecast(path: Path, ids: list[str], horizon: int) -> str:
    """'' when every series has `horizon` rows with the contract's columns, else the problem."""
    counts: dict[str, int] = {}
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        need = {"series_id", "ds", "yhat", "lo80", "hi80", "lo95", "hi95"}
        if not need <= set(reader.fieldnames or []):
            return f"columns {reader.fieldnames}, expected {sorted(need)}"
        for row in reader:
            counts[row["series_id"]] = counts.get(row["series_id"], 0) + 1
    wrong = [sid for sid in ids if counts.get(sid) != horizon]
    if wrong:
        return f"{len(wrong)} series without {horizon} rows, e.g. {wrong[:3]}"
    return ""


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--horizon", type=int, required=True)
    parser.add_argument("--name", default="costwise")
    parser.add_argument("--tool", action="append", default=[])
    args = parser.parse_args(argv)

    manifest = json.loads((args.out / "series.json").read_text())
    ids = [s["id"] for s in manifest]
    sample = [s["id"] for s in manifest if s["sample"]]
    days = manifest[0]["days"]
    problem = check_forecast(args.out / "costwise" / "forecast.csv", ids, args.horizon)
    if problem:
        print(f"speed_report.py: costwise's forecast: {problem}", file=sys.stderr)
        return 1
    runs = read_runs(args.out / "costwise_runs.tsv")
    best, rss = min(runs)
    per_series = best / len(ids)
    sample_runs = read_runs(args.out / "costwise_sample.tsv")
    sample_best = min(sample_runs)[0]

    lines = [f"{len(ids):,} daily series of {days} days, horizon {args.horizon}, levels 80,95.", "",
             "| run | series | wall seconds | seconds per series | peak RSS MiB | goal |",
             "|---|---:|---:|---:|---:|---|",
             f"| {args.name}, one run over all series (best of {len(runs)}: "
             + ", ".join(f"{s:.2f}" for s, _ in runs) + f") | {len(ids):,} | {best:.2f} | "
             f"{per_series:.5f} | {rss / 1024:.0f} | < {GOAL_SECONDS:.0f} s: "
             f"**{'met' if best < GOAL_SECONDS else 'missed'}** |",
             f"| {args.name}, one run over the R sample alone | {len(sample)} | "
             f"{sample_best:.2f} | "
             f"{sample_best / len(sample):.4f} | {min(sample_runs)[1] / 1024:.0f} | |"]
    report = {"series": len(ids), "days": days, "horizon": args.horizon,
              "costwise": {"runs": runs, "best_seconds": best, "per_series": per_series,
                           "sample_seconds": sample_best, "sample_series": len(sample)},
              "r": {}}
    for tool in args.tool:
        with open(args.out / "r" / f"{tool}_timings.csv", newline="", encoding="utf-8") as handle:
            rows = [r for r in csv.DictReader(handle) if r["model"] != "failed"]
        seconds = [float(r["seconds"]) for r in rows]
        mean = statistics.fmean(seconds)
        ratio = mean / per_series
        goal = (f"{args.name} >= {GOAL_RATIO:.0f}x faster: "
                f"**{'met' if ratio >= GOAL_RATIO else 'missed'}** ({ratio:,.0f}x)"
                if tool == "prophet" else f"{ratio:,.0f}x {args.name}'s time per series")
        median = statistics.median(seconds)
        lines.append(f"| R {tool}, in-process per series (mean; median {median:.2f},"
                     f" min {min(seconds):.2f}, max {max(seconds):.2f}) | {len(seconds)} | "
                     f"{sum(seconds):.2f} | {mean:.3f} | | {goal} |")
        report["r"][tool] = {"series": len(seconds), "total": sum(seconds), "mean": mean,
                             "median": statistics.median(seconds), "min": min(seconds),
                             "max": max(seconds), "ratio_to_costwise_per_series": ratio,
                             "models": sorted({r["model"] for r in rows})}
    table = "\n".join(lines)
    print(table)
    (args.out / "speed.md").write_text(table + "\n")
    (args.out / "speed.json").write_text(json.dumps(report, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
