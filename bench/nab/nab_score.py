#!/usr/bin/python3
"""Numenta Anomaly Benchmark (NAB) scorer for the 17 realAWSCloudwatch files.

Written from NAB's published scoring rules (Lavin & Ahmad 2015, and the rules of NAB's scorer,
sweeper and optimizer at commit ea702d75 as summarised in `shared/docs/nab-scoring.md`), with the
Python standard library only. See bench/nab/README.md.

The pieces, in the order the rules build on each other:

- `row_weights`: S(i), the score each row would earn if it were a detection.
- `score_file`: one file at one threshold (detection = anomaly_score >= threshold).
- `sweep_thresholds` / `optimize_threshold`: NAB's threshold sweep over several files.
- `normalized_score`: 100 = perfect detector, 0 = null detector.
- `published_subset_score`: a published detector's score on the 17 files, from NAB's results.

Run `nab_score.py --help` for the command line.
"""
from __future__ import annotations

import argparse
import csv
import json
import math
import os
import sys
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Optional, Sequence

WINDOWS_FILE = "realAWSCloudwatch_windows.json"
CORPUS_DIR = "realAWSCloudwatch"
REFERENCE_DIR = "reference-results"
PROBATION_FRACTION = 0.15
PROBATION_CAP_ROWS = 5000  # the probationary period never exceeds 15% of 5000 rows
SWEEP_START = 1.1  # the sweep's first threshold: above every score, so nothing is detected
OWN_DECISION_THRESHOLD = 0.5
PUBLISHED_NOTE = ("the sum of NAB's published per-file scores on these files, at the thresholds "
                  "NAB optimised on the whole 58-file corpus")


# --- Profiles ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Profile:
    """An application profile: the weights of a true positive, a false positive and a miss."""
    name: str
    a_tp: float
    a_fp: float
    a_fn: float


PROFILES = {
    "standard": Profile("standard", a_tp=1.0, a_fp=0.11, a_fn=1.0),
    "reward_low_FP_rate": Profile("reward_low_FP_rate", a_tp=1.0, a_fp=0.22, a_fn=1.0),
    "reward_low_FN_rate": Profile("reward_low_FN_rate", a_tp=1.0, a_fp=0.11, a_fn=2.0),
}
PROFILE_TITLES = {
    "standard": "Standard",
    "reward_low_FP_rate": "Reward low FP",
    "reward_low_FN_rate": "Reward low FN",
}


def load_profiles(path: Path) -> dict[str, Profile]:
    """Read NAB's `config/profiles.json` (name -> {"CostMatrix": {"tpWeight", ...}})."""
    with open(path, encoding="utf-8") as source:
        config = json.load(source)
    profiles = {}
    for name, entry in config.items():
        matrix = entry["CostMatrix"]
        profiles[name] = Profile(name, a_tp=float(matrix["tpWeight"]),
                                 a_fp=float(matrix["fpWeight"]), a_fn=float(matrix["fnWeight"]))
    return profiles


def select_profiles(spec: str) -> list[Profile]:
    """`all` or a comma-separated list of profile names, in the canonical order."""
    if spec == "all":
        return list(PROFILES.values())
    names = [name.strip() for name in spec.split(",") if name.strip()]
    unknown = [name for name in names if name not in PROFILES]
    if unknown or not names:
        raise ValueError(f"unknown profile(s) {unknown or spec!r}; choose from "
                         f"{', '.join(PROFILES)} or 'all'")
    return [profile for name, profile in PROFILES.items() if name in names]


# --- The per-row score function ------------------------------------------------------------------

def scaled_sigmoid(y: float) -> float:
    """NAB's scaled sigmoid 2/(1+e^(5y)) - 1, which is exactly -1 when y > 3."""
    if y > 3.0:
        return -1.0
    return 2.0 / (1.0 + math.exp(5.0 * y)) - 1.0


MAX_TP = scaled_sigmoid(-1.0)  # the score of a detection on the first row of a window


@dataclass(frozen=True)
class Window:
    """An anomaly window as row indices of its file, both ends included."""
    start: int
    end: int

    @property
    def width(self) -> int:
        return self.end - self.start + 1


def probationary_length(n_rows: int) -> float:
    """Rows with an index below this are never scored: min(floor(15% of rows), 15% of 5000)."""
    return min(math.floor(PROBATION_FRACTION * n_rows), PROBATION_FRACTION * PROBATION_CAP_ROWS)


def window_of_rows(n_rows: int, windows: Sequence[Window]) -> list[Optional[int]]:
    """For each row, the index of the window that holds it, or None."""
    owner: list[Optional[int]] = [None] * n_rows
    for index, window in enumerate(windows):
        for row in range(window.start, window.end + 1):
            owner[row] = index
    return owner


def _true_positive_weight(row: int, window: Window, profile: Profile) -> float:
    """Inside a window: A_TP * sigma(y) / maxTP, y = -1 at the left edge, -1/width at the right."""
    position = -(window.end - row + 1) / float(window.width)
    return scaled_sigmoid(position) * profile.a_tp / MAX_TP


def _false_positive_weight(row: int, previous: Optional[Window], profile: Profile) -> float:
    """Outside windows: -A_FP before the first window, else A_FP * sigma(distance past it)."""
    if previous is None:
        return -1.0 * profile.a_fp
    position = abs(previous.end - row) / float(previous.width - 1)
    return scaled_sigmoid(position) * profile.a_fp


def row_weights(n_rows: int, windows: Sequence[Window], profile: Profile) -> list[float]:
    """S(i) for every row of a file: what a detection on that row would be worth."""
    weights = []
    previous: Optional[Window] = None
    for row, owner in enumerate(window_of_rows(n_rows, windows)):
        if owner is None:
            weights.append(_false_positive_weight(row, previous, profile))
            continue
        window = windows[owner]
        weights.append(_true_positive_weight(row, window, profile))
        if row == window.end:
            previous = window
    return weights


# --- One file at one threshold -------------------------------------------------------------------

@dataclass
class DetectorFile:
    """One data file as the scorer sees it: its anomaly windows and a detector's row scores."""
    name: str
    scores: list[float]
    windows: list[Window]

    @property
    def n_rows(self) -> int:
        return len(self.scores)


@dataclass(frozen=True)
class FileScore:
    """A file's raw NAB score at a threshold, with NAB's informational row counts.

    tp/fp/fn/tn count rows after the probationary period; total counts every row."""
    name: str
    windows: int
    threshold: float
    score: float
    tp: int
    tn: int
    fp: int
    fn: int
    total: int


@dataclass
class _Evaluation:
    """The detections of one file at one threshold, before they are summed."""
    window_values: list[float]  # per window: its best detection, or -A_FN if missed
    false_positives: list[tuple[int, float]]  # (row, weight) of each detected row outside windows
    counts: dict[str, int]


def _evaluate(file: DetectorFile, profile: Profile, threshold: float) -> _Evaluation:
    """Apply the per-file rules: the best detection per window, every false positive counted."""
    owners = window_of_rows(file.n_rows, file.windows)
    weights = row_weights(file.n_rows, file.windows, profile)
    probation = probationary_length(file.n_rows)
    evaluation = _Evaluation([-profile.a_fn] * len(file.windows), [],
                             {"tp": 0, "tn": 0, "fp": 0, "fn": 0})
    for row, (score, owner, weight) in enumerate(zip(file.scores, owners, weights)):
        if row < probation:
            continue
        detected = score >= threshold
        if owner is None:
            evaluation.counts["fp" if detected else "tn"] += 1
            if detected:
                evaluation.false_positives.append((row, weight))
        else:
            evaluation.counts["tp" if detected else "fn"] += 1
            if detected:
                evaluation.window_values[owner] = max(evaluation.window_values[owner], weight)
    return evaluation


def score_file(file: DetectorFile, profile: Profile, threshold: float) -> FileScore:
    """Raw NAB score of one file: sum of false-positive weights plus each window's value."""
    evaluation = _evaluate(file, profile, threshold)
    fp_sum = 0.0
    for _, weight in evaluation.false_positives:
        fp_sum += weight
    return FileScore(file.name, len(file.windows), threshold,
                     fp_sum + sum(evaluation.window_values),
                     total=file.n_rows, **evaluation.counts)


def row_contributions(file: DetectorFile, profile: Profile, threshold: float) -> list[float]:
    """Each row's share of the file score, laid out like the `S(t)_<profile>` columns of NAB's
    published per-row results: a window's value (best detection, or -A_FN) on the window's first
    row, each false positive's weight on its row, and 0 everywhere else. Sums to the file score."""
    evaluation = _evaluate(file, profile, threshold)
    contributions = [0.0] * file.n_rows
    for window, value in zip(file.windows, evaluation.window_values):
        contributions[window.start] = value
    for row, weight in evaluation.false_positives:
        contributions[row] = weight
    return contributions


def score_files(files: Sequence[DetectorFile], profile: Profile,
                threshold: float) -> list[FileScore]:
    """Score every file at one threshold."""
    return [score_file(file, profile, threshold) for file in files]


# --- Threshold sweep and optimisation ----------------------------------------------------------

@dataclass(frozen=True)
class ThresholdScore:
    """The raw score of a set of files when every row scoring >= threshold is a detection."""
    threshold: float
    score: float
    tp: int
    tn: int
    fp: int
    fn: int


def _scorable_rows(files: Sequence[DetectorFile],
                   profile: Profile) -> list[tuple[float, float, Optional[tuple[int, int]]]]:
    """(anomaly score, weight, (file, window) or None) of every row after the probationary period,
    files in order, rows in order."""
    rows = []
    for file_index, file in enumerate(files):
        owners = window_of_rows(file.n_rows, file.windows)
        weights = row_weights(file.n_rows, file.windows, profile)
        probation = probationary_length(file.n_rows)
        for row, (score, owner, weight) in enumerate(zip(file.scores, owners, weights)):
            if row >= probation:
                rows.append((score, weight, None if owner is None else (file_index, owner)))
    return rows


def sweep_thresholds(files: Sequence[DetectorFile], profile: Profile) -> list[ThresholdScore]:
    """The raw score at every candidate threshold, highest threshold first, as NAB sweeps.

    Candidates are 1.1 (nothing detected), then each distinct anomaly score of a scorable row,
    from high to low. Rows are visited by decreasing score (a stable sort, so rows with equal
    scores keep file and row order); the score at a threshold is recorded just before the first
    row with a lower score is added, so it covers every row scoring >= that threshold. The total
    is re-summed from its parts (false positives, then each window) as NAB does, so that exact
    ties, which decide the optimum, come out the same."""
    rows = sorted(_scorable_rows(files, profile), key=lambda row: row[0], reverse=True)
    parts: dict[object, float] = {"fp": 0.0}
    for _, _, window in rows:
        if window is not None:
            parts[window] = -profile.a_fn
    fn = sum(1 for _, _, window in rows if window is not None)
    tp, fp, tn = 0, 0, len(rows) - fn
    results = []
    current = SWEEP_START
    for score, weight, window in rows:
        if score != current:
            results.append(ThresholdScore(current, sum(parts.values()), tp, tn, fp, fn))
            current = score
        if window is None:
            fp, tn = fp + 1, tn - 1
            parts["fp"] += weight
        else:
            tp, fn = tp + 1, fn - 1
            parts[window] = max(parts[window], weight)
    results.append(ThresholdScore(current, sum(parts.values()), tp, tn, fp, fn))
    return results


def optimize_threshold(files: Sequence[DetectorFile], profile: Profile) -> ThresholdScore:
    """The threshold with the highest raw score over `files`; on a tie the highest threshold wins
    (NAB takes the first of a stable sort by score)."""
    return max(sweep_thresholds(files, profile), key=lambda candidate: candidate.score)


# --- Normalisation -----------------------------------------------------------------------------

def null_raw_score(n_windows: int, profile: Profile) -> float:
    """The null detector detects nothing, so it misses every window."""
    return -profile.a_fn * n_windows


def perfect_raw_score(n_windows: int, profile: Profile) -> float:
    """Every window detected on its first row, no false positive."""
    return profile.a_tp * n_windows


def normalized_score(raw: float, n_windows: int, profile: Profile) -> float:
    """100 * (raw - null) / (perfect - null): 100 is perfect, 0 is the null detector."""
    null = null_raw_score(n_windows, profile)
    return 100.0 * (raw - null) / (perfect_raw_score(n_windows, profile) - null)


# --- Loading data and results ------------------------------------------------------------------

def parse_timestamp(text: str) -> datetime:
    """An ISO-8601 timestamp ('2014-02-14 14:30:00', '...T14:30:00Z', '....000000') as naive UTC."""
    text = text.strip()
    if text[-1:] in ("Z", "z"):
        text = text[:-1] + "+00:00"
    value = datetime.fromisoformat(text)
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    return value


def _read_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    """Header and rows of a CSV file."""
    with open(path, newline="", encoding="utf-8") as source:
        reader = csv.reader(source)
        header = [name.strip() for name in next(reader, [])]
        return header, [row for row in reader if row]


def _column(path: Path, header: list[str], name: str) -> int:
    if name not in header:
        raise ValueError(f"{path}: no column {name!r} (columns: {', '.join(header)})")
    return header.index(name)


def read_timestamps(path: Path) -> list[datetime]:
    """The `timestamp` column of a CSV file."""
    header, rows = _read_csv(path)
    column = _column(path, header, "timestamp")
    return [parse_timestamp(row[column]) for row in rows]


def read_scores(path: Path, column_name: str) -> tuple[list[datetime], list[float]]:
    """Timestamps and one numeric column of a detector's results CSV; scores must be finite."""
    header, rows = _read_csv(path)
    time_column = _column(path, header, "timestamp")
    score_column = _column(path, header, column_name)
    timestamps, scores = [], []
    for line, row in enumerate(rows, start=2):
        try:
            timestamps.append(parse_timestamp(row[time_column]))
            score = float(row[score_column])
        except (IndexError, ValueError) as error:
            raise ValueError(f"{path}:{line}: bad row {row!r}: {error}") from None
        if not math.isfinite(score):
            raise ValueError(f"{path}:{line}: {column_name} is not a finite number: {score}")
        scores.append(score)
    return timestamps, scores


def has_column(path: Path, name: str) -> bool:
    """Whether a CSV file's header names this column."""
    with open(path, newline="", encoding="utf-8") as source:
        return name in [column.strip() for column in next(csv.reader(source), [])]


def load_window_limits(path: Path) -> dict[str, list[tuple[datetime, datetime]]]:
    """NAB's windows JSON as {file name: [(start, end), ...]}; the corpus folder is dropped from
    the keys ('realAWSCloudwatch/x.csv' -> 'x.csv') and the '.000000' fractions parse away."""
    with open(path, encoding="utf-8") as source:
        raw = json.load(source)
    return {key.rsplit("/", 1)[-1]: [(parse_timestamp(start), parse_timestamp(end))
                                      for start, end in limits]
            for key, limits in raw.items()}


def locate_windows(name: str, timestamps: Sequence[datetime],
                   limits: Sequence[tuple[datetime, datetime]]) -> list[Window]:
    """Turn window limits into row indices (first row with each timestamp, as NAB does)."""
    first_row: dict[datetime, int] = {}
    for row, stamp in enumerate(timestamps):
        first_row.setdefault(stamp, row)
    windows = []
    for start, end in limits:
        if start not in first_row or end not in first_row:
            raise ValueError(f"{name}: window [{start}, {end}] does not match rows of the file")
        window = Window(first_row[start], first_row[end])
        if window.width < 2 or (windows and window.start <= windows[-1].end):
            raise ValueError(f"{name}: windows must be ordered, disjoint and at least 2 rows wide")
        windows.append(window)
    return windows


def corpus_file_names(data_dir: Path) -> list[str]:
    """The data files that have an entry in the windows JSON, sorted."""
    return sorted(load_window_limits(data_dir / WINDOWS_FILE))


def count_windows(data_dir: Path) -> int:
    """Number of anomaly windows in the corpus (30 for realAWSCloudwatch)."""
    return sum(len(limits) for limits in load_window_limits(data_dir / WINDOWS_FILE).values())


def load_detector_files(results_dir: Path, data_dir: Path, column: str = "anomaly_score",
                        prefix: str = "") -> list[DetectorFile]:
    """One DetectorFile per corpus file, from `results_dir/<prefix><file>`.

    The results must have exactly the rows of the data file, in the same order."""
    limits = load_window_limits(data_dir / WINDOWS_FILE)
    files = []
    for name in sorted(limits):
        path = results_dir / (prefix + name)
        if not path.exists():
            raise FileNotFoundError(f"missing results file {path}")
        timestamps, scores = read_scores(path, column)
        _check_rows_match(path, timestamps, read_timestamps(data_dir / name))
        files.append(DetectorFile(name, scores, locate_windows(name, timestamps, limits[name])))
    return files


def _check_rows_match(path: Path, results: Sequence[datetime], data: Sequence[datetime]) -> None:
    if len(results) != len(data):
        raise ValueError(f"{path}: {len(results)} rows, but the data file has {len(data)}")
    for line, (got, expected) in enumerate(zip(results, data), start=2):
        if got != expected:
            raise ValueError(f"{path}:{line}: timestamp {got} differs from the data file's "
                             f"{expected}")


# --- Published detectors -----------------------------------------------------------------------

@dataclass(frozen=True)
class PublishedScore:
    """A published detector's score on a subset of the corpus, at NAB's corpus-wide threshold."""
    detector: str
    profile: str
    threshold: float
    raw: float
    normalized: float


def published_detectors(reference_dir: Path) -> list[str]:
    """Detectors with a `<detector>_standard_scores.csv` in NAB's results, sorted by name."""
    suffix = "_standard_scores.csv"
    return sorted(path.name[:-len(suffix)] for path in reference_dir.glob("*" + suffix))


def read_published_file_scores(reference_dir: Path, detector: str,
                               profile: str) -> dict[str, dict[str, str]]:
    """NAB's `<detector>_<profile>_scores.csv` as {'folder/file.csv': row}, Totals row dropped."""
    path = reference_dir / f"{detector}_{profile}_scores.csv"
    with open(path, newline="", encoding="utf-8") as source:
        return {row["File"]: row for row in csv.DictReader(source) if row["Detector"] != "Totals"}


def published_subset_score(reference_dir: Path, detector: str, profile: Profile,
                           file_names: Sequence[str], n_windows: int) -> PublishedScore:
    """Sum of the detector's published per-file raw scores over `file_names`, normalised with
    `n_windows` windows. The threshold is the one NAB optimised on all 58 files."""
    rows = read_published_file_scores(reference_dir, detector, profile.name)
    keys = [f"{CORPUS_DIR}/{name}" for name in file_names]
    missing = [key for key in keys if key not in rows]
    if missing:
        raise ValueError(f"{detector} {profile.name}: no published score for {missing}")
    raw = 0.0
    for key in keys:
        raw += float(rows[key]["Score"])
    return PublishedScore(detector, profile.name, float(rows[keys[0]]["Threshold"]), raw,
                          normalized_score(raw, n_windows, profile))


def published_table(reference_dir: Path, profiles: Sequence[Profile], file_names: Sequence[str],
                    n_windows: int) -> dict[str, dict[str, PublishedScore]]:
    """{detector: {profile: PublishedScore}} for every published detector."""
    return {detector: {profile.name: published_subset_score(reference_dir, detector, profile,
                                                            file_names, n_windows)
                       for profile in profiles}
            for detector in published_detectors(reference_dir)}


# --- Scoring a detector's results --------------------------------------------------------------

@dataclass(frozen=True)
class RunScore:
    """A detector scored on the corpus under one profile, in one decision mode."""
    mode: str  # "optimized", "fixed" or "own decisions"
    profile: str
    threshold: float
    raw: float
    normalized: float
    files: tuple[FileScore, ...]


def score_run(files: Sequence[DetectorFile], profile: Profile, n_windows: int,
              threshold: Optional[float], mode: str) -> RunScore:
    """Score all files at `threshold`, or at the threshold optimised on them when it is None."""
    if threshold is None:
        threshold = optimize_threshold(files, profile).threshold
    file_scores = tuple(score_files(files, profile, threshold))
    raw = 0.0
    for file_score in file_scores:
        raw += file_score.score
    return RunScore(mode, profile.name, threshold, raw, normalized_score(raw, n_windows, profile),
                    file_scores)


# --- Reports -----------------------------------------------------------------------------------

def format_threshold(threshold: float) -> str:
    """A threshold with all its significant digits (0.999999988177 must not print as 1)."""
    return repr(threshold)


def _mode_label(name: str, run: RunScore) -> str:
    if run.mode == "optimized":
        return f"{name} (threshold optimised on these 17 files)"
    if run.mode == "own decisions":
        return f"{name} (own decisions)"
    return f"{name} (threshold {format_threshold(run.threshold)})"


def format_file_table(profile: Profile, runs: Sequence[RunScore], n_windows: int) -> str:
    """Per-file raw scores of one profile, one column group per decision mode."""
    lines = [f"## {profile.name} (A_TP={profile.a_tp:g}, A_FP={profile.a_fp:g}, "
             f"A_FN={profile.a_fn:g})"]
    head = f"{'file':<42}{'win':>4}"
    for run in runs:
        title = f"{run.mode} @ {format_threshold(run.threshold)}"
        head += f"  {title:>30}"
    lines.append(head)
    lines.append(f"{'':<46}" + "".join(f"  {'score':>10}{'TP':>6}{'FP':>7}{'FN':>7}" for _ in runs))
    for index, first in enumerate(runs[0].files):
        row = f"{first.name:<42}{first.windows:>4}"
        for run in runs:
            score = run.files[index]
            row += f"  {score.score:>10.4f}{score.tp:>6}{score.fp:>7}{score.fn:>7}"
        lines.append(row)
    lines.append(f"{'raw total':<42}{n_windows:>4}" +
                 "".join(f"  {run.raw:>10.4f}{'':>20}" for run in runs))
    lines.append(f"{'normalized':<46}" +
                 "".join(f"  {run.normalized:>10.2f}{'':>20}" for run in runs))
    return "\n".join(lines)


def format_markdown_table(name: str, runs: dict[str, list[RunScore]],
                          published: dict[str, dict[str, PublishedScore]],
                          profiles: Sequence[Profile], n_files: int, n_windows: int) -> str:
    """The comparison table: the detector's rows first, then the published detectors by
    decreasing score under the first profile (Standard by default)."""
    columns = [PROFILE_TITLES.get(profile.name, profile.name) for profile in profiles]
    lines = [f"| detector | {' | '.join(columns)} |",
             "|---|" + "---:|" * len(columns)]
    for mode_runs in runs.values():
        cells = [f"{run.normalized:.2f}" for run in mode_runs]
        lines.append(f"| {_mode_label(name, mode_runs[0])} | {' | '.join(cells)} |")
    first = profiles[0].name
    for detector in sorted(published, key=lambda d: (-published[d][first].normalized, d)):
        cells = [f"{published[detector][profile.name].normalized:.2f}" for profile in profiles]
        lines.append(f"| {detector} | {' | '.join(cells)} |")
    lines.append("")
    lines.append(f"Normalized NAB scores on the {n_files} realAWSCloudwatch files ({n_windows} "
                 "windows): 100 = every window detected on its first row and no false positive, "
                 "0 = nothing detected (null detector).")
    if published:
        lines.append(f"Published detectors: {PUBLISHED_NOTE}. A threshold optimised on these "
                     f"{n_files} files alone has an advantage over them; own decisions have none.")
    for mode_runs in runs.values():
        if mode_runs[0].mode == "optimized":
            thresholds = ", ".join(f"{PROFILE_TITLES.get(run.profile, run.profile)} "
                                   f"{format_threshold(run.threshold)}" for run in mode_runs)
            lines.append(f"{name} optimised thresholds: {thresholds}.")
    return "\n".join(lines) + "\n"


# --- Command line ------------------------------------------------------------------------------

def default_data_dir() -> Path:
    """$COSTWISE_SHARED_DATA_DIR/nab-aws, else ../shared/data/nab-aws beside the repository."""
    shared = os.environ.get("COSTWISE_SHARED_DATA_DIR")
    if shared:
        return Path(shared) / "nab-aws"
    repo = Path(__file__).resolve().parents[2]
    return repo.parent / "shared" / "data" / "nab-aws"


def parse_args(argv: Optional[Sequence[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Score anomaly detector results on NAB's realAWSCloudwatch files with the "
                    "NAB rules, and compare with the published NAB detectors.")
    parser.add_argument("--results", type=Path,
                        help="directory with one CSV per data file (same file name) holding at "
                             "least timestamp and the score column; without it only the "
                             "published detectors are shown")
    parser.add_argument("--data", type=Path, default=default_data_dir(),
                        help="the nab-aws data directory (default: %(default)s)")
    parser.add_argument("--profiles", default="all",
                        help="'all' or a comma-separated list of " + ", ".join(PROFILES))
    decision = parser.add_mutually_exclusive_group()
    decision.add_argument("--threshold", type=float,
                          help="use this threshold instead of optimising one")
    decision.add_argument("--optimize", action="store_true",
                          help="optimise the threshold on these files (the default)")
    parser.add_argument("--column", default="anomaly_score", help="score column to threshold")
    parser.add_argument("--decision-column", default="is_anomaly",
                        help="0/1 column scored as the detector's own decisions when present")
    parser.add_argument("--prefix", default="",
                        help="results file name prefix (e.g. windowedGaussian_ for NAB's files)")
    parser.add_argument("--name", default="costwise", help="detector name in the table")
    parser.add_argument("--no-published", action="store_true",
                        help="leave the published detectors out of the table")
    parser.add_argument("--json", type=Path, help="write every score to this JSON file")
    parser.add_argument("--markdown", type=Path, help="write the comparison table to this file")
    return parser.parse_args(argv)


def score_results(args: argparse.Namespace, profiles: Sequence[Profile],
                  n_windows: int) -> dict[str, list[RunScore]]:
    """{mode: [RunScore per profile]} for the threshold mode and, if present, own decisions."""
    files = load_detector_files(args.results, args.data, args.column, args.prefix)
    mode = "optimized" if args.threshold is None else "fixed"
    runs = {mode: [score_run(files, profile, n_windows, args.threshold, mode)
                   for profile in profiles]}
    first_results = args.results / (args.prefix + files[0].name)
    if has_column(first_results, args.decision_column):
        decisions = load_detector_files(args.results, args.data, args.decision_column,
                                        args.prefix)
        runs["own decisions"] = [score_run(decisions, profile, n_windows,
                                           OWN_DECISION_THRESHOLD, "own decisions")
                                 for profile in profiles]
    return runs


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    try:
        profiles = select_profiles(args.profiles)
        file_names = corpus_file_names(args.data)
        n_windows = count_windows(args.data)
        runs = score_results(args, profiles, n_windows) if args.results else {}
        published = ({} if args.no_published else
                     published_table(args.data / REFERENCE_DIR, profiles, file_names, n_windows))
    except (OSError, ValueError, KeyError) as error:
        print(f"nab_score: {error}", file=sys.stderr)
        return 2

    if runs:
        print(f"NAB scores of {args.results} on {len(file_names)} realAWSCloudwatch files "
              f"({n_windows} windows)\n")
        for index, profile in enumerate(profiles):
            print(format_file_table(profile, [mode_runs[index] for mode_runs in runs.values()],
                                    n_windows))
            print()
    table = format_markdown_table(args.name, runs, published, profiles, len(file_names),
                                  n_windows)
    print(table, end="")
    if args.markdown:
        args.markdown.write_text(table, encoding="utf-8")
    if args.json:
        report = {
            "files": file_names,
            "windows": n_windows,
            "detector": args.name,
            "runs": {mode: [asdict(run) for run in mode_runs]
                     for mode, mode_runs in runs.items()},
            "published": {detector: {name: asdict(score) for name, score in scores.items()}
                          for detector, scores in published.items()},
            "published_note": PUBLISHED_NOTE,
        }
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
