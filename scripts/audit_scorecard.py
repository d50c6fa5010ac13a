#!/usr/bin/python3
"""The audit's figures on the pitfall fixtures, beside PyTorch's TracerWarning.

    scripts/audit_scorecard.py [--build build] [--no-source]

Reads build/models/pitfalls/ground_truth.json (every label verified against
eager Python when the fixtures were built) and audits every traced file.
A file counts as flagged when a finding reaches warning; "right line" means
a flagged lossy file has a finding at its `# lost:` line. TracerWarning
counts a file as flagged when PyTorch warned while tracing it (recorded in
the ground truth), at the right line when a warning names that line.
Baked-device fixtures whose truth needs CUDA are counted (their label is
checked on the GPU machine). With --no-source the audit reads no Python
(`audit --no-source`): an `unverified` verdict counts as not flagged.
Prints a Markdown table; used for docs/audit.md.
"""
import argparse
import json
import subprocess
import sys
from pathlib import Path


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", default="build")
    parser.add_argument("--no-source", action="store_true")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    root = Path(__file__).resolve().parent.parent
    build = Path(args.build)
    pitfalls = build / "models" / "pitfalls"
    truth = json.loads((pitfalls / "ground_truth.json").read_text())["files"]
    jitscope = str(build / "cli" / "jitscope")
    extra = ["--no-source"] if args.no_source else ["--source-root", str(root / "models")]

    counts = {"jitscope": [0, 0, 0, 0], "TracerWarning": [0, 0, 0, 0]}  # tp, fp, fn, line
    for name, t in sorted(truth.items()):
        if not name.endswith(".traced.pt"):
            continue
        run = subprocess.run([jitscope, "audit", str(pitfalls / name), "--format", "json",
                              "--fail-on", "error"] + extra, capture_output=True, text=True)
        if run.returncode not in (0, 1):
            sys.exit(f"audit_scorecard: {name}: exit {run.returncode}: {run.stderr.strip()}")
        report = json.loads(run.stdout)
        raised = [f for f in report["findings"] if f["severity"] in ("warning", "error")]
        lines = {f["location"]["line"] for f in raised if f.get("location")}
        warned = t.get("tracer_warnings", [])
        warned_lines = {w["line"] for w in warned if w["file"] == t["source"]}
        for who, flagged, at_line in (("jitscope", bool(raised), t["line"] in lines),
                                      ("TracerWarning", bool(warned), t["line"] in warned_lines)):
            c = counts[who]
            if t["lossy"] and flagged:
                c[0] += 1
                c[3] += at_line
            elif flagged:
                c[1] += 1
            elif t["lossy"]:
                c[2] += 1
            if args.verbose and who == "jitscope" and (flagged != t["lossy"] or (flagged and not at_line)):
                print(f"  {name}: truth {'lossy' if t['lossy'] else 'clean'}, audit "
                      f"{report.get('verdict')}", file=sys.stderr)

    def ratio(a, b):
        return f"{a}/{b} = {a / b:.2f}" if b else "-"

    mode = "without the source (`--no-source`)" if args.no_source else "with the source"
    print(f"| figure ({mode}) | jitscope | TracerWarning |")
    print("| --- | --- | --- |")
    j, w = counts["jitscope"], counts["TracerWarning"]
    print(f"| recall | {ratio(j[0], j[0] + j[2])} | {ratio(w[0], w[0] + w[2])} |")
    print(f"| precision | {ratio(j[0], j[0] + j[1])} | {ratio(w[0], w[0] + w[1])} |")
    print(f"| right line | {ratio(j[3], j[0])} | {ratio(w[3], w[0])} |")


if __name__ == "__main__":
    main()
