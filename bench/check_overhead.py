#!/usr/bin/env python3
"""Benchmark: what `jitscope check` costs beyond the forward passes it runs.

`check --timing --format json` reports, from inside the process, the wall
time of the whole check and of each phase: loading, reading and checking
inputs, the plain forward passes (each timed with its outputs copied to the
CPU), comparing, --localize, saving. The baseline is the forward passes of
the same run, so both numbers come from the same process on the same
machine at the same moment:

  overhead = (total - load - forward - localize) / forward

i.e. everything check adds to running the model (input checks, comparison,
rendering) relative to running it. Target (issue 7): <= 0.10 on ResNet18.
Loading is reported separately: a user's own script loads the models too.

--localize: its cost per compared node (localize seconds / intermediates
compared) and relative to the plain forward passes.

As context, the same comparison done in Python in a fresh process
(torch.jit.load both, run both, torch.allclose), timed from outside, against
`jitscope check` timed from outside.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

from timing import wall


def run_check(argv):
    proc = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if proc.returncode not in (0, 1):
        sys.exit(f"benchmark: {' '.join(argv)} failed ({proc.returncode}): {proc.stderr.decode()}")
    return json.loads(proc.stdout)


PYTHON_BASELINE = """
import sys, torch
a, b, inputs = torch.jit.load(sys.argv[1]), torch.jit.load(sys.argv[2]), torch.load(sys.argv[3])
with torch.no_grad():
    print(torch.allclose(a(*inputs), b(*inputs), rtol=1.3e-6, atol=1e-5))
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jitscope", required=True)
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--model", required=True, help="e.g. build/models/resnet18.traced.pt")
    parser.add_argument("--against", required=True, help="e.g. build/models/resnet18.scripted.pt")
    parser.add_argument("--inputs", required=True, help="e.g. build/models/inputs/resnet18.pt")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    for path in (args.model, args.against, args.inputs):
        if not os.path.exists(path):
            sys.exit(f"benchmark: '{path}' is missing; build the fixtures first")

    base = [args.jitscope, "check", args.model, "--against", args.against, "--inputs", args.inputs,
            "--format", "json"]
    run_check(base)  # warm the page cache
    plain = [run_check(base)["timing"] for _ in range(args.repeat)]
    located = [run_check(base + ["--localize"]) for _ in range(args.repeat)]

    def med(values):
        return statistics.median(values)

    forward = med([t["forward_seconds"] for t in plain])
    overhead = med([(t["total_seconds"] - t["load_seconds"] - t["forward_seconds"] - t["localize_seconds"])
                    / t["forward_seconds"] for t in plain])
    print(f"model: {os.path.basename(args.model)} against {os.path.basename(args.against)}, "
          f"{args.repeat} runs each, medians")
    print(f"check: total {med([t['total_seconds'] for t in plain]):.4f}s, load {med([t['load_seconds'] for t in plain]):.4f}s, "
          f"forward {forward:.4f}s ({plain[0]['forward_runs']} passes), "
          f"inputs {med([t['inputs_seconds'] for t in plain]):.4f}s, compare {med([t['compare_seconds'] for t in plain]):.5f}s")
    print(f"overhead over the forward passes: {overhead:.4f} (target <= 0.10)")

    per_node = med([r["timing"]["localize_seconds"] / max(1, sum(l["compared"] for l in r["localize"]))
                    for r in located])
    compared = located[0]["localize"][0]["compared"]
    ratio = med([r["timing"]["localize_seconds"] / r["timing"]["forward_seconds"] for r in located])
    extra = med([(r["timing"]["localize_seconds"] - r["timing"]["forward_seconds"])
                 / max(1, sum(l["compared"] for l in r["localize"])) for r in located])
    print(f"--localize: {compared} intermediates compared, {per_node * 1e3:.3f} ms per node in all "
          f"({extra * 1e3:.3f} ms per node beyond the plain forward passes of the same run), "
          f"{ratio:.2f}x the plain forward passes")

    outside_check = med([wall(base, ok=(0, 1)) for _ in range(args.repeat)])
    outside_python = med([wall([args.python, "-c", PYTHON_BASELINE, args.model, args.against, args.inputs])
                          for _ in range(args.repeat)])
    print(f"fresh processes: jitscope check {outside_check:.3f}s, Python load+run+allclose {outside_python:.3f}s, "
          f"ratio {outside_check / outside_python:.2f}")


if __name__ == "__main__":
    main()
