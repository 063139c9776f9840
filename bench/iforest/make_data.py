#!/usr/bin/python3
"""Seeded numeric data set with known outliers for the isolation forest benchmark.

Writes, into --out-dir:
  X.csv       N rows x 8 columns (header f1..f8), 6 significant digits
  labels.csv  header `outlier`, then one 0/1 per row (1 = planted outlier)
  kinds.csv   header `kind`, then 0 (inlier), 1 (box outlier) or 2 (joint outlier) per row
  meta.json   the parameters and counts (written last: a directory without it is incomplete)

What the rows are:
  - Inliers (1 - outlier fraction): four Gaussian clusters of different sizes (50/25/15/10%),
    each with its own mean, per-feature scales and strong correlations (a two-factor model plus
    noise, so most pairs of features are correlated at |r| 0.3 to 0.95).
  - Box outliers (75% of the outliers): uniform in the inliers' bounding box widened by half its
    width on each side; easy, most are far out on some feature.
  - Joint outliers (25%): each feature drawn independently from one cluster's own marginal
    (same mean and standard deviation), so every value on its own is ordinary for that cluster;
    only the combination breaks the cluster's correlations. Hard for axis-parallel splits.
  A box outlier is kept only if its squared Mahalanobis distance to every cluster is at least 30
  (the chi-square quantile for 8 degrees of freedom at 0.9999 is 31.8, at 0.999 26.1), a joint
  outlier only if it is at least 120: the labels say "outlier" only for points that really are,
  and the ROC AUC moves little with the forest's seed (its standard deviation over seeds is about
  0.002 for scikit-learn; with harder joint outliers it grows, and a 0.01 comparison between two
  tools turns into a coin toss). Rows are shuffled.

Same arguments, same bytes: everything comes from numpy's PCG64 seeded with --seed.

Usage: make_data.py [--rows 1000000] [--seed 42] [--outlier-fraction 0.01] --out-dir DIR
"""
import argparse
import json
import os
import sys
import time

import numpy as np

COLUMNS = 8
CLUSTER_WEIGHTS = (0.50, 0.25, 0.15, 0.10)
BOX_SHARE = 0.75  # of the outliers; the rest are joint outliers
MIN_MAHALANOBIS2_BOX = 30.0
MIN_MAHALANOBIS2_JOINT = 120.0


def make_clusters(rng):
    clusters = []
    for _ in CLUSTER_WEIGHTS:
        mean = rng.uniform(-10, 10, COLUMNS)
        scale = rng.uniform(0.5, 3.0, COLUMNS)
        loadings = rng.normal(0, 1, (COLUMNS, 2))
        noise = rng.uniform(0.05, 0.3, COLUMNS)
        corr = loadings @ loadings.T + np.diag(noise)
        d = np.sqrt(np.diag(corr))
        corr = corr / np.outer(d, d)
        cov = corr * np.outer(scale, scale)
        clusters.append({"mean": mean, "cov": cov, "chol": np.linalg.cholesky(cov),
                         "inv": np.linalg.inv(cov), "sd": scale})
    return clusters


def min_mahalanobis2(points, clusters):
    best = np.full(len(points), np.inf)
    for c in clusters:
        diff = points - c["mean"]
        best = np.minimum(best, np.einsum("ij,jk,ik->i", diff, c["inv"], diff))
    return best


def generate(rows, seed, outlier_fraction):
    rng = np.random.default_rng(seed)
    clusters = make_clusters(rng)
    n_out = int(round(rows * outlier_fraction))
    n_in = rows - n_out
    n_box = int(round(n_out * BOX_SHARE))
    n_joint = n_out - n_box

    # Inliers.
    sizes = np.floor(np.array(CLUSTER_WEIGHTS) * n_in).astype(int)
    sizes[0] += n_in - sizes.sum()
    parts = []
    for c, size in zip(clusters, sizes):
        z = rng.standard_normal((size, COLUMNS))
        parts.append(c["mean"] + z @ c["chol"].T)
    inliers = np.vstack(parts)

    # Box outliers: uniform in the widened bounding box, far from every cluster.
    low, high = inliers.min(axis=0), inliers.max(axis=0)
    width = high - low
    low, high = low - 0.5 * width, high + 0.5 * width
    box = np.empty((0, COLUMNS))
    while len(box) < n_box:
        cand = rng.uniform(low, high, (2 * (n_box - len(box)) + 16, COLUMNS))
        cand = cand[min_mahalanobis2(cand, clusters) >= MIN_MAHALANOBIS2_BOX]
        box = np.vstack([box, cand])
    box = box[:n_box]

    # Joint outliers: each feature from one cluster's marginal, independently.
    joint = np.empty((0, COLUMNS))
    while len(joint) < n_joint:
        need = 2 * (n_joint - len(joint)) + 16
        which = rng.choice(len(clusters), size=need, p=CLUSTER_WEIGHTS)
        means = np.array([c["mean"] for c in clusters])[which]
        sds = np.array([c["sd"] for c in clusters])[which]
        # Truncated to +-2 sd so that no single value is extreme.
        z = np.clip(rng.standard_normal((need, COLUMNS)), -2, 2)
        cand = means + z * sds
        cand = cand[min_mahalanobis2(cand, clusters) >= MIN_MAHALANOBIS2_JOINT]
        joint = np.vstack([joint, cand])
    joint = joint[:n_joint]

    x = np.vstack([inliers, box, joint])
    kind = np.concatenate([np.zeros(n_in, np.int8), np.ones(n_box, np.int8),
                           np.full(n_joint, 2, np.int8)])
    order = rng.permutation(rows)
    return x[order], kind[order], {"inliers": int(n_in), "box_outliers": int(n_box),
                                   "joint_outliers": int(n_joint)}


def write_column(path, header, values):
    with open(path, "w", encoding="ascii") as out:
        out.write(header + "\n")
        out.write("\n".join(map(str, values.tolist())))
        out.write("\n")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--outlier-fraction", type=float, default=0.01)
    parser.add_argument("--out-dir", required=True)
    args = parser.parse_args(argv)
    if args.rows < 100:
        parser.error("--rows must be at least 100")

    start = time.perf_counter()
    x, kind, counts = generate(args.rows, args.seed, args.outlier_fraction)
    os.makedirs(args.out_dir, exist_ok=True)
    meta_path = os.path.join(args.out_dir, "meta.json")
    if os.path.exists(meta_path):
        os.remove(meta_path)
    np.savetxt(os.path.join(args.out_dir, "X.csv"), x, fmt="%.6g", delimiter=",",
               header=",".join(f"f{j + 1}" for j in range(COLUMNS)), comments="")
    write_column(os.path.join(args.out_dir, "labels.csv"), "outlier", (kind > 0).astype(np.int8))
    write_column(os.path.join(args.out_dir, "kinds.csv"), "kind", kind)
    meta = {"rows": args.rows, "columns": COLUMNS, "seed": args.seed,
            "outlier_fraction": args.outlier_fraction, **counts,
            "x_csv_bytes": os.path.getsize(os.path.join(args.out_dir, "X.csv")),
            "numpy": np.__version__, "seconds": round(time.perf_counter() - start, 2)}
    with open(meta_path + ".tmp", "w", encoding="ascii") as out:
        json.dump(meta, out, indent=1)
        out.write("\n")
    os.replace(meta_path + ".tmp", meta_path)
    print(json.dumps(meta))
    return 0


if __name__ == "__main__":
    sys.exit(main())
