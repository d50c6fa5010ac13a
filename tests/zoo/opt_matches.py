#!/usr/bin/python3
"""Files written by `jitscope opt` compute what their originals compute, in Python torch.

usage: opt_matches.py PAIRS.json     (run by tests/zoo/run_zoo.py --strict)

PAIRS.json: a list of {"name", "original", "optimized", "inputs",
"library"}. Each pair runs on its inputs (a torch.save tuple) under
torch.manual_seed(0), no_grad; the outputs must agree within
torch.testing.assert_close's defaults for their dtype (what `opt --verify`
uses). A pair with a library imports torchvision first, whose operators the
detection models call. Prints ok/FAIL per pair; exits 1 on any failure.
"""
import json
import sys

import torch


def flatten(value):
    if isinstance(value, torch.Tensor):
        return [value]
    if isinstance(value, (tuple, list)):
        return [t for item in value for t in flatten(item)]
    if isinstance(value, dict):
        return [t for key in sorted(value) for t in flatten(value[key])]
    return []


def main(path):
    with open(path) as f:
        pairs = json.load(f)
    failures = 0
    for pair in pairs:
        if pair.get("library"):
            import torchvision  # noqa: F401  (registers torchvision::nms and friends)
        inputs = torch.load(pair["inputs"])
        inputs = inputs if isinstance(inputs, tuple) else (inputs,)
        runs = []
        with torch.no_grad():
            for file in (pair["original"], pair["optimized"]):
                model = torch.jit.load(file).eval()
                torch.manual_seed(0)
                runs.append(flatten(model(*inputs)))
        expected, actual = runs
        try:
            if len(expected) != len(actual):
                raise AssertionError(f"{len(actual)} output tensor(s), the original has {len(expected)}")
            for a, e in zip(actual, expected):
                torch.testing.assert_close(a, e)
            print(f"ok   {pair['name']}: the opt file's {len(actual)} output tensor(s) match the original's in Python")
        except AssertionError as e:
            failures += 1
            print(f"FAIL {pair['name']}: opt output differs from the original in Python: {str(e).splitlines()[0]}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
