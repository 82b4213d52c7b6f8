#!/usr/bin/env bash
# Log ingestion end to end through the CLI:
#   1. `log add` of N bundles (default 10,000) in one process: entries/s,
#      every bundle rewritten atomically and durably;
#   2. `log serve` under bench/log_load.cc: 64 keep-alive clients, then one,
#      each for S seconds (default 5); adds/s and latency percentiles, then
#      every acknowledged entry is proven in the final checkpoint.
# The server and the load generator share the machine.
#
#   bench/log_load.sh [BUILD_DIR] [BUNDLES] [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
build="$(realpath "${1:-build/release}")"
bundles="${2:-10000}"
seconds="${3:-5}"
modelseal="$build/cli/modelseal"
load="$build/bench/modelseal_log_load"
work="$(mktemp -d "${TMPDIR:-/var/tmp}/log_load.XXXXXX")"
server=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

"$modelseal" keygen --out "$work/publisher" >/dev/null
"$modelseal" sign examples/tiny-model --key "$work/publisher.key" \
  -o "$work/plain.sig" -q
mkdir "$work/many"
python3 - "$work/plain.sig" "$work/many" "$bundles" <<'PY'
import sys
data = open(sys.argv[1], "rb").read()
for i in range(int(sys.argv[3])):
    open(f"{sys.argv[2]}/b{i:05d}.sig", "wb").write(data)
PY
"$modelseal" log init "$work/addlog" --origin bench.example/add >/dev/null 2>&1
sync
echo "load before log add: $(uptime)"
start=$(date +%s.%N)
"$modelseal" log add "$work/addlog" "$work"/many/*.sig
end=$(date +%s.%N)
python3 -c "import sys; n=int(sys.argv[1]); t=float(sys.argv[3])-float(sys.argv[2]); print(f'log add: {n} bundles in {t:.3f} s = {n/t:.0f} entries/s')" \
  "$bundles" "$start" "$end"

# The serve phase starts once the disk has written back what `log add` left
# dirty, so that its fsyncs do not queue behind that writeback. (Runs right
# after `log add` gave 4,412-4,655 adds/s; with this wait, 4,468-8,767: the
# virtual disk varies more than the wait changes, see docs/benchmarks.md.)
# Quiet: under 1 MiB written to the log's disk in one second (at most 60 s).
wait_for_quiet_disk() {
  local device
  device="$(df --output=source "$work" | tail -1 | sed 's|^/dev/||')"
  sync
  for _ in $(seq 60); do
    local before after
    before="$(awk -v d="$device" '$3 == d { print $10 }' /proc/diskstats)"
    sleep 1
    after="$(awk -v d="$device" '$3 == d { print $10 }' /proc/diskstats)"
    [ -z "$before" ] && return 0  # not a plain block device: nothing to wait for
    [ $(( (after - before) * 512 )) -lt $((1 << 20)) ] && return 0
  done
}
wait_for_quiet_disk
vkey="$("$modelseal" log init "$work/servelog" --origin bench.example/serve 2>/dev/null)"
"$modelseal" log serve "$work/servelog" --listen 127.0.0.1:0 \
  2>"$work/serve.err" &
server=$!
for _ in $(seq 100); do
  grep -q "http://127.0.0.1:" "$work/serve.err" 2>/dev/null && break
  sleep 0.05
done
url="$(grep -o 'http://127.0.0.1:[0-9]*' "$work/serve.err")"
for clients in 64 1; do
  echo "load before $clients client(s): $(uptime)"
  "$load" --url "$url" --bundle "$work/plain.sig" --clients "$clients" \
    --seconds "$seconds" --log "$url" --vkey "$vkey"
done
kill "$server"
wait "$server" 2>/dev/null || true
server=""
tail -1 "$work/serve.err"
