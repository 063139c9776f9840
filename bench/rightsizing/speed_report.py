#!/usr/bin/env python3
"""The right-sizing speed report (bench/rightsizing/speed.sh): costwise's run (from /usr/bin/time -v
and its JSON report) and scikit-learn's KMeans on the same workload feature matrix, as the markdown
section recorded in bench/RESULTS.md.

The feature matrix is the per-instance `workload.features` of costwise's JSON (instances with a
cluster, i.e. with enough data), standardised as costwise standardises it before k-means (column
mean 0, population standard deviation 1; a constant column stays 0). Two scikit-learn timings:

- the call named by the issue: KMeans(n_clusters=k, init="k-means++", n_init=4, random_state=1)
  with k = costwise's chosen k (its number of distinct clusters), then silhouette_score on all rows;
- the same search costwise's cluster stage does: k = 2..8, each KMeans as above plus a silhouette
  of 2,000 sampled rows (sklearn scores the sample against the sample, costwise against all rows).

Usage: speed_report.py --wall TIME.txt                      (prints the wall seconds)
       speed_report.py --gen GEN.json --time TIME.txt --json OUT.json --metrics METRICS.csv
                       [--runs K] [--costwise PATH] [--load L --load L]
Exit status 3 when the JSON lacks the workload fields (the costwise part is printed first).
"""
import argparse
import json
import os
import platform
import re
import subprocess
import sys
import time

K_MIN, K_MAX = 2, 8  # costwise's WorkloadOptions defaults
SILHOUETTE_SAMPLE = 2000  # costwise's Silhouette sample


def parse_time(path):
    """Wall seconds, max RSS (KiB), user and system seconds, CPU percent from /usr/bin/time -v."""
    text = open(path, encoding="utf-8").read()

    def field(name):
        match = re.search(re.escape(name) + r": (\S+)", text)
        return match.group(1) if match else None

    wall = 0.0
    for part in field("Elapsed (wall clock) time (h:mm:ss or m:ss)").split(":"):
        wall = wall * 60 + float(part)
    return {
        "wall": wall,
        "rss_kib": int(field("Maximum resident set size (kbytes)")),
        "user": float(field("User time (seconds)")),
        "system": float(field("System time (seconds)")),
        "cpu": field("Percent of CPU this job got"),
    }


def machine():
    model = "unknown CPU"
    with open("/proc/cpuinfo", encoding="utf-8") as info:
        for line in info:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo", encoding="utf-8") as info:
        kib = int(info.readline().split()[1])
    return f"{os.cpu_count()} cores ({model}), {kib / 1048576:.0f} GiB RAM"


def costwise_revision():
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    try:
        revision = subprocess.run(["git", "-C", root, "rev-parse", "--short", "HEAD"],
                                  capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", root, "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, check=True).stdout.strip()
        return revision + ("+local changes" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def standardised(rows):
    import numpy as np
    x = np.asarray(rows, dtype=float)
    x = x - x.mean(axis=0)
    deviation = np.sqrt((x * x).mean(axis=0))
    deviation[deviation == 0] = 1  # a constant column stays 0
    return x / deviation


def sklearn_part(report):
    """The scikit-learn timings on costwise's feature matrix, or an error message."""
    instances = report.get("instances", [])
    workloads = report.get("workloads")
    if not instances or not isinstance(instances[0].get("workload"), dict) or \
            "features" not in instances[0]["workload"] or not isinstance(workloads, dict) or \
            "cluster_seconds" not in report.get("timings", {}):
        return None, ("costwise's JSON has no per-instance workload.features, workloads.k or "
                      "timings.cluster_seconds: this costwise predates the k-means workload "
                      "groups, so there is no feature matrix to give scikit-learn")
    clustered = [item["workload"] for item in instances
                 if item["workload"].get("cluster") is not None]
    if len(clustered) < K_MIN + 1:
        return None, "fewer than 3 instances were clustered: nothing to compare"
    import numpy as np
    import sklearn
    from sklearn.cluster import KMeans
    from sklearn.metrics import adjusted_rand_score, silhouette_score

    x = standardised([item["features"] for item in clustered])
    labels = [item["cluster"] for item in clustered]
    k = len(set(labels))
    result = {"rows": x.shape[0], "columns": x.shape[1], "k": k, "k_reported": workloads.get("k"),
              "sklearn": sklearn.__version__, "numpy": np.__version__}

    start = time.perf_counter()
    model = KMeans(n_clusters=k, init="k-means++", n_init=4, random_state=1).fit(x)
    result["fit_seconds"] = time.perf_counter() - start
    start = time.perf_counter()
    result["silhouette"] = float(silhouette_score(x, model.labels_))
    result["silhouette_seconds"] = time.perf_counter() - start
    result["ari"] = float(adjusted_rand_score(labels, model.labels_))
    silhouettes = workloads.get("silhouettes") or []
    if K_MIN <= k < K_MIN + len(silhouettes):
        result["costwise_silhouette"] = silhouettes[k - K_MIN]

    start = time.perf_counter()
    search = []
    for candidate in range(K_MIN, min(K_MAX, x.shape[0] - 1) + 1):
        fitted = KMeans(n_clusters=candidate, init="k-means++", n_init=4, random_state=1).fit(x)
        sample = min(SILHOUETTE_SAMPLE, x.shape[0])
        search.append((candidate, float(silhouette_score(x, fitted.labels_, sample_size=sample,
                                                         random_state=1))))
    result["search_seconds"] = time.perf_counter() - start
    result["search_k"] = max(search, key=lambda pair: pair[1])[0]
    return result, None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--wall")
    parser.add_argument("--gen")
    parser.add_argument("--time")
    parser.add_argument("--json")
    parser.add_argument("--metrics")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--costwise", default="costwise")
    parser.add_argument("--load", action="append", default=[])
    args = parser.parse_args()
    if args.wall:
        print(f"{parse_time(args.wall)['wall']:.2f}")
        return 0

    gen = json.load(open(args.gen, encoding="utf-8"))
    run = parse_time(args.time)
    report = json.load(open(args.json, encoding="utf-8"))
    timings = report.get("timings", {})
    size = os.path.getsize(args.metrics)
    findings = {}
    for item in report.get("instances", []):
        findings[item["finding"]] = findings.get(item["finding"], 0) + 1

    n = gen["instances"]
    points = gen["points"]
    print(f"### {n:,} instances, {points / 1e6:.1f} million samples (measured)\n")
    bar = "met" if run["wall"] < 30 else "missed"
    print(f"`costwise rightsize --inventory INV.csv --metrics METRICS.csv --format json`: "
          f"**{run['wall']:.2f} s** wall (the 30 s bar is {bar}), "
          f"**{run['rss_kib'] / 1024:.0f} MiB** max RSS "
          f"({run['user']:.1f} s user, {run['system']:.1f} s system, {run['cpu']} CPU; "
          f"fastest of {args.runs} run{'s' if args.runs > 1 else ''}).\n")
    print("| input | |")
    print("|---|---|")
    print(f"| instances | {n:,} ({', '.join(f'{v:,} {k}' for k, v in gen['workloads'].items())}) |")
    print(f"| samples | {points:,}: {gen['days']} days x {86400 // gen['period_seconds']} a day x "
          f"CPUUtilization and mem_used_percent |")
    layout = {"grouped": "grouped by instance in inventory order",
              "shuffled": "grouped by instance in another order",
              "interleaved": "interleaved (a timestamp of every instance after another)"}
    print(f"| METRICS.csv | {size / 1e9:.2f} GB ({size / 2**30:.2f} GiB), "
          f"{layout.get(gen['order'], gen['order'])} |")
    print(f"| findings | {', '.join(f'{v:,} {k}' for k, v in sorted(findings.items()))} |\n")

    print("| stage (costwise's `timings`) | seconds |")
    print("|---|---:|")
    for key, name in (("read_seconds", "read: inventory, the checking pass over METRICS.csv, "
                       "waits for samples"),
                      ("profile_seconds", "profile (instances read ahead on the other core)"),
                      ("cluster_seconds", "cluster (k-means, k = 2..8, silhouettes)"),
                      ("recommend_seconds", "recommend")):
        if key in timings:
            print(f"| {name} | {timings[key]:.2f} |")
    staged = sum(v for v in timings.values() if isinstance(v, (int, float)))
    print(f"| rest (start-up, catalog, JSON rendering and writing) | "
          f"{max(0.0, run['wall'] - staged):.2f} |\n")

    result, error = sklearn_part(report)
    if error:
        print(f"scikit-learn: not run: {error}.\n")
    else:
        cluster = timings["cluster_seconds"]
        both = result["fit_seconds"] + result["silhouette_seconds"]
        print(f"Workload feature matrix: {result['rows']:,} x {result['columns']} "
              f"(`workload.features` of the clustered instances, standardised as costwise does); "
              f"costwise chose k = {result['k']}.\n")
        print("| on the same matrix | seconds | ratio: seconds / costwise's cluster stage |")
        print("|---|---:|---:|")
        print(f"| costwise `timings.cluster_seconds` (k = 2..8, 4 seedings each, silhouette of "
              f"2,000 rows against all) | {cluster:.2f} | 1 |")
        print(f"| sklearn KMeans(n_clusters={result['k']}, n_init=4) fit | "
              f"{result['fit_seconds']:.2f} | {result['fit_seconds'] / cluster:.2f} |")
        print(f"| sklearn silhouette_score, all {result['rows']:,} rows | "
              f"{result['silhouette_seconds']:.2f} | {result['silhouette_seconds'] / cluster:.2f} |")
        print(f"| sklearn fit + silhouette_score | {both:.2f} | {both / cluster:.2f} |")
        print(f"| sklearn, costwise's search (k = 2..8, n_init=4, silhouette_score of 2,000 "
              f"sampled rows) | {result['search_seconds']:.2f} | "
              f"{result['search_seconds'] / cluster:.2f} |\n")
        costwise_silhouette = result.get("costwise_silhouette")
        print(f"Agreement at k = {result['k']}: adjusted Rand index {result['ari']:.3f} between "
              f"costwise's clusters and sklearn's; silhouette {result['silhouette']:.3f} (sklearn, "
              f"all rows)" + (f" against costwise's {costwise_silhouette:.3f} (2,000 rows)"
                              if costwise_silhouette is not None else "") +
              f"; sklearn's own search picks k = {result['search_k']}.\n")

    loads = " and ".join(args.load) if args.load else "not recorded"
    print(f"Machine: {machine()}; load average {loads} (before and after the costwise runs). "
          f"costwise {costwise_revision()} ({os.path.basename(args.costwise)}), "
          f"Python {platform.python_version()}" +
          ("" if error else f", scikit-learn {result['sklearn']}, numpy {result['numpy']}") +
          ". Wall time and max RSS from /usr/bin/time -v (whole process: start-up, both passes "
          "over the file, JSON written to a file); scikit-learn timed in-process on the matrix "
          "already loaded, with its default threads.")
    return 3 if error else 0


if __name__ == "__main__":
    sys.exit(main())
