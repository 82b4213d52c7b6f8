#!/usr/bin/env bash
# Incremental signing and the digest cache, end to end through the CLI:
#   1. verify of an unchanged, already cached model with --cache, against
#      the same verify without the cache (bar: <= 2%);
#   2. sign --reuse after changing one small file, against a full sign
#      (bar: <= 5%).
# The model is FILES files of SIZE_MIB MiB each (default 2,000 x 2 MiB,
# about 4 GiB) of random bytes, in a temporary directory on the same disk as
# TMPDIR. Each command is timed by hyperfine (warm page cache: the model is
# read once first), with the cache in its own XDG_CACHE_HOME.
#   bench/cache_bench.sh [BUILD_DIR] [FILES] [SIZE_MIB]
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build/release}"
files="${2:-2000}"
size_mib="${3:-2}"
bin="$PWD/$build/cli/modelseal"
command -v hyperfine >/dev/null || {
  echo "hyperfine is needed: scripts/install-deps.sh --bench" >&2
  exit 2
}
[[ -x "$bin" ]] || { echo "no $bin; build first" >&2; exit 2; }

work="$(mktemp -d "${TMPDIR:-/tmp}/modelseal-cache-bench.XXXXXX")"
trap 'rm -rf "$work"' EXIT
model="$work/model"
mkdir -p "$model"
python3 - "$model" "$files" "$size_mib" <<'EOF'
import os, sys
model, files, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]) << 20
block = os.urandom(size)
for i in range(files):
    sub = os.path.join(model, f"shard-{i // 100:03d}")
    os.makedirs(sub, exist_ok=True)
    with open(os.path.join(sub, f"part-{i:05d}.bin"), "wb") as f:
        # Distinct contents per file: a counter in front of shared bytes.
        f.write(i.to_bytes(8, "little") + block[8:])
with open(os.path.join(model, "README.md"), "w") as f:
    f.write("# bench model\n")
EOF
export XDG_CACHE_HOME="$work/cache"
"$bin" keygen --type ed25519 --out "$work/key" >/dev/null
# Files changed within the last 2 s are never cached (docs/cache.md).
sleep 2.5
cat "$model"/*/* "$model/README.md" >/dev/null  # warm the page cache

echo "== CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "== load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== model: $files files x $size_mib MiB"

"$bin" sign "$model" --key "$work/key.key" -o "$work/model.sig" -q --cache
"$bin" verify "$model" -s "$work/model.sig" --key "$work/key.pub" -q --cache \
  >/dev/null

hyperfine --warmup 1 --runs "${RUNS:-5}" --export-json "$work/verify.json" \
  -n "verify (no cache)" \
  "'$bin' verify '$model' -s '$work/model.sig' --key '$work/key.pub' -q" \
  -n "verify --cache (warm)" \
  "'$bin' verify '$model' -s '$work/model.sig' --key '$work/key.pub' -q --cache"

# One small file changes; each --reuse run signs the same change again.
echo "# bench model, edited" >"$model/README.md"
sleep 0.1
hyperfine --warmup 1 --runs "${RUNS:-5}" --export-json "$work/sign.json" \
  -n "sign (full)" \
  "'$bin' sign '$model' --key '$work/key.key' -o '$work/full.sig' -q" \
  -n "sign --reuse (1 small file changed)" \
  "'$bin' sign '$model' --key '$work/key.key' -o '$work/new.sig' -q --reuse '$work/model.sig'"
cmp "$work/full.sig" "$work/new.sig" && echo "== --reuse bundle is byte-identical to the full sign's"

python3 - "$work/verify.json" "$work/sign.json" <<'EOF'
import json, sys
for path, bar in zip(sys.argv[1:], (2.0, 5.0)):
    results = json.load(open(path))["results"]
    full, fast = results[0], results[1]
    ratio = 100.0 * fast["mean"] / full["mean"]
    print(f"{fast['command']}: {fast['mean']*1000:.1f} ms vs "
          f"{full['command']}: {full['mean']*1000:.1f} ms = {ratio:.2f}% "
          f"(bar <= {bar}%: {'met' if ratio <= bar else 'NOT met'})")
EOF
