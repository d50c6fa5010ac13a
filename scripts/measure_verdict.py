#!/usr/bin/env python3
"""Measure `jitscope audit` verdicts on the pitfall catalogue.

For every traced fixture in build/models/pitfalls/ground_truth.json, runs
the audit (JSON output) with the source (--source-root models) and with
--no-source, each without and with the scripted reference (and its
inputs, or without inputs so the probes derive their own). Prints, per run:
the verdicts, recall and precision of `lossy` against the ground truth
(unverified counts as "not claimed lossy"), and how many lossy files were
flagged at the ground-truth line. First, the same figures for PyTorch's own
TracerWarning on the same files (recorded at trace time in the ground
truth): a file is "flagged" when PyTorch warned while tracing it, at the
line when a warning names the fixture's `# lost:` line.

    scripts/measure_verdict.py [--jitscope build/cli/jitscope] [--models build/models]
                               [--only 'derived'] [--verbose]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile


def run(jitscope, args):
    out = subprocess.run([jitscope, "audit", *args, "--format", "json"], capture_output=True, text=True)
    if out.returncode not in (0, 1):
        return None, out.returncode, out.stderr.strip()
    return json.loads(out.stdout), out.returncode, ""


def at_line(report, truth):
    check = "trace-" + truth["category"]
    for f in report["findings"]:
        loc = f["location"]
        if (f["check"] == check and f["severity"] != "note" and loc and loc["line"] == truth["line"]
                and os.path.basename(loc["file"]) == os.path.basename(truth["source"])):
            return True
    return False


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--jitscope", default="build/cli/jitscope")
    parser.add_argument("--models", default="build/models")
    parser.add_argument("--source-root", default="models")
    parser.add_argument("--verbose", action="store_true", help="name the files scored wrong")
    parser.add_argument("--only", default="", help="run only the runs whose name contains this")
    options = parser.parse_args()
    pitfalls = os.path.join(options.models, "pitfalls")
    truth = json.load(open(os.path.join(pitfalls, "ground_truth.json")))["files"]
    traced = {k: v for k, v in truth.items() if ".traced." in k}
    tmp = tempfile.mkdtemp()
    if options.only in "TracerWarning":
        tp = fp = fn = found = 0
        for t in traced.values():
            warned = t.get("tracer_warnings", [])
            if t["lossy"] and warned:
                tp += 1
                found += any(w["line"] == t["line"] and w["file"] == t["source"] for w in warned)
            elif warned:
                fp += 1
            elif t["lossy"]:
                fn += 1
        print(f"TracerWarning: precision {tp / (tp + fp):.2f} ({tp}/{tp + fp}), recall "
              f"{tp / (tp + fn):.2f} ({tp}/{tp + fn}); found at the line {found}/{tp + fn}")
    runs = [
        ("source, static", ["--source-root", options.source_root], None),
        ("source, reference+inputs", ["--source-root", options.source_root], "inputs"),
        ("source, reference, derived inputs", ["--source-root", options.source_root], "derived"),
        ("--no-source, static", ["--no-source"], None),
        ("--no-source, reference+inputs", ["--no-source"], "inputs"),
        ("--no-source, reference, derived inputs", ["--no-source"], "derived"),
    ]
    for name, base, reference in runs:
        if options.only not in name:
            continue
        tp = fp = fn = tn = 0
        verdicts = {"lossy": [0, 0], "clean": [0, 0], "unverified": [0, 0]}  # [lossy truth, clean truth]
        found = lossy_total = probed = 0
        misses = []
        for file, t in sorted(traced.items()):
            args = [os.path.join(pitfalls, file), *base, "--counterexample-dir", tmp]
            if reference:
                if not t.get("reference"):
                    continue
                args += ["--reference", os.path.join(pitfalls, t["reference"])]
                if reference == "inputs":
                    args += ["--inputs", os.path.join(pitfalls, t["inputs"])]
            report, rc, err = run(options.jitscope, args)
            if report is None:
                print(f"  {file}: exit {rc}: {err}", file=sys.stderr)
                continue
            v = report["verdict"]
            lossy = t["lossy"]
            verdicts[v][0 if lossy else 1] += 1
            probed += report["probes_run"] > 0
            claimed = v == "lossy"
            if lossy:
                lossy_total += 1
                found += at_line(report, t)
                tp += claimed
                fn += not claimed
                if not claimed:
                    misses.append(f"{file}({v})")
            else:
                fp += claimed
                tn += not claimed
                if claimed:
                    misses.append(f"{file}(FP: " + ", ".join(
                        f["check"] for f in report["findings"] if f["severity"] != "note") + ")")
        precision = tp / (tp + fp) if tp + fp else float("nan")
        recall = tp / (tp + fn) if tp + fn else float("nan")
        print(f"{name}: {tp + fn} lossy, {fp + tn} clean files; "
              f"verdict lossy {verdicts['lossy']}, unverified {verdicts['unverified']}, "
              f"clean {verdicts['clean']} ([lossy truth, clean truth]); "
              f"precision {precision:.2f}, recall {recall:.2f}; "
              f"found at the line {found}/{lossy_total}; probed {probed}")
        if options.verbose and misses:
            print("   not right: " + " ".join(misses))


if __name__ == "__main__":
    main()
