#!/usr/bin/env python3
"""Benchmark: `jitscope ci` over the fixture zoo against the same checks one by one.

For every model of build/models/manifest.json (not the deliberately bad
files), the checks a pipeline would run: `audit` (fail-on warning), `diff`
against a snapshot taken beforehand, and an op allow-list (the model's own
ops, so it passes). The baseline runs them as separate commands, one after
the other, as a shell script calling `jitscope audit` and `jitscope diff` per
model would (the allow-list has no separate command; `diff` gives the ops).
`jitscope ci -j N` runs the same checks from one config. Both are timed in the
same run, alternately; the ratio is printed. Exit codes are not judged: some
fixtures have findings on purpose.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

from timing import wall


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jitscope", required=True)
    parser.add_argument("--models", required=True, help="build/models")
    parser.add_argument("--jobs", type=int, default=os.cpu_count())
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--limit", type=int, default=0, help="only the first N models (0: all)")
    args = parser.parse_args()
    manifest = json.load(open(os.path.join(args.models, "manifest.json")))
    models = sorted(p for p in manifest if p != "bad" and not p.startswith("bench/"))
    if args.limit:
        models = models[:args.limit]

    with tempfile.TemporaryDirectory() as tmp:
        config = []
        serial = []
        for i, rel in enumerate(models):
            path = os.path.join(args.models, rel)
            snap = os.path.join(tmp, f"{i}.json")
            subprocess.run([args.jitscope, "snapshot", path, "-o", snap], check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            ops = json.load(open(snap))["ops"]
            config.append(f'[[model]]\nname = "m{i}"\npath = "{path}"\n[model.audit]\n'
                          f'[model.diff]\nsnapshot = "{snap}"\n[model.ops]\nallow = {json.dumps(ops)}\n')
            serial.append([args.jitscope, "audit", path])
            serial.append([args.jitscope, "diff", snap, path])
        toml = os.path.join(tmp, "jitscope.toml")
        with open(toml, "w") as f:
            f.write("\n".join(config))
        ci = [args.jitscope, "ci", "--config", toml, "-j", str(args.jobs)]

        wall(ci, ok=None)  # warm the page cache
        times = {"serial": [], "ci": []}
        for _ in range(args.repeat):
            times["serial"].append(sum(wall(argv, ok=None) for argv in serial))
            times["ci"].append(wall(ci, ok=None))
    serial_s = statistics.median(times["serial"])
    ci_s = statistics.median(times["ci"])
    print(f"models: {len(models)} ({len(serial)} commands one by one), cores: {os.cpu_count()}, ci -j {args.jobs}")
    print(f"one by one (audit + diff per model): median {serial_s:.2f} s over {args.repeat} runs")
    print(f"jitscope ci (audit + diff + ops):     median {ci_s:.2f} s over {args.repeat} runs")
    print(f"ratio ci / one-by-one: {ci_s / serial_s:.2f}")


if __name__ == "__main__":
    sys.exit(main())
