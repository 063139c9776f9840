#!/usr/bin/env bash
# Fuzzes the CSV / CUR / FOCUS readers with libFuzzer (clang, ASan + UBSan), one core, bounded time.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET]     default 12: about a minute for the four targets
#
# 1. builds every target in tests/fuzz/ into build-fuzz/ (installs clang with apt-get if needed);
# 2. replays every input in tests/fuzz/regressions/<target>/: inputs that once crashed a target,
#    kept forever; the run fails if any of them still crashes;
# 3. fuzzes each target for SECONDS_PER_TARGET, seeded from tests/fuzz/corpus/<target>/, adding
#    new inputs only to a scratch corpus in build-fuzz/corpus/<target>/ (emptied for each run);
#    a crashing input is copied into tests/fuzz/regressions/<target>/ and the run fails.
#
# libFuzzer's own output goes to build-fuzz/logs/<target>.log; one summary line per target here.
# Environment: FUZZ_TARGETS (a subset, space separated), FUZZ_CXX (default clang++),
# FUZZ_JOBS (build parallelism, default 2), FUZZ_KEEP_CORPUS=1 (keep the scratch corpus of the
# previous run, to build on a long run).
set -euo pipefail

cd "$(dirname "$0")/.."

readonly SECONDS_PER_TARGET="${1:-12}"
if ! [[ "$SECONDS_PER_TARGET" =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: scripts/fuzz.sh [SECONDS_PER_TARGET]   (a positive whole number; default 12)" >&2
  exit 2
fi

readonly BUILD_DIR=build-fuzz
readonly FUZZ_DIR=tests/fuzz
readonly ALL_TARGETS="csv_parser_fuzz tag_parser_fuzz row_mapper_fuzz file_ingest_fuzz"
read -r -a TARGETS <<<"${FUZZ_TARGETS:-$ALL_TARGETS}"
export FUZZ_CXX="${FUZZ_CXX:-clang++}"
readonly JOBS="${FUZZ_JOBS:-2}"
readonly TIMEOUT_SECONDS=10  # one input running longer than this is a hang
readonly RSS_LIMIT_MB=2048

# Longest input per target: a few records for the parser, a tag map, a header and a dozen rows
# for the row mapper, a small file of many 256-byte blocks for the whole ingest.
max_len_of() {
  case "$1" in
    csv_parser_fuzz) echo 4096 ;;
    tag_parser_fuzz) echo 1024 ;;
    row_mapper_fuzz) echo 16384 ;;
    file_ingest_fuzz) echo 16384 ;;
    *) echo 4096 ;;
  esac
}

log() { echo "fuzz: $*"; }
die() {
  echo "fuzz: FAILED: $*" >&2
  exit 1
}

mkdir -p "$BUILD_DIR/logs"

# --- toolchain -----------------------------------------------------------------------------------

# True when FUZZ_CXX can build and link a libFuzzer binary against the readers' libraries.
toolchain_works() {
  local probe="$BUILD_DIR/probe"
  cat >"$probe.cpp" <<'EOF'
#include <cstddef>
#include <cstdint>
#include <fmt/format.h>
#include <isa-l/igzip_lib.h>
#include <openssl/evp.h>
#include <xxhash.h>
#include <zlib.h>
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t*, std::size_t) {
  inflate_state state{};
  isal_inflate_init(&state);
  return fmt::format("{}", zlibVersion()).empty() || EVP_sha256() == nullptr ||
         XXH3_64bits("", 0) == 0;
}
EOF
  command -v "$FUZZ_CXX" >/dev/null 2>&1 &&
    "$FUZZ_CXX" -std=c++2b -fsanitize=fuzzer,address,undefined "$probe.cpp" -o "$probe" \
      -lfmt -lxxhash -lisal -lz -lcrypto >"$BUILD_DIR/logs/probe.log" 2>&1
}

install_toolchain() {
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || die "$FUZZ_CXX cannot build libFuzzer targets and sudo is missing; install: clang libclang-rt-14-dev libfmt-dev libxxhash-dev libisal-dev zlib1g-dev libssl-dev"
    sudo="sudo"
  fi
  # clang++ is Debian 12's clang 14; clang++-N needs clang-N and its runtime.
  local version=14 clang_package=clang
  if [[ "$FUZZ_CXX" =~ ^clang\+\+-([0-9]+)$ ]]; then
    version="${BASH_REMATCH[1]}"
    clang_package="clang-$version"
  fi
  log "installing $clang_package and libraries with apt-get (log: $BUILD_DIR/logs/apt.log)"
  {
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q &&
      $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
        "$clang_package" "libclang-rt-$version-dev" libfmt-dev libxxhash-dev libisal-dev zlib1g-dev libssl-dev
  } >"$BUILD_DIR/logs/apt.log" 2>&1 || {
    tail -n 20 "$BUILD_DIR/logs/apt.log" >&2
    die "apt-get could not install the fuzzing toolchain"
  }
}

if ! toolchain_works; then
  install_toolchain
  toolchain_works || {
    cat "$BUILD_DIR/logs/probe.log" >&2
    die "$FUZZ_CXX still cannot build a libFuzzer target"
  }
fi

# --- build ---------------------------------------------------------------------------------------

started=$(date +%s)
build_targets=()
for target in "${TARGETS[@]}"; do build_targets+=("$BUILD_DIR/bin/$target"); done
log "building ${TARGETS[*]} with $FUZZ_CXX (log: $BUILD_DIR/logs/build.log)"
if ! make -f "$FUZZ_DIR/Makefile" -j"$JOBS" BUILD_DIR="$BUILD_DIR" FUZZ_CXX="$FUZZ_CXX" \
  "${build_targets[@]}" >"$BUILD_DIR/logs/build.log" 2>&1; then
  grep -E 'error|Error' "$BUILD_DIR/logs/build.log" | head -n 30 >&2 || true
  die "the fuzz targets do not build; see $BUILD_DIR/logs/build.log"
fi

# --- run -----------------------------------------------------------------------------------------

export TMPDIR="$PWD/$BUILD_DIR/tmp"  # file_ingest_fuzz writes its input file here
mkdir -p "$TMPDIR"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
failures=0

# The sanitizer's or the invariant's report from a libFuzzer log: from the first error line, without
# the per-exec lines and the shadow memory dump; the log's tail when there is no error line.
print_report() {
  local marker='^==[0-9]+== ?ERROR|runtime error:|fuzz invariant failed|^ERROR: '
  if ! grep -qE "$marker" "$1"; then
    tail -n 40 "$1" | sed 's/^/    /' >&2
    return 0
  fi
  awk -v marker="$marker" '
    $0 ~ marker { on = 1 }
    /^Shadow bytes around/ { skip = 1 }
    /^==[0-9]+==ABORTING/ { skip = 0 }
    on && !skip && !/^#[0-9]+/ && shown < 120 { print "    " $0; shown++ }
  ' "$1" >&2
}

replay_regressions() {
  local target="$1" binary="$BUILD_DIR/bin/$1" dir="$FUZZ_DIR/regressions/$1"
  [ -d "$dir" ] || return 0
  local input count=0 failed=0
  for input in "$dir"/*; do
    [ -f "$input" ] || continue
    [[ "$(basename "$input")" == README* ]] && continue
    count=$((count + 1))
    local replay_log="$BUILD_DIR/logs/$target.replay.log"
    if ! "$binary" -timeout="$TIMEOUT_SECONDS" -rss_limit_mb="$RSS_LIMIT_MB" "$input" \
      >"$replay_log" 2>&1; then
      echo "fuzz: FAIL $target: saved crash $input still crashes:" >&2
      print_report "$replay_log"
      failed=1
    fi
  done
  if [ "$failed" -ne 0 ]; then
    failures=$((failures + 1))
  elif [ "$count" -gt 0 ]; then
    log "$target: $count saved crash input(s) replayed, none crashes"
  fi
}

# "name: value" of libFuzzer's final stats, or of the last status line's "name: value".
stat_of() { sed -n "s/^stat::$2: *//p" "$1" | tail -n 1; }
status_of() { { grep -E '^#[0-9]+' "$1" || true; } | tail -n 1 | sed -n "s/.* $2: \([0-9]*\).*/\1/p"; }

fuzz_target() {
  local target="$1" binary="$BUILD_DIR/bin/$1"
  local corpus="$BUILD_DIR/corpus/$target" artifacts="$BUILD_DIR/artifacts/$target"
  local run_log="$BUILD_DIR/logs/$target.log" seeds="$FUZZ_DIR/corpus/$target"
  [ "${FUZZ_KEEP_CORPUS:-0}" = 1 ] || rm -rf "$corpus"
  rm -rf "$artifacts" "$TMPDIR"
  mkdir -p "$corpus" "$artifacts" "$TMPDIR"
  local options=() seed_dirs=()
  if [ -f "$FUZZ_DIR/$target.dict" ]; then options+=(-dict="$FUZZ_DIR/$target.dict"); fi
  if [ -d "$seeds" ]; then seed_dirs+=("$seeds"); fi
  local begin rc=0
  begin=$(date +%s)
  "$binary" -max_total_time="$SECONDS_PER_TARGET" -max_len="$(max_len_of "$target")" \
    -timeout="$TIMEOUT_SECONDS" -rss_limit_mb="$RSS_LIMIT_MB" -print_final_stats=1 \
    -artifact_prefix="$artifacts/" "${options[@]}" "$corpus" "${seed_dirs[@]}" \
    >"$run_log" 2>&1 || rc=$?
  local elapsed=$(($(date +%s) - begin))
  local execs rate coverage features units
  execs=$(stat_of "$run_log" number_of_executed_units)
  rate=$(stat_of "$run_log" average_exec_per_sec)
  coverage=$(status_of "$run_log" cov)
  features=$(status_of "$run_log" ft)
  units=$(status_of "$run_log" corp)
  local found=()
  local artifact
  for artifact in "$artifacts"/crash-* "$artifacts"/leak-* "$artifacts"/timeout-* \
    "$artifacts"/oom-*; do
    [ -f "$artifact" ] && found+=("$artifact")
  done
  if [ "$rc" -eq 0 ] && [ "${#found[@]}" -eq 0 ]; then
    printf 'fuzz: %-17s %9s execs %6s/s  cov %5s  ft %6s  corpus %5s  %3s s\n' "$target" \
      "${execs:-?}" "${rate:-?}" "${coverage:-?}" "${features:-?}" "${units:-?}" "$elapsed"
    return 0
  fi
  failures=$((failures + 1))
  if [ "${#found[@]}" -eq 0 ]; then
    echo "fuzz: FAIL $target: libFuzzer exited with status $rc and saved no input:" >&2
    print_report "$run_log"
    return 0
  fi
  mkdir -p "$FUZZ_DIR/regressions/$target"
  for artifact in "${found[@]}"; do
    cp "$artifact" "$FUZZ_DIR/regressions/$target/"
    echo "fuzz: FAIL $target: found a $(basename "$artifact" | cut -d- -f1) after" \
      "${execs:-?} execs; input saved as $FUZZ_DIR/regressions/$target/$(basename "$artifact")" >&2
  done
  echo "fuzz: report (full log: $run_log):" >&2
  print_report "$run_log"
}

for target in "${TARGETS[@]}"; do replay_regressions "$target"; done
for target in "${TARGETS[@]}"; do fuzz_target "$target"; done
rm -rf "$TMPDIR"

total=$(($(date +%s) - started))
if [ "$failures" -ne 0 ]; then
  die "$failures fuzz check(s) failed in ${total} s; crashing inputs are in $FUZZ_DIR/regressions/ (see $FUZZ_DIR/README.md)"
fi
log "all ${#TARGETS[@]} targets passed (${SECONDS_PER_TARGET} s each, ${total} s in all)"
