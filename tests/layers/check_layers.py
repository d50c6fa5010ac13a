#!/usr/bin/env python3
"""The layering rule, checked: core <- inspector <- passes <- validators <- report <- session <- cli.

A file of one component may include the headers (`#include "jitscope/NAME/..."`)
of its own component and of the ones before it, never of one after it
(docs/architecture.md). Prints every include that runs against the order and
exits 1 when there is one.
"""
import argparse
import os
import re
import sys

ORDER = ["core", "inspector", "passes", "validators", "report", "session", "cli"]
INCLUDE = re.compile(r'^\s*#\s*include\s+"jitscope/([a-z_]+)/')


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", required=True, help="the repository root")
    args = parser.parse_args()
    rank = {name: i for i, name in enumerate(ORDER)}
    bad = []
    files = 0
    for component in ORDER:
        top = os.path.join(args.root, component)
        for folder, _, names in os.walk(top):
            for name in names:
                if not name.endswith((".h", ".cpp", ".def")):
                    continue
                path = os.path.join(folder, name)
                files += 1
                with open(path, encoding="utf-8", errors="replace") as f:
                    for number, line in enumerate(f, 1):
                        m = INCLUDE.match(line)
                        if m and m.group(1) in rank and rank[m.group(1)] > rank[component]:
                            bad.append(f"{os.path.relpath(path, args.root)}:{number}: {component}/ includes "
                                       f"jitscope/{m.group(1)}/, a later layer ({' <- '.join(ORDER)})")
    if files == 0:
        sys.exit(f"check_layers: no sources under '{args.root}'; pass the repository root")
    for line in bad:
        print(line)
    print(f"{files} files, {len(bad)} includes against the layer order")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
