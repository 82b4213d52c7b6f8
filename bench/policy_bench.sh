#!/usr/bin/env bash
# What an alliance policy adds to `verify`, end to end through the CLI: a
# 1,000-file model (plus its card) signed by 5 organisations, every signature
# logged; the policy has 5 signers, a 5-of-5 distinct-organisation threshold,
# pinned log, model-card, license and artifact rules.
#
#   baseline  modelseal verify MODEL --signature s1 --key k1.pub
#             (one signature, the model hashed once)
#   policy    modelseal verify MODEL --signature s1..s5 --policy P ...
#             (the same hashing once, plus 5 signatures, 5 log proofs,
#             thresholds, the card and the artifact scan of 1,001 files)
# The difference of the means is the policy's cost. Both run warm (page
# cache), interleaved by hyperfine in one run.
#
#   bench/policy_bench.sh [MODELSEAL_BINARY] [WORK_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
modelseal="$(realpath "${1:-build/release/cli/modelseal}")"
work="${2:-build/policy-bench}"
command -v hyperfine >/dev/null || { echo "needs hyperfine (scripts/install-deps.sh --bench)" >&2; exit 2; }
rm -rf "$work" && mkdir -p "$work/model"
python3 - "$work/model" <<'EOF'
import os, sys
root = sys.argv[1]
for i in range(1000):
    sub = os.path.join(root, f"shard-{i // 100:02d}")
    os.makedirs(sub, exist_ok=True)
    with open(os.path.join(sub, f"part-{i:04d}.json"), "w") as f:
        f.write('{"i": %d, "pad": "%s"}\n' % (i, "x" * 1000))
EOF
cp examples/tiny-model/README.md "$work/model/README.md"
"$modelseal" log init "$work/log" --origin bench.example/log >/dev/null
orgs=(ibm meta redhat hf servicenow)
for org in "${orgs[@]}"; do
  "$modelseal" keygen --out "$work/$org" >/dev/null
done
"$modelseal" sign "$work/model" --key "$work/ibm.key" -o "$work/ibm.sig" --log "$work/log" -q
for org in "${orgs[@]:1}"; do
  "$modelseal" sign --cosign "$work/ibm.sig" --key "$work/$org.key" -o "$work/$org.sig" \
    --log "$work/log" -q
done
{
  cat <<EOF
apiVersion: modelseal.dev/v1
kind: AlliancePolicy
metadata: {name: bench, version: 1, issued: "2026-01-01", expires: "2036-01-01"}
organizations:
EOF
  for org in "${orgs[@]}"; do echo "  - {id: $org, name: $org}"; done
  echo "signers:"
  for org in "${orgs[@]}"; do
    echo "  - id: $org-release"
    echo "    organization: $org"
    echo "    roles: [publisher]"
    echo "    public_key: |"
    sed 's/^/      /' "$work/$org.pub"
  done
  cat <<EOF
thresholds:
  - {name: all-five, min_signatures: 5, distinct_organizations: true}
transparency:
  require_inclusion: true
  logs:
    - origin: bench.example/log
      key: "$(cat "$work/log.vkey")"
hashes: {allowed: [sha256]}
model_card:
  required_fields: [license, language]
  required_sections: [Model Details, Uses, "Bias, Risks, and Limitations"]
  forbidden_placeholders: ["[More Information Needed]"]
licenses: {allow: [apache-2.0], unknown: deny}
artifacts: {forbidden_formats: [pickle, pytorch-zip, pytorch-legacy], fail_on: error}
EOF
} > "$work/policy.yaml"
"$modelseal" policy lint "$work/policy.yaml" >/dev/null
signatures=""
for org in "${orgs[@]}"; do signatures+=" $work/$org.sig"; done
policy_cmd="$modelseal verify $work/model --signature$signatures --policy $work/policy.yaml --allow-unsigned-policy -q"
baseline_cmd="$modelseal verify $work/model --signature $work/ibm.sig --key $work/ibm.pub -q"
$policy_cmd >/dev/null  # must pass before it is timed
echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-), $(nproc) cores"
hyperfine -N --warmup 5 --runs "${RUNS:-40}" --export-json "$work/hyperfine.json" \
  -n baseline "$baseline_cmd" -n policy "$policy_cmd"
python3 - "$work/hyperfine.json" <<'EOF'
import json, sys
results = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
base, policy = results["baseline"], results["policy"]
print(f"baseline mean {base['mean']*1e3:.1f} ms (median {base['median']*1e3:.1f}), "
      f"policy mean {policy['mean']*1e3:.1f} ms (median {policy['median']*1e3:.1f})")
print(f"policy evaluation adds {(policy['mean']-base['mean'])*1e3:.1f} ms (mean), "
      f"{(policy['median']-base['median'])*1e3:.1f} ms (median); bar <= 20 ms")
EOF
