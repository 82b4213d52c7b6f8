#!/usr/bin/env bash
# Runs every libFuzzer target in BUILD_DIR/tests/fuzz for SECONDS each,
# starting from its seed corpus in tests/fuzz/corpus/<target>/. Longer runs:
#   scripts/fuzz.sh build/fuzz 3600
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir="${1:-build/fuzz}"
seconds="${2:-20}"
found=0
for target in "$build_dir"/tests/fuzz/fuzz_*; do
  [[ -x "$target" ]] || continue
  found=$((found + 1))
  name="$(basename "$target")"
  work="$(mktemp -d)"
  seeds="tests/fuzz/corpus/${name#fuzz_}"
  echo "-- $name for ${seconds}s"
  "$target" -max_total_time="$seconds" -max_len=65536 -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 "$work" ${seeds:+$( [[ -d $seeds ]] && echo "$seeds")} \
    2>&1 | tail -n 12
  rm -rf "$work"
done
if [[ $found -eq 0 ]]; then
  echo "fuzz.sh: no fuzz targets in $build_dir/tests/fuzz" >&2
  exit 1
fi
echo "fuzz.sh: $found targets ran without a finding"
