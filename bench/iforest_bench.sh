#!/usr/bin/env bash
# Isolation forest benchmark: `costwise ml iforest` vs scikit-learn's IsolationForest on the same
# seeded data (N rows x 8 columns, 1% known outliers), 100 trees, sample size 256.
#
# It generates the data with bench/iforest/make_data.py into bench/data/iforest/<rows>-s<seed>/
# (cached), then runs bench/iforest/bench.py, which times, interleaved, best of K runs:
#   costwise ml iforest --input X.csv --output scores.csv --trees 100 --sample-size 256
#     (a subprocess under /usr/bin/time -v: wall time end to end, peak RSS)
#   IsolationForest(n_estimators=100, max_samples=256, random_state=0, n_jobs=-1 and 1)
#     .fit(X).score_samples(X) in-process, on the array already loaded
# and prints a markdown section: timings, ratio, ROC AUC of both on the labels, pass/fail against
# the bar (>= 25x, |AUC difference| <= 0.01), the machine and the versions. See bench/README.md.
#
# Usage: bench/iforest_bench.sh [--rows N] [--seed S] [--runs K] [--threads T]
#                               [--seed-spread K] [--out-md FILE] [--strict]
#
# COSTWISE_BIN=PATH uses that binary; otherwise $COSTWISE_BUILD_DIR/apps/costwise/costwise
# (COSTWISE_BUILD_DIR defaults to build/; nothing is built here). Needs Debian's /usr/bin/python3
# with python3-numpy and python3-sklearn: installed with apt-get when missing and run as root.
# The scores of the last run are kept in bench/data/iforest/last-run/.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH="$ROOT/bench"
BUILD="${COSTWISE_BUILD_DIR:-$ROOT/build}"
DATA="$BENCH/data/iforest"
PYTHON=/usr/bin/python3
ROWS=1000000
SEED=42
RUNS=3
EXTRA=()

usage() {
  sed -n '2,22p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
  exit "${1:-0}"
}

while [[ $# -gt 0 ]]; do
  case "$1" in
    --rows) ROWS="$2"; shift 2 ;;
    --seed) SEED="$2"; shift 2 ;;
    --runs) RUNS="$2"; shift 2 ;;
    --threads|--seed-spread|--out-md) EXTRA+=("$1" "$2"); shift 2 ;;
    --strict) EXTRA+=("$1"); shift ;;
    -h|--help) usage 0 ;;
    *) echo "iforest_bench.sh: unknown argument $1" >&2; usage 2 ;;
  esac
done

die() { echo "iforest_bench.sh: $*" >&2; exit 1; }
log() { echo "[iforest_bench] $*" >&2; }

[[ -x "$PYTHON" ]] || die "$PYTHON is missing (apt-get install python3)"

# ---- scikit-learn (Debian's package) -------------------------------------------------------
if ! "$PYTHON" -c 'import numpy, sklearn' 2>/dev/null; then
  if [[ "$(id -u)" -ne 0 ]]; then
    die "scikit-learn is missing for $PYTHON; install it as root: apt-get install python3-sklearn"
  fi
  log "installing python3-sklearn with apt-get"
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3-sklearn >&2; then
    apt-get update >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3-sklearn >&2 ||
      die "apt-get could not install python3-sklearn"
  fi
  "$PYTHON" -c 'import numpy, sklearn' || die "python3-sklearn is installed but 'import sklearn' still fails"
fi

# ---- costwise ------------------------------------------------------------------------------
COSTWISE="${COSTWISE_BIN:-$BUILD/apps/costwise/costwise}"
[[ -x "$COSTWISE" ]] ||
  die "no costwise binary at $COSTWISE; build it (cmake --build $BUILD --target costwise) or set COSTWISE_BIN"
"$COSTWISE" ml iforest --help >/dev/null 2>&1 ||
  die "$COSTWISE has no working 'ml iforest' subcommand"
[[ -x /usr/bin/time ]] || log "warning: /usr/bin/time is missing (apt-get install time); peak RSS from getrusage instead"

# ---- data ----------------------------------------------------------------------------------
DIR="$DATA/$ROWS-s$SEED"
if [[ ! -f "$DIR/meta.json" ]]; then  # meta.json is written last: without it, generate again
  log "generating $DIR"
  "$PYTHON" "$BENCH/iforest/make_data.py" --rows "$ROWS" --seed "$SEED" --out-dir "$DIR" >&2
fi

# ---- benchmark -----------------------------------------------------------------------------
exec "$PYTHON" "$BENCH/iforest/bench.py" --rows "$ROWS" --seed "$SEED" --runs "$RUNS" \
  --data-root "$DATA" --costwise-bin "$COSTWISE" ${EXTRA[@]+"${EXTRA[@]}"}
