#!/usr/bin/env python3
"""Benchmarks `modelseal scan` against Python's pickletools.genops over the
same files, in one interleaved run, and times the header-only formats on
4 GiB sparse files.

Usage: bench/scan_bench.py --modelseal build/release/cli/modelseal
           [--data DIR] [--rounds 5] [--pickle-mib 64]

Pickle workloads (written once with Debian's python3 pickle, protocol 4):
  - "objects": a list of small dicts of ints, floats and short strings, the
    opcode-dense worst case for a disassembler;
  - "checkpoint": a torch-shaped state dict pickle (OrderedDict of rebuild
    calls with persistent ids), scaled up to the same size.
Each round runs both tools on both files in a shuffled order; the report
gives medians, MB/s over the file size, the ratio (genops time / scan time)
and CPU seconds (user+sys of the child). Pages are warm (read once first).
"""
import argparse
import collections
import io
import os
import pickle
import random
import statistics
import struct
import subprocess
import sys
import tempfile
import time

GENOPS = ("import pickletools, sys\n"
          "n = 0\n"
          "with open(sys.argv[1], 'rb') as f:\n"
          "    for _ in pickletools.genops(f):\n"
          "        n += 1\n")


def timed(command):
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE,
                               env=dict(os.environ, CI="true"))
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"{command} failed: {process.stderr.read().decode()}")
    return seconds, usage.ru_utime + usage.ru_stime


def objects_pickle(target):
    items = []
    size = 0
    i = 0
    while size < target:
        batch = [{"id": i + k, "score": (i + k) * 0.5, "name": f"item{i + k}",
                  "tags": ["a", "b"], "ok": True} for k in range(10000)]
        i += 10000
        items.extend(batch)
        size = len(pickle.dumps(batch, protocol=4)) * (i // 10000)
    return pickle.dumps(items, protocol=4)


def checkpoint_pickle(target):
    sys.modules.setdefault("torch", type(sys)("torch"))
    sys.modules.setdefault("torch._utils", type(sys)("torch._utils"))

    def _rebuild_tensor_v2(*args):
        return None
    _rebuild_tensor_v2.__module__ = "torch._utils"
    _rebuild_tensor_v2.__qualname__ = "_rebuild_tensor_v2"
    sys.modules["torch._utils"]._rebuild_tensor_v2 = _rebuild_tensor_v2
    storage = type("FloatStorage", (), {"__module__": "torch"})
    sys.modules["torch"].FloatStorage = storage

    class Ref:
        def __init__(self, key):
            self.key = key

    class Tensor:
        def __init__(self, key):
            self.key = key

        def __reduce__(self):
            return (_rebuild_tensor_v2, (Ref(self.key), 0, (4096, 4096),
                                         (4096, 1), False,
                                         collections.OrderedDict()))

    class P(pickle.Pickler):
        def persistent_id(self, obj):
            if isinstance(obj, Ref):
                return ("storage", storage, obj.key, "cpu", 4096 * 4096)
            return None

    state = collections.OrderedDict()
    n = 0
    while True:
        for k in range(5000):
            state[f"model.layers.{n}.mlp.weight.{k}"] = Tensor(str(n * 5000 + k))
        n += 1
        buffer = io.BytesIO()
        P(buffer, protocol=2).dump(state)
        if buffer.tell() >= target:
            return buffer.getvalue()


def sparse_safetensors(path, gib):
    data = gib << 30
    header = ('{"w":{"dtype":"U8","shape":[%d],"data_offsets":[0,%d]}}'
              % (data, data)).encode()
    header += b" " * (-len(header) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(header)) + header)
        f.truncate(8 + len(header) + data)


def sparse_gguf(path, gib):
    def gstr(s):
        return struct.pack("<Q", len(s)) + s
    elements = (gib << 30) // 4
    out = b"GGUF" + struct.pack("<IQQ", 3, 1, 1)
    out += gstr(b"general.architecture") + struct.pack("<I", 8) + gstr(b"llama")
    out += gstr(b"w") + struct.pack("<I", 1) + struct.pack("<Q", elements)
    out += struct.pack("<IQ", 0, 0)
    out += b"\x00" * (-len(out) % 32)
    with open(path, "wb") as f:
        f.write(out)
        f.truncate(len(out) + elements * 4)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--modelseal", required=True)
    parser.add_argument("--data")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--pickle-mib", type=int, default=64)
    args = parser.parse_args()
    data = args.data or tempfile.mkdtemp(prefix="scan-bench-")
    os.makedirs(data, exist_ok=True)
    python = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable
    target = args.pickle_mib << 20
    files = {}
    for name, make in (("objects", objects_pickle),
                       ("checkpoint", checkpoint_pickle)):
        path = os.path.join(data, name + ".pkl")
        if not os.path.exists(path):
            with open(path, "wb") as f:
                f.write(make(target))
        files[name] = path
    runs = collections.defaultdict(list)
    for _ in range(args.rounds):
        jobs = []
        for name, path in files.items():
            jobs.append((name, "modelseal",
                         [args.modelseal, "scan", "-q", "--threads", "1", path]))
            jobs.append((name, "genops", [python, "-c", GENOPS, path]))
        random.shuffle(jobs)
        for name, tool, command in jobs:
            with open(files[name], "rb") as f:  # warm the page cache
                while f.read(1 << 24):
                    pass
            runs[(name, tool)].append(timed(command))
    print("| workload | size MB | tool | median s | MB/s | CPU s | ratio |")
    print("|---|---:|---|---:|---:|---:|---:|")
    for name, path in files.items():
        mb = os.path.getsize(path) / 1e6
        ours = statistics.median(s for s, _ in runs[(name, "modelseal")])
        peer = statistics.median(s for s, _ in runs[(name, "genops")])
        for tool, seconds in (("modelseal scan", ours), ("pickletools.genops", peer)):
            cpu = statistics.median(c for _, c in runs[(name, "modelseal" if tool.startswith("m") else "genops")])
            ratio = f"{peer / ours:.1f}x" if tool.startswith("m") else ""
            print(f"| {name} | {mb:.1f} | {tool} | {seconds:.3f} | "
                  f"{mb / seconds:.1f} | {cpu:.3f} | {ratio} |")
    for name, make in (("safetensors", sparse_safetensors),
                       ("gguf", sparse_gguf)):
        path = os.path.join(data, "big." + name)
        make(path, 4)
        times = [timed([args.modelseal, "scan", "-q", path])[0]
                 for _ in range(args.rounds)]
        out = subprocess.run([args.modelseal, "scan", "--format", "json", path],
                             capture_output=True, text=True).stdout
        read = out.split('"bytes_read":')[1].split("}")[0]
        print(f"| 4 GiB sparse {name} | {os.path.getsize(path) / 1e6:.0f} | "
              f"modelseal scan | {statistics.median(times) * 1000:.1f} ms "
              f"(whole process) | bytes read: {read} | | |")


if __name__ == "__main__":
    main()
