#!/usr/bin/python3
"""Scores the forecasts of the comparison set and prints the markdown tables of compare.sh.

Reads what prepare.py wrote (`series.json`, `train_*.csv`, `test.csv`) and, for each tool, a
forecast file in the `costwise forecast series` format (`series_id,ds,yhat,lo80,hi80,lo95,hi95`)
and its seconds. Per series and tool:

- MASE: mean |y - yhat| over the hold-out, divided by the in-sample mean absolute seasonal
  difference (period 7 for daily series, 12 for monthly ones);
- sMAPE: mean 200 |y - yhat| / (|y| + |yhat|), in percent;
- coverage 80 / 95: the share of hold-out points inside [lo80, hi80] / [lo95, hi95].

Aggregates per tool (all series, and per group): the mean (and median) of the per-series MASE
and sMAPE; the coverage over all hold-out points pooled; seconds per series; and the number of
series each tool wins (lowest MASE; a tie counts for each tied tool).

Usage: aggregate.py --data DIR --tool NAME=FORECAST.csv:SECONDS_SPEC [--tool ...]
                    [--markdown OUT.md] [--json OUT.json]
SECONDS_SPEC is either a number (total wall seconds of the tool over all series, divided by the
number of series) or a timings CSV of r_forecast.R (series_id,...,seconds: per-series times).
Several forecast files of one tool (daily and monthly runs) are given as FILE1+FILE2 and
SECONDS1+SECONDS2. Standard library only.
"""
from __future__ import annotations

import argparse
import csv
import json
import math
import statistics
import sys
from dataclasses import dataclass, field
from pathlib import Path


def read_series_file(path: Path) -> dict[str, tuple[list[str], list[float]]]:
    out: dict[str, tuple[list[str], list[float]]] = {}
    with open(path, newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            ds, ys = out.setdefault(row["series_id"], ([], []))
            ds.append(row["ds"][:10])
            ys.append(float(row["y"]))
    return out


def read_forecast(path: Path) -> dict[str, dict[str, list]]:
    """{series_id: {"ds": [...], "yhat": [...], "lo80": ..., ...}} (interval columns optional)."""
    out: dict[str, dict[str, list]] = {}
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        columns = [c for c in ("yhat", "lo80", "hi80", "lo95", "hi95") if c in reader.fieldnames]
        for row in reader:
            series = out.setdefault(row["series_id"], {"ds": []} | {c: [] for c in columns})
            series["ds"].append(row["ds"][:10])
            for c in columns:
                series[c].append(float(row[c]) if row[c] not in ("", "NA", "nan") else math.nan)
    return out


def seasonal_scale(values: list[float], period: int) -> float:
    diffs = [abs(values[t] - values[t - period]) for t in range(period, len(values))]
    return statistics.fmean(diffs)


@dataclass
class SeriesScore:
    mase: float
    smape: float
    inside80: int
    inside95: int
    points: int
    seconds: float | None = None
    model: str = ""


def score_series(train: list[float], test: list[float], fc: dict[str, list], period: int,
                 sid: str, test_ds: list[str]) -> SeriesScore:
    if fc["ds"] != test_ds:
        raise ValueError(f"{sid}: forecast dates {fc['ds'][:2]}... do not match the hold-out "
                         f"{test_ds[:2]}... ({len(fc['ds'])} rows for {len(test_ds)})")
    scale = seasonal_scale(train, period)
    errors = [abs(y - f) for y, f in zip(test, fc["yhat"])]
    smape = statistics.fmean(200 * e / (abs(y) + abs(f)) if abs(y) + abs(f) > 0 else 0.0
                             for e, y, f in zip(errors, test, fc["yhat"]))
    inside = {}
    for level in (80, 95):
        lo, hi = fc.get(f"lo{level}"), fc.get(f"hi{level}")
        inside[level] = (sum(1 for y, a, b in zip(test, lo, hi) if a <= y <= b)
                         if lo is not None and hi is not None else 0)
    return SeriesScore(statistics.fmean(errors) / scale, smape, inside[80], inside[95], len(test))


@dataclass
class Tool:
    name: str
    forecasts: dict[str, dict[str, list]] = field(default_factory=dict)
    per_series_seconds: dict[str, float] = field(default_factory=dict)
    models: dict[str, str] = field(default_factory=dict)
    total_seconds: float = 0.0
    timed_series: int = 0


def parse_tool(spec: str) -> Tool:
    """NAME=FILE[+FILE...]:SECONDS[+SECONDS...] (SECONDS a number or a timings CSV)."""
    name, _, rest = spec.partition("=")
    files, _, seconds = rest.rpartition(":")
    tool = Tool(name)
    for path in files.split("+"):
        tool.forecasts |= read_forecast(Path(path))
    for part in seconds.split("+"):
        try:
            tool.total_seconds += float(part)
        except ValueError:
            with open(part, newline="", encoding="utf-8") as handle:
                for row in csv.DictReader(handle):
                    tool.per_series_seconds[row["series_id"]] = float(row["seconds"])
                    tool.models[row["series_id"]] = row.get("model", "")
                    tool.total_seconds += float(row["seconds"])
    return tool


def fmt(value: float | None, digits: int = 3) -> str:
    return "—" if value is None or (isinstance(value, float) and math.isnan(value)) \
        else f"{value:.{digits}f}"


def summarise(tools: list[Tool], manifest: list[dict], scores: dict[str, dict[str, SeriesScore]],
              ids: list[str]) -> dict[str, dict]:
    out = {}
    for tool in tools:
        mine = [scores[tool.name][sid] for sid in ids if sid in scores[tool.name]]
        if not mine:
            continue
        points = sum(s.points for s in mine)
        out[tool.name] = {
            "series": len(mine),
            "mase_mean": statistics.fmean(s.mase for s in mine),
            "mase_median": statistics.median(s.mase for s in mine),
            "smape_mean": statistics.fmean(s.smape for s in mine),
            "coverage80": sum(s.inside80 for s in mine) / points,
            "coverage95": sum(s.inside95 for s in mine) / points,
        }
    return out


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="prepare.py's output folder")
    parser.add_argument("--tool", action="append", required=True,
                        help="NAME=FORECAST.csv[+...]:SECONDS[+...] (see --help)")
    parser.add_argument("--markdown", type=Path)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)

    manifest = json.loads((args.data / "series.json").read_text())
    train = read_series_file(args.data / "train_daily.csv") | \
        read_series_file(args.data / "train_monthly.csv")
    test = read_series_file(args.data / "test.csv")
    tools = [parse_tool(spec) for spec in args.tool]
    ids = [s["id"] for s in manifest]

    scores: dict[str, dict[str, SeriesScore]] = {}
    missing: dict[str, list[str]] = {}
    for tool in tools:
        scores[tool.name] = {}
        for s in manifest:
            sid = s["id"]
            if sid not in tool.forecasts:
                missing.setdefault(tool.name, []).append(sid)
                continue
            sc = score_series(train[sid][1], test[sid][1], tool.forecasts[sid], s["period"], sid,
                              test[sid][0])
            sc.seconds = tool.per_series_seconds.get(sid)
            sc.model = tool.models.get(sid, "")
            scores[tool.name][sid] = sc
        timed = len(tool.per_series_seconds) or len(scores[tool.name])
        tool.timed_series = timed

    winners: dict[str, list[str]] = {}
    for sid in ids:
        candidates = {t.name: scores[t.name][sid].mase for t in tools if sid in scores[t.name]}
        best = min(candidates.values())
        winners[sid] = [name for name, v in candidates.items() if v == best]

    groups = {}
    for s in manifest:
        groups.setdefault(s["group"], []).append(s["id"])
    overall = summarise(tools, manifest, scores, ids)
    by_group = {g: summarise(tools, manifest, scores, members) for g, members in groups.items()}

    lines = [f"Comparison set: {len(ids)} series ("
             + ", ".join(f"{g}: {len(m)}" for g, m in groups.items())
             + "); hold-out 30 days (daily) / 12 months (monthly).", "",
             "| tool | series | MASE mean | MASE median | sMAPE mean | coverage 80% | "
             "coverage 95% | seconds / series | wins (lowest MASE) |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for tool in tools:
        o = overall.get(tool.name)
        if not o:
            continue
        wins = sum(1 for sid in ids if tool.name in winners[sid])
        per_series = tool.total_seconds / tool.timed_series if tool.timed_series else None
        lines.append(f"| {tool.name} | {o['series']} | {fmt(o['mase_mean'])} | "
                     f"{fmt(o['mase_median'])} | {fmt(o['smape_mean'], 2)} | "
                     f"{fmt(100 * o['coverage80'], 1)}% | {fmt(100 * o['coverage95'], 1)}% | "
                     f"{fmt(per_series, 3)} | {wins} |")
    for g, members in groups.items():
        lines += ["", f"**{g}** ({len(members)} series)", "",
                  "| tool | MASE mean | MASE median | sMAPE mean | coverage 80% | coverage 95% | "
                  "wins |", "|---|---:|---:|---:|---:|---:|---:|"]
        for tool in tools:
            o = by_group[g].get(tool.name)
            if not o:
                continue
            wins = sum(1 for sid in members if tool.name in winners[sid])
            lines.append(f"| {tool.name} | {fmt(o['mase_mean'])} | {fmt(o['mase_median'])} | "
                         f"{fmt(o['smape_mean'], 2)} | {fmt(100 * o['coverage80'], 1)}% | "
                         f"{fmt(100 * o['coverage95'], 1)}% | {wins} |")
    header = "| series | group | n | h | " + " | ".join(f"MASE {t.name}" for t in tools) + \
        " | " + " | ".join(f"sMAPE {t.name}" for t in tools) + " | winner |"
    lines += ["", "Per series (MASE, sMAPE; the winner has the lowest MASE):", "", header,
              "|---|---|---:|---:|" + "---:|" * (2 * len(tools)) + "---|"]
    for s in manifest:
        sid = s["id"]
        cells = [fmt(scores[t.name][sid].mase) if sid in scores[t.name] else "—" for t in tools]
        cells += [fmt(scores[t.name][sid].smape, 2) if sid in scores[t.name] else "—"
                  for t in tools]
        lines.append(f"| {sid} | {s['group']} | {s['n_train']} | {s['horizon']} | "
                     + " | ".join(cells) + f" | {', '.join(winners[sid])} |")
    for name, sids in missing.items():
        lines += ["", f"{name}: no forecast for {len(sids)} series ({', '.join(sids)})"]
    table = "\n".join(lines)
    print(table)
    if args.markdown:
        args.markdown.write_text(table + "\n")
    if args.json:
        args.json.write_text(json.dumps({
            "overall": overall, "by_group": by_group, "winners": winners,
            "seconds": {t.name: {"total": t.total_seconds, "series": t.timed_series,
                                 "per_series": t.per_series_seconds} for t in tools},
            "per_series": {t.name: {sid: vars(sc) for sid, sc in scores[t.name].items()}
                           for t in tools}}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
