#!/usr/bin/env python3
"""Benchmark: what issue 18's protections add to `info` and `audit`.

The protections that run on every model read are the code-record scan
(inspector/src/code_depth.cpp: nesting, chains, % chains and bracket sizes,
over every code/**.py) and the .debug_pkl scan. Both are timed in-process by
protection_probe (median of 20 calls), and set beside the whole `info` and
`audit` commands (median of --repeat runs, start-up included) on the same
models in the same run: the ratio is the share of each command the
protections are, so main without them would take (1 - ratio) of the time.
"""
import argparse
import subprocess

from timing import median_of


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jitscope", required=True)
    parser.add_argument("--probe", required=True)
    parser.add_argument("--model", action="append", required=True)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    for model in args.model:
        code, debug, size = subprocess.run([args.probe, model], check=True, capture_output=True,
                                           text=True).stdout.split()
        added = float(code) + float(debug)
        info = median_of([args.jitscope, "info", model], args.repeat)
        audit = median_of([args.jitscope, "audit", model], args.repeat, ok=(0, 1))
        print(f"{model}: code records {int(size) / 1024:.0f} KiB scanned in {float(code) * 1e3:.2f} ms, "
              f"debug records {float(debug) * 1e3:.2f} ms")
        print(f"  info  {info:6.2f} s   protections {added / info * 100:.2f}% of it "
              f"(ratio to main without them: {info / (info - added):.4f}x)")
        print(f"  audit {audit:6.2f} s   protections {added / audit * 100:.2f}% of it "
              f"(ratio to main without them: {audit / (audit - added):.4f}x)")


if __name__ == "__main__":
    main()
