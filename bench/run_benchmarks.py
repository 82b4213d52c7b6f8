#!/usr/bin/env python3
"""Times modelseal against its peers in one interleaved run and writes
docs/benchmarks.md.

The machines this runs on are shared and noisy, so every figure is a ratio
against a peer measured in the same run: each round runs every command of a
scenario once, in a shuffled order, and the report gives medians over
rounds. Inputs are re-read (untimed) before each warm run, and evicted with
`dd iflag=nocache` before each cold run. Peak RSS comes from wait4().

Usage: bench/run_benchmarks.py --modelseal build/release/cli/modelseal
           [--bench-binary build/bench/bench/modelseal_bench]
           [--data DIR] [--rounds N] [--big-gib N] [--output docs/benchmarks.md]
"""
import argparse
import datetime
import json
import os
import platform
import random
import shlex
import shutil
import statistics
import subprocess
import sys
import time


def sh(command, **kwargs):
    return subprocess.run(command, shell=True, check=True, **kwargs)


def timed(command, cwd=None):
    """Runs `command` (a list); returns (seconds, peak RSS in MiB)."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, env=dict(os.environ, CI="true"))
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    stderr = process.stderr.read().decode(errors="replace")
    process.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{shlex.join(command)} failed: {stderr}")
    return seconds, usage.ru_maxrss / 1024.0


def warm(paths):
    for path in paths:
        sh(f"cat {shlex.quote(path)} > /dev/null") if os.path.isfile(path) else \
            sh(f"find {shlex.quote(path)} -type f -exec cat {{}} + > /dev/null")


def evict(paths):
    for path in paths:
        files = [path] if os.path.isfile(path) else \
            [os.path.join(d, f) for d, _, fs in os.walk(path) for f in fs]
        for f in files:
            sh(f"dd if={shlex.quote(f)} iflag=nocache count=0 status=none")


def make_inputs(data, big_gib, files_count):
    os.makedirs(data, exist_ok=True)
    big = os.path.join(data, "big", "model.safetensors")
    os.makedirs(os.path.dirname(big), exist_ok=True)
    want = big_gib << 30
    if not os.path.exists(big) or os.path.getsize(big) != want:
        print(f"writing {big_gib} GiB of random data to {big}", file=sys.stderr)
        sh(f"head -c {want} /dev/urandom > {shlex.quote(big)}")
    many = os.path.join(data, "many")
    each = (1 << 30) // files_count
    if not os.path.isdir(many) or len(os.listdir(many)) != files_count:
        shutil.rmtree(many, ignore_errors=True)
        os.makedirs(many)
        print(f"writing {files_count} files of {each} bytes to {many}", file=sys.stderr)
        with open("/dev/urandom", "rb") as source:
            for i in range(files_count):
                with open(os.path.join(many, f"shard-{i:05d}.bin"), "wb") as out:
                    out.write(source.read(each))
    return big, many


def run_scenario(name, commands, inputs, rounds, cold=False, cwd=None):
    """commands: list of (label, argv). Returns {label: (median s, max RSS)}."""
    times = {label: [] for label, _ in commands}
    rss = {label: 0.0 for label, _ in commands}
    for round_index in range(rounds):
        order = list(commands)
        random.shuffle(order)
        for label, argv in order:
            evict(inputs) if cold else warm(inputs)
            seconds, peak = timed(argv, cwd=cwd)
            times[label].append(seconds)
            rss[label] = max(rss[label], peak)
        print(f"  {name}: round {round_index + 1}/{rounds} done", file=sys.stderr)
    return {label: (statistics.median(values), rss[label], values)
            for label, values in times.items()}


def kernel_table(bench_binary):
    if not bench_binary or not os.path.exists(bench_binary):
        return None
    out = subprocess.run([bench_binary, "--benchmark_format=json",
                          "--benchmark_min_time=0.3"], check=True,
                         capture_output=True, text=True).stdout
    rows = []
    known = {"name", "family_index", "per_family_instance_index", "run_name", "run_type",
             "repetitions", "repetition_index", "threads", "iterations", "real_time",
             "cpu_time", "time_unit", "bytes_per_second", "items_per_second", "label",
             "aggregate_name", "aggregate_unit"}
    for bench in json.loads(out)["benchmarks"]:
        rate = bench.get("bytes_per_second")
        items = bench.get("items_per_second")
        counters = ", ".join(f"{k}={v:.4g}" for k, v in bench.items()
                             if k not in known and isinstance(v, (int, float)))
        rows.append((bench["name"], f"{bench['real_time']:.1f} {bench['time_unit']}",
                     f"{rate / 1e9:.2f}" if rate else "",
                     f"{items:,.0f}" if items else "", counters))
    return rows


def machine_facts():
    model = "unknown"
    flags = set()
    with open("/proc/cpuinfo") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name") and model == "unknown":
                model = line.split(":", 1)[1].strip()
            if line.startswith("flags"):
                flags = set(line.split(":", 1)[1].split())
    isa = [f for f in ("sha_ni", "avx2", "avx512f", "avx512vl") if f in flags]
    return (f"{model}, {os.cpu_count()} CPUs ({' '.join(isa)}), "
            f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') >> 30} GiB RAM, "
            f"Linux {platform.release()}")


def version(command):
    try:
        return subprocess.run(command, shell=True, capture_output=True,
                              text=True).stdout.strip().splitlines()[0]
    except Exception:  # pylint: disable=broad-except
        return "unknown"


def kernels_used(modelseal):
    out = subprocess.run([modelseal, "hash", "--json", __file__], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)["kernels"]


NOTES_MARKER = "<!-- notes: kept by run_benchmarks.py -->"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--modelseal", default="build/release/cli/modelseal")
    parser.add_argument("--bench-binary", default="build/bench/bench/modelseal_bench")
    parser.add_argument("--data", default="/tmp/modelseal-bench")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--big-gib", type=int, default=4)
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--output", default="docs/benchmarks.md")
    parser.add_argument("--only", default="", help="comma-separated scenario names")
    args = parser.parse_args()

    ms = os.path.abspath(args.modelseal)
    big, many = make_inputs(args.data, args.big_gib, args.files)
    big_dir = os.path.dirname(big)
    shard = "1000000000"
    scenarios = [
        ("blake3-warm", f"BLAKE3, one {args.big_gib} GiB file, warm cache",
         [("modelseal", [ms, "hash", "-a", "blake3", big]), ("b3sum", ["b3sum", big])],
         [big], False, None, "b3sum", 1.05),
        ("blake3-cold", f"BLAKE3, one {args.big_gib} GiB file, evicted from cache",
         [("modelseal", [ms, "hash", "-a", "blake3", big]), ("b3sum", ["b3sum", big])],
         [big], True, None, "b3sum", 1.0),
        ("blake3-1thread", f"BLAKE3 single thread, one {args.big_gib} GiB file",
         [("modelseal", [ms, "hash", "-a", "blake3", "--threads", "1", big]),
          ("b3sum", ["b3sum", "--num-threads", "1", big])],
         [big], False, None, "b3sum", 1.0),
        ("sha256-shards", f"SHA-256 `shards` (1 GB shards), one {args.big_gib} GiB file",
         [("modelseal", [ms, "digest", "--method", "shards", "--shard-size", shard, big_dir]),
          ("openssl", ["openssl", "dgst", "-sha256", big])],
         [big], False, None, "openssl", 3.5),
        ("sha256-files", f"SHA-256 `files`, {args.files} files / 1 GiB",
         [("modelseal", [ms, "digest", many]),
          ("xargs-openssl", ["sh", "-c", "ls | xargs -P2 -n1000 openssl dgst -sha256"]),
          ("sha256sum", ["sh", "-c", "ls | xargs -n1000 sha256sum"])],
         [many], False, many, "xargs-openssl", 1.6),
    ]
    # A signed copy of the big model for the verify scenario (untimed setup).
    keys = os.path.join(args.data, "keys")
    os.makedirs(keys, exist_ok=True)
    if not os.path.exists(os.path.join(keys, "bench.key")):
        sh(f"{shlex.quote(ms)} keygen --out {shlex.quote(os.path.join(keys, 'bench'))}")
    key = os.path.join(keys, "bench.key")
    pub = os.path.join(keys, "bench.pub")
    big_sig = os.path.join(args.data, "big.sig")
    sh(f"CI=true {shlex.quote(ms)} sign {shlex.quote(big_dir)} --hash blake3 --key {key} "
       f"-o {shlex.quote(big_sig)} -q")
    example = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "examples", "tiny-model")
    scenarios += [
        ("verify", f"`verify` of a signed {args.big_gib} GiB model (BLAKE3) vs `hash` of it",
         [("modelseal", [ms, "verify", big_dir, "-s", big_sig, "--key", pub]),
          ("modelseal-hash", [ms, "hash", "-a", "blake3", big_dir])],
         [big], False, None, "modelseal-hash", ("slowdown", 1.05)),
        ("sign-overhead", "`sign` vs `digest` of the example model (signing overhead)",
         [("modelseal", [ms, "sign", example, "--key", key, "-o", os.path.join(args.data, "tiny.sig"), "-q"]),
          ("modelseal-digest", [ms, "digest", example])],
         [example], False, None, "modelseal-digest", ("overhead", 0.050)),
    ]
    only = set(filter(None, args.only.split(",")))
    results = []
    for key, title, commands, inputs, cold, cwd, peer, bar in scenarios:
        if only and key not in only:
            continue
        print(f"scenario {key}", file=sys.stderr)
        measured = run_scenario(key, commands, inputs, args.rounds, cold, cwd)
        results.append((key, title, commands, measured, peer, bar))

    size_gb = {"many": (1 << 30) // args.files * args.files / 1e9,
               "big": (args.big_gib << 30) / 1e9}
    lines = [
        "# Benchmarks",
        "",
        "Figures from one run of `bench/run_benchmarks.py` on the machine below. Each",
        "scenario runs all of its commands once per round in a shuffled order (warm runs",
        "re-read the input untimed first; cold runs evict it with `dd iflag=nocache`), and",
        f"the table gives the median of {args.rounds} rounds. **Ratio** is the peer's median",
        "time divided by modelseal's (above 1: modelseal is faster); the bar is the",
        "project's target for that ratio. Absolute GB/s are shown for context only: these",
        "machines are shared and single runs vary by up to 2x.",
        "",
        f"- Date: {datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- Machine: {machine_facts()}",
        f"- Peers: {version('b3sum --version')}; {version('openssl version')}; "
        f"{version('sha256sum --version')}",
        f"- Kernels: {kernels_used(ms)}",
        f"- Command: `bench/run_benchmarks.py --rounds {args.rounds} --big-gib {args.big_gib} "
        f"--files {args.files}`",
        "",
        "| scenario | command | median s | GB/s | peak RSS MiB | ratio vs peer | bar | met |",
        "|---|---|---:|---:|---:|---:|---:|:-:|",
    ]
    for key, title, commands, measured, peer, bar in results:
        gb = size_gb["many"] if key == "sha256-files" else size_gb["big"]
        if key == "sign-overhead":
            gb = 0.0
        ours = measured["modelseal"][0]
        mode, bar = bar if isinstance(bar, tuple) else ("speedup", bar)
        if mode == "speedup":
            ratio = measured[peer][0] / ours
            ratio_text = f"{ratio:.2f}x vs {peer}"
            bar_text, met = f">= {bar}x", ratio >= bar
        elif mode == "slowdown":
            ratio = ours / measured[peer][0]
            ratio_text = f"{ratio:.3f}x the time of {peer}"
            bar_text, met = f"<= {bar}x", ratio <= bar
        else:
            ratio = ours - measured[peer][0]
            ratio_text = f"+{ratio * 1000:.1f} ms over {peer}"
            bar_text, met = f"<= {bar * 1000:.0f} ms", ratio <= bar
        for label, argv in commands:
            median, rss, _ = measured[label]
            shown = " ".join(os.path.basename(a) if a.startswith("/") else a for a in argv)
            shown = shown.replace("|", "\\|")
            is_ours = label == "modelseal"
            rate = f"{gb / median:.2f}" if gb else "-"
            lines.append(
                f"| {title if is_ours else ''} | `{shown}` | {median:.3f} | {rate} | "
                f"{rss:.0f} | {ratio_text if is_ours else ''} | "
                f"{bar_text if is_ours else ''} | {('yes' if met else 'no') if is_ours else ''} |")
    kernels = kernel_table(args.bench_binary)
    if kernels:
        lines += ["", "## Kernels and the transparency log (Google Benchmark)", "",
                  f"`{args.bench_binary} --benchmark_min_time=0.3`", "",
                  "| benchmark | time per iteration | GB/s | items/s | counters |",
                  "|---|---:|---:|---:|---|"]
        lines += [f"| {name} | {time} | {rate} | {items} | {counters} |"
                  for name, time, rate, items, counters in kernels]
    lines += ["", "Raw times per round (seconds):", ""]
    for key, title, commands, measured, peer, bar in results:
        for label, _ in commands:
            lines.append(f"- {key} / {label}: " + ", ".join(f"{t:.3f}" for t in measured[label][2]))
    text = "\n".join(lines) + "\n"
    # Hand-written analysis below the marker survives regeneration.
    if os.path.exists(args.output):
        with open(args.output) as old:
            previous = old.read()
        if NOTES_MARKER in previous:
            text += "\n" + previous[previous.index(NOTES_MARKER):]
    with open(args.output, "w") as out:
        out.write(text)
    print(text)


if __name__ == "__main__":
    main()
