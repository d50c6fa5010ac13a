#!/usr/bin/python3
"""check_junit.py FILE: parses JUnit XML with Python's xml module, checks
that the counts in the attributes match the testcases, and prints one line
per testcase ("SUITE CASE pass|failure|error") for CHECK lines."""

import sys
import xml.etree.ElementTree as ET


def main(path):
    root = ET.parse(path).getroot()
    if root.tag != "testsuites":
        sys.exit(f"check_junit: root is <{root.tag}>, not <testsuites>")
    for suite in root.iter("testsuite"):
        cases = suite.findall("testcase")
        failures = sum(1 for c in cases if c.find("failure") is not None)
        errors = sum(1 for c in cases if c.find("error") is not None)
        if int(suite.get("tests")) != len(cases) or int(suite.get("failures")) != failures \
                or int(suite.get("errors")) != errors:
            sys.exit(f"check_junit: counts of suite {suite.get('name')} do not match its testcases")
        for case in cases:
            state = "failure" if case.find("failure") is not None else \
                "error" if case.find("error") is not None else "pass"
            print(suite.get("name"), case.get("name"), state)
    print("junit ok")


if __name__ == "__main__":
    main(sys.argv[1])
