#!/usr/bin/env bash
# The hashing bars end to end through the CLI, each ratio against its peer
# measured in the same hyperfine run (warm page cache unless noted):
#   1. SHA-256 shards of one 4 GiB file:
#      `modelseal digest DIR --method shards --shard-size 1000000000`
#      vs `openssl dgst -sha256 FILE`                          (bar >= 3.5x)
#   2. BLAKE3 of the same file: `modelseal hash -a blake3 FILE` vs
#      `b3sum FILE`                                            (bar >= 1.05x)
#   3. the same, one thread each (`--threads 1`, `--num-threads 1`)
#                                                              (bar >= 1.0x)
#   4. the same, cold: the page cache dropped before every run (needs root;
#      skipped otherwise)                                      (bar >= 1.0x)
#   5. SHA-256 `files` of 2,000 x 2 MiB: `modelseal digest DIR` vs
#      `find DIR -type f | xargs -P2 -n1000 openssl dgst -sha256`
#                                                              (bar >= 1.6x)
# Needs hyperfine and b3sum (scripts/install-deps.sh --bench).
#   bench/hash_cli_bench.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build/release}"
bin="$(realpath "$build/cli/modelseal")"
runs="${RUNS:-5}"
for tool in hyperfine b3sum openssl; do
  command -v "$tool" >/dev/null || {
    echo "$tool is needed: scripts/install-deps.sh --bench" >&2
    exit 2
  }
done
work="$(mktemp -d "${TMPDIR:-/var/tmp}/modelseal-hash-bench.XXXXXX")"
trap 'rm -rf "$work"' EXIT
mkdir "$work/one" "$work/many"
head -c $((4 << 30)) /dev/urandom >"$work/one/model.bin"
python3 - "$work/many" <<'EOF'
import os, sys
block = os.urandom(2 << 20)
for i in range(2000):
    with open(os.path.join(sys.argv[1], f"part-{i:05d}.bin"), "wb") as f:
        f.write(i.to_bytes(8, "little") + block[8:])
EOF
file="$work/one/model.bin"
cat "$file" "$work"/many/* >/dev/null

echo "== CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores"
echo "== flags: $(grep -m1 -o -w -E 'sha_ni|avx2|avx512f|avx512vl' /proc/cpuinfo | sort -u | xargs)"
echo "== kernels: $("$bin" hash README.md --json | grep -o '"kernels":"[^"]*"')"
echo "== load: $(cut -d' ' -f1-3 /proc/loadavg)"

ratio() {  # JSON from hyperfine: peer mean / ours mean
  python3 - "$1" "$2" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
ours, peer = r[0], r[1]
x = peer["mean"] / ours["mean"]
print(f"{sys.argv[2]}: {ours['mean']:.3f} s vs {peer['mean']:.3f} s = {x:.2f}x")
EOF
}

hyperfine -N --warmup 1 --runs "$runs" --export-json "$work/shards.json" \
  "$bin digest $work/one --method shards --shard-size 1000000000" \
  "openssl dgst -sha256 $file" >/dev/null
hyperfine -N --warmup 1 --runs "$runs" --export-json "$work/b3.json" \
  "$bin hash -a blake3 $file" "b3sum $file" >/dev/null
hyperfine -N --warmup 1 --runs "$runs" --export-json "$work/b3one.json" \
  "$bin hash -a blake3 --threads 1 $file" "b3sum --num-threads 1 $file" \
  >/dev/null
hyperfine -N --warmup 1 --runs "$runs" --export-json "$work/files.json" \
  "$bin digest $work/many" \
  "bash -c 'find $work/many -type f | xargs -P2 -n1000 openssl dgst -sha256 >/dev/null'" \
  >/dev/null
ratio "$work/shards.json" "SHA-256 shards, 4 GiB warm (bar >= 3.5x)"
ratio "$work/b3.json" "BLAKE3, 4 GiB warm (bar >= 1.05x)"
ratio "$work/b3one.json" "BLAKE3, one thread (bar >= 1.0x)"
ratio "$work/files.json" "SHA-256 files, 2,000 x 2 MiB (bar >= 1.6x)"
if [[ $(id -u) -eq 0 && -w /proc/sys/vm/drop_caches ]]; then
  hyperfine -N --runs "$runs" --export-json "$work/cold.json" \
    --prepare "bash -c 'sync; echo 3 > /proc/sys/vm/drop_caches'" \
    "$bin hash -a blake3 $file" "b3sum $file" >/dev/null
  ratio "$work/cold.json" "BLAKE3, 4 GiB cold (bar >= 1.0x)"
else
  echo "BLAKE3 cold: skipped (dropping the page cache needs root)"
fi
