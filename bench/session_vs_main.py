#!/usr/bin/env python3
"""Benchmark: the model session (issue 16) against a baseline binary built from main.

Two workloads, each run by both binaries alternately in the same run (so a
change of machine load touches both alike), median wall time and the ratio
this / baseline printed:

1. `report` on traced ResNet18 with --inputs, an output check --against its
   scripted export and the default inference preset (the page's pass
   statistics). The baseline loads the traced model twice (the page, the
   check), audits it twice (the page, the snapshot) and describes it three
   times; the session loads, audits and describes it once.
2. `ci` over the fixtures of build/models/manifest.json (not the bad files):
   per model an audit, a diff against a snapshot taken beforehand and an op
   allow-list, `-j` children at once.

Build the baseline first, e.g.
  git -C /work/main worktree add /tmp/mainbase main && (cd /tmp/mainbase && scripts/build.sh --target jitscope)
or copy a main build's build/cli/jitscope (it links its libraries statically).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

from timing import measure_interleaved


def ci_config(jitscope, models_dir, tmp, limit):
    manifest = json.load(open(os.path.join(models_dir, "manifest.json")))
    models = sorted(p for p in manifest if p != "bad" and not p.startswith("bench/"))
    if limit:
        models = models[:limit]
    parts = []
    for i, rel in enumerate(models):
        path = os.path.join(models_dir, rel)
        snap = os.path.join(tmp, f"{i}.json")
        done = subprocess.run([jitscope, "snapshot", path, "-o", snap],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if done.returncode != 0:
            continue  # a fixture that needs an operator library or another LibTorch
        ops = json.load(open(snap))["ops"]
        parts.append(f'[[model]]\nname = "m{i}"\npath = "{path}"\n[model.audit]\n'
                     f'[model.diff]\nsnapshot = "{snap}"\n[model.ops]\nallow = {json.dumps(ops)}\n')
    toml = os.path.join(tmp, "jitscope.toml")
    with open(toml, "w") as f:
        f.write("\n".join(parts))
    return toml, len(parts)


def report(results, label, name, base):
    this = statistics.median(r[0] for r in results[name])
    that = statistics.median(r[0] for r in results[base])
    codes = sorted({r[2] for r in results[name]} | {r[2] for r in results[base]})
    print(f"{label}: this {this:.2f} s, main {that:.2f} s, ratio this/main {this / that:.2f} "
          f"(median of {len(results[name])}, exit codes {codes})")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jitscope", required=True, help="this build's jitscope")
    parser.add_argument("--baseline", required=True, help="jitscope built from main")
    parser.add_argument("--models", required=True, help="build/models")
    parser.add_argument("--jobs", type=int, default=os.cpu_count())
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--ci-repeat", type=int, default=0, help="rounds of ci (default: --repeat)")
    parser.add_argument("--limit", type=int, default=0, help="ci over the first N fixtures only (0: all)")
    args = parser.parse_args()
    if not os.access(args.baseline, os.X_OK):
        sys.exit(f"session_vs_main: no baseline binary at '{args.baseline}'; build main's jitscope and pass "
                 "--baseline (cmake -DJITSCOPE_BASELINE=PATH for ninja bench-session)")
    m = args.models
    with tempfile.TemporaryDirectory() as tmp:
        page = ["report", os.path.join(m, "resnet18.traced.pt"), "--inputs", os.path.join(m, "inputs/resnet18.pt"),
                "--against", os.path.join(m, "resnet18.scripted.pt"), "--preset", "inference"]
        results = measure_interleaved({
            "this": [args.jitscope] + page + ["-o", os.path.join(tmp, "this.html")],
            "main": [args.baseline] + page + ["-o", os.path.join(tmp, "main.html")],
        }, args.repeat)
        report(results, "report resnet18.traced.pt --inputs --against --preset inference", "this", "main")

        toml, count = ci_config(args.jitscope, m, tmp, args.limit)
        ci = ["ci", "--config", toml, "-j", str(args.jobs)]
        results = measure_interleaved({"this": [args.jitscope] + ci, "main": [args.baseline] + ci},
                                      args.ci_repeat or args.repeat)
        report(results, f"ci over {count} fixtures (audit, diff, ops), -j {args.jobs}", "this", "main")


if __name__ == "__main__":
    sys.exit(main())
