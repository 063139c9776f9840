#!/usr/bin/env bash
# Smoke test of costwise_gen_billing (run by CTest): for each format, a small file is written
# twice with the same seed and must be byte-identical, its gzip twin must decompress to the same
# bytes, and the statistics must count the rows asked for.
# Usage: gen_billing_test.sh PATH_TO_costwise_gen_billing
set -euo pipefail
GENERATOR="$1"
ROWS=60000
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
for format in cur-legacy cur2 focus; do
  "$GENERATOR" --format "$format" --rows "$ROWS" --seed 7 --output "$TMP/a.csv" > "$TMP/a.json"
  "$GENERATOR" --format "$format" --rows "$ROWS" --seed 7 --output "$TMP/b.csv" > /dev/null
  "$GENERATOR" --format "$format" --rows "$ROWS" --seed 7 --gzip --output "$TMP/c.csv.gz" > /dev/null
  "$GENERATOR" --format "$format" --rows "$ROWS" --seed 8 --output "$TMP/d.csv" > /dev/null
  cmp "$TMP/a.csv" "$TMP/b.csv" || { echo "FAIL $format: same seed, different bytes"; exit 1; }
  gzip -dc "$TMP/c.csv.gz" | cmp - "$TMP/a.csv" || { echo "FAIL $format: gzip differs from plain"; exit 1; }
  if cmp -s "$TMP/a.csv" "$TMP/d.csv"; then echo "FAIL $format: seed ignored"; exit 1; fi
  grep -q "\"rows\":$ROWS," "$TMP/a.json" || { echo "FAIL $format: row count"; cat "$TMP/a.json"; exit 1; }
  echo "ok $format"
done
if "$GENERATOR" --format nope --rows "$ROWS" --output "$TMP/x.csv" 2> /dev/null; then
  echo "FAIL: unknown format accepted"; exit 1
fi
echo "gen_billing_test: 4 passed, 0 failed"
