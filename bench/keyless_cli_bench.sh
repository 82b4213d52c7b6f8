#!/usr/bin/env bash
# Keyless overhead end to end through the CLI: `verify-blob` of a real
# Sigstore public-good keyless bundle (the sigstore-conformance suite's
# happy-path-v0.3 case, checked against the embedded trusted root) against
# `verify-blob --key` of a key-based bundle over a file of the same kind.
# Both are whole processes, interleaved by hyperfine in one run; the
# difference of the means is what keyless verification adds (root parse,
# chain, SCT, Rekor entry).
#
#   bench/keyless_cli_bench.sh CONFORMANCE_CHECKOUT [MODELSEAL_BINARY]
# (the suite is fetched separately; nothing of it is in this repository)
set -euo pipefail
cd "$(dirname "$0")/.."
suite="${1:?give the path of a sigstore-conformance checkout}"
modelseal="$(realpath "${2:-build/release/cli/modelseal}")"
cases="$suite/test/assets/bundle-verify"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp "$cases/a.txt" "$work/a.txt"
"$modelseal" keygen --out "$work/k" >/dev/null
"$modelseal" sign "$work/a.txt" --key "$work/k.key" -o "$work/a.sig" -q
reference="$("$modelseal" digest "$work/a.txt" | head -1)"
identity="https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main"
issuer="https://token.actions.githubusercontent.com"
keyless=("$modelseal" verify-blob "$cases/a.txt" --bundle "$cases/happy-path-v0.3/bundle.sigstore.json"
  --certificate-identity "$identity" --certificate-oidc-issuer "$issuer")
keyed=("$modelseal" verify-blob "$reference" --bundle "$work/a.sig" --key "$work/k.pub")
"${keyless[@]}" >/dev/null && "${keyed[@]}" >/dev/null  # both must verify
echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-), $(nproc) cores"
hyperfine -N --warmup 5 --runs "${RUNS:-40}" --export-json "$work/h.json" \
  -n key-based "${keyed[*]}" -n keyless "${keyless[*]}"
python3 - "$work/h.json" <<'EOF'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
k, l = r["key-based"], r["keyless"]
print(f"keyless adds {(l['mean']-k['mean'])*1e3:.1f} ms (mean), "
      f"{(l['median']-k['median'])*1e3:.1f} ms (median); "
      f"user {(l['user']-k['user'])*1e3:.1f} ms; bar <= 5 ms")
EOF
