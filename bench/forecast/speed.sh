#!/usr/bin/env bash
# Forecast speed: one `costwise forecast series` run over 1,000 daily series of 730 days
# (horizon 90, levels 80,95; goal under 10 s), against R's prophet on a sample of 20 of them
# (default settings, 1000 uncertainty samples; goal: costwise at least 50x faster per series).
#
#   1. speed_series.py: the 1,000 series (windows of Prophet's daily examples and two-year
#                       generated cost series, rescaled), and the sample (every 50th)
#   2. costwise:        RUNS timed runs over all series (the fastest counts), one over the sample
#   3. r_forecast.R:    prophet (and the other R_TOOLS) on the sample, timed per series
#   4. speed_report.py: checks costwise's output (90 rows per series) and prints the numbers,
#                       then the machine
#
# Usage: [COSTWISE_BIN=path/to/costwise] bench/forecast/speed.sh [OUTDIR]
#
# OUTDIR defaults to bench/data/forecast/speed (git-ignored). Variables: COSTWISE_BIN (default
# build-release/apps/costwise/costwise; may be a command with arguments), COSTWISE_NAME, PYTHON
# (default /usr/bin/python3), RSCRIPT (default Rscript), COSTWISE_SHARED_DATA_DIR,
# COST_ANOMALIES_DIR (the generator cache, default bench/data/cost_anomalies), NO_GENERATOR=1
# (Prophet's examples only), RUNS (costwise runs, default 3), HORIZON (default 90), R_TOOLS
# (default "prophet"; "prophet ets" adds forecast::ets; empty for none). See
# bench/forecast/README.md.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/../setup.sh" "$@"
OUT="${1:-$ROOT/bench/data/forecast/speed}"
RSCRIPT="${RSCRIPT:-Rscript}"
CA_DIR="${COST_ANOMALIES_DIR:-$ROOT/bench/data/cost_anomalies}"
read -r -a COSTWISE_CMD <<< "${COSTWISE_BIN:-$ROOT/build-release/apps/costwise/costwise}"
NAME="${COSTWISE_NAME:-costwise}"
RUNS="${RUNS:-3}"
HORIZON="${HORIZON:-90}"
R_TOOLS="${R_TOOLS-prophet}"
export TZ=UTC

die() { echo "speed.sh: $*" >&2; exit 1; }
log() { echo "[speed] $*" >&2; }

command -v "${COSTWISE_CMD[0]}" >/dev/null 2>&1 || [[ -x "${COSTWISE_CMD[0]}" ]] \
  || die "no costwise binary at ${COSTWISE_CMD[0]} (set COSTWISE_BIN)"
if [[ -n "$R_TOOLS" ]]; then
  "$RSCRIPT" -e 'suppressMessages({library(prophet); library(forecast)})' >/dev/null 2>&1 \
    || die "R with the prophet and forecast packages is needed, or set R_TOOLS=''"
fi
series_args=(--cost-anomalies "$CA_DIR" --shared "$SHARED")
[[ "${NO_GENERATOR:-0}" == 1 ]] && series_args+=(--no-generator)
mkdir -p "$OUT/costwise" "$OUT/r"
"$PYTHON" "$HERE/speed_series.py" --out "$OUT" "${series_args[@]}" \
  || die "could not build the series (no generator cache? run bench/forecast/compare.sh or bench/cost_anomalies/run.sh first, or set NO_GENERATOR=1)"

load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
# One timed costwise run: appends "seconds<TAB>max RSS KiB" to $3.
timed_run() {
  local input="$1" output="$2" record="$3"
  rm -f "$output"
  /usr/bin/time -f '%e\t%M' -o "$OUT/time.tmp" "${COSTWISE_CMD[@]}" forecast series \
    --input "$input" --horizon "$HORIZON" --levels 80,95 --output "$output" \
    || die "'${COSTWISE_CMD[*]} forecast series' failed on $input"
  cat "$OUT/time.tmp" >> "$record"
  rm -f "$OUT/time.tmp"
}
: > "$OUT/costwise_runs.tsv"
for run in $(seq 1 "$RUNS"); do
  log "${COSTWISE_CMD[*]} forecast series: run $run of $RUNS over $(($(wc -l < "$OUT/input.csv") - 1)) rows"
  timed_run "$OUT/input.csv" "$OUT/costwise/forecast.csv" "$OUT/costwise_runs.tsv"
done
: > "$OUT/costwise_sample.tsv"
timed_run "$OUT/sample.csv" "$OUT/costwise/sample_forecast.csv" "$OUT/costwise_sample.tsv"

for tool in $R_TOOLS; do
  log "R $tool on the sample ($(grep -c '"sample": true' "$OUT/series.json") series, horizon $HORIZON)"
  "$RSCRIPT" "$HERE/r_forecast.R" "$tool" "$OUT/sample.csv" "$HORIZON" day \
    "$OUT/r/${tool}_forecast.csv" "$OUT/r/${tool}_timings.csv" 2> "$OUT/r/$tool.log" \
    || die "r_forecast.R $tool failed (see $OUT/r/$tool.log)"
done
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"

report_args=()
for tool in $R_TOOLS; do report_args+=(--tool "$tool"); done
"$PYTHON" "$HERE/speed_report.py" --out "$OUT" --horizon "$HORIZON" --name "$NAME" "${report_args[@]}"

r_versions=""
if [[ -n "$R_TOOLS" ]]; then
  r_versions="$("$RSCRIPT" -e 'cat(sprintf(" %s, prophet %s, forecast %s, rstan %s.", R.version.string, packageVersion("prophet"), packageVersion("forecast"), packageVersion("rstan")))' 2>/dev/null)"
fi
echo
echo "Machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')),"\
  "$(awk '/MemTotal/ {printf "%.0f GiB RAM", $2 / 1048576}' /proc/meminfo), load average" \
  "$load_before before and $load_after after.${r_versions}"
echo "costwise: whole-process wall time (/usr/bin/time) of '${COSTWISE_CMD[*]##*/} forecast series'," \
  "start-up and CSV input/output included; it uses both cores. R: fit + predictive samples +" \
  "predict per series inside one R process (start-up, package loading and reading not counted)," \
  "one core; seconds per series are the mean over the sample."
