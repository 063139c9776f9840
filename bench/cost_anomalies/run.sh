#!/usr/bin/env bash
# Cost-anomaly benchmark (issue 3): costwise vs a rolling 3-sigma rule on daily cost series with
# injected spikes, level shifts and slow drifts of 10% to 300%.
#
#   1. backgrounds.py: clean daily backgrounds (real Prophet example series; a year of generated
#      CUR per organisation, compiled from bench/gen_billing.cpp into OUTDIR/bin with g++)
#   2. inject.py:      seeded injections after a 60-day warm-up, with their labels
#   3. evaluate.py:    runs $COSTWISE_BIN anomalies score on each series and the 3-sigma rule,
#                      scores both per injection and prints markdown tables
#
# Usage: bench/cost_anomalies/run.sh [OUTDIR]      (default bench/data/cost_anomalies, git-ignored)
#
# Environment: COSTWISE_BIN (default build/apps/costwise/costwise), PYTHON (default
# /usr/bin/python3), COSTWISE_SHARED_DATA_DIR (default ../shared/data beside the repository),
# GEN_BIN (a costwise_gen_billing to use instead of compiling one), NO_GENERATOR=1 (real
# backgrounds only), ORGS (generated organisations, default 12; the first run generates and
# aggregates 77 million CUR rows in about 8 minutes, cached in OUTDIR/cache/), SEED (injection
# seed, default 3), JOBS (costwise runs at once, default 2). See bench/cost_anomalies/README.md.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/../setup.sh" "$@"
OUT="${1:-$ROOT/bench/data/cost_anomalies}"
COSTWISE_BIN="${COSTWISE_BIN:-$ROOT/build/apps/costwise/costwise}"

log() { echo "[cost_anomalies] $*" >&2; }
die() { echo "cost_anomalies/run.sh: $*" >&2; exit 1; }

[[ -x "$COSTWISE_BIN" ]] || die "no costwise binary at $COSTWISE_BIN (set COSTWISE_BIN)"
[[ -d "$SHARED/prophet-examples" ]] || die "no $SHARED/prophet-examples (set COSTWISE_SHARED_DATA_DIR)"
mkdir -p "$OUT"

# Prints the generator to use, compiling it into $OUT/bin when it is missing or older than its
# sources; prints nothing when it cannot be had.
generator() {
  if [[ -n "${GEN_BIN:-}" ]]; then
    echo "$GEN_BIN"
    return
  fi
  local bin="$OUT/bin/costwise_gen_billing"
  local sources=("$ROOT/bench/gen_billing.cpp" "$ROOT"/bench/billing/*.cpp "$ROOT"/bench/billing/*.h)
  local stale=0 source
  [[ -x "$bin" ]] || stale=1
  for source in "${sources[@]}"; do
    [[ "$source" -nt "$bin" ]] && stale=1
  done
  if [[ $stale -eq 1 ]]; then
    log "compiling costwise_gen_billing into $bin"
    mkdir -p "$OUT/bin"
    if ! g++ -std=c++23 -O2 -I"$ROOT/bench" "$ROOT/bench/gen_billing.cpp" "$ROOT"/bench/billing/*.cpp \
        -o "$bin.tmp" -lfmt -lz >&2; then
      log "could not compile the generator: generated backgrounds skipped"
      return
    fi
    mv "$bin.tmp" "$bin"
  fi
  echo "$bin"
}

gen_args=()
if [[ "${NO_GENERATOR:-0}" != 1 ]]; then
  gen="$(generator)"
  [[ -n "$gen" ]] && gen_args=(--gen-bin "$gen" --orgs "${ORGS:-12}")
fi
"$PYTHON" "$HERE/backgrounds.py" --out "$OUT" --shared "$SHARED" "${gen_args[@]}"
"$PYTHON" "$HERE/inject.py" --out "$OUT" --seed "${SEED:-3}"
"$PYTHON" "$HERE/evaluate.py" --out "$OUT" --costwise "$COSTWISE_BIN" --jobs "${JOBS:-2}"
