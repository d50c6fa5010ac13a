#!/usr/bin/env python3
"""Benchmark: what `jitscope audit` costs on top of `jitscope info`.

Issue 5's target: the static audit of a traced BERT-base costs at most 1.5x
`jitscope info` on the same file, measured in the same run. Also reported:
what the dynamic proof adds (--reference + --inputs), per probe, by running
with --probe 1 and --probe N.
"""
import argparse
import os
import sys

from timing import median_of


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jitscope", required=True)
    parser.add_argument("--traced", required=True)
    parser.add_argument("--reference", required=True)
    parser.add_argument("--inputs", required=True)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--probes", type=int, default=9)
    args = parser.parse_args()
    for path in (args.traced, args.reference, args.inputs):
        if not os.path.exists(path):
            sys.exit(f"benchmark: '{path}' is missing; build the bench_fixtures target")

    j = args.jitscope
    info = median_of([j, "info", args.traced, "--format", "json"], args.repeat, ok=(0, 1))
    static = median_of([j, "audit", args.traced, "--format", "json"], args.repeat, ok=(0, 1))
    dynamic = [j, "audit", args.traced, "--format", "json", "--reference", args.reference,
               "--inputs", args.inputs, "--counterexample-dir", "/tmp"]
    one = median_of(dynamic + ["--probe", "1"], args.repeat, ok=(0, 1))
    many = median_of(dynamic + ["--probe", str(args.probes)], args.repeat, ok=(0, 1))

    print(f"model: {os.path.basename(args.traced)} "
          f"({os.path.getsize(args.traced) / 2**20:.0f} MiB), median of {args.repeat} runs, "
          f"{os.cpu_count()} cores")
    print(f"{'run':<44} {'median s':>9}")
    print(f"{'jitscope info (baseline)':<44} {info:>9.2f}")
    print(f"{'jitscope audit (static)':<44} {static:>9.2f}")
    print(f"{'jitscope audit --reference --probe 1':<44} {one:>9.2f}")
    print(f"{f'jitscope audit --reference --probe {args.probes}':<44} {many:>9.2f}")
    print(f"ratio static audit / info: {static / info:.2f}x (target <= 1.50x)")
    print(f"each extra probe (one input set): {(many - one) / max(args.probes - 1, 1):.3f} s")


if __name__ == "__main__":
    main()
