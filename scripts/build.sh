#!/usr/bin/env bash
# Configures and builds modelseal with CMake + Ninja.
#   scripts/build.sh [BUILD_DIR] [extra cmake args...]
# Defaults to build/release (RelWithDebInfo, warnings as errors). Set
# MODELSEAL_TARGET to build one target only (e.g. modelseal).
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir="${1:-build/release}"
shift || true
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DMODELSEAL_WERROR=ON "$@" >/dev/null
cmake --build "$build_dir" --parallel "$(nproc)" ${MODELSEAL_TARGET:+--target "$MODELSEAL_TARGET"}
