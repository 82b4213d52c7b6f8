#!/usr/bin/env bash
# The main job on the bundled example model: installs dependencies, builds,
# then hashes examples/tiny-model, creates a key, signs the model in the
# OpenSSF Model Signing format and verifies it (and shows a tampered copy
# failing).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
MODELSEAL_TARGET=modelseal scripts/build.sh build/release
modelseal="$PWD/build/release/cli/modelseal"
model=examples/tiny-model
work=build/example
rm -rf "$work" && mkdir -p "$work"

echo "== modelseal hash $model (sha256, same output as sha256sum)"
"$modelseal" hash "$model"
echo "== modelseal hash --algorithm blake3 $model (same output as b3sum)"
"$modelseal" hash --algorithm blake3 "$model"
echo "== modelseal digest $model (OpenSSF Model Signing root digest)"
"$modelseal" digest "$model"

echo "== modelseal keygen --type ecdsa-p256 --out $work/publisher"
"$modelseal" keygen --type ecdsa-p256 --out "$work/publisher"
echo "== modelseal log init $work/releases --origin example.com/tiny-models"
"$modelseal" log init "$work/releases" --origin example.com/tiny-models
echo "== modelseal sign $model --key $work/publisher.key -o $work/model.sig --log $work/releases"
"$modelseal" sign "$model" --key "$work/publisher.key" -o "$work/model.sig" --log "$work/releases"
echo "== modelseal verify $model --signature $work/model.sig --key $work/publisher.pub --log-key $work/releases.vkey"
"$modelseal" verify "$model" --signature "$work/model.sig" --key "$work/publisher.pub" \
  --log-key "$work/releases.vkey"
echo "== modelseal log verify $work/releases --vkey $work/releases.vkey"
"$modelseal" log verify "$work/releases" --vkey "$work/releases.vkey"

echo "== a tampered copy must fail (exit code 1)"
cp -r "$model" "$work/tampered-model"
echo '{"backdoor": true}' > "$work/tampered-model/config.json"
set +e
"$modelseal" verify "$work/tampered-model" --signature "$work/model.sig" --key "$work/publisher.pub"
code=$?
set -e
if [[ $code -ne 1 ]]; then
  echo "example: expected exit code 1 for the tampered model, got $code" >&2
  exit 1
fi
echo "== example finished: the signed model verified, the tampered copy was refused"
