#!/usr/bin/python3
"""Isolation forest benchmark: `costwise ml iforest` against scikit-learn's IsolationForest.

In the same run, on the same data (bench/iforest/make_data.py: N rows x 8 columns, 1% known
outliers), with 100 trees and a sample size of 256:
  costwise  `$COSTWISE_BIN ml iforest --input X.csv --output scores.csv --trees 100
             --sample-size 256 [--threads T]` as a subprocess, wall time end to end (process
             start, CSV parsing, fit, score, writing the scores), under /usr/bin/time -v for the
             peak RSS;
  sklearn   IsolationForest(n_estimators=100, max_samples=256, random_state=0, n_jobs=-1 and
             n_jobs=1): fit(X) + score_samples(X) timed in-process on an array already loaded
             (which favours scikit-learn: no CSV parsing, no output file, no interpreter start).
Each is repeated --runs times (default 3) and the fastest run is kept. ROC AUC on the known
labels: costwise's scores as they are (higher = more anomalous), -score_samples for sklearn.

Prints a markdown section (machine, input, versions, timings, ratio sklearn s / costwise s,
AUCs, pass/fail against the bar: ratio >= 25 against the faster sklearn setting and
|AUC difference| <= 0.01), and writes it to --out-md FILE as well when given.

Usage: bench.py [--rows 1000000] [--seed 42] [--threads T] [--runs 3] [--data-root DIR]
                [--costwise-bin PATH] [--out-md FILE] [--seed-spread K] [--strict]
The data are read from DATA_ROOT/<rows>-s<seed>/ and generated there first if missing.
--seed-spread K also fits both tools with forest seeds 1..K (untimed) to show how much the AUC
moves with the forest's seed alone. --strict exits with status 3 when the bar is missed.
"""
import argparse
import datetime
import json
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
TREES = 100
SAMPLE_SIZE = 256
RATIO_BAR = 25.0
AUC_BAR = 0.01


def log(message):
    print(f"[iforest_bench] {message}", file=sys.stderr, flush=True)


def loadavg():
    with open("/proc/loadavg", encoding="ascii") as f:
        return " ".join(f.read().split()[:3])


def machine():
    cpu = "unknown"
    with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem_kib = 0
    with open("/proc/meminfo", encoding="ascii") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem_kib = int(line.split()[1])
    return {"cpu": cpu, "nproc": os.cpu_count(), "affinity": len(os.sched_getaffinity(0)),
            "ram_gib": mem_kib / 1024 / 1024, "kernel": platform.release()}


def git_revision():
    try:
        rev = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                             capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    dirty = subprocess.run(["git", "-C", ROOT, "diff", "--quiet", "HEAD", "--", "src", "apps"],
                           capture_output=True).returncode != 0
    return rev + (" (+ uncommitted changes in src/ or apps/)" if dirty else "")


def ensure_data(args):
    data_dir = os.path.join(args.data_root, f"{args.rows}-s{args.seed}")
    if not os.path.exists(os.path.join(data_dir, "meta.json")):
        log(f"generating {data_dir}")
        sys.path.insert(0, HERE)
        import make_data  # noqa: E402
        make_data.main(["--rows", str(args.rows), "--seed", str(args.seed), "--out-dir", data_dir])
    with open(os.path.join(data_dir, "meta.json"), encoding="ascii") as f:
        meta = json.load(f)
    return data_dir, meta


def read_column(path):
    return np.loadtxt(path, skiprows=1, dtype=np.int64)


def parse_time_v(text):
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", text)
    seconds = None
    if wall:
        parts = [float(p) for p in wall.group(1).split(":")]
        seconds = sum(p * 60 ** i for i, p in enumerate(reversed(parts)))
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
    user = re.search(r"User time \(seconds\): (\S+)", text)
    system = re.search(r"System time \(seconds\): (\S+)", text)
    return {"time_v_wall": seconds,
            "rss_mib": int(rss.group(1)) / 1024 if rss else None,
            "user_s": float(user.group(1)) if user else None,
            "sys_s": float(system.group(1)) if system else None}


def run_costwise(binary, x_csv, out_csv, threads, seed=0):
    """One timed run of costwise; returns wall seconds (perf_counter around the subprocess)
    plus what /usr/bin/time -v reports (peak RSS, user and system CPU)."""
    cmd = [binary, "ml", "iforest", "--input", x_csv, "--output", out_csv,
           "--trees", str(TREES), "--sample-size", str(SAMPLE_SIZE), "--seed", str(seed)]
    if threads is not None:
        cmd += ["--threads", str(threads)]
    use_time = os.access("/usr/bin/time", os.X_OK)
    full = (["/usr/bin/time", "-v"] + cmd) if use_time else cmd
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(full, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise SystemExit(f"costwise failed ({proc.returncode}): {' '.join(cmd)}")
    if use_time:
        info = parse_time_v(proc.stderr)
    else:  # ru_maxrss of children is the largest child so far, not necessarily this one
        info = {"time_v_wall": None, "rss_mib": after.ru_maxrss / 1024,
                "user_s": after.ru_utime - before.ru_utime,
                "sys_s": after.ru_stime - before.ru_stime}
    info["wall_s"] = wall
    info["command"] = " ".join(cmd)
    info["stderr_tail"] = [l for l in proc.stderr.splitlines() if l.startswith("scored")]
    return info


def read_scores(path, rows):
    scores = np.loadtxt(path, dtype=np.float64)
    if scores.shape != (rows,):
        raise SystemExit(f"{path}: {scores.shape[0] if scores.ndim else 1} scores, expected {rows}")
    return scores


def run_sklearn(x, n_jobs, seed=0):
    from sklearn.ensemble import IsolationForest
    start = time.perf_counter()
    forest = IsolationForest(n_estimators=TREES, max_samples=SAMPLE_SIZE, random_state=seed,
                             n_jobs=n_jobs)
    forest.fit(x)
    fitted = time.perf_counter()
    scores = -forest.score_samples(x)
    end = time.perf_counter()
    return {"wall_s": end - start, "fit_s": fitted - start, "score_s": end - fitted}, scores


def fmt_runs(values):
    return " / ".join(f"{v:.2f}" for v in values)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42, help="data seed (make_data.py)")
    parser.add_argument("--threads", type=int, default=None,
                        help="costwise --threads (default: not passed, i.e. one per core)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--data-root", default=os.path.join(ROOT, "bench", "data", "iforest"))
    parser.add_argument("--costwise-bin", default=os.environ.get("COSTWISE_BIN"))
    parser.add_argument("--out-md", default=None)
    parser.add_argument("--seed-spread", type=int, default=0)
    parser.add_argument("--strict", action="store_true",
                        help="exit with status 3 when the bar is missed")
    args = parser.parse_args(argv)
    if not args.costwise_bin:
        parser.error("give --costwise-bin PATH or set COSTWISE_BIN")
    binary = os.path.abspath(args.costwise_bin)
    if not os.access(binary, os.X_OK):
        raise SystemExit(f"no costwise binary at {binary}")

    import sklearn
    from sklearn.metrics import roc_auc_score

    data_dir, meta = ensure_data(args)
    x_csv = os.path.join(data_dir, "X.csv")
    labels = read_column(os.path.join(data_dir, "labels.csv"))
    kinds = read_column(os.path.join(data_dir, "kinds.csv"))
    rows = meta["rows"]
    last_run = os.path.join(args.data_root, "last-run")
    os.makedirs(last_run, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="iforest-bench-")
    load_before = loadavg()
    started = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")

    # scikit-learn's input: the same CSV, loaded once (the load is timed but not counted).
    start = time.perf_counter()
    x = np.loadtxt(x_csv, delimiter=",", skiprows=1, dtype=np.float64)
    load_s = time.perf_counter() - start
    if x.shape != (rows, meta["columns"]):
        raise SystemExit(f"{x_csv}: shape {x.shape}, expected ({rows}, {meta['columns']})")
    log(f"loaded {x_csv} with np.loadtxt in {load_s:.2f} s (not counted for sklearn)")

    # Interleave the tools, run by run, so that a change in the machine's load hits both.
    cw_runs, skl_runs = [], {-1: [], 1: []}
    cw_scores = skl_scores = None
    for run in range(1, args.runs + 1):
        out_csv = os.path.join(tmp, "scores.csv")
        info = run_costwise(binary, x_csv, out_csv, args.threads)
        cw_runs.append(info)
        log(f"costwise run {run}: {info['wall_s']:.2f} s wall, user {info['user_s']} s, "
            f"sys {info['sys_s']} s, peak RSS {info['rss_mib']:.0f} MiB; load {loadavg()}")
        if cw_scores is None:
            cw_scores = read_scores(out_csv, rows)
            shutil.copy(out_csv, os.path.join(last_run, "costwise-scores.csv"))
        for n_jobs in (-1, 1):
            timing, scores = run_sklearn(x, n_jobs)
            skl_runs[n_jobs].append(timing)
            log(f"sklearn n_jobs={n_jobs} run {run}: {timing['wall_s']:.2f} s (fit "
                f"{timing['fit_s']:.2f}, score_samples {timing['score_s']:.2f}); load {loadavg()}")
            if skl_scores is None:
                skl_scores = scores
                np.savetxt(os.path.join(last_run, "sklearn-scores.csv"), scores, fmt="%.17g")
    shutil.rmtree(tmp, ignore_errors=True)
    load_after = loadavg()
    skl_peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    cw_best = min(cw_runs, key=lambda r: r["wall_s"])
    skl_best = {j: min(r, key=lambda t: t["wall_s"]) for j, r in skl_runs.items()}
    fastest_jobs = min(skl_best, key=lambda j: skl_best[j]["wall_s"])
    ratio = {j: skl_best[j]["wall_s"] / cw_best["wall_s"] for j in skl_best}
    ratio_bar = ratio[fastest_jobs]

    def auc(scores, mask=None):
        if mask is None:
            return roc_auc_score(labels, scores)
        return roc_auc_score(labels[mask], scores[mask])

    auc_cw, auc_skl = auc(cw_scores), auc(skl_scores)
    d_auc = auc_cw - auc_skl
    box = (kinds == 0) | (kinds == 1)
    joint = (kinds == 0) | (kinds == 2)
    spearman = np.corrcoef(np.argsort(np.argsort(cw_scores)),
                           np.argsort(np.argsort(skl_scores)))[0, 1]
    passed_speed = ratio_bar >= RATIO_BAR
    passed_auc = abs(d_auc) <= AUC_BAR

    spread = []
    for s in range(1, args.seed_spread + 1):
        out_csv = os.path.join(last_run, "spread-scores.csv")
        run_costwise(binary, x_csv, out_csv, args.threads, seed=s)
        a_cw = auc(read_scores(out_csv, rows))
        _, scores = run_sklearn(x, -1, seed=s)
        a_skl = auc(scores)
        spread.append((s, a_cw, a_skl))
        log(f"seed {s}: AUC costwise {a_cw:.4f}, sklearn {a_skl:.4f}")

    m = machine()
    threads_text = "one per core" if args.threads is None else str(args.threads)
    rev = git_revision()
    bin_time = datetime.datetime.fromtimestamp(os.path.getmtime(binary), datetime.timezone.utc)
    lines = []
    out = lines.append
    out(f"## Isolation forest: costwise ml iforest vs scikit-learn, {rows:,} rows")
    out("")
    out(f"Goal (from the issue): fit plus score at least **{RATIO_BAR:.0f} times faster** than "
        f"scikit-learn's IsolationForest, with ROC AUC on the known outliers **within "
        f"{AUC_BAR}** of scikit-learn's. {TREES} trees, sample size {SAMPLE_SIZE}.")
    out("")
    out(f"`bench/iforest_bench.sh --rows {rows}"
        + (f" --threads {args.threads}" if args.threads is not None else "")
        + (f" --seed-spread {args.seed_spread}" if args.seed_spread else "")
        + f" --runs {args.runs}` on {started}, best of {args.runs} runs per tool (runs "
        f"interleaved), load average {load_before} before and {load_after} after.")
    out("")
    out("| tool | setting | best s | all runs s | fit s | score s | peak RSS MiB | ratio "
        "(sklearn s / costwise s) | ROC AUC |")
    out("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    out(f"| costwise `ml iforest` | threads: {threads_text} | **{cw_best['wall_s']:.2f}** | "
        f"{fmt_runs(r['wall_s'] for r in cw_runs)} | | | {cw_best['rss_mib']:.0f} | 1 | "
        f"{auc_cw:.4f} |")
    for j in (-1, 1):
        b = skl_best[j]
        mark = " (bar)" if j == fastest_jobs else ""
        out(f"| scikit-learn IsolationForest | n_jobs={j} | {b['wall_s']:.2f} | "
            f"{fmt_runs(r['wall_s'] for r in skl_runs[j])} | {b['fit_s']:.2f} | "
            f"{b['score_s']:.2f} | {skl_peak_mib:.0f} (whole Python process) | "
            f"**{ratio[j]:.1f}**{mark} | {auc_skl:.4f} |")
    out("")
    out(f"- **Speed: {ratio_bar:.1f}x** against the faster scikit-learn setting "
        f"(n_jobs={fastest_jobs}): {'PASS' if passed_speed else 'FAIL'} (bar >= {RATIO_BAR:.0f}x).")
    out(f"- **ROC AUC: costwise {auc_cw:.4f}, scikit-learn {auc_skl:.4f}, difference "
        f"{d_auc:+.4f}**: {'PASS' if passed_auc else 'FAIL'} (bar |difference| <= {AUC_BAR}).")
    out(f"- AUC per outlier kind (against the inliers): box outliers costwise {auc(cw_scores, box):.4f}"
        f", scikit-learn {auc(skl_scores, box):.4f}; joint outliers costwise "
        f"{auc(cw_scores, joint):.4f}, scikit-learn {auc(skl_scores, joint):.4f}. Spearman rank "
        f"correlation of the two tools' scores: {spearman:.4f}.")
    if spread:
        out("- AUC with other forest seeds (untimed; data unchanged): "
            + "; ".join(f"seed {s}: costwise {a:.4f}, scikit-learn {b:.4f}" for s, a, b in spread)
            + ".")
    cw_cpu = (cw_best["user_s"] or 0) + (cw_best["sys_s"] or 0)
    out(f"- costwise's seconds are the whole process's wall time as a subprocess: start, parsing "
        f"the {meta['x_csv_bytes'] / 1e6:.1f} MB CSV, fit, score and writing {rows:,} scores "
        f"(CPU: user {cw_best['user_s']} s + system {cw_best['sys_s']} s = {cw_cpu:.2f} s). "
        f"scikit-learn's are fit + score_samples in-process on a float64 array already in memory, "
        f"which favours it: loading the CSV with np.loadtxt took a further {load_s:.2f} s, not "
        f"counted (with it the ratio would be {(skl_best[fastest_jobs]['wall_s'] + load_s) / cw_best['wall_s']:.1f}x).")
    out("- Peak RSS: costwise from /usr/bin/time -v; scikit-learn's is the benchmark's Python "
        "process (data, labels, both tools' scores).")
    out("")
    out(f"Input: `bench/iforest/make_data.py --rows {rows} --seed {meta['seed']}` "
        f"({meta['x_csv_bytes']:,} bytes of CSV, {meta['columns']} columns, header row): "
        f"{meta['inliers']:,} inliers from 4 correlated Gaussian clusters, "
        f"{meta['box_outliers']:,} outliers uniform in the widened bounding box and "
        f"{meta['joint_outliers']:,} joint outliers (every feature ordinary on its own, the "
        f"combination not), at squared Mahalanobis distance >= 30 (box) and >= 120 (joint) from "
        f"every cluster.")
    out("")
    out(f"Machine: {m['cpu']}, nproc {m['nproc']} ({m['affinity']} usable), "
        f"{m['ram_gib']:.1f} GiB RAM, Linux {m['kernel']}.")
    out(f"Versions: costwise binary {binary} (built {bin_time:%Y-%m-%d %H:%M} UTC; working tree "
        f"at {rev}), "
        f"scikit-learn {sklearn.__version__}, numpy {np.__version__}, Python "
        f"{platform.python_version()} (Debian /usr/bin/python3).")
    text = "\n".join(lines) + "\n"
    print(text, end="")
    if args.out_md:
        with open(args.out_md, "w", encoding="utf-8") as f:
            f.write(text)
    with open(os.path.join(last_run, "summary.json"), "w", encoding="utf-8") as f:
        json.dump({"costwise_runs": cw_runs, "sklearn_runs": {str(j): r for j, r in skl_runs.items()},
                   "np_loadtxt_s": load_s, "auc_costwise": auc_cw, "auc_sklearn": auc_skl,
                   "ratio": {str(j): r for j, r in ratio.items()}, "load_before": load_before,
                   "load_after": load_after, "seed_spread": spread}, f, indent=1)
    return 3 if args.strict and not (passed_speed and passed_auc) else 0


if __name__ == "__main__":
    sys.exit(main())
