#!/usr/bin/env python3
"""Benchmark: `jitscope graph` against Graphviz's own `dot` on the same DOT.

Issue 4's target: drawing a traced BERT-base to SVG with jitscope (load the
model, build the drawing, lay it out and render it in-process) takes at most
1.3x what `dot -Tsvg` takes to lay out and render the DOT jitscope writes for
it, measured in the same run. Also reported: the cost with --collapse 2.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile

from timing import median_of


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jitscope", required=True)
    parser.add_argument("--model", required=True)
    parser.add_argument("--dot", default=shutil.which("dot") or "dot")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if not os.path.exists(args.model):
        sys.exit(f"benchmark: '{args.model}' is missing; build the bench_fixtures target")
    if not shutil.which(args.dot):
        sys.exit("benchmark: Graphviz's `dot` is not installed (apt-get install graphviz)")

    j = args.jitscope
    with tempfile.TemporaryDirectory() as tmp:
        dot_file = os.path.join(tmp, "model.dot")
        subprocess.run([j, "graph", args.model, "-o", dot_file], check=True)
        with open(dot_file) as f:
            nodes = sum(1 for line in f if "[label=<" in line)
        svg = os.path.join(tmp, "model.svg")
        write_dot = median_of([j, "graph", args.model, "-o", dot_file], args.repeat)
        full = median_of([j, "graph", args.model, "-o", svg], args.repeat)
        dot = median_of([args.dot, "-Tsvg", dot_file, "-o", os.path.join(tmp, "dot.svg")],
                        args.repeat)
        collapsed = median_of([j, "graph", args.model, "-o", svg, "--collapse", "2"], args.repeat)

    print(f"model: {args.model} ({nodes} boxes drawn), median of {args.repeat} runs")
    print(f"  jitscope graph -o .dot (load + drawing, no layout)  {write_dot:7.2f} s")
    print(f"  {'jitscope graph --full -o .svg (load+layout+render)':<52}{full:7.2f} s")
    print(f"  dot -Tsvg on the same DOT (layout + render)         {dot:7.2f} s")
    print(f"  jitscope graph --collapse 2 -o .svg                 {collapsed:7.2f} s")
    print(f"ratio full/dot: {full / dot:.2f}x (target <= 1.3x)")
    print(f"ratio collapse-2/full: {collapsed / full:.2f}x")


if __name__ == "__main__":
    main()
