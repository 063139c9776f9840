#!/usr/bin/env bash
# M4 Hourly benchmark of `costwise forecast series`: the 414 series, horizon 48, intervals 80/95.
#
#   1. m4_eval.py input:  the 414 in-sample series as one series_id,ds,y CSV (synthetic hourly
#                         timestamps from 2000-01-03 00:00:00)
#   2. $COSTWISE_BIN forecast series --input ... --horizon 48 --levels 80,95 --output ...
#                         (one run over all series, wall time measured)
#   3. m4_eval.py score:  sMAPE, MASE, OWA, MSIS and ACD as M4 defines them, printed as a markdown
#                         table beside the official top 10 by Hourly OWA, every official
#                         benchmark, and the benchmarks as computed here (Naive, sNaive, Naive2
#                         from their definitions; SES, Holt, Damped, Theta, Comb with R's forecast)
#
# Usage: [COSTWISE_BIN=path/to/costwise] bench/m4/run_m4.sh [OUTDIR]
#
# OUTDIR defaults to bench/data/m4 (git-ignored). COSTWISE_BIN defaults to
# build-release/apps/costwise/costwise; it may be a command with arguments, e.g.
# "/usr/bin/python3 bench/forecast/standin_forecast.py" (the seasonal-naive stand-in).
# Other variables: PYTHON (default /usr/bin/python3), COSTWISE_SHARED_DATA_DIR (default
# ../shared/data beside the repository), COSTWISE_NAME (the row's name, default costwise),
# M4_BENCHMARKS=0 (skip computing the benchmarks: Naive, sNaive and Naive2 here, SES, Holt,
# Damped, Theta and Comb with R's forecast package when Rscript has it, about 20 s the first
# time; cached in OUTDIR).
# See bench/m4/README.md.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/../setup.sh" "$@"
OUT="${1:-$ROOT/bench/data/m4}"
read -r -a COSTWISE_CMD <<< "${COSTWISE_BIN:-$ROOT/build-release/apps/costwise/costwise}"
NAME="${COSTWISE_NAME:-costwise}"

die() { echo "run_m4.sh: $*" >&2; exit 1; }
log() { echo "[m4] $*" >&2; }

command -v "${COSTWISE_CMD[0]}" >/dev/null 2>&1 || [[ -x "${COSTWISE_CMD[0]}" ]] \
  || die "no costwise binary at ${COSTWISE_CMD[0]} (set COSTWISE_BIN)"
[[ -f "$SHARED/m4-hourly/Hourly-train.csv" ]] \
  || die "no $SHARED/m4-hourly/Hourly-train.csv (set COSTWISE_SHARED_DATA_DIR)"
mkdir -p "$OUT"

INPUT="$OUT/hourly-input.csv"
FORECAST="$OUT/costwise-forecast.csv"
"$PYTHON" "$HERE/m4_eval.py" input "$INPUT"

log "running ${COSTWISE_CMD[*]} forecast series on 414 series, horizon 48"
rm -f "$FORECAST"
start=$(date +%s.%N)
if ! "${COSTWISE_CMD[@]}" forecast series --input "$INPUT" --horizon 48 --levels 80,95 \
    --output "$FORECAST"; then
  die "'${COSTWISE_CMD[*]} forecast series' failed"
fi
end=$(date +%s.%N)
seconds=$("$PYTHON" -c "print(f'{$end - $start:.3f}')")
log "forecast written in $seconds s"

bench_args=(--with-benchmarks --cache "$OUT/benchmarks.json")
[[ "${M4_BENCHMARKS:-1}" == 0 ]] && bench_args=()
"$PYTHON" "$HERE/m4_eval.py" score "$FORECAST" --name "$NAME" --seconds "$seconds" \
  "${bench_args[@]}" --markdown "$OUT/m4_table.md" --json "$OUT/m4_scores.json"

echo
echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'),"\
  "load average $(cut -d' ' -f1-3 /proc/loadavg)."
echo "Seconds: wall time of one '${COSTWISE_CMD[*]##*/} forecast series' process over the 414" \
  "series (353,500 input rows), including start-up and CSV input/output."
