#!/usr/bin/env bash
# Right-sizing speed (issue 5): `costwise rightsize` on a generated fleet of N instances (default
# 10,000) x 14 days of 5-minute CPUUtilization and mem_used_percent (80.6 million rows, 5.2 GB of
# CSV; the bar: recommendations in under 30 s on this 2-core machine, memory bounded), and
# scikit-learn's KMeans on the same workload feature matrix beside costwise's cluster stage.
#
#   1. costwise_gen_metrics (gen_metrics.cpp): INV.csv and METRICS.csv of a seeded fleet with
#      mixed workloads (idle, steady low and high, diurnal, bursty, memory-heavy; instance types
#      from data/ec2-catalog), cached in bench/data/rightsizing/speed/N<n>-d<days>-s<seed>-<order>/
#   2. costwise rightsize --inventory INV.csv --metrics METRICS.csv --format json > out.json,
#      RUNS times under /usr/bin/time -v (the fastest run counts): wall seconds, max RSS, and the
#      report's own stage timings
#   3. speed_report.py: sklearn.cluster.KMeans(n_clusters=costwise's k, init="k-means++",
#      n_init=4, random_state=1) and silhouette_score on the per-instance workload.features of
#      out.json (standardised as costwise does), timed, beside timings.cluster_seconds; then the
#      markdown section recorded in bench/RESULTS.md ("Right-sizing speed")
#
# Usage: bench/rightsizing/speed.sh [--instances N] [--days D] [--seed S] [--runs K]
#                                   [--order grouped|shuffled|interleaved] [--out-md FILE]
#
# --order: how METRICS.csv is laid out: grouped by instance in inventory order (default, as
# CloudWatch exports are), grouped in another order, or interleaved (one timestamp of every
# instance after another: costwise then loads the file whole). Variables: COSTWISE_BIN (default
# $COSTWISE_BUILD_DIR/apps/costwise/costwise), GEN_BIN (default
# $COSTWISE_BUILD_DIR/bench/costwise_gen_metrics), COSTWISE_BUILD_DIR (default build-release;
# configured and built when a binary is missing), PYTHON (default /usr/bin/python3, with
# python3-sklearn: installed with apt-get when missing and run as root), SPEED_DATA (the cache,
# default bench/data/rightsizing/speed). The fleet takes 5.2 GB of disk at N = 10,000.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/../setup.sh" "$@"

INSTANCES=10000
DAYS=14
SEED=1
RUNS=1
ORDER=grouped
OUT_MD=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --instances) INSTANCES="$2"; shift 2 ;;
    --days) DAYS="$2"; shift 2 ;;
    --seed) SEED="$2"; shift 2 ;;
    --runs) RUNS="$2"; shift 2 ;;
    --order) ORDER="$2"; shift 2 ;;
    --out-md) OUT_MD="$2"; shift 2 ;;
    *) echo "speed.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done

die() { echo "speed.sh: $*" >&2; exit 1; }
log() { echo "[rightsizing speed] $*" >&2; }

BUILD="${COSTWISE_BUILD_DIR:-$ROOT/build-release}"
COSTWISE="${COSTWISE_BIN:-$BUILD/apps/costwise/costwise}"
GEN="${GEN_BIN:-$BUILD/bench/costwise_gen_metrics}"
DATA="${SPEED_DATA:-$ROOT/bench/data/rightsizing/speed}"
CATALOG="$ROOT/data/ec2-catalog/ec2_instances_ondemand_linux.csv"
[[ -x /usr/bin/time ]] || die "/usr/bin/time is missing (apt-get install time)"
[[ -x "$PYTHON" ]] || die "$PYTHON is missing (apt-get install python3)"

# ---- binaries ------------------------------------------------------------------------------
if [[ ! -x "$COSTWISE" || ! -x "$GEN" ]]; then
  command -v cmake >/dev/null || die "cmake is missing"
  if [[ ! -f "$BUILD/CMakeCache.txt" ]]; then
    log "configuring $BUILD (Release)"
    cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >&2
  fi
  targets=()
  [[ -n "${GEN_BIN:-}" ]] || targets+=(costwise_gen_metrics)
  [[ -n "${COSTWISE_BIN:-}" ]] || targets+=(costwise)
  log "building ${targets[*]} in $BUILD"
  cmake --build "$BUILD" -j2 --target "${targets[@]}" >&2 || die "the build failed"
fi
[[ -x "$COSTWISE" ]] || die "no costwise binary at $COSTWISE (set COSTWISE_BIN)"
[[ -x "$GEN" ]] || die "no generator at $GEN (set GEN_BIN)"

# ---- scikit-learn (Debian's package) -------------------------------------------------------
if ! "$PYTHON" -c 'import numpy, sklearn' 2>/dev/null; then
  [[ "$(id -u)" -eq 0 ]] ||
    die "scikit-learn is missing for $PYTHON; install it as root: apt-get install python3-sklearn"
  log "installing python3-sklearn with apt-get"
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3-sklearn >&2; then
    apt-get update >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3-sklearn >&2 ||
      die "apt-get could not install python3-sklearn"
  fi
fi

# ---- the fleet -----------------------------------------------------------------------------
FLEET="$DATA/N$INSTANCES-d$DAYS-s$SEED-$ORDER"
if [[ ! -s "$FLEET/gen.json" ]]; then
  mkdir -p "$FLEET"
  log "generating $INSTANCES instances x $DAYS days into $FLEET"
  "$GEN" --catalog "$CATALOG" --inventory "$FLEET/inventory.csv" --metrics "$FLEET/metrics.csv" \
    --instances "$INSTANCES" --days "$DAYS" --seed "$SEED" --order "$ORDER" > "$FLEET/gen.json.tmp"
  mv "$FLEET/gen.json.tmp" "$FLEET/gen.json"
fi
log "fleet: $(cat "$FLEET/gen.json")"
# Read the file once so that every run finds it in the page cache (the first run would pay the
# disk otherwise).
cat "$FLEET/metrics.csv" > /dev/null

# ---- costwise ------------------------------------------------------------------------------
RUN_DIR="$FLEET/last-run"
mkdir -p "$RUN_DIR"
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
best=""
for run in $(seq 1 "$RUNS"); do
  log "costwise rightsize: run $run of $RUNS"
  /usr/bin/time -v -o "$RUN_DIR/time.run.txt" "$COSTWISE" rightsize \
    --inventory "$FLEET/inventory.csv" --metrics "$FLEET/metrics.csv" --format json \
    > "$RUN_DIR/out.run.json" 2> "$RUN_DIR/stderr.run.txt" ||
    die "costwise rightsize failed: $(tail -3 "$RUN_DIR/stderr.run.txt")"
  wall="$("$PYTHON" "$HERE/speed_report.py" --wall "$RUN_DIR/time.run.txt")"
  log "  $wall s"
  if [[ -z "$best" ]] || "$PYTHON" -c "import sys; sys.exit(0 if $wall < $best else 1)"; then
    best="$wall"
    mv "$RUN_DIR/time.run.txt" "$RUN_DIR/time.txt"
    mv "$RUN_DIR/out.run.json" "$RUN_DIR/out.json"
  fi
done
rm -f "$RUN_DIR/time.run.txt" "$RUN_DIR/out.run.json" "$RUN_DIR/stderr.run.txt"
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"

# ---- scikit-learn and the report -------------------------------------------------------------
report_args=(--gen "$FLEET/gen.json" --time "$RUN_DIR/time.txt" --json "$RUN_DIR/out.json"
  --metrics "$FLEET/metrics.csv" --runs "$RUNS" --costwise "$COSTWISE"
  --load "$load_before" --load "$load_after")
if [[ -n "$OUT_MD" ]]; then
  "$PYTHON" "$HERE/speed_report.py" "${report_args[@]}" | tee "$OUT_MD"
else
  "$PYTHON" "$HERE/speed_report.py" "${report_args[@]}"
fi
