#!/usr/bin/env python3
"""Benchmark: `jitscope compat` against `jitscope info` on the same models.

compat reads the archive's code records and debug info and never loads the
model, so it should cost well under `info --static` (which loads the model
through LibTorch, compiling every method, but reads no tensor data). Both
run as fresh processes, alternately; we report the median wall time, the
peak resident memory and the ratios (target, issue 14: compat well under
info --static).
"""
import argparse
import os
import statistics
import sys

from timing import measure_interleaved


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jitscope", required=True)
    parser.add_argument("--model", action="append", required=True, help="repeatable")
    parser.add_argument("--load-library", default="", help="operator library for models that need one")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    for model in args.model:
        if not os.path.exists(model):
            sys.exit(f"benchmark: '{model}' is missing; build the bench_fixtures target")
    prefix = [args.jitscope] + (["--load-library", args.load_library] if args.load_library else [])
    print(f"{args.repeat} runs each, {os.cpu_count()} cores")
    print(f"{'model':<34} {'variant':<24} {'median s':>9} {'peak MiB':>9}")
    for model in args.model:
        variants = {
            "compat --target 1.13": prefix + ["compat", model, "--target", "libtorch-1.13", "--format", "json"],
            "info --static": prefix + ["info", model, "--format", "json", "--static"],
            "info": prefix + ["info", model, "--format", "json"],
            # The process's start (LibTorch's shared libraries): a floor no command goes under.
            "--help (start-up)": prefix + ["--help"],
        }
        summary = {}
        for name, runs in measure_interleaved(variants, args.repeat).items():
            for _, _, code, message in runs:
                if code not in (0, 1):  # compat exits 1 on problems
                    sys.exit(f"benchmark: {' '.join(variants[name])} exited {code}: {message}")
            walls = [seconds for seconds, _, _, _ in runs]
            summary[name] = (statistics.median(walls), max(peak for _, peak, _, _ in runs))
            print(f"{os.path.basename(model):<34} {name:<24} {summary[name][0]:>9.3f} {summary[name][1]:>9.0f}")
        ours = summary["compat --target 1.13"]
        start = summary["--help (start-up)"][0]
        print(f"above start-up: compat {ours[0] - start:.3f} s, info --static "
              f"{summary['info --static'][0] - start:.3f} s, info {summary['info'][0] - start:.3f} s")
        for base in ("info --static", "info"):
            print(f"ratio compat / {base}: wall {ours[0] / summary[base][0]:.2f}x, "
                  f"peak memory {ours[1] / summary[base][1]:.2f}x")


if __name__ == "__main__":
    main()
