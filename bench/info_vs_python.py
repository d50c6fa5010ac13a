#!/usr/bin/env python3
"""Benchmark: `jitscope info` against Python torch on the same model.

The baseline is what a user would otherwise run to see inside a model:
`import torch; torch.jit.load(path).inlined_graph`. Both run as fresh
processes, alternately, several times; we report the median wall time and the
peak resident memory of each, and their ratio. Target (issue 3): jitscope at
most 0.6x Python's wall time, with less peak memory. `info --static` reads no
tensor data, so its cost stops growing with the weights.
"""
import statistics
import sys

from timing import against_python_args, measure_interleaved, model_line


def main():
    args = against_python_args(__doc__, repeat=5)

    variants = {
        "jitscope info": [args.jitscope, "info", args.model, "--format", "json"],
        "jitscope info --static": [args.jitscope, "info", args.model, "--format", "json", "--static"],
        "python torch.jit.load().inlined_graph": [
            args.python, "-c",
            "import sys, torch; g = torch.jit.load(sys.argv[1]).inlined_graph; "
            "sum(1 for _ in g.nodes())", args.model],
    }
    results = {}
    for name, runs in measure_interleaved(variants, args.repeat).items():
        for _, _, code, message in runs:
            if code != 0:
                sys.exit(f"benchmark: {' '.join(variants[name])} exited {code}: {message}")
        results[name] = [(seconds, peak) for seconds, peak, _, _ in runs]

    print(model_line(args))
    print(f"{'variant':<40} {'median s':>9} {'min s':>7} {'peak MiB':>9}")
    summary = {}
    for name, runs in results.items():
        walls = [w for w, _ in runs]
        peak = max(m for _, m in runs)
        summary[name] = (statistics.median(walls), peak)
        print(f"{name:<40} {statistics.median(walls):>9.3f} {min(walls):>7.3f} {peak:>9.0f}")
    base_t, base_m = summary["python torch.jit.load().inlined_graph"]
    for name in ("jitscope info", "jitscope info --static"):
        ours_t, ours_m = summary[name]
        print(f"ratio {name} / python: wall {ours_t / base_t:.2f}x (target <= 0.60x), "
              f"peak memory {ours_m / base_m:.2f}x (target < 1.00x)")


if __name__ == "__main__":
    main()
