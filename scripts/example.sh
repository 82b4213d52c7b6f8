#!/usr/bin/env bash
# The main job on the bundled example model: installs dependencies, builds,
# then hashes examples/tiny-model, creates a key, signs the model in the
# OpenSSF Model Signing format and verifies it (and shows a tampered copy
# failing); then the alliance journey: keys for two member organisations,
# sign + co-sign + log, the alliance policy signed by its governance key,
# `verify --policy` with its report, and two failing variants (a card edited
# after signing, a non-commercial license).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
MODELSEAL_TARGET=modelseal scripts/build.sh build/release
modelseal="$PWD/build/release/cli/modelseal"
model=examples/tiny-model
work=build/example
rm -rf "$work" && mkdir -p "$work"

# Runs a command that must exit with the given code (a refusal we show).
expect_exit() {
  local want="$1"
  shift
  set +e
  "$@"
  local got=$?
  set -e
  if [[ $got -ne $want ]]; then
    echo "example: expected exit code $want, got $got: $*" >&2
    exit 1
  fi
  echo "(exit code $got, as expected)"
}

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
expect_exit 1 "$modelseal" verify "$work/tampered-model" --signature "$work/model.sig" \
  --key "$work/publisher.pub"

echo
echo "======== The alliance journey: two member organisations, a log, a signed policy"
alliance=examples/alliance
echo "== keys: IBM (publisher), Meta (reviewer) and the alliance governance key"
"$modelseal" keygen --type ecdsa-p256 --out "$work/ibm"
"$modelseal" keygen --type ecdsa-p384 --out "$work/meta"
"$modelseal" keygen --type ecdsa-p256 --out "$work/governance"
echo "== the alliance's release log"
"$modelseal" log init "$work/alliance-log" --origin example.com/ai-alliance/releases
echo "== IBM signs the model and logs the release; Meta co-signs the same statement"
"$modelseal" sign "$model" --key "$work/ibm.key" -o "$work/ibm.sig" --log "$work/alliance-log" -q
"$modelseal" sign --cosign "$work/ibm.sig" --key "$work/meta.key" -o "$work/meta.sig" \
  --log "$work/alliance-log" -q
echo "== the alliance writes its policy (sample organisations, the keys above) and signs it"
python3 "$alliance/render_policy.py" "$alliance/policy.yaml.in" "$work/policy.yaml" \
  IBM_PUBLIC_KEY="$work/ibm.pub" META_PUBLIC_KEY="$work/meta.pub" \
  LOG_KEY="$work/alliance-log.vkey"
"$modelseal" policy lint "$work/policy.yaml"
"$modelseal" policy sign "$work/policy.yaml" --key "$work/governance.key" -o "$work/policy.yaml.sig"
policy_flags=(--policy "$work/policy.yaml" --policy-signature "$work/policy.yaml.sig"
  --policy-key "$work/governance.pub" --state-dir "$work/state")
echo "== a downstream developer verifies the download against the policy"
"$modelseal" verify "$model" --signature "$work/ibm.sig" "$work/meta.sig" "${policy_flags[@]}"

echo "== failing variant 1: the model card was edited after signing (exit code 1)"
cp -r "$model" "$work/edited-card"
printf '\nThis model is now fine for any use.\n' >> "$work/edited-card/README.md"
expect_exit 1 "$modelseal" verify "$work/edited-card" --signature "$work/ibm.sig" "$work/meta.sig" \
  "${policy_flags[@]}"

echo "== failing variant 2: a non-commercial license, properly signed (exit code 1)"
cp -r "$model" "$work/noncommercial"
sed -i 's/^license: apache-2.0$/license: cc-by-nc-4.0/' "$work/noncommercial/README.md"
"$modelseal" sign "$work/noncommercial" --key "$work/ibm.key" -o "$work/nc-ibm.sig" \
  --log "$work/alliance-log" -q
"$modelseal" sign --cosign "$work/nc-ibm.sig" --key "$work/meta.key" -o "$work/nc-meta.sig" \
  --log "$work/alliance-log" -q
expect_exit 1 "$modelseal" verify "$work/noncommercial" --signature "$work/nc-ibm.sig" \
  "$work/nc-meta.sig" "${policy_flags[@]}" --format github

echo "== example finished: the signed, logged, co-signed model met the alliance policy;"
echo "   the tampered copy, the edited card and the non-commercial license were refused"
