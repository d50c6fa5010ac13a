#!/usr/bin/python3
"""Builds jitscope's fixture models: build_fixtures.py --out DIR [--only GROUP ...] [--bench]

Run by CMake's `fixtures` target with the Python that has torch
(/usr/bin/python3 here).  Each group lives in jitscope_fixtures/<group>.py;
this file only picks groups, times them, and writes manifest.json last (it
is CMake's stamp).  Exit status: 0 ok, 1 a fixture failed, 2 usage.
"""

import argparse
import os
import sys
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, List, Sequence, Tuple

# Import the library from next to this file, by absolute path: the pitfall
# sources' paths end up in the traced files' debug info and ground truth.
# No __pycache__: a build must not write into the source tree.
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


@dataclass(frozen=True)
class Group:
    name: str
    module: str                    # jitscope_fixtures.<module>
    entry: str = "build"           # function taking OutDir, returning GroupResult
    requires: Tuple[str, ...] = ()
    bench: bool = False            # only with --bench (or --only bench)


# Run order matters: `bad` copies my_cell.traced.pt from `classic`.
GROUPS = (
    Group("classic", "classic"),
    Group("mixing", "mixing"),
    Group("vision", "vision"),
    Group("transformer", "transformer"),
    Group("bert", "bert"),
    Group("recurrent", "recurrent"),
    Group("pitfalls", "pitfalls.build"),
    Group("zoo_audit", "zoo_audit"),
    Group("nosource", "nosource"),
    Group("devices", "devices"),
    Group("stochastic", "stochastic"),
    Group("helpers", "helpers"),
    Group("ci", "ci"),
    Group("check", "check"),
    Group("detection", "detection"),
    Group("compat", "compat"),
    Group("bad", "bad_inputs", requires=("classic",)),
    Group("hostile", "hostile", requires=("classic", "bad")),
    Group("bench", "bert", entry="build_bench", bench=True),
)
BY_NAME = {g.name: g for g in GROUPS}


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, type=Path, help="output folder")
    parser.add_argument("--only", nargs="+", metavar="GROUP", choices=list(BY_NAME),
                        help=f"build only these groups ({', '.join(BY_NAME)})")
    parser.add_argument("--bench", action="store_true",
                        help="also build the large benchmark models under bench/")
    parser.add_argument("--traceback", action="store_true",
                        help="print the Python traceback when a group fails")
    return parser.parse_args(argv)


def selected_groups(args: argparse.Namespace) -> List[Group]:
    wanted = set(args.only) if args.only else {g.name for g in GROUPS if not g.bench}
    if args.bench:
        wanted.add("bench")
    for name in list(wanted):                        # one level of requirements is enough
        wanted.update(BY_NAME[name].requires)
    return [g for g in GROUPS if g.name in wanted]


def _ensure_fixed_hash_seed() -> None:
    """Re-run under PYTHONHASHSEED=0 unless already so.

    torch.jit.script emits a module's constants in Python set order, which
    follows string hashing; a fixed seed makes scripted files byte-identical
    from build to build.  Must happen before anything is imported.
    """
    if os.environ.get("PYTHONHASHSEED") != "0":
        env = dict(os.environ, PYTHONHASHSEED="0")
        os.execve(sys.executable, [sys.executable, os.path.abspath(__file__), *sys.argv[1:]], env)


def _error(message: str, exc: BaseException = None, show_traceback: bool = False) -> int:
    if exc is not None and show_traceback:
        traceback.print_exc()
    print(f"build_fixtures: error: {message}", file=sys.stderr)
    return 1


def main(argv: Sequence[str]) -> int:
    args = parse_args(argv)
    _ensure_fixed_hash_seed()
    started = time.monotonic()

    # Imported after argument parsing, so --help and usage errors stay instant.
    try:
        import torch  # noqa: F401
    except ImportError as exc:
        return _error(f"cannot import torch with {sys.executable} ({exc}); run this script "
                      f"with a Python that has torch (CMake: set JITSCOPE_PYTHON)")
    import importlib

    from jitscope_fixtures import manifest
    from jitscope_fixtures.output import FixtureError, OutDir, quiet

    try:
        out = OutDir(args.out)
    except OSError as exc:
        return _error(f"cannot create output folder '{args.out}': {exc.strerror}")

    built: Dict[str, list] = {}
    bad, bad_built = [], False
    for group in selected_groups(args):
        t0 = time.monotonic()
        try:
            build: Callable = getattr(importlib.import_module(f"jitscope_fixtures.{group.module}"),
                                      group.entry)
            with quiet():
                result = build(out)
        except Exception as exc:                     # noqa: BLE001 - reported, then exit 1
            kind = "" if isinstance(exc, FixtureError) else f"{type(exc).__name__}: "
            hint = "" if args.traceback else " (rerun with --traceback for details)"
            return _error(f"group '{group.name}': {kind}{exc}{hint}", exc, args.traceback)
        built[group.name] = result.artifacts
        if group.name == "bad":
            bad, bad_built = result.bad, True
        count = len(result.bad) if group.name == "bad" else len(result.artifacts)
        what = "bad inputs" if group.name == "bad" else "model files"
        detail = result.note or f"{count} {what}"
        print(f"fixtures: {group.name:<12} {detail}  ({time.monotonic() - t0:.1f} s)",
              file=sys.stderr)

    try:
        with quiet():
            entries = manifest.write(out, built, bad, bad_built)
    except Exception as exc:                         # noqa: BLE001 - reported, then exit 1
        return _error(f"manifest: {type(exc).__name__}: {exc}", exc, args.traceback)
    print(f"fixtures: manifest     {entries} models in {out.path(manifest.MANIFEST)}  "
          f"(total {time.monotonic() - started:.1f} s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
