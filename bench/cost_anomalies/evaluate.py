#!/usr/bin/python3
"""Scores costwise and a rolling 3-sigma rule on the injected cost series.

Reads what inject.py wrote (`OUT/injected.json`, `OUT/injected/*.csv`, `OUT/labels.csv`), runs
`$COSTWISE_BIN anomalies score --input SERIES.csv --output OUT/costwise/SERIES.csv` on each
series, computes the 3-sigma rule itself, and prints markdown tables (also written to
`OUT/results.md`, with every number in `OUT/results.json`).

Detectors, both online (a day's flag uses only the days before it, and the day itself):

- costwise: its own decision (`is_anomaly`), or `anomaly_score >= s` for a threshold s;
- 3-sigma: mean and standard deviation (n - 1) of the previous 28 days; flag when
  |x - mean| > k std.

Event-level scoring, from day 60 (the warm-up) on: an injection is detected when a flag falls in
its tolerance window [start, start + max(extent, 7)]; its delay is the first such flag's day
minus the start. A flag outside every tolerance window is a false positive; the FP rate is false
positives per 1,000 clean days (days from day 60 on outside every tolerance window). Precision
is detected injections / (detected injections + false-positive flags): an alert that finds an
injection counts once, however many days it flags.

Operating points: costwise's own decision; 3-sigma at k = 3; 3-sigma at the k that gives it
costwise's own false-positive count (the same FP rate); costwise's score at the threshold that
gives it the false-positive count of 3-sigma k = 3.

Usage: evaluate.py --out DIR [--costwise BIN] [--jobs 2]
"""
from __future__ import annotations

import argparse
import concurrent.futures
import csv
import hashlib
import json
import math
import os
import re
import statistics
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

WINDOW_DAYS = 28  # the 3-sigma rule's history
TYPES = ("spike", "level_shift", "drift")
BUCKETS = ("10-30%", "30-100%", "100-300%")
COSTWISE = "costwise"
SIGMA = "3-sigma"


@dataclass
class Event:
    """One injection, as labelled by inject.py."""

    type: str
    bucket: str
    start: int
    window_end: int


@dataclass
class Series:
    """One injected series, its labels and both detectors' per-day outputs."""

    name: str
    source: str
    type: str
    dates: list[str]
    values: list[float]
    events: list[Event]
    warmup: int
    score: list[float] = field(default_factory=list)  # costwise anomaly_score
    decision: list[bool] = field(default_factory=list)  # costwise is_anomaly
    sigma_ratio: list[float] = field(default_factory=list)  # |x - mean| / std of the 28 before

    def clean_days(self) -> list[int]:
        """Days from the warm-up on that lie outside every tolerance window."""
        inside = {d for e in self.events for d in range(e.start, e.window_end + 1)}
        return [d for d in range(self.warmup, len(self.values)) if d not in inside]


@dataclass
class Outcome:
    """Scoring of one detector at one operating point on a set of series."""

    events: int = 0
    detected: int = 0
    delays: list[int] = field(default_factory=list)
    false_positives: int = 0
    clean_days: int = 0

    def add(self, other: "Outcome") -> None:
        """Adds another outcome's counts to this one."""
        self.events += other.events
        self.detected += other.detected
        self.delays += other.delays
        self.false_positives += other.false_positives
        self.clean_days += other.clean_days

    def metrics(self, with_precision: bool = True) -> dict:
        """Recall, precision, FP rate and delays."""
        return {
            "events": self.events, "detected": self.detected,
            "recall": self.detected / self.events if self.events else None,
            "precision": (self.detected / (self.detected + self.false_positives)
                          if with_precision and self.detected + self.false_positives else None),
            "false_positives": self.false_positives if with_precision else None,
            "fp_per_1000_clean_days": (1000 * self.false_positives / self.clean_days
                                       if with_precision and self.clean_days else None),
            "median_delay": statistics.median(self.delays) if self.delays else None,
            "mean_delay": statistics.fmean(self.delays) if self.delays else None,
        }


# ---- inputs and detectors ------------------------------------------------------------------

def load_corpus(out: Path) -> list[Series]:
    """The injected series with their labels."""
    manifest = json.loads((out / "injected.json").read_text())
    events: dict[str, list[Event]] = {}
    with open(out / "labels.csv", newline="") as handle:
        for row in csv.DictReader(handle):
            events.setdefault(row["series"], []).append(Event(
                row["type"], row["bucket"], int(row["start"]), int(row["window_end"])))
    corpus = []
    for entry in manifest["series"]:
        with open(out / "injected" / f"{entry['series']}.csv", newline="") as handle:
            rows = list(csv.DictReader(handle))
        corpus.append(Series(
            name=entry["series"], source=entry["source"], type=entry["type"],
            dates=[r["timestamp"] for r in rows], values=[float(r["value"]) for r in rows],
            events=events.get(entry["series"], []), warmup=manifest["warmup_days"]))
    return corpus


def run_costwise(binary: str, series: Series, out: Path) -> None:
    """Runs `costwise anomalies score` on one series and reads its scores and decisions."""
    source = out / "injected" / f"{series.name}.csv"
    target = out / "costwise" / f"{series.name}.csv"
    result = subprocess.run([binary, "anomalies", "score", "--input", str(source),
                             "--output", str(target)], capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"{binary} anomalies score failed on {source}: {result.stderr}")
    with open(target, newline="") as handle:
        rows = list(csv.DictReader(handle))
    if [r["timestamp"] for r in rows] != series.dates:
        raise RuntimeError(f"{target}: timestamps differ from the input's, row by row")
    series.score = [float(r["anomaly_score"]) for r in rows]
    series.decision = [r["is_anomaly"].strip() in ("1", "true", "True") for r in rows]


def run_costwise_all(binary: str, corpus: list[Series], out: Path, jobs: int) -> None:
    """Runs costwise on every series, `jobs` at a time."""
    (out / "costwise").mkdir(parents=True, exist_ok=True)
    with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
        for future in [pool.submit(run_costwise, binary, s, out) for s in corpus]:
            future.result()


def sigma_ratios(values: list[float]) -> list[float]:
    """|x - mean| / std over the previous WINDOW_DAYS days (0 before that; inf for a change
    after a flat window)."""
    ratios = [0.0] * len(values)
    for day in range(WINDOW_DAYS, len(values)):
        window = values[day - WINDOW_DAYS:day]
        mean, std = statistics.fmean(window), statistics.stdev(window)
        deviation = abs(values[day] - mean)
        ratios[day] = deviation / std if std > 0 else (math.inf if deviation > 0 else 0.0)
    return ratios


# ---- scoring -------------------------------------------------------------------------------

def first_hit(flags: list[bool], event: Event) -> int | None:
    """The delay of the first flag in an injection's tolerance window, None when there is none."""
    for day in range(event.start, event.window_end + 1):
        if flags[day]:
            return day - event.start
    return None


def score_series(series: Series, flags: list[bool]) -> dict[str, Outcome]:
    """Per-injection detection and delay, false positives and clean days of one series, keyed
    by slice: 'all', the type, the bucket and 'type bucket'. False positives and clean days
    belong to the series, so only the 'all' and type slices carry them."""
    slices: dict[str, Outcome] = {}
    for event in series.events:
        delay = first_hit(flags, event)
        for key in ("all", event.type, event.bucket, f"{event.type} {event.bucket}"):
            outcome = slices.setdefault(key, Outcome())
            outcome.events += 1
            if delay is not None:
                outcome.detected += 1
                outcome.delays.append(delay)
    clean = series.clean_days()
    for key in ("all", series.type):
        outcome = slices.setdefault(key, Outcome())
        outcome.false_positives += sum(1 for d in clean if flags[d])
        outcome.clean_days += len(clean)
    return slices


def score_corpus(corpus: list[Series], flags_of) -> dict[str, Outcome]:
    """Sums score_series over the corpus; `flags_of(series)` gives a detector's daily flags."""
    total: dict[str, Outcome] = {}
    for series in corpus:
        for key, outcome in score_series(series, flags_of(series)).items():
            total.setdefault(key, Outcome()).add(outcome)
    return total


def threshold_above(values: list[float], count: int) -> float:
    """The t with `count` of the values > t (as nearly as ties allow): the (count+1)-th largest."""
    ranked = sorted(values, reverse=True)
    return ranked[count] if count < len(ranked) else -math.inf


def threshold_at_least(values: list[float], count: int) -> float:
    """The t with `count` of the values >= t (as nearly as ties allow): the count-th largest."""
    ranked = sorted(values, reverse=True)
    return ranked[count - 1] if 0 < count <= len(ranked) else math.inf


def operating_points(corpus: list[Series]) -> dict[str, dict]:
    """The four operating points: their rule, threshold and per-series flags. The matched
    thresholds are set on the clean days of the whole corpus, so that the matched point has as
    many false positives as its reference."""
    clean = [(s, d) for s in corpus for d in s.clean_days()]
    clean_ratio = [s.sigma_ratio[d] for s, d in clean]
    fp_own = sum(1 for s, d in clean if s.decision[d])
    fp_k3 = sum(1 for r in clean_ratio if r > 3.0)
    k_match = threshold_above(clean_ratio, fp_own)  # 3-sigma flags ratio > k
    s_match = threshold_at_least([s.score[d] for s, d in clean], fp_k3)  # costwise score >= s
    return {
        "costwise_own": {"detector": COSTWISE, "rule": "own decision (is_anomaly)",
                         "threshold": None, "flags": lambda s: s.decision},
        "sigma_k3": {"detector": SIGMA, "rule": "k = 3", "threshold": 3.0,
                     "flags": lambda s: [r > 3.0 for r in s.sigma_ratio]},
        "sigma_matched": {"detector": SIGMA,
                          "rule": f"k = {k_match:.2f} (FP rate of costwise's own decision)",
                          "threshold": k_match,
                          "flags": lambda s: [r > k_match for r in s.sigma_ratio]},
        "costwise_matched": {"detector": COSTWISE,
                             "rule": f"score >= {s_match:.3f} (FP rate of 3-sigma k = 3)",
                             "threshold": s_match,
                             "flags": lambda s: [x >= s_match for x in s.score]},
    }


def evaluate(corpus: list[Series]) -> dict:
    """Every operating point scored overall, per slice and per source."""
    points = operating_points(corpus)
    sources = sorted({s.source for s in corpus})
    results = {}
    for key, point in points.items():
        slices = score_corpus(corpus, point["flags"])
        per_source = {src: score_corpus([s for s in corpus if s.source == src],
                                        point["flags"])["all"].metrics() for src in sources}
        results[key] = {
            "detector": point["detector"], "rule": point["rule"],
            "threshold": point["threshold"],
            "slices": {name: outcome.metrics(with_precision=name in ("all",) + TYPES)
                       for name, outcome in slices.items()},
            "sources": per_source,
            "first_flags": first_flags(corpus, point["flags"]),
        }
    return results


def first_flags(corpus: list[Series], flags_of) -> dict[str, int | None]:
    """Each injection's delay (None when missed), keyed 'series@start', for paired delays."""
    out = {}
    for series in corpus:
        flags = flags_of(series)
        for event in series.events:
            out[f"{series.name}@{event.start}"] = first_hit(flags, event)
    return out


def paired(results: dict, a: str, b: str) -> dict:
    """Delays on the injections both operating points detect."""
    da, db = results[a]["first_flags"], results[b]["first_flags"]
    both = [(da[k], db[k]) for k in da if da[k] is not None and db[k] is not None]
    return {"both": len(both),
            "only_" + a: sum(1 for k in da if da[k] is not None and db[k] is None),
            "only_" + b: sum(1 for k in da if da[k] is None and db[k] is not None),
            "mean_delay_" + a: statistics.fmean(x for x, _ in both) if both else None,
            "mean_delay_" + b: statistics.fmean(y for _, y in both) if both else None,
            "earlier_" + a: sum(1 for x, y in both if x < y),
            "earlier_" + b: sum(1 for x, y in both if y < x)}


# ---- markdown ------------------------------------------------------------------------------

def fmt(value, digits: int = 2, percent: bool = False) -> str:
    """A table cell."""
    if value is None:
        return "—"
    if percent:
        return f"{100 * value:.{max(digits - 2, 0)}f}%"
    return f"{value:.{digits}f}" if isinstance(value, (int, float)) else str(value)


def delays(m: dict) -> str:
    """Median / mean delay cell."""
    return f"{fmt(m['median_delay'], 1)} / {fmt(m['mean_delay'], 1)}"


def overall_table(results: dict) -> list[str]:
    """One row per operating point."""
    lines = ["| detector | rule | FP / 1,000 clean days | precision | recall | detected | "
             "median / mean delay (days) |", "|---|---|---:|---:|---:|---:|---:|"]
    for point in results.values():
        m = point["slices"]["all"]
        lines.append(f"| {point['detector']} | {point['rule']} | "
                     f"{fmt(m['fp_per_1000_clean_days'], 1)} | {fmt(m['precision'], 3, True)} | "
                     f"{fmt(m['recall'], 3, True)} | {m['detected']} / {m['events']} | "
                     f"{delays(m)} |")
    return lines


def slice_names() -> list[str]:
    """The rows of a comparison table."""
    return (["all"] + list(TYPES) + list(BUCKETS) +
            [f"{t} {b}" for t in TYPES for b in BUCKETS])


def comparison_table(results: dict, a: str, b: str) -> list[str]:
    """Operating point a (costwise) against b (3-sigma), slice by slice."""
    lines = ["| slice | injections | precision costwise | precision 3σ | recall costwise | "
             "recall 3σ | delay costwise (median / mean) | delay 3σ (median / mean) |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for name in slice_names():
        ma, mb = results[a]["slices"].get(name), results[b]["slices"].get(name)
        if ma is None:
            continue
        lines.append(f"| {name} | {ma['events']} | {fmt(ma['precision'], 3, True)} | "
                     f"{fmt(mb['precision'], 3, True)} | {fmt(ma['recall'], 3, True)} | "
                     f"{fmt(mb['recall'], 3, True)} | {delays(ma)} | {delays(mb)} |")
    return lines


def source_table(results: dict) -> list[str]:
    """FP rate and recall of each operating point per background source."""
    keys = list(results)
    names = [f"{results[k]['detector']} {short_rule(results[k])}" for k in keys]
    lines = ["| source | injections | " + " | ".join(f"FP/1k {n}" for n in names) + " | " +
             " | ".join(f"recall {n}" for n in names) + " |",
             "|---|---:|" + "---:|" * (2 * len(keys))]
    for source in results[keys[0]]["sources"]:
        ms = [results[k]["sources"][source] for k in keys]
        lines.append(f"| {source} | {ms[0]['events']} | " +
                     " | ".join(fmt(m["fp_per_1000_clean_days"], 1) for m in ms) + " | " +
                     " | ".join(fmt(m["recall"], 3, True) for m in ms) + " |")
    return lines


def short_rule(point: dict) -> str:
    """A short name of an operating point for column headers."""
    if point["threshold"] is None:
        return "own"
    return (f"k={point['threshold']:.2f}" if point["detector"] == SIGMA
            else f"s≥{point['threshold']:.3f}")


def paired_line(p: dict, a: str, b: str, label_a: str, label_b: str) -> str:
    """One sentence on the injections both operating points detect."""
    return (f"Detected by both: {p['both']} (only {label_a}: {p['only_' + a]}, only {label_b}: "
            f"{p['only_' + b]}); mean delay on those: {label_a} {fmt(p['mean_delay_' + a], 2)} "
            f"days, {label_b} {fmt(p['mean_delay_' + b], 2)} days; earlier: {label_a} "
            f"{p['earlier_' + a]}, {label_b} {p['earlier_' + b]}, same day "
            f"{p['both'] - p['earlier_' + a] - p['earlier_' + b]}.")


def corpus_line(corpus: list[Series], results: dict, binary: str) -> str:
    """What was scored, and by which binary."""
    sources: dict[str, int] = {}
    for s in corpus:
        sources[s.source] = sources.get(s.source, 0) + 1
    backgrounds = ", ".join(f"{k} {v // len(TYPES)}" for k, v in sorted(sources.items()))
    clean = sum(len(s.clean_days()) for s in corpus)
    injections = results["costwise_own"]["slices"]["all"]["events"]
    return (f"{len(corpus)} injected series ({backgrounds} backgrounds, x {len(TYPES)} types), "
            f"{injections} injections, {clean:,} clean days. costwise: "
            f"{binary_identity(binary)}.")


def fp_rate(point: dict) -> str:
    """An operating point's overall FP rate, as a cell."""
    return fmt(point["slices"]["all"]["fp_per_1000_clean_days"], 1)


def markdown(results: dict, corpus: list[Series], binary: str) -> str:
    """The report."""
    own, k3 = results["costwise_own"], results["sigma_k3"]
    match_a, match_b = results["sigma_matched"], results["costwise_matched"]
    pa = paired(results, "costwise_own", "sigma_matched")
    pb = paired(results, "costwise_matched", "sigma_k3")
    out = [
        "## Cost anomalies: costwise vs a rolling 3-sigma rule", "",
        corpus_line(corpus, results, binary), "",
        "### All operating points", "", *overall_table(results), "",
        f"### A. At costwise's own false-positive rate ({fp_rate(own)} per 1,000 clean days): "
        f"costwise own decision vs 3σ {short_rule(match_a)}", "",
        *comparison_table(results, "costwise_own", "sigma_matched"), "",
        paired_line(pa, "costwise_own", "sigma_matched", "costwise", "3σ"), "",
        f"### B. At 3σ k = 3's false-positive rate ({fp_rate(k3)} per 1,000 clean days): "
        f"costwise {short_rule(match_b)} vs 3σ k = 3", "",
        *comparison_table(results, "costwise_matched", "sigma_k3"), "",
        paired_line(pb, "costwise_matched", "sigma_k3", "costwise", "3σ"), "",
        "### By background source", "", *source_table(results), "",
        "Precision = detected injections / (detected injections + false-positive flags); it is "
        "given per type (each type has its own injected copy of every background) but not per "
        "magnitude bucket (buckets share series and so false positives). Delays are in days "
        "from the injection's start, over the injections each detector found.",
    ]
    return "\n".join(out) + "\n"


def file_digest(path: str) -> str:
    """The first 12 hex digits of a file's sha256, or 'missing'."""
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]
    except OSError:
        return "missing"


def binary_identity(path: str) -> str:
    """Which costwise scored: the file's sha256 and, for a wrapper script, that of every
    absolute path of an executable it names (the stand-in shim runs a driver binary)."""
    text = f"`{path}` (sha256 {file_digest(path)}"
    try:
        head = Path(path).read_bytes()[:4096]
    except OSError:
        return text + ")"
    if head.startswith(b"#!"):
        named = sorted(set(re.findall(r"(/[\w./+-]+)", head.decode("utf-8", "replace"))))
        for target in named:
            if os.path.isfile(target) and os.access(target, os.X_OK) and target != path and \
                    not target.startswith(("/bin/", "/usr/bin/")):
                mtime = datetime.fromtimestamp(os.path.getmtime(target), timezone.utc)
                text += (f", runs `{target}` sha256 {file_digest(target)} built "
                         f"{mtime:%Y-%m-%d %H:%M} UTC")
    return text + ")"


def main(argv: list[str]) -> int:
    """Runs both detectors, scores them and prints the markdown."""
    root = Path(__file__).resolve().parents[2]
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--costwise", default=os.environ.get(
        "COSTWISE_BIN", str(root / "build" / "apps" / "costwise" / "costwise")))
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)

    corpus = load_corpus(args.out)
    run_costwise_all(args.costwise, corpus, args.out, args.jobs)
    for series in corpus:
        series.sigma_ratio = sigma_ratios(series.values)
    results = evaluate(corpus)
    report = markdown(results, corpus, args.costwise)
    (args.out / "results.md").write_text(report)
    (args.out / "results.json").write_text(json.dumps(results, indent=1) + "\n")
    print(report, end="")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
