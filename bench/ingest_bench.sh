#!/usr/bin/env bash
# Ingest benchmark: costwise vs DuckDB on the same generated CUR and FOCUS files.
#
# For each format (legacy CUR, FOCUS) and compression (plain, gzip) it generates a seeded file
# with bench/costwise_gen_billing (cached under bench/data/), then runs, each under
# /usr/bin/time -v:
#   costwise --db sqlite:$TMP/bench.db ingest --tenant bench FILE
#   node bench/duckdb/cube.mjs FORMAT FILE     (the same daily cube with GROUP BY in DuckDB)
# and prints a markdown table (seconds, rows/s, MB/s, peak RSS, ratio), then the machine and
# the versions. See bench/README.md.
#
# Usage: bench/ingest_bench.sh [--rows N] [--seed S] [--runs K] [--formats "cur-legacy focus"]
#                              [--compressions "plain gzip"] [--gzip-level L] [--duckdb-only]
#
# --duckdb-only measures DuckDB alone (no costwise build needed). COSTWISE_BIN=PATH uses that
# costwise binary instead of building build-release/apps/costwise/costwise;
# COSTWISE_BUILD_DIR=DIR builds in DIR instead of build-release (e.g. the Makefile's build/).
# Generated inputs stay in bench/data/ (git-ignored; about 10 GB for 5 million rows): delete them
# to regenerate. The raw outputs of the last run (DuckDB's JSON, costwise's output, the
# /usr/bin/time -v reports of the fastest runs) are kept in bench/data/last-run/.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH="$ROOT/bench"
BUILD="${COSTWISE_BUILD_DIR:-$ROOT/build-release}"
DATA="$BENCH/data"
ROWS=5000000
SEED=42
RUNS=1
FORMATS="cur-legacy focus"
COMPRESSIONS="plain gzip"
GZIP_LEVEL=1
DUCKDB_ONLY=0

usage() {
  sed -n '2,23p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
  exit "${1:-0}"
}

while [[ $# -gt 0 ]]; do
  case "$1" in
    --rows) ROWS="$2"; shift 2 ;;
    --seed) SEED="$2"; shift 2 ;;
    --runs) RUNS="$2"; shift 2 ;;
    --formats) FORMATS="$2"; shift 2 ;;
    --compressions) COMPRESSIONS="$2"; shift 2 ;;
    --gzip-level) GZIP_LEVEL="$2"; shift 2 ;;
    --duckdb-only) DUCKDB_ONLY=1; shift ;;
    -h|--help) usage 0 ;;
    *) echo "ingest_bench.sh: unknown argument $1" >&2; usage 2 ;;
  esac
done

die() { echo "ingest_bench.sh: $*" >&2; exit 1; }
log() { echo "[ingest_bench] $*" >&2; }

[[ -x /usr/bin/time ]] || die "/usr/bin/time is missing (apt-get install time)"
command -v node >/dev/null || die "node is missing (apt-get install nodejs npm)"
command -v cmake >/dev/null || die "cmake is missing"

# ---- build ---------------------------------------------------------------------------------
COSTWISE="${COSTWISE_BIN:-$BUILD/apps/costwise/costwise}"
GENERATOR="$BUILD/bench/costwise_gen_billing"
if [[ ! -f "$BUILD/CMakeCache.txt" ]]; then
  log "configuring $BUILD (Release)"
  cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >&2
fi
log "building costwise_gen_billing (Release, -j2)"
cmake --build "$BUILD" -j2 --target costwise_gen_billing >&2
if [[ $DUCKDB_ONLY -eq 0 && -z "${COSTWISE_BIN:-}" ]]; then
  log "building costwise (Release, -j2)"
  if ! cmake --build "$BUILD" -j2 --target costwise >&2; then
    die "could not build the costwise binary ($COSTWISE); run with --duckdb-only to measure DuckDB alone"
  fi
fi
if [[ $DUCKDB_ONLY -eq 0 ]]; then
  [[ -x "$COSTWISE" ]] || die "no costwise binary at $COSTWISE (is the 'ingest' subcommand built yet?); run with --duckdb-only to measure DuckDB alone"
  "$COSTWISE" ingest --help >/dev/null 2>&1 || die "$COSTWISE has no working 'ingest' subcommand yet; run with --duckdb-only to measure DuckDB alone"
fi

if [[ ! -d "$BENCH/duckdb/node_modules/@duckdb/node-api" ]]; then
  log "installing @duckdb/node-api (npm ci in bench/duckdb)"
  (cd "$BENCH/duckdb" && npm ci --no-audit --no-fund >&2)
fi

# ---- inputs --------------------------------------------------------------------------------
mkdir -p "$DATA"
input_path() {  # format compression
  local suffix=".csv"
  [[ "$2" == gzip ]] && suffix=".csv.gz"
  echo "$DATA/$1-${ROWS}-s${SEED}${suffix}"
}

generate() {  # format compression
  local file
  file="$(input_path "$1" "$2")"
  if [[ -f "$file" && -f "$file.json" ]]; then
    return
  fi
  local gzip_args=()
  [[ "$2" == gzip ]] && gzip_args=(--gzip --gzip-level "$GZIP_LEVEL")
  log "generating $file"
  # The .json (statistics) is written last: a file without it is incomplete and made again.
  "$GENERATOR" --format "$1" --rows "$ROWS" --seed "$SEED" "${gzip_args[@]}" --output "$file" > "$file.json.tmp"
  mv "$file.json.tmp" "$file.json"
}

json_field() {  # file field
  node -e 'const d=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")); const v=process.argv[2].split(".").reduce((o,k)=>o[k],d); console.log(v)' "$1" "$2"
}

# ---- measurement ---------------------------------------------------------------------------
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

time_field() {  # time -v output, field
  case "$2" in
    wall) awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$1" |
            awk -F: '{ if (NF == 3) print $1*3600 + $2*60 + $3; else print $1*60 + $2 }' ;;
    rss_mb) awk -F': ' '/Maximum resident set size/ {printf "%.0f\n", $2/1024}' "$1" ;;
  esac
}

# Runs a command RUNS times under /usr/bin/time -v; keeps the fastest run's wall seconds and
# peak RSS (MiB) in $TMP/$1.result and its stdout in $TMP/$1.out.
measure() {  # name, command...
  local name="$1"; shift
  local best="" best_rss=""
  for ((run = 1; run <= RUNS; run++)); do
    rm -f "$TMP"/bench.db*
    if ! /usr/bin/time -v "$@" > "$TMP/$name.run.out" 2> "$TMP/$name.run.err"; then
      cat "$TMP/$name.run.err" >&2
      die "$name failed: $*"
    fi
    local wall rss
    wall="$(time_field "$TMP/$name.run.err" wall)"
    rss="$(time_field "$TMP/$name.run.err" rss_mb)"
    log "$name run $run: ${wall}s, peak RSS ${rss} MiB"
    if [[ -z "$best" ]] || awk -v a="$wall" -v b="$best" 'BEGIN {exit !(a < b)}'; then
      best="$wall"; best_rss="$rss"
      cp "$TMP/$name.run.out" "$TMP/$name.out"
      cp "$TMP/$name.run.err" "$TMP/$name.err"
    fi
  done
  echo "$best $best_rss" > "$TMP/$name.result"
}

LAST_RUN="$DATA/last-run"
rm -rf "$LAST_RUN"
mkdir -p "$LAST_RUN"
keep() {  # name, case: keeps the fastest run's outputs of `name` under last-run/
  cp "$TMP/$1.out" "$LAST_RUN/$1-$2.out"
  cp "$TMP/$1.err" "$LAST_RUN/$1-$2.time"
}
LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
ROWS_OUT=()
SERIAL_NOTE=0
for format in $FORMATS; do
  for compression in $COMPRESSIONS; do
    generate "$format" "$compression"
    file="$(input_path "$format" "$compression")"
    rows="$(json_field "$file.json" rows)"
    csv_mb="$(awk -v b="$(json_field "$file.json" csv_bytes)" 'BEGIN {printf "%.1f", b/1e6}')"
    file_mb="$(awk -v b="$(stat -c %s "$file")" 'BEGIN {printf "%.1f", b/1e6}')"
    expected_billed="$(json_field "$file.json" billed_total)"

    measure duckdb node "$BENCH/duckdb/cube.mjs" "$format" "$file"
    read -r duck_s duck_rss < "$TMP/duckdb.result"
    duck_rows="$(json_field "$TMP/duckdb.out" rows_in)"
    duck_billed="$(json_field "$TMP/duckdb.out" billed_total)"
    DUCKDB_VERSION="$(json_field "$TMP/duckdb.out" duckdb_version)"
    [[ "$duck_rows" == "$rows" ]] || die "DuckDB read $duck_rows rows of $file, expected $rows"
    [[ "$duck_billed" == "$expected_billed" ]] || log "warning: DuckDB billed total $duck_billed, generator $expected_billed"
    keep duckdb "$format-$compression"
    duck_rps="$(awk -v r="$rows" -v s="$duck_s" 'BEGIN {printf "%.0f", r/s}')"
    cube_rows="$(json_field "$TMP/duckdb.out" cube_rows)"
    duck_mark=""
    if [[ "$(json_field "$TMP/duckdb.out" csv_parallel)" != true ]]; then
      duck_mark=" (serial read)"
      SERIAL_NOTE=1
    fi

    if [[ $DUCKDB_ONLY -eq 0 ]]; then
      measure costwise "$COSTWISE" --db "sqlite:$TMP/bench.db" ingest --tenant bench "$file"
      read -r cw_s cw_rss < "$TMP/costwise.result"
      keep costwise "$format-$compression"
      tail -n 1 "$TMP/costwise.out" >&2
      # Same cube? costwise prints "... into N cube rows ... billed X effective Y ..." (2 decimals).
      cw_summary="$(grep -Eo 'into [0-9]+ cube rows|billed -?[0-9.]+ effective -?[0-9.]+' "$TMP/costwise.out" |
                    grep -Eo -- '-?[0-9.]+' | tr '\n' ' ' || true)"
      duck_summary="$cube_rows $(awk -v b="$duck_billed" -v e="$(json_field "$TMP/duckdb.out" effective_total)" \
                                 'BEGIN {printf "%.2f %.2f", b, e}')"
      if [[ -z "$cw_summary" ]]; then
        same="?"
      elif [[ "${cw_summary% }" == "$duck_summary" ]]; then
        same="yes"
      else
        same="no: costwise ${cw_summary% }, DuckDB $duck_summary"
      fi
      cw_rps="$(awk -v r="$rows" -v s="$cw_s" 'BEGIN {printf "%.0f", r/s}')"
      cw_mbps="$(awk -v m="$csv_mb" -v s="$cw_s" 'BEGIN {printf "%.1f", m/s}')"
      ratio="$(awk -v a="$cw_rps" -v b="$duck_rps" 'BEGIN {printf "%.2f", a/b}')"
    else
      cw_s="n/a"; cw_rps="n/a"; cw_mbps="n/a"; cw_rss="n/a"; ratio="n/a"; same="n/a"
    fi
    duck_mbps="$(awk -v m="$csv_mb" -v s="$duck_s" 'BEGIN {printf "%.1f", m/s}')"
    ROWS_OUT+=("| $format | $compression | $rows | $file_mb | $csv_mb | $cw_s | $cw_rps | $cw_mbps | $cw_rss | $duck_s$duck_mark | $duck_rps | $duck_mbps | $duck_rss | $ratio | $cube_rows | $same |")
  done
done
LOAD_AFTER="$(cut -d' ' -f1-3 /proc/loadavg)"

# ---- report --------------------------------------------------------------------------------
echo "| format | compression | rows | file MB | CSV MB | costwise s | costwise rows/s | costwise MB/s | costwise peak RSS MiB | DuckDB s | DuckDB rows/s | DuckDB MB/s | DuckDB peak RSS MiB | ratio (rows/s) | cube rows | same cube |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
printf '%s\n' "${ROWS_OUT[@]}"
echo
echo "Seconds are whole-process wall time (best of $RUNS run(s)); MB/s counts uncompressed CSV bytes;"
echo "MB = 10^6 bytes, peak RSS in MiB (\"Maximum resident set size\" of /usr/bin/time -v); ratio = costwise"
echo "rows/s / DuckDB rows/s. \"same cube\": costwise's cube row count and billed/effective totals equal DuckDB's."
if [[ $SERIAL_NOTE -eq 1 ]]; then
  echo "(serial read): DuckDB's parallel CSV reader gave up on the file; cube.mjs read it again with"
  echo "parallel = false, and the seconds include the failed attempt (see bench/data/last-run/)."
fi
echo "Inputs: costwise_gen_billing --rows $ROWS --seed $SEED (gzip level $GZIP_LEVEL), cached in bench/data/."
echo
echo "Machine: $(lscpu | awk -F': +' '/Model name/ {print $2; exit}'), nproc $(nproc),"\
     "$(free -m | awk '/Mem:/ {printf "%.1f GiB", $2/1024}') RAM; load average before $LOAD_BEFORE, after $LOAD_AFTER"
echo "Versions: costwise $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$ROOT" diff --quiet HEAD -- src apps 2>/dev/null || echo ' (+ uncommitted changes)'),"\
     "DuckDB ${DUCKDB_VERSION:-unknown} (@duckdb/node-api $(json_field "$BENCH/duckdb/node_modules/@duckdb/node-api/package.json" version)),"\
     "node $(node --version), $(g++ --version | head -n 1)"
