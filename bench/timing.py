"""Timing one fresh process, shared by the benchmarks in this folder.

Each command is a new process (LibTorch's start-up is part of what users
wait for). stderr goes to a file, not a pipe: nothing reads a pipe until the
child has exited, so a child writing more than the pipe buffer (64 KiB) of
warnings would block forever.
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time


def against_python_args(doc, repeat):
    """The options of a benchmark of jitscope against Python torch on one
    model file (--jitscope, --python, --model, --repeat), parsed; stops the
    benchmark when the model is missing."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--jitscope", required=True)
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--model", required=True)
    parser.add_argument("--repeat", type=int, default=repeat)
    args = parser.parse_args()
    if not os.path.exists(args.model):
        sys.exit(f"benchmark: '{args.model}' is missing; build the bench_fixtures target")
    return args


def model_line(args):
    """The first line of such a benchmark's table: the model, its size, the
    runs, torch's version and the cores."""
    import torch  # only for the version
    size_mb = os.path.getsize(args.model) / 2**20
    return (f"model: {os.path.basename(args.model)} ({size_mb:.0f} MiB), {args.repeat} runs each, "
            f"python torch {torch.__version__}, {os.cpu_count()} cores")


def measure(argv):
    """Wall seconds, peak RSS (MiB), exit status and last stderr line of one run."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        err.seek(0)
        lines = err.read().decode(errors="replace").strip().splitlines()
    return seconds, usage.ru_maxrss / 1024.0, proc.returncode, (lines[-1] if lines else "")


def wall(argv, ok=(0,)):
    """Wall seconds of one run; stops the benchmark when the exit status is
    not in `ok` (None: any status is a result)."""
    seconds, _, code, message = measure(argv)
    if ok is not None and code not in ok:
        sys.exit(f"benchmark: {' '.join(argv)} exited {code}: {message}")
    return seconds


def median_of(argv, repeat, ok=(0,)):
    """Median wall seconds of `repeat` runs after one untimed run (page cache,
    fontconfig cache)."""
    wall(argv, ok)
    return statistics.median(wall(argv, ok) for _ in range(repeat))


def measure_interleaved(variants, repeat):
    """{name: [measure(argv), ...]} for {name: argv}: one untimed run of each
    first (page cache), then `repeat` rounds running every variant once, so
    that a change of machine load touches all of them alike."""
    for argv in variants.values():
        measure(argv)
    results = {name: [] for name in variants}
    for _ in range(repeat):
        for name, argv in variants.items():
            results[name].append(measure(argv))
    return results
