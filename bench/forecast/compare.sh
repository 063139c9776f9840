#!/usr/bin/env bash
# Forecast accuracy side by side: costwise, R's prophet and forecast::ets on the same series.
#
#   1. prepare.py:     the comparison set (Prophet's daily and monthly example series, and the
#                      generator's daily cost series from bench/cost_anomalies/backgrounds.py),
#                      last 30 days (12 months for monthly series) held out
#   2. costwise:       $COSTWISE_BIN forecast series --horizon 30 (daily) / 12 (monthly)
#                      --levels 80,95, one timed run per frequency
#   3. r_forecast.R:   prophet (defaults; 80/95 intervals from one set of predictive samples)
#                      and forecast::ets (ts frequency 7 / 12), timed per series in-process
#   4. aggregate.py:   MASE, sMAPE, coverage of the 80/95% intervals, seconds per series and the
#                      winner per series, printed as markdown
#
# Usage: [COSTWISE_BIN=path/to/costwise] bench/forecast/compare.sh [OUTDIR]
#
# OUTDIR defaults to bench/data/forecast/compare (git-ignored). Variables: COSTWISE_BIN (default
# build-release/apps/costwise/costwise; may be a command with arguments), COSTWISE_NAME (default
# costwise), PYTHON (default /usr/bin/python3), RSCRIPT (default Rscript), COSTWISE_SHARED_DATA_DIR
# (default ../shared/data beside the repository), COST_ANOMALIES_DIR (where backgrounds.py's
# generator cache is, default bench/data/cost_anomalies), NO_GENERATOR=1 (Prophet's examples
# only), GEN_BIN (a costwise_gen_billing, when the cache must be generated), R_TOOLS (default
# "prophet ets"; empty for none), R_RERUN=1 (refit R even when its results for these inputs are
# in OUTDIR/r/). See bench/forecast/README.md.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/../setup.sh" "$@"
OUT="${1:-$ROOT/bench/data/forecast/compare}"
RSCRIPT="${RSCRIPT:-Rscript}"
CA_DIR="${COST_ANOMALIES_DIR:-$ROOT/bench/data/cost_anomalies}"
read -r -a COSTWISE_CMD <<< "${COSTWISE_BIN:-$ROOT/build-release/apps/costwise/costwise}"
NAME="${COSTWISE_NAME:-costwise}"
R_TOOLS="${R_TOOLS-prophet ets}"
export TZ=UTC  # R's prophet asks timedatectl otherwise

die() { echo "compare.sh: $*" >&2; exit 1; }
log() { echo "[forecast] $*" >&2; }
now() { date +%s.%N; }
elapsed() { "$PYTHON" -c "print(f'{$2 - $1:.3f}')"; }

command -v "${COSTWISE_CMD[0]}" >/dev/null 2>&1 || [[ -x "${COSTWISE_CMD[0]}" ]] \
  || die "no costwise binary at ${COSTWISE_CMD[0]} (set COSTWISE_BIN)"
[[ -d "$SHARED/prophet-examples" ]] || die "no $SHARED/prophet-examples (set COSTWISE_SHARED_DATA_DIR)"
if [[ -n "$R_TOOLS" ]]; then
  "$RSCRIPT" -e 'suppressMessages({library(prophet); library(forecast)})' >/dev/null 2>&1 \
    || die "R with the prophet and forecast packages is needed (apt-get install r-cran-prophet r-cran-forecast), or set R_TOOLS=''"
fi
mkdir -p "$OUT"

# The generator's daily cost series: backgrounds.py's cached aggregates, generated when missing
# (about 10 minutes on 2 cores; cached for every later run of this script and of
# bench/cost_anomalies/run.sh).
prepare_args=()
if [[ "${NO_GENERATOR:-0}" == 1 ]]; then
  prepare_args=(--no-generator)
elif ! compgen -G "$CA_DIR/cache/generator-*-s42-2024-o12.json" >/dev/null; then
  gen="${GEN_BIN:-$CA_DIR/bin/costwise_gen_billing}"
  if [[ ! -x "$gen" ]]; then
    log "compiling costwise_gen_billing into $gen"
    mkdir -p "$(dirname "$gen")"
    g++ -std=c++23 -O2 -I"$ROOT/bench" "$ROOT/bench/gen_billing.cpp" "$ROOT"/bench/billing/*.cpp \
      -o "$gen.tmp" -lfmt -lz || die "could not compile the generator (or set NO_GENERATOR=1)"
    mv "$gen.tmp" "$gen"
  fi
  log "generating a year of CUR for 12 organisations (about 10 minutes, cached in $CA_DIR/cache)"
  "$PYTHON" "$ROOT/bench/cost_anomalies/backgrounds.py" --out "$CA_DIR" --shared "$SHARED" \
    --gen-bin "$gen"
fi
"$PYTHON" "$HERE/prepare.py" --out "$OUT/data" --shared "$SHARED" --cost-anomalies "$CA_DIR" \
  "${prepare_args[@]}"

# costwise: one run per frequency (one horizon per run).
mkdir -p "$OUT/costwise"
costwise_seconds=()
costwise_files=()
for kind in daily:30 monthly:12; do
  freq="${kind%%:*}"
  h="${kind##*:}"
  input="$OUT/data/train_$freq.csv"
  output="$OUT/costwise/forecast_$freq.csv"
  rm -f "$output"
  log "${COSTWISE_CMD[*]} forecast series: $freq series, horizon $h"
  t0=$(now)
  "${COSTWISE_CMD[@]}" forecast series --input "$input" --horizon "$h" --levels 80,95 \
    --output "$output" || die "'${COSTWISE_CMD[*]} forecast series' failed on $input"
  t1=$(now)
  costwise_seconds+=("$(elapsed "$t0" "$t1")")
  costwise_files+=("$output")
done
log "costwise: ${costwise_seconds[0]} s (daily), ${costwise_seconds[1]} s (monthly)"

# R: prophet and ets, per frequency; results kept for identical inputs.
mkdir -p "$OUT/r"
inputs_sum="$(cat "$OUT/data/train_daily.csv" "$OUT/data/train_monthly.csv" "$HERE/r_forecast.R" \
  | sha256sum | cut -c1-16)"
tool_args=(--tool "$NAME=$(IFS=+; echo "${costwise_files[*]}"):$(IFS=+; echo "${costwise_seconds[*]}")")
for tool in $R_TOOLS; do
  for kind in daily:30:day monthly:12:month; do
    IFS=: read -r freq h step <<< "$kind"
    result="$OUT/r/${tool}_$freq.csv"
    timings="$OUT/r/${tool}_${freq}_timings.csv"
    stamp="$OUT/r/${tool}_$freq.inputs"
    if [[ "${R_RERUN:-0}" != 1 && -f "$result" && -f "$timings" && -f "$stamp" \
          && "$(cat "$stamp")" == "$inputs_sum" ]]; then
      log "R $tool ($freq): results for these inputs already in $OUT/r (R_RERUN=1 refits)"
    else
      log "R $tool on the $freq series"
      "$RSCRIPT" "$HERE/r_forecast.R" "$tool" "$OUT/data/train_$freq.csv" "$h" "$step" \
        "$result" "$timings" 2> "$OUT/r/${tool}_$freq.log" \
        || die "r_forecast.R $tool failed (see $OUT/r/${tool}_$freq.log)"
      echo "$inputs_sum" > "$stamp"
    fi
  done
  tool_args+=(--tool "$tool=$OUT/r/${tool}_daily.csv+$OUT/r/${tool}_monthly.csv:$OUT/r/${tool}_daily_timings.csv+$OUT/r/${tool}_monthly_timings.csv")
done

"$PYTHON" "$HERE/aggregate.py" --data "$OUT/data" "${tool_args[@]}" \
  --markdown "$OUT/compare.md" --json "$OUT/compare.json"

r_versions=""
if [[ -n "$R_TOOLS" ]]; then
  r_versions="$("$RSCRIPT" -e 'cat(sprintf("%s, prophet %s, forecast %s", R.version.string, packageVersion("prophet"), packageVersion("forecast")))' 2>/dev/null)"
fi
echo
echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'),"\
  "load average $(cut -d' ' -f1-3 /proc/loadavg). ${r_versions}"
echo "Seconds per series: costwise, the wall time of its two runs (daily, monthly; process start to" \
  "exit, CSV I/O included) over the number of series; prophet and ets, fit + forecast per series" \
  "inside one R process (R start-up, package loading and reading the file not counted), one core."
