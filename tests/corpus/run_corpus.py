#!/usr/bin/env python3
"""Runs every jitscope subcommand on every hostile corpus file (ctest: corpus).

usage: run_corpus.py --jitscope BIN --corpus DIR [--jobs N] [--timeout S]

The subcommands come from `jitscope --help`, so a new one is covered the
day it is added; EXTRA_ARGS below says what else each one needs to run (an
output file under the scratch folder, say). A subcommand missing from that
table fails the test: add a row. Each run must:
  - exit with status 3 (never a signal, never 0/1/2),
  - print exactly one line on stderr, naming the file, and nothing on stdout,
  - leave its scratch folder (its working directory and the folder any output
    goes to) empty: no output file, no temporary file, and no marker from a
    hostile payload (see models/jitscope_fixtures/hostile.py),
  - finish within --timeout seconds (a hang guard, not a benchmark).
Standard library only.
"""

import argparse
import concurrent.futures
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

# Extra arguments per subcommand; {out} is the run's scratch folder, {path}
# the corpus file. Every subcommand `jitscope --help` lists must have a row;
# None marks one that reads no model file (nothing to feed it).
EXTRA_ARGS = {
    "info": [],
    "dump": [],
    "graph": ["-o", "{out}/graph.svg"],
    "audit": ["--counterexample-dir", "{out}"],
    "snapshot": ["-o", "{out}/snapshot.json"],
    "diff": ["{path}"],
    "ci": None,  # reads a TOML config; its children run snapshot/audit code on the models
    "report": ["-o", "{out}/report.html"],
    "passes": None,
    "opt": ["--preset", "inference", "-o", "{out}/opt.pt"],
    "bench": ["--shape", "1x3x32x32", "--warmup", "0", "--iters", "1"],
    "check": ["--against", "{path}", "--shape", "1x3x32x32", "--save-outputs", "{out}/outputs.pt"],
    "target-info": None,  # writes what this LibTorch offers; reads no model
}


def subcommands(jitscope):
    help_text = subprocess.run([jitscope, "--help"], check=True, capture_output=True, text=True).stdout
    section = help_text.split("Commands:\n", 1)[1].split("\n\n", 1)[0]
    return [m.group(1) for m in re.finditer(r"^  (\S+)", section, re.MULTILINE)]


def run_one(jitscope, command, path, timeout):
    scratch = tempfile.mkdtemp(prefix="jitscope-corpus-")
    try:
        args = [jitscope, command, path] + [a.format(out=scratch, path=path) for a in EXTRA_ARGS[command]]
        start = time.monotonic()
        try:
            proc = subprocess.run(args, cwd=scratch, capture_output=True, text=True, errors="replace",
                                  timeout=timeout)
        except subprocess.TimeoutExpired:
            return [f"did not finish within {timeout} s"]
        elapsed = time.monotonic() - start
        problems = []
        if proc.returncode < 0:
            problems.append(f"killed by signal {signal.Signals(-proc.returncode).name}")
        elif proc.returncode != 3:
            problems.append(f"exit status {proc.returncode}, expected 3")
        lines = proc.stderr.splitlines()
        if len(lines) != 1:
            problems.append(f"{len(lines)} stderr lines, expected 1")
        elif f"'{path}'" not in lines[0]:
            problems.append("the stderr line does not name the file")
        if proc.stdout:
            problems.append(f"wrote {len(proc.stdout)} bytes to stdout")
        left = sorted(os.listdir(scratch))
        if left:
            problems.append(f"left files behind: {', '.join(left)}")
        if problems:
            problems.append(f"after {elapsed:.1f} s; stderr: {proc.stderr.strip()[:400]!r}")
        return problems
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jitscope", required=True)
    parser.add_argument("--corpus", required=True)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--timeout", type=float, default=60)
    args = parser.parse_args()
    args.jitscope = os.path.abspath(args.jitscope)
    args.corpus = os.path.abspath(args.corpus)

    commands = subcommands(args.jitscope)
    missing = [c for c in commands if c not in EXTRA_ARGS]
    if missing:
        print(f"corpus: subcommand(s) {', '.join(missing)} have no row in EXTRA_ARGS of "
              f"{os.path.abspath(__file__)}; add one (its extra arguments, [] if none)", file=sys.stderr)
        return 1
    with open(os.path.join(args.corpus, "corpus.json")) as f:
        corpus = json.load(f)
    if len(corpus) < 10:
        print(f"corpus: only {len(corpus)} files in {args.corpus}/corpus.json", file=sys.stderr)
        return 1

    skipped = [c for c in commands if EXTRA_ARGS[c] is None]
    commands = [c for c in commands if EXTRA_ARGS[c] is not None]
    if skipped:
        print(f"corpus: {', '.join(skipped)} read no model file; not run", file=sys.stderr)
    runs = [(c, os.path.join(args.corpus, name)) for name in sorted(corpus) for c in commands]
    failures = 0
    start = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futures = {pool.submit(run_one, args.jitscope, c, p, args.timeout): (c, p) for c, p in runs}
        for future in concurrent.futures.as_completed(futures):
            command, path = futures[future]
            problems = future.result()
            if problems:
                failures += 1
                name = os.path.basename(path)
                print(f"FAIL jitscope {command} {name} ({corpus[name]}): {'; '.join(problems)}")
    print(f"corpus: {len(runs)} runs ({len(corpus)} files x {', '.join(commands)}), {failures} failed, "
          f"{time.monotonic() - start:.1f} s")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
