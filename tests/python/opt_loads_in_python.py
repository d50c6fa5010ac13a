#!/usr/bin/env python3
"""ctest: files written by `jitscope opt --preset inference` load again in
Python and compute what the original computes.

For each fixture: run jitscope opt into a temporary folder, torch.jit.load
the result, run it and the original (in eval mode) on the fixture's saved
inputs, and require torch.allclose. Exits 1 naming the first failure.
"""
import argparse
import os
import subprocess
import sys
import tempfile

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "zoo"))
from opt_matches import flatten  # noqa: E402  (the zoo's comparison flattens outputs alike)

FIXTURES = ["resnet18", "mobilenet_v3_small", "bert_tiny"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jitscope", required=True)
    parser.add_argument("--models", required=True)
    parser.add_argument("--preset", default="inference")
    args = parser.parse_args()
    failures = 0
    with tempfile.TemporaryDirectory() as tmp, torch.no_grad():
        for name in FIXTURES:
            model = os.path.join(args.models, f"{name}.traced.pt")
            out = os.path.join(tmp, f"{name}.{args.preset}.pt")
            run = subprocess.run([args.jitscope, "opt", model, "--preset", args.preset, "-o", out],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            if run.returncode != 0:
                print(f"FAIL {name}: jitscope opt exited {run.returncode}: {run.stderr.strip()}")
                failures += 1
                continue
            inputs = torch.load(os.path.join(args.models, "inputs", f"{name}.pt"))
            inputs = inputs if isinstance(inputs, tuple) else (inputs,)
            original = torch.jit.load(model).eval()
            optimized = torch.jit.load(out)
            expected, actual = flatten(original(*inputs)), flatten(optimized(*inputs))
            if hasattr(optimized, "training"):
                print(f"FAIL {name}: the optimized module is not frozen")
                failures += 1
            elif len(expected) != len(actual) or not all(
                    torch.allclose(a, e, rtol=1e-4, atol=1e-5) for a, e in zip(actual, expected)):
                diff = max((a - e).abs().max().item() for a, e in zip(actual, expected))
                print(f"FAIL {name}: outputs differ, max |diff| {diff:.3g}")
                failures += 1
            else:
                print(f"ok   {name}: {args.preset} file loads in Python torch {torch.__version__}, outputs match")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
