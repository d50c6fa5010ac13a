#!/usr/bin/env python3
"""Runs every model-reading jitscope command on the real-model zoo (ctest: zoo).

usage: run_zoo.py --jitscope BIN --zoo DIR [--only NAME ...] [--markdown FILE] [--timeout S]
                  [--generate models/zoo.py] [--strict]

DIR is what models/zoo.py wrote (zoo.json, NAME.{traced,scripted}.pt,
NAME.inputs.pt, NAME.outputs.pt). For each export: info, dump, graph (time
bound: --timeout), audit (a trace against its scripted export with the
inputs, when both exist), snapshot, diff against its own snapshot, opt
--verify, check (a trace against its scripted export, else against the
eager outputs), report. A run fails when it ends by a signal, hits the
timeout, or exits 2 or 3 (these models are valid: refusing one is a
defect). --strict (the ctest subset) also fails every exit but 0, audit's
1 (findings) aside: on these models the outputs must agree (check, diff
against the own snapshot, opt --verify); and it runs each opt output and
its original in Python torch (tests/zoo/opt_matches.py, with this script's
interpreter), which must agree too. Timings are reported, never asserted.
--markdown writes the table (model x command: exit, seconds, peak memory)
that docs/zoo.md holds. Standard library only (opt_matches.py needs torch).
"""

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time


def commands(name, kind, zoo, entry, out):
    model = os.path.join(zoo, entry["exports"][kind])
    inputs = os.path.join(zoo, entry["inputs"])
    scripted = entry["exports"].get("scripted")
    snap = os.path.join(out, f"{name}.{kind}.json")
    rows = [
        ("info", ["info", model]),
        ("dump", ["dump", model]),
        ("graph", ["graph", model, "-o", os.path.join(out, f"{name}.{kind}.svg")]),
        ("snapshot", ["snapshot", model, "--inputs", inputs, "-o", snap]),
        ("diff", ["diff", snap, model, "--inputs", inputs]),
        ("opt", ["opt", model, "--preset", "inference", "--verify", inputs,
                 "-o", os.path.join(out, f"{name}.{kind}.opt.pt")]),
        ("report", ["report", model, "-o", os.path.join(out, f"{name}.{kind}.html")]),
    ]
    if kind == "traced":
        audit = ["audit", model]
        if scripted:
            audit += ["--reference", os.path.join(zoo, scripted), "--inputs", inputs]
        rows.insert(3, ("audit", audit))
    if kind == "traced" and scripted:
        rows.append(("check", ["check", model, "--against", os.path.join(zoo, scripted), "--inputs", inputs]))
    else:
        rows.append(("check", ["check", model, "--expected", os.path.join(zoo, f"{name}.outputs.pt"),
                               "--inputs", inputs]))
    if entry.get("library"):  # detection models: torchvision's operator library
        rows = [(command, ["--load-library", entry["library"]] + argv) for command, argv in rows]
    return rows


def run(jitscope, args, timeout):
    """(exit status or -signal, None on timeout; seconds; peak RSS MiB of this run; last stderr line)."""
    start = time.monotonic()
    with tempfile.TemporaryFile("w+", errors="replace") as err:
        proc = subprocess.Popen([jitscope] + args, stdout=subprocess.DEVNULL, stderr=err, start_new_session=True)
        timed_out = []
        timer = threading.Timer(timeout, lambda: (timed_out.append(1), os.killpg(proc.pid, signal.SIGKILL)))
        timer.start()
        _, status, usage = os.wait4(proc.pid, 0)  # this child's own rusage
        timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        last = (err.read().strip().splitlines() or [""])[-1]
    seconds = time.monotonic() - start
    if timed_out:
        return None, seconds, usage.ru_maxrss // 1024, f"did not finish within {timeout:.0f} s"
    return proc.returncode, seconds, usage.ru_maxrss // 1024, last


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jitscope", required=True)
    parser.add_argument("--zoo", required=True)
    parser.add_argument("--only", nargs="+")
    parser.add_argument("--markdown")
    parser.add_argument("--timeout", type=float, default=300)
    parser.add_argument("--generate", metavar="ZOO_PY", help="first build the models (--only) with models/zoo.py")
    parser.add_argument("--strict", action="store_true",
                        help="every exit but audit's must be 0, and opt outputs must match in Python")
    args = parser.parse_args()
    jitscope = os.path.abspath(args.jitscope)
    if args.generate:
        subprocess.run([sys.executable, args.generate, "--out", args.zoo] + (["--only"] + args.only if args.only else []),
                       check=True, stdout=subprocess.DEVNULL)
    with open(os.path.join(args.zoo, "zoo.json")) as f:
        zoo = json.load(f)
    names = args.only or sorted(zoo)
    out = tempfile.mkdtemp(prefix="jitscope-zoo-")
    results, failures, opt_pairs = [], 0, []
    try:
        for name in names:
            entry = zoo[name]
            for kind in ("traced", "scripted"):
                if kind not in entry.get("exports", {}):
                    why = entry.get("trace_error" if kind == "traced" else "script_error", entry.get("error", ""))
                    results.append((name, kind, None, why))
                    continue
                cells = {}
                for command, argv in commands(name, kind, args.zoo, entry, out):
                    code, seconds, peak, last = run(jitscope, argv, args.timeout)
                    bad = code is None or code < 0 or code in (2, 3) or (
                        args.strict and code != 0 and not (command == "audit" and code == 1))
                    if bad:
                        failures += 1
                        what = "timeout" if code is None else (
                            f"signal {signal.Signals(-code).name}" if code < 0 else f"exit {code}")
                        print(f"FAIL {name}.{kind} {command}: {what}: {last[:300]}")
                    cells[command] = (code, seconds, peak, last if bad else "")
                    if command == "opt" and code == 0:
                        opt_pairs.append({"name": f"{name}.{kind}", "original": os.path.join(args.zoo, entry["exports"][kind]),
                                          "optimized": argv[argv.index("-o") + 1],
                                          "inputs": os.path.join(args.zoo, entry["inputs"]),
                                          "library": entry.get("library")})
                results.append((name, kind, cells, ""))
                print(f"zoo: {name}.{kind}: " + ", ".join(
                    f"{c} {v[0]} ({v[1]:.1f} s)" for c, v in cells.items()), flush=True)
        if args.strict and opt_pairs:
            pairs = os.path.join(out, "opt_pairs.json")
            with open(pairs, "w") as f:
                json.dump(opt_pairs, f)
            here = os.path.dirname(os.path.abspath(__file__))
            sys.stdout.flush()
            compared = subprocess.run([sys.executable, os.path.join(here, "opt_matches.py"), pairs])
            if compared.returncode != 0:
                failures += 1
    finally:
        shutil.rmtree(out, ignore_errors=True)
    if args.markdown:
        write_markdown(args.markdown, results)
    print(f"zoo: {len(names)} models, {failures} failed runs")
    return 1 if failures else 0


def write_markdown(path, results):
    order = ["info", "dump", "graph", "audit", "snapshot", "diff", "opt", "check", "report"]
    lines = ["| model | export | " + " | ".join(order) + " |",
             "|---|---|" + "---|" * len(order)]
    notes = []
    for name, kind, cells, why in results:
        if cells is None:
            lines.append(f"| {name} | {kind} | not exported: {why[:120]} |" + " |" * (len(order) - 1))
            continue
        row = []
        for command in order:
            if command not in cells:
                row.append("–")
                continue
            code, seconds, peak, last = cells[command]
            code_text = "timeout" if code is None else str(code)
            row.append(f"{code_text} · {seconds:.1f} s · {peak} MiB")
            if last:
                notes.append(f"- `{name}.{kind}` {command}: {last}")
        lines.append(f"| {name} | {kind} | " + " | ".join(row) + " |")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
        if notes:
            f.write("\nFailures (last stderr line):\n\n" + "\n".join(notes) + "\n")


if __name__ == "__main__":
    sys.exit(main())
