#!/usr/bin/env bash
# The main job on the bundled example model: installs dependencies, builds,
# then hashes examples/tiny-model and prints its OMS digest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh build/release
modelseal=build/release/cli/modelseal
model=examples/tiny-model

echo "== modelseal hash $model (sha256, like sha256sum)"
"$modelseal" hash "$model"
echo "== modelseal hash --algorithm blake3 $model (like b3sum)"
"$modelseal" hash --algorithm blake3 "$model"
echo "== the same digests, checked back"
"$modelseal" hash "$model" > build/tiny-model.sha256
"$modelseal" hash --check build/tiny-model.sha256
echo "== modelseal digest $model (OpenSSF Model Signing root digest)"
"$modelseal" digest "$model"
