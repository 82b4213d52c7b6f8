#!/usr/bin/env bash
# Installs dependencies, builds and runs every test suite:
#   1. release build with warnings as errors: unit + end-to-end tests (CTest)
#   2. AddressSanitizer + UndefinedBehaviorSanitizer build: the same tests
#   3. libFuzzer targets (clang), each run briefly over its seed corpus
# MODELSEAL_FUZZ_SECONDS (default 10: 20 targets stay within a few minutes)
# sets the time per fuzz target (longer runs: scripts/fuzz.sh build/fuzz 3600); set
# MODELSEAL_SKIP_SANITIZERS=1 for a quick local run.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
jobs="$(nproc)"

echo "== release build"
scripts/build.sh build/release
ctest --test-dir build/release --output-on-failure --parallel "$jobs" --timeout 600

if [[ "${MODELSEAL_SKIP_SANITIZERS:-0}" != "1" ]]; then
  echo "== address + undefined-behaviour sanitizer build"
  scripts/build.sh build/asan -DCMAKE_BUILD_TYPE=Debug \
    -DMODELSEAL_SANITIZE=address,undefined
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build/asan --output-on-failure --parallel "$jobs" --timeout 900

  echo "== fuzz targets (clang, libFuzzer)"
  CC=clang CXX=clang++ scripts/build.sh build/fuzz -DCMAKE_BUILD_TYPE=Debug \
    -DMODELSEAL_BUILD_FUZZERS=ON -DMODELSEAL_BUILD_TESTS=OFF -DMODELSEAL_WERROR=OFF
  scripts/fuzz.sh build/fuzz "${MODELSEAL_FUZZ_SECONDS:-10}"
fi
echo "== all tests passed"
