#!/usr/bin/python3
"""M4 Hourly evaluation: the 414 series as one input file, the M4 benchmarks, and the M4 scores.

Written from the M4 Competition's published definitions (Makridakis, Spiliotis & Assimakopoulos,
2020, and the competition's guide), with Python's standard library and numpy. See
bench/m4/README.md.

The pieces:

- `load_m4`: Hourly-train.csv / Hourly-test.csv (no timestamps: ids and values).
- `write_input`: the series as one `series_id,ds,y` CSV with synthetic hourly timestamps.
- `seasonality_test`, `decompose_multiplicative`: M4's 90% autocorrelation test at lag 24 and the
  classical multiplicative decomposition, for the seasonal adjustment.
- `point_benchmarks`: Naive, sNaive, Naive2 and Naive's intervals, from their definitions.
- `r_benchmarks`: SES, Holt, Damped and Theta from R's forecast package (bench/m4/r_benchmarks.R
  via Rscript) on the series adjusted here, re-seasonalised here; Comb is their mean. Skipped,
  with a message, when Rscript or the package is missing.
- `smape`, `mase`, `msis`, `score`: the M4 measures; OWA relative to Naive2's aggregated means.
- `read_forecast`: a forecast CSV in costwise's `forecast series` output format.

Command line (`m4_eval.py --help`):

    m4_eval.py input OUT.csv                 # write the 414 series (series_id,ds,y)
    m4_eval.py benchmarks                    # the benchmarks, against the official table
    m4_eval.py score FORECAST.csv [...]      # score forecast files, print the results table
"""
from __future__ import annotations

import argparse
import csv
import json
import math
import os
import shlex
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from statistics import NormalDist
from typing import Optional, Sequence

import numpy as np

FREQUENCY = 24  # M4's frequency for Hourly data: the seasonal period and MASE's lag
HORIZON = 48
SERIES_COUNT = 414
START = datetime(2000, 1, 3)  # synthetic start of every series: Monday 2000-01-03 00:00:00
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S"
MSIS_ALPHA = 0.05  # MSIS and ACD are for the 95% interval
TCRIT = 1.645  # the seasonality test's 90% one-sided critical value
DEFINITION_NAMES = ("Naive", "sNaive", "Naive2")  # computed here from their definitions
R_NAMES = ("SES", "Holt", "Damped", "Theta")  # from R's forecast package (r_benchmarks.R)
BENCHMARK_NAMES = DEFINITION_NAMES + R_NAMES + ("Comb",)  # Comb: mean of SES, Holt and Damped
R_SCRIPT = Path(__file__).resolve().with_name("r_benchmarks.R")
OFFICIAL_NAMES = {"Comb": "Com"}  # our name -> method_id in the official CSV
OFFICIAL_BENCHMARKS = ("Naive", "sNaive", "Naive2", "SES", "Holt", "Damped", "Theta", "Com",
                       "MLP", "RNN")


def default_data_dir() -> Path:
    """$COSTWISE_SHARED_DATA_DIR/m4-hourly, by default ../shared/data beside the repository."""
    root = Path(__file__).resolve().parents[2]
    shared = Path(os.environ.get("COSTWISE_SHARED_DATA_DIR", root.parent / "shared" / "data"))
    return shared / "m4-hourly"


# --- Data -------------------------------------------------------------------------------------

@dataclass
class M4Data:
    """The Hourly set: ids, in-sample series and the 48 out-of-sample values of each."""
    ids: list[str]
    train: list[np.ndarray]
    test: list[np.ndarray]

    def index(self) -> dict[str, int]:
        return {sid: i for i, sid in enumerate(self.ids)}


def _read_wide(path: Path) -> dict[str, np.ndarray]:
    """An M4 CSV (`"V1","V2",...`; V1 the id, then the values, right-padded with empty fields)."""
    out = {}
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        next(reader)
        for row in reader:
            values = [float(v) for v in row[1:] if v.strip() != ""]
            out[row[0]] = np.array(values, dtype=np.float64)
    return out


def load_m4(data_dir: Path) -> M4Data:
    """Reads Hourly-train.csv and Hourly-test.csv from `data_dir`, in the train file's order."""
    train = _read_wide(data_dir / "Hourly-train.csv")
    test = _read_wide(data_dir / "Hourly-test.csv")
    if train.keys() != test.keys():
        raise ValueError("Hourly-train.csv and Hourly-test.csv hold different series")
    ids = list(train)
    for sid in ids:
        if len(test[sid]) != HORIZON:
            raise ValueError(f"{sid}: {len(test[sid])} test values, expected {HORIZON}")
    return M4Data(ids, [train[s] for s in ids], [test[s] for s in ids])


def timestamps(start: datetime, count: int, offset: int = 0) -> list[str]:
    """`count` hourly timestamps from start + offset hours."""
    return [(start + timedelta(hours=offset + k)).strftime(TIMESTAMP_FORMAT) for k in range(count)]


def format_value(value: float) -> str:
    """A value as the shortest text that reads back as the same double (M4 values are integers or
    have a few decimals)."""
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def write_input(data: M4Data, path: Path, start: datetime = START) -> None:
    """All in-sample series as one `series_id,ds,y` CSV: rows of a series contiguous and in time
    order, each series starting at `start` with one row per hour."""
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write("series_id,ds,y\n")
        for sid, values in zip(data.ids, data.train):
            for ds, y in zip(timestamps(start, len(values)), values):
                out.write(f"{sid},{ds},{format_value(y)}\n")


# --- Seasonal adjustment (M4's rules) -----------------------------------------------------------

def acf(x: np.ndarray, nlags: int) -> np.ndarray:
    """The sample autocorrelations at lags 1..nlags: sum_t (x_t - mean)(x_{t+k} - mean) over
    sum_t (x_t - mean)^2."""
    xm = x - x.mean()
    denom = float(np.dot(xm, xm))
    n = len(x)
    return np.array([np.dot(xm[:n - k], xm[k:]) / denom for k in range(1, nlags + 1)])


def seasonality_test(x: np.ndarray, m: int = FREQUENCY) -> bool:
    """M4's test: seasonal when n >= 3m and |r_m| > 1.645 sqrt((1 + 2 sum_{k<m} r_k^2) / n)."""
    n = len(x)
    if n < 3 * m:
        return False
    r = acf(x, m)
    limit = TCRIT / math.sqrt(n) * math.sqrt(1.0 + 2.0 * float(np.sum(r[:m - 1] ** 2)))
    return bool(abs(r[m - 1]) > limit)


def decompose_multiplicative(x: np.ndarray, m: int = FREQUENCY) -> np.ndarray:
    """The seasonal indices of the classical multiplicative decomposition, one per observation.
    The trend is the centred moving average of order m (for even m a 2 x m average: weights
    1/(2m), 1/m, ..., 1/m, 1/(2m) over m + 1 points), undefined for the first and last m/2
    values. The index of a position in the cycle (counted from the first observation) is the mean
    of x / trend over the observations at that position, and the indices are scaled to mean 1."""
    n = len(x)
    if m % 2 == 0:
        weights = np.full(m + 1, 1.0 / m)
        weights[0] = weights[-1] = 0.5 / m
    else:
        weights = np.full(m, 1.0 / m)
    half = len(weights) // 2
    trend = np.full(n, np.nan)
    trend[half:n - half] = np.convolve(x, weights, mode="valid")
    ratio = x / trend
    position = np.arange(n) % m
    index = np.array([np.nanmean(ratio[position == k]) for k in range(m)])
    return (index / index.mean())[position]


@dataclass
class Adjusted:
    """A series' seasonal adjustment: the adjusted values and the indices for the horizon."""
    seasonal: bool
    values: np.ndarray
    index_out: np.ndarray


def seasonally_adjust(x: np.ndarray, h: int = HORIZON, m: int = FREQUENCY) -> Adjusted:
    """M4's adjustment: divide by the multiplicative seasonal component when the test says the
    series is seasonal; the horizon's indices repeat the last m in-sample ones."""
    if not seasonality_test(x, m):
        return Adjusted(False, x, np.ones(h))
    seasonal = decompose_multiplicative(x, m)
    last = seasonal[-m:]
    return Adjusted(True, x / seasonal, np.resize(last, h))


# --- The benchmarks ---------------------------------------------------------------------------

@dataclass
class Forecasts:
    """One method's point forecasts (series x horizon) and, optionally, its 95% interval."""
    name: str
    mean: np.ndarray
    lo95: Optional[np.ndarray] = None
    hi95: Optional[np.ndarray] = None
    lo80: Optional[np.ndarray] = None
    hi80: Optional[np.ndarray] = None
    extra: dict = field(default_factory=dict)


def naive(x: np.ndarray, h: int = HORIZON) -> np.ndarray:
    return np.full(h, x[-1])


def seasonal_naive(x: np.ndarray, h: int = HORIZON, m: int = FREQUENCY) -> np.ndarray:
    """sNaive: the last m values, repeated."""
    return np.resize(x[-m:], h)


def naive_interval(x: np.ndarray, level: float, h: int = HORIZON) -> tuple[np.ndarray, np.ndarray]:
    """The random walk's interval h steps ahead: last value +- z sigma sqrt(h), with sigma^2 the
    mean squared one-step difference of the series (the M4 interval benchmark Naive)."""
    z = NormalDist().inv_cdf(0.5 + level / 200.0)
    se = np.sqrt(np.mean(np.diff(x) ** 2) * np.arange(1, h + 1))
    return x[-1] - z * se, x[-1] + z * se


def point_benchmarks(data: M4Data, h: int = HORIZON) -> dict[str, Forecasts]:
    """Naive, sNaive and Naive2 (no optimisation: fast), and Naive's 80% and 95% intervals."""
    out = {name: [] for name in ("Naive", "sNaive", "Naive2")}
    lo95, hi95, lo80, hi80, seasonal = [], [], [], [], []
    for x in data.train:
        adj = seasonally_adjust(x, h)
        seasonal.append(adj.seasonal)
        out["Naive"].append(naive(x, h))
        out["sNaive"].append(seasonal_naive(x, h))
        out["Naive2"].append(naive(adj.values, h) * adj.index_out)
        lo, hi = naive_interval(x, 95, h)
        lo95.append(lo)
        hi95.append(hi)
        lo, hi = naive_interval(x, 80, h)
        lo80.append(lo)
        hi80.append(hi)
    result = {name: Forecasts(name, np.array(v)) for name, v in out.items()}
    naive_fc = result["Naive"]
    naive_fc.lo95, naive_fc.hi95 = np.array(lo95), np.array(hi95)
    naive_fc.lo80, naive_fc.hi80 = np.array(lo80), np.array(hi80)
    result["Naive2"].extra["seasonal_series"] = int(sum(seasonal))
    return result


# --- SES, Holt, Damped, Theta and Comb from R's forecast package -------------------------------

def rscript_command() -> list[str]:
    """How to run Rscript: $M4_RSCRIPT (a command, possibly with arguments), else `Rscript`."""
    return shlex.split(os.environ.get("M4_RSCRIPT", "Rscript"))


def r_forecast_version(timeout: float = 120.0) -> Optional[str]:
    """The version of R's forecast package as r_benchmarks.R sees it, or None when Rscript or the
    package is missing (or the check fails)."""
    try:
        done = subprocess.run(rscript_command() + [str(R_SCRIPT), "--version"],
                              capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.SubprocessError):
        return None
    version = done.stdout.strip()
    return version if done.returncode == 0 and version else None


def write_adjusted(path: Path, ids: Sequence[str], series: Sequence[np.ndarray]) -> None:
    """The seasonally adjusted series as `series_id,y` (r_benchmarks.R's input), full precision."""
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write("series_id,y\n")
        for sid, values in zip(ids, series):
            out.writelines(f"{sid},{float(y)!r}\n" for y in values)


def read_r_forecasts(path: Path, ids: Sequence[str], h: int) -> dict[str, np.ndarray]:
    """r_benchmarks.R's output (`series_id,method,h,yhat`) as one series x horizon array per
    method of R_NAMES; every series and step must be there."""
    index = {sid: i for i, sid in enumerate(ids)}
    out = {name: np.full((len(ids), h), np.nan) for name in R_NAMES}
    with open(path, newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            out[row["method"]][index[row["series_id"]], int(row["h"]) - 1] = float(row["yhat"])
    for name, values in out.items():
        if np.isnan(values).any():
            raise ValueError(f"{path}: {name} lacks forecasts for "
                             f"{int(np.isnan(values).any(axis=1).sum())} series")
    return out


def r_benchmarks(data: M4Data, version: str, h: int = HORIZON, log=None) -> dict[str, Forecasts]:
    """SES, Holt, Damped and Theta: the series are seasonally adjusted here (M4's test and the
    classical multiplicative decomposition, as for Naive2), r_benchmarks.R forecasts the adjusted
    series with forecast's ses(), holt(), holt(damped = TRUE) and thetaf(), and the forecasts are
    multiplied back by the indices here. Comb is the mean of SES, Holt and Damped."""
    adjusted = [seasonally_adjust(x, h) for x in data.train]
    index_out = np.array([a.index_out for a in adjusted])
    with tempfile.TemporaryDirectory(prefix="m4-r-") as tmp:
        source, target = Path(tmp) / "adjusted.csv", Path(tmp) / "forecasts.csv"
        write_adjusted(source, data.ids, [a.values for a in adjusted])
        command = rscript_command() + [str(R_SCRIPT), str(source), str(h), str(target)]
        if log:
            log(f"R forecast {version}: ses, holt, damped holt and thetaf on {len(data.ids)} "
                "seasonally adjusted series")
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode != 0:
            raise ValueError(f"{' '.join(command)} failed ({done.returncode}): "
                             f"{done.stderr.strip()[-2000:]}")
        raw = read_r_forecasts(target, data.ids, h)
    label = f"R forecast {version}"
    result = {name: Forecasts(name, raw[name] * index_out, extra={"source": label})
              for name in R_NAMES}
    result["Comb"] = Forecasts("Comb", (result["SES"].mean + result["Holt"].mean
                                        + result["Damped"].mean) / 3.0, extra={"source": label})
    return result


def all_benchmarks(data: M4Data, h: int = HORIZON, log=None,
                   r_version: Optional[str] = None) -> dict[str, Forecasts]:
    """Naive, sNaive and Naive2 (with Naive's intervals), and, when `r_version` (from
    r_forecast_version()) is given, SES, Holt, Damped, Theta and Comb from R."""
    result = point_benchmarks(data, h)
    for fc in result.values():
        fc.extra["source"] = "definition"
    if r_version is not None:
        result.update(r_benchmarks(data, r_version, h, log))
    return {name: result[name] for name in BENCHMARK_NAMES if name in result}


# --- Measures ---------------------------------------------------------------------------------

def smape(actual: np.ndarray, forecast: np.ndarray) -> np.ndarray:
    """200 |y - f| / (|y| + |f|) per point, in percent."""
    return 200.0 * np.abs(actual - forecast) / (np.abs(actual) + np.abs(forecast))


def seasonal_scale(x: np.ndarray, m: int = FREQUENCY) -> float:
    """The in-sample mean absolute seasonal difference, mean_{t>m} |y_t - y_{t-m}|."""
    return float(np.mean(np.abs(x[m:] - x[:-m])))


def mase(insample: np.ndarray, actual: np.ndarray, forecast: np.ndarray,
         m: int = FREQUENCY) -> np.ndarray:
    """|y - f| / seasonal scale, per point."""
    return np.abs(actual - forecast) / seasonal_scale(insample, m)


def msis(insample: np.ndarray, actual: np.ndarray, lower: np.ndarray, upper: np.ndarray,
         a: float = MSIS_ALPHA, m: int = FREQUENCY) -> np.ndarray:
    """M4's scaled interval score per point: (U - L) + 2/a (L - y) 1{y < L} + 2/a (y - U) 1{y > U},
    over the seasonal scale."""
    below = (lower - actual) * (actual < lower)
    above = (actual - upper) * (actual > upper)
    penalty = (2.0 / a) * (below + above)
    return ((upper - lower) + penalty) / seasonal_scale(insample, m)


def owa(smape_mean: float, mase_mean: float, naive2_smape: float, naive2_mase: float,
        digits: Optional[int] = None) -> float:
    """OWA = (sMAPE / sMAPE_Naive2 + MASE / MASE_Naive2) / 2 from the aggregated means. The
    official table computes it from the means rounded to 3 decimals (digits=3); unrounded, the
    Hourly OWAs differ from the published ones in the 4th to 5th significant digit."""
    if digits is not None:
        smape_mean, mase_mean = round(smape_mean, digits), round(mase_mean, digits)
        naive2_smape, naive2_mase = round(naive2_smape, digits), round(naive2_mase, digits)
    return 0.5 * (smape_mean / naive2_smape + mase_mean / naive2_mase)


@dataclass
class Score:
    """Aggregated M4 measures of one method (means over all series and horizons). `owa` is from
    the unrounded means, `owa_m4` from the means rounded to 3 decimals, as the official table."""
    name: str
    smape: float
    mase: float
    owa: Optional[float] = None
    owa_m4: Optional[float] = None
    msis: Optional[float] = None
    acd: Optional[float] = None
    coverage95: Optional[float] = None
    coverage80: Optional[float] = None
    source: str = ""  # for the benchmarks: "definition" or "R forecast <version>"
    per_series: dict = field(default_factory=dict)

    def row(self) -> dict:
        return {k: getattr(self, k) for k in ("name", "smape", "mase", "owa", "owa_m4", "msis",
                                               "acd", "coverage95", "coverage80", "source")}


def score(data: M4Data, fc: Forecasts, naive2: Optional["Score"] = None) -> Score:
    """sMAPE and MASE (means over series and horizons); OWA against `naive2`'s aggregated means;
    with a 95% interval, MSIS (a = 0.05) and ACD = |coverage - 0.95| (coverage over all points)."""
    actual = np.array(data.test)
    s = smape(actual, fc.mean)
    q = np.array([mase(x, y, f) for x, y, f in zip(data.train, data.test, fc.mean)])
    result = Score(fc.name, float(s.mean()), float(q.mean()), source=fc.extra.get("source", ""))
    result.per_series = {"smape": s.mean(axis=1).tolist(), "mase": q.mean(axis=1).tolist()}
    if naive2 is not None:
        result.owa = owa(result.smape, result.mase, naive2.smape, naive2.mase)
        result.owa_m4 = owa(result.smape, result.mase, naive2.smape, naive2.mase, digits=3)
    if fc.lo95 is not None and fc.hi95 is not None:
        inside = (actual >= fc.lo95) & (actual <= fc.hi95)
        interval = np.array([msis(x, y, lo, hi) for x, y, lo, hi
                             in zip(data.train, data.test, fc.lo95, fc.hi95)])
        result.msis = float(interval.mean())
        result.coverage95 = float(inside.mean())
        result.acd = abs(result.coverage95 - 0.95)
        result.per_series["msis"] = interval.mean(axis=1).tolist()
        result.per_series["coverage95"] = inside.mean(axis=1).tolist()
    if fc.lo80 is not None and fc.hi80 is not None:
        inside = (actual >= fc.lo80) & (actual <= fc.hi80)
        result.coverage80 = float(inside.mean())
    return result


def naive2_score(data: M4Data) -> Score:
    """Naive2's score, the reference of OWA (its own OWA is 1 by construction)."""
    naive2 = point_benchmarks(data)["Naive2"]
    result = score(data, naive2)
    result.owa = result.owa_m4 = 1.0
    return result


# --- Forecast files (costwise forecast series output) -------------------------------------------

def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.strip().replace("T", " ").rstrip("Z"))


def read_forecast(path: Path, data: M4Data, name: str = "costwise",
                  start: datetime = START) -> Forecasts:
    """A `series_id,ds,yhat,lo80,hi80,lo95,hi95` file (interval columns optional) as Forecasts.
    Every series must have exactly HORIZON rows whose ds continue its synthetic hourly
    timestamps; anything else is an error (the file is checked against the contract)."""
    index = data.index()
    rows: dict[str, list[dict]] = {}
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = {"series_id", "ds", "yhat"} - set(reader.fieldnames or [])
        if missing:
            raise ValueError(f"{path}: no column {', '.join(sorted(missing))}")
        columns = [c for c in ("lo80", "hi80", "lo95", "hi95") if c in reader.fieldnames]
        for row in reader:
            rows.setdefault(row["series_id"], []).append(row)
    unknown = set(rows) - set(index)
    if unknown:
        raise ValueError(f"{path}: unknown series {sorted(unknown)[:5]}")
    absent = [sid for sid in data.ids if sid not in rows]
    if absent:
        raise ValueError(f"{path}: {len(absent)} series missing, e.g. {absent[:5]}")
    k = len(data.ids)
    arrays = {c: np.empty((k, HORIZON)) for c in ["yhat"] + columns}
    for sid, series_rows in rows.items():
        i = index[sid]
        if len(series_rows) != HORIZON:
            raise ValueError(f"{path}: {sid} has {len(series_rows)} rows, expected {HORIZON}")
        n = len(data.train[i])
        for h, row in enumerate(series_rows):
            expected = start + timedelta(hours=n + h)
            if parse_time(row["ds"]) != expected:
                raise ValueError(f"{path}: {sid} row {h + 1} has ds {row['ds']}, expected "
                                 f"{expected.strftime(TIMESTAMP_FORMAT)}")
            for c in arrays:
                arrays[c][i, h] = float(row[c])
    fc = Forecasts(name, arrays["yhat"])
    for c in columns:
        setattr(fc, c, arrays[c])
    return fc


def write_forecast(path: Path, data: M4Data, fc: Forecasts, start: datetime = START) -> None:
    """Forecasts in the same CSV format (used for the benchmarks and by the tests)."""
    columns = [c for c in ("lo80", "hi80", "lo95", "hi95") if getattr(fc, c) is not None]
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write(",".join(["series_id", "ds", "yhat"] + columns) + "\n")
        for i, sid in enumerate(data.ids):
            for h, ds in enumerate(timestamps(start, HORIZON, len(data.train[i]))):
                values = [fc.mean[i, h]] + [getattr(fc, c)[i, h] for c in columns]
                out.write(f"{sid},{ds}," + ",".join(repr(float(v)) for v in values) + "\n")


# --- The official tables ----------------------------------------------------------------------

def _number(text: str) -> Optional[float]:
    try:
        return float(text)
    except ValueError:
        return None


def official_points(data_dir: Path) -> list[dict]:
    """M4_results_point_forecasts_by_frequency.csv (Hourly columns), one row per method_id (the
    file repeats the Naive and sNaive rows), joined with the interval table's Hourly MSIS/ACD."""
    intervals = {}
    with open(data_dir / "M4_results_prediction_intervals_by_frequency.csv", newline="",
              encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            intervals[row["method_id"]] = row
    out, seen = [], set()
    with open(data_dir / "M4_results_point_forecasts_by_frequency.csv", newline="",
              encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["method_id"] in seen:
                continue
            seen.add(row["method_id"])
            pi = intervals.get(row["method_id"], {})
            out.append({
                "method_id": row["method_id"], "team": row["team_or_benchmark"],
                "type": row["method_type"], "rank": int(row["rank_point_forecasts_owa"]),
                "benchmark": row["method_id"] in OFFICIAL_BENCHMARKS,
                "smape": _number(row["sMAPE_Hourly"]), "mase": _number(row["MASE_Hourly"]),
                "owa": _number(row["OWA_Hourly"]),
                "msis": _number(pi.get("MSIS_Hourly", "")),
                "acd": _number(pi.get("ACD_Hourly", "")),
            })
    return out


def official_intervals(data_dir: Path) -> dict[str, dict]:
    """The interval table's Hourly MSIS and ACD by method_id (Naive, ETS, ARIMA, submissions)."""
    with open(data_dir / "M4_results_prediction_intervals_by_frequency.csv", newline="",
              encoding="utf-8") as handle:
        return {row["method_id"]: {"msis": _number(row["MSIS_Hourly"]),
                                   "acd": _number(row["ACD_Hourly"])}
                for row in csv.DictReader(handle)}


# --- Reports ----------------------------------------------------------------------------------

def fmt(value: Optional[float], digits: int = 3) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def match_mark(here: float, official: Optional[float], digits: int) -> str:
    """'=' when `here` rounded like the official value equals it, else the difference of the
    rounded values and its share of the official value."""
    if official is None:
        return ""
    diff = round(here, digits) - round(official, digits)
    if diff == 0:
        return "="
    return f"{diff:+.{digits}f} ({diff / official:+.2%})"


def benchmark_report(data_dir: Path, scores: dict[str, Score]) -> tuple[str, list[dict]]:
    """Markdown: each benchmark as computed here beside the official Hourly values. The official
    sMAPE and MASE have 3 decimals and OWA 6 significant digits (computed from the rounded
    means); '=' says ours round to the same value, else the difference is shown. Benchmarks
    missing from `scores` (R not available) are named in a note under the table."""
    official = {r["method_id"]: r for r in official_points(data_dir)}
    pis = official_intervals(data_dir)
    lines = ["| benchmark | source | sMAPE here | official | | MASE here | official | | OWA here "
             "(M4 rounding) | official | | OWA here (unrounded) |",
             "|---|---|---:|---:|---|---:|---:|---|---:|---:|---|---:|"]
    rows = []
    for name in BENCHMARK_NAMES:
        if name not in scores:
            continue
        s = scores[name]
        o = official[OFFICIAL_NAMES.get(name, name)]
        owa_digits = 6 - len(str(int(o["owa"]))) if o["owa"] >= 1 else 6  # 6 significant
        lines.append(
            f"| {name} | {s.source} | {s.smape:.4f} | {o['smape']:.3f} | "
            f"{match_mark(s.smape, o['smape'], 3)} "
            f"| {s.mase:.4f} | {o['mase']:.3f} | {match_mark(s.mase, o['mase'], 3)} "
            f"| {s.owa_m4:.{owa_digits}f} | {o['owa']:.{owa_digits}f} | "
            f"{match_mark(s.owa_m4, o['owa'], owa_digits)} | {s.owa:.6f} |")
        rows.append({"name": name, "here": s.row(), "official": o,
                     "smape_rel_diff": s.smape / o["smape"] - 1,
                     "mase_rel_diff": s.mase / o["mase"] - 1})
    skipped = [name for name in BENCHMARK_NAMES if name not in scores]
    if skipped:
        lines += ["", f"{', '.join(skipped)}: skipped, Rscript or R's forecast package was not "
                  "found (they come from bench/m4/r_benchmarks.R)."]
    naive = scores["Naive"]
    if naive.msis is not None and "Naive" in pis:
        o = pis["Naive"]
        lines += ["", "| 95% interval | MSIS here | official | | ACD here | official | |",
                  "|---|---:|---:|---|---:|---:|---|",
                  f"| Naive (random walk: last value +- 1.96 sqrt(h mean(diff^2))) | "
                  f"{naive.msis:.4f} | {o['msis']:.3f} | {match_mark(naive.msis, o['msis'], 3)} | "
                  f"{naive.acd:.4f} | {o['acd']:.3f} | {match_mark(naive.acd, o['acd'], 3)} |"]
        rows.append({"name": "Naive 95% interval", "msis": naive.msis, "acd": naive.acd,
                     "coverage95": naive.coverage95, "official": o})
    return "\n".join(lines), rows


def comparison_table(data_dir: Path, mine: Sequence[tuple[Score, Optional[float]]],
                     computed: Optional[dict[str, Score]] = None, top: int = 10) -> str:
    """The results table: our methods (with seconds), the official top `top` submissions by
    Hourly OWA, every official benchmark, and the benchmarks as computed here. OWA is the
    official table's (from 3-decimal means); ours is computed the same way."""
    official = official_points(data_dir)
    pis = official_intervals(data_dir)
    lines = ["| method | source | sMAPE | MASE | OWA | MSIS | ACD | seconds |",
             "|---|---|---:|---:|---:|---:|---:|---:|"]
    for s, seconds in mine:
        lines.append(f"| **{s.name}** | scored here | {fmt(s.smape)} | {fmt(s.mase)} | "
                     f"{fmt(s.owa_m4, 5)} | {fmt(s.msis)} | {fmt(s.acd)} | "
                     f"{'' if seconds is None else f'{seconds:.2f}'} |")
    submissions = sorted((r for r in official if not r["benchmark"] and r["owa"] is not None),
                         key=lambda r: r["owa"])[:top]
    for r in submissions:
        lines.append(f"| {r['method_id']} ({r['team']}) | M4 official, submission | "
                     f"{fmt(r['smape'])} | {fmt(r['mase'])} | {fmt(r['owa'], 5)} | "
                     f"{fmt(r['msis'])} "
                     f"| {fmt(r['acd'])} | |")
    for r in official:
        if r["benchmark"]:
            pi = pis.get(r["method_id"], {})
            lines.append(f"| {r['method_id']} | M4 official, benchmark | {fmt(r['smape'])} | "
                         f"{fmt(r['mase'])} | {fmt(r['owa'], 5)} | {fmt(pi.get('msis'))} | "
                         f"{fmt(pi.get('acd'))} | |")
    for name in ("ETS", "ARIMA"):
        if name in pis:
            lines.append(f"| {name} | M4 official, interval benchmark | | | | "
                         f"{fmt(pis[name]['msis'])} | {fmt(pis[name]['acd'])} | |")
    if computed:
        for name in BENCHMARK_NAMES:
            if name not in computed:
                continue
            s = computed[name]
            where = "definition" if s.source == "definition" else s.source
            lines.append(f"| {name} | computed here ({where}) | {fmt(s.smape)} | {fmt(s.mase)} "
                         f"| {fmt(s.owa_m4, 5)} | {fmt(s.msis)} | {fmt(s.acd)} | |")
        skipped = [name for name in BENCHMARK_NAMES if name not in computed]
        if skipped:
            lines += ["", f"Not computed here: {', '.join(skipped)} (Rscript or R's forecast "
                      "package was not found)."]
    return "\n".join(lines)


# --- Benchmark cache --------------------------------------------------------------------------

def benchmark_scores(data: M4Data, cache: Optional[Path] = None, log=None) -> dict[str, Score]:
    """Scores of the benchmarks (Naive with its 95% interval): Naive, sNaive and Naive2, plus SES,
    Holt, Damped, Theta and Comb when R's forecast package is available. From `cache` when it
    holds them for this data and this forecast version (or its absence), else computed and
    cached."""
    r_version = r_forecast_version()
    if r_version is None and log:
        log("Rscript or R's forecast package not found: SES, Holt, Damped, Theta and Comb skipped")
    key = {"series": len(data.ids), "r_forecast": r_version,
           "checksum": float(sum(float(x.sum()) for x in data.train)
                             + sum(float(x.sum()) for x in data.test))}
    if cache is not None and cache.exists():
        stored = json.loads(cache.read_text())
        if stored.get("key") == key:
            return {name: Score(**row) for name, row in stored["scores"].items()}
    fcs = all_benchmarks(data, log=log, r_version=r_version)
    naive2 = score(data, fcs["Naive2"])
    scores = {name: score(data, fc, naive2) for name, fc in fcs.items()}
    if cache is not None:
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.write_text(json.dumps({"key": key, "scores": {
            name: s.row() | {"per_series": s.per_series} for name, s in scores.items()}}))
    return scores


# --- Command line -----------------------------------------------------------------------------

def log_stderr(message: str) -> None:
    print(f"[m4] {message}", file=sys.stderr, flush=True)


def cmd_input(args: argparse.Namespace) -> int:
    data = load_m4(args.data)
    start = datetime.strptime(args.start, TIMESTAMP_FORMAT)
    write_input(data, args.output, start)
    log_stderr(f"wrote {len(data.ids)} series, {sum(len(x) for x in data.train)} rows, "
               f"to {args.output} (hourly from {args.start})")
    return 0


def cmd_benchmarks(args: argparse.Namespace) -> int:
    data = load_m4(args.data)
    scores = benchmark_scores(data, args.cache, log=log_stderr)
    table, rows = benchmark_report(args.data, scores)
    print(table)
    if args.markdown:
        args.markdown.write_text(table + "\n")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1) + "\n")
    if args.write_forecasts:
        args.write_forecasts.mkdir(parents=True, exist_ok=True)
        start = datetime.strptime(args.start, TIMESTAMP_FORMAT)
        for name, fc in all_benchmarks(data, log=log_stderr,
                                       r_version=r_forecast_version()).items():
            write_forecast(args.write_forecasts / f"{name}.csv", data, fc, start)
    return 0


def cmd_score(args: argparse.Namespace) -> int:
    data = load_m4(args.data)
    start = datetime.strptime(args.start, TIMESTAMP_FORMAT)
    names = args.name.split(",") if args.name else [p.stem for p in args.forecast]
    if len(names) != len(args.forecast):
        raise ValueError("--name needs one comma-separated name per forecast file")
    computed = benchmark_scores(data, args.cache, log=log_stderr) if args.with_benchmarks else None
    naive2 = computed["Naive2"] if computed else naive2_score(data)
    results = [score(data, read_forecast(path, data, name, start), naive2)
               for path, name in zip(args.forecast, names)]
    table = comparison_table(args.data, [(r, args.seconds) for r in results], computed)
    print(table)
    if args.markdown:
        args.markdown.write_text(table + "\n")
    if args.json:
        args.json.write_text(json.dumps(
            [r.row() | {"seconds": args.seconds, "per_series": r.per_series,
                        "series_ids": data.ids} for r in results], indent=1) + "\n")
    return 0


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=default_data_dir(),
                        help="the m4-hourly folder (default $COSTWISE_SHARED_DATA_DIR/m4-hourly)")
    parser.add_argument("--start", default=START.strftime(TIMESTAMP_FORMAT),
                        help="synthetic timestamp of every series' first value "
                             f"(default {START.strftime(TIMESTAMP_FORMAT)})")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("input", help="write the 414 in-sample series as series_id,ds,y")
    p.add_argument("output", type=Path)
    p.set_defaults(func=cmd_input)
    p = sub.add_parser("benchmarks", help="compute the M4 benchmarks and compare with the table")
    p.add_argument("--cache", type=Path, help="JSON cache of the benchmark scores")
    p.add_argument("--markdown", type=Path, help="write the comparison there too")
    p.add_argument("--json", type=Path, help="write the comparison as JSON")
    p.add_argument("--write-forecasts", type=Path, metavar="DIR",
                   help="also write each benchmark's forecasts as DIR/<name>.csv")
    p.set_defaults(func=cmd_benchmarks)
    p = sub.add_parser("score", help="score forecast CSVs (costwise forecast series output)")
    p.add_argument("forecast", type=Path, nargs="+")
    p.add_argument("--name", help="the rows' names, comma-separated (default: the file names)")
    p.add_argument("--seconds", type=float, help="wall time to print beside the scores")
    p.add_argument("--with-benchmarks", action="store_true",
                   help="add the benchmarks as computed here to the table")
    p.add_argument("--cache", type=Path, help="JSON cache of the benchmark scores")
    p.add_argument("--markdown", type=Path, help="write the table there too")
    p.add_argument("--json", type=Path, help="write every score (and per series) as JSON")
    p.set_defaults(func=cmd_score)
    return parser.parse_args(argv)


def main(argv: Sequence[str]) -> int:
    args = parse_args(argv)
    try:
        return args.func(args)
    except (OSError, ValueError) as error:
        print(f"m4_eval.py: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
