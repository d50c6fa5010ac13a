#!/usr/bin/env python3
"""Benchmark: `jitscope graph --full` against Graphviz's own `dot` on the flat DOT.

Issue 15's targets, each measured in this run:
- the full SVG of BERT-base traced (load the model, build the drawing, lay it
  out hierarchically, render it in-process; LibTorch's start-up counts on our
  side) takes at most 0.5x what `dot -Tsvg` takes on the flat DOT jitscope
  writes for the same graph (`graph -o x.dot`, every box, no layout);
- a full drawing of each --zoo model finishes in under 30 s;
- drawing needs at most a small multiple of `info`'s peak memory.
jitscope's start-up (`--version`) is measured interleaved with the rest, so a
loaded machine shows in every line alike.
"""
import argparse
import os
import shutil
import statistics
import sys
import tempfile

from timing import measure


def timed(argv, repeat):
    """Median seconds and the largest peak RSS (MiB) of `repeat` runs after one untimed run."""
    measure(argv)
    runs = [measure(argv) for _ in range(repeat)]
    for seconds, _, code, message in runs:
        if code != 0:
            sys.exit(f"benchmark: {' '.join(argv)} exited {code}: {message}")
    return statistics.median(r[0] for r in runs), max(r[1] for r in runs)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jitscope", required=True)
    parser.add_argument("--model", required=True, help="BERT-base traced")
    parser.add_argument("--zoo", action="append", default=[],
                        help="MODEL[,LIBRARY]: drawn in full once, target under 30 s")
    parser.add_argument("--dot", default=shutil.which("dot") or "dot")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if not os.path.exists(args.model):
        sys.exit(f"benchmark: '{args.model}' is missing; build the bench_fixtures target")
    if not shutil.which(args.dot):
        sys.exit("benchmark: Graphviz's `dot` is not installed (apt-get install graphviz)")

    j = args.jitscope
    with tempfile.TemporaryDirectory() as tmp:
        flat = os.path.join(tmp, "flat.dot")
        measure([j, "graph", args.model, "-o", flat])
        with open(flat) as f:
            boxes = sum(1 for line in f if "[label=<" in line)
        svg = os.path.join(tmp, "model.svg")
        startup, _ = timed([j, "--version"], args.repeat)
        full, full_rss = timed([j, "graph", args.model, "--full", "-o", svg], args.repeat)
        dot, _ = timed([args.dot, "-Tsvg", flat, "-o", os.path.join(tmp, "dot.svg")], args.repeat)
        info, info_rss = timed([j, "info", args.model], args.repeat)
        print(f"model: {args.model} ({boxes} boxes), median of {args.repeat} runs")
        print(f"  jitscope --version (start-up)                     {startup:7.2f} s")
        print(f"  jitscope graph --full -o .svg                     {full:7.2f} s  {full_rss:6.0f} MiB")
        print(f"  dot -Tsvg on the flat DOT                         {dot:7.2f} s")
        print(f"  jitscope info                                     {info:7.2f} s  {info_rss:6.0f} MiB")
        print(f"ratio full/dot: {full / dot:.2f}x (target <= 0.5x)")
        print(f"ratio memory graph/info: {full_rss / info_rss:.2f}x")
        worst = 0.0
        for entry in args.zoo:
            model, _, library = entry.partition(",")
            extra = ["--load-library", library] if library else []
            seconds, rss, code, message = measure([j, *extra, "graph", model, "--full", "-o", svg])
            _, base_rss, _, _ = measure([j, *extra, "info", model])
            if code != 0:
                sys.exit(f"benchmark: graph --full {model} exited {code}: {message}")
            worst = max(worst, seconds)
            print(f"  {os.path.basename(model):<40} graph --full {seconds:6.1f} s (target < 30 s)  "
                  f"memory {rss:6.0f} MiB = {rss / base_rss:.2f}x info's")
        if args.zoo:
            print(f"slowest zoo drawing: {worst:.1f} s (target < 30 s)")


if __name__ == "__main__":
    main()
