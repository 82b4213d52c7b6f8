#!/usr/bin/env python3
"""Interleaved A/B timing of whole commands, for noisy machines.

hyperfine runs all of one command's runs, then the next command's, so a
neighbour that gets busy halfway favours one side. This runs the commands in
turn, N rounds, and prints each one's median, quartiles and minimum of the
wall time (process start to exit, as a user sees it).

  bench/ab_commands.py ROUNDS 'CMD A' 'CMD B' [...]

Example (docs/benchmarks.md, digest cache section): two builds' cached
verify of the same model, 200 rounds.
"""
import os
import shlex
import statistics
import subprocess
import sys
import time


def main() -> int:
    if len(sys.argv) < 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    rounds = int(sys.argv[1])
    commands = [shlex.split(c) for c in sys.argv[2:]]
    times = [[] for _ in commands]
    for _ in range(rounds):
        for i, command in enumerate(commands):
            start = time.perf_counter()
            done = subprocess.run(command, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
            elapsed = (time.perf_counter() - start) * 1000
            if done.returncode != 0:
                print(f"exit {done.returncode}: {sys.argv[2 + i]}",
                      file=sys.stderr)
                return 1
            times[i].append(elapsed)
    for i, series in enumerate(times):
        series.sort()
        quarter = len(series) // 4
        print(f"median {statistics.median(series):7.2f} ms  "
              f"p25 {series[quarter]:7.2f}  p75 {series[-1 - quarter]:7.2f}  "
              f"min {series[0]:7.2f}  {sys.argv[2 + i]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
