#!/usr/bin/env bash
# NAB benchmark of costwise's anomaly detector on the 17 realAWSCloudwatch files.
#
# For each data file it runs
#   $COSTWISE_BIN anomalies score --input FILE.csv --output OUTDIR/FILE.csv
# (output header: timestamp,value,anomaly_score,is_anomaly; one row per input row), then scores
# OUTDIR with bench/nab/nab_score.py under the three NAB profiles and prints the per-file scores
# and a markdown table: costwise with a threshold optimised on these files, costwise's own
# decisions (is_anomaly), then every published NAB detector by decreasing Standard score.
# The table is also written to OUTDIR/nab_table.md and every score to OUTDIR/nab_scores.json.
#
# Usage: COSTWISE_BIN=path/to/costwise [COSTWISE_SCORE_ARGS="--seed 2"] bench/nab/run_nab.sh [OUTDIR]
#
# OUTDIR defaults to bench/data/nab/costwise (git-ignored). The shared data directory defaults to
# ../shared/data beside the repository; set COSTWISE_SHARED_DATA_DIR to use another. PYTHON
# overrides the interpreter (default /usr/bin/python3). See bench/nab/README.md.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
SHARED="${COSTWISE_SHARED_DATA_DIR:-$(dirname "$ROOT")/shared/data}"
DATA="$SHARED/nab-aws"
PYTHON="${PYTHON:-/usr/bin/python3}"

case "${1:-}" in
  -h|--help) sed -n '2,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
esac
OUTDIR="${1:-$ROOT/bench/data/nab/costwise}"

if [[ -z "${COSTWISE_BIN:-}" || ! -x "$COSTWISE_BIN" ]]; then
  echo "run_nab.sh: set COSTWISE_BIN to an executable costwise binary" >&2
  exit 2
fi
if [[ ! -f "$DATA/realAWSCloudwatch_windows.json" ]]; then
  echo "run_nab.sh: no NAB data in $DATA (set COSTWISE_SHARED_DATA_DIR)" >&2
  exit 2
fi

mkdir -p "$OUTDIR"
count=0
for input in "$DATA"/*.csv; do
  name="$(basename "$input")"
  if ! "$COSTWISE_BIN" anomalies score --input "$input" --output "$OUTDIR/$name" \
      ${COSTWISE_SCORE_ARGS:-}; then
    echo "run_nab.sh: '$COSTWISE_BIN anomalies score' failed on $name" >&2
    exit 1
  fi
  count=$((count + 1))
done
echo "scored $count files into $OUTDIR" >&2

"$PYTHON" "$HERE/nab_score.py" --results "$OUTDIR" --data "$DATA" --profiles all --optimize \
  --name costwise --json "$OUTDIR/nab_scores.json" --markdown "$OUTDIR/nab_table.md"
