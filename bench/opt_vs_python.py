#!/usr/bin/env python3
"""Benchmark: `jitscope opt --preset inference -o OUT` against Python torch.

The baseline is what a user otherwise runs to get an optimized file:
`torch.jit.save(torch.jit.optimize_for_inference(torch.jit.freeze(
torch.jit.load(path).eval())), out)` in a fresh interpreter. Both run as
fresh processes, alternately, several times; we report the median wall time
and peak resident memory of each and their ratio. Target (issue 6): jitscope
at most 0.8x Python's wall time. Whether each result loads again is checked
once, outside the timed runs.
"""
import os
import statistics
import subprocess
import tempfile

from timing import against_python_args, measure_interleaved, model_line

PYTHON_BASELINE = """
import sys, torch
m = torch.jit.load(sys.argv[1])
m = torch.jit.optimize_for_inference(torch.jit.freeze(m.eval()))
torch.jit.save(m, sys.argv[2])
"""


def loads_again(python, path):
    check = subprocess.run([python, "-c", "import sys, torch; torch.jit.load(sys.argv[1])", path],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    return "yes" if check.returncode == 0 else "no: " + check.stderr.strip().splitlines()[-1]


def main():
    args = against_python_args(__doc__, repeat=3)

    with tempfile.TemporaryDirectory() as tmp:
        outputs = {"jitscope opt --preset inference -o": os.path.join(tmp, "jitscope.pt"),
                   "python freeze + optimize_for_inference + save": os.path.join(tmp, "python.pt")}
        variants = {
            "jitscope opt --preset inference -o": [
                args.jitscope, "opt", args.model, "--preset", "inference", "-o",
                outputs["jitscope opt --preset inference -o"]],
            "python freeze + optimize_for_inference + save": [
                args.python, "-c", PYTHON_BASELINE, args.model,
                outputs["python freeze + optimize_for_inference + save"]],
        }
        results = measure_interleaved(variants, args.repeat)

        print(model_line(args))
        print(f"{'variant':<48} {'median s':>9} {'min s':>7} {'peak MiB':>9}  result loads again")
        summary = {}
        for name, runs in results.items():
            walls = [w for w, _, _, _ in runs]
            failed = [(code, msg) for _, _, code, msg in runs if code != 0]
            peak = max(m for _, m, _, _ in runs)
            summary[name] = statistics.median(walls)
            status = (f"failed (exit {failed[0][0]}): {failed[0][1]}" if failed
                      else loads_again(args.python, outputs[name]))
            print(f"{name:<48} {statistics.median(walls):>9.3f} {min(walls):>7.3f} {peak:>9.0f}  {status}")
        ours = summary["jitscope opt --preset inference -o"]
        base = summary["python freeze + optimize_for_inference + save"]
        print(f"ratio jitscope / python: wall {ours / base:.2f}x (target <= 0.80x)")


if __name__ == "__main__":
    main()
