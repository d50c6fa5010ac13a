#!/usr/bin/env python3
"""The gcc fuzz driver (fuzz/standalone_main.cpp) finds and keeps what it should (ctest: fuzz.standalone).

usage: standalone_driver.py --driver BIN [--sanitized]

BIN is the driver linked with tests/fuzz/planted_target.cpp, whose planted
bugs fire on inputs starting 'C' (abort), 'OV' (a heap read past the end,
seen only under AddressSanitizer: --sanitized), 'HANG' and 'BIG!'. Checks:
replaying files saves the crashing ones as crash-N with the child's stderr
and passes the rest; a hang is cut by -timeout and saved as timeout-N, a
600 MiB input by -rss_limit_mb as oom-N; fuzzing from a harmless seed finds
the abort by mutation, saves several crashes (the run goes on) and stops at
-runs; each saved crash replays as one; -max_total_time ends a run.
Standard library only.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

failures = []


def expect(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)


def run(driver, args, timeout=120):
    start = time.monotonic()
    proc = subprocess.run([driver] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          errors="replace", timeout=timeout)
    return proc.returncode, proc.stderr, time.monotonic() - start


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)
    return path


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--driver", required=True)
    parser.add_argument("--sanitized", action="store_true")
    args = parser.parse_args()
    driver = os.path.abspath(args.driver)
    with tempfile.TemporaryDirectory(prefix="jitscope-fuzz-driver-") as tmp:
        inputs = os.path.join(tmp, "inputs")
        os.mkdir(inputs)
        ok = write(os.path.join(inputs, "ok"), b"harmless")
        boom = write(os.path.join(inputs, "abort"), b"Crash")
        files = [ok, boom, ok]
        if args.sanitized:
            files.append(write(os.path.join(inputs, "overflow"), b"OVER"))

        # Replay: the crashing files are kept, in order, and the rest still run.
        art = os.path.join(tmp, "replay") + "/"
        os.mkdir(art)
        code, err, _ = run(driver, [f"-artifact_prefix={art}"] + files)
        expect(code == 1, f"replay with a crashing file exits 1 (got {code})")
        expect(open(art + "crash-0", "rb").read() == b"Crash" if os.path.exists(art + "crash-0") else False,
               "the aborting input is saved as crash-0")
        expect("Aborted" in err or "SIGABRT" in err, "the driver names the signal")
        expect(f"stat::number_of_executed_units: {len(files)}" in err, "every file ran, the ones after the crash too")
        if args.sanitized:
            log = open(art + "crash-1.log", errors="replace").read() if os.path.exists(art + "crash-1.log") else ""
            expect(os.path.exists(art + "crash-1") and open(art + "crash-1", "rb").read() == b"OVER",
                   "the overflowing input is saved as crash-1")
            expect("heap-buffer-overflow" in log, "its log holds AddressSanitizer's report")
        code, err, _ = run(driver, [f"-artifact_prefix={art}", ok])
        expect(code == 0 and "stat::crashes: 0" in err, f"a harmless file passes (exit {code})")

        # A hang and a memory hog: cut, saved, and the next input still runs.
        art = os.path.join(tmp, "limits") + "/"
        os.mkdir(art)
        hang = write(os.path.join(inputs, "hang"), b"HANG")
        big = write(os.path.join(inputs, "big"), b"BIG!")
        code, err, seconds = run(driver, ["-timeout=3", "-rss_limit_mb=500", f"-artifact_prefix={art}", hang, big, ok])
        expect(code == 1 and os.path.exists(art + "timeout-0") and os.path.exists(art + "oom-0"),
               f"-timeout and -rss_limit_mb save timeout-0 and oom-0 (exit {code}, {sorted(os.listdir(art))})")
        expect("stat::number_of_executed_units: 3" in err, "the input after them ran")
        expect(seconds < 30, f"the hang was cut ({seconds:.1f} s)")

        # Fuzzing from a harmless seed: mutations reach the abort, more than
        # once, and the run goes on to -runs.
        corpus = os.path.join(tmp, "corpus")
        os.mkdir(corpus)
        write(os.path.join(corpus, "seed"), b"Aaaa")
        art = os.path.join(tmp, "fuzz") + "/"
        os.mkdir(art)
        code, err, _ = run(driver, ["-runs=20000", "-seed=7", "-batch=500", "-timeout=20", f"-artifact_prefix={art}",
                                    corpus])
        crashes = sorted(f for f in os.listdir(art) if re.fullmatch(r"crash-\d+", f))
        expect(code == 1 and len(crashes) >= 2, f"mutations find the planted abort more than once ({len(crashes)})")
        expect("stat::number_of_executed_units: 20000" in err, "the run went on to -runs=20000")
        for name in crashes[:5]:
            code, _, _ = run(driver, ["-artifact_prefix=" + os.path.join(tmp, "again-"), art + name])
            expect(code == 1, f"{name} replays as a crash")
        expect(not any(f.startswith(".standalone-") for f in os.listdir(art)), "no child log is left behind")

        # A time bound without a run bound.
        code, err, seconds = run(driver, ["-max_total_time=2", f"-artifact_prefix={art}", corpus])
        expect(seconds < 20 and "standalone: done:" in err, f"-max_total_time=2 ends the run ({seconds:.1f} s)")
    print(f"fuzz.standalone: {len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
