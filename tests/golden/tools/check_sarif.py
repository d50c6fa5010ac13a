#!/usr/bin/python3
"""check_sarif.py FILE: checks the properties SARIF 2.1.0 requires (and that
GitHub code scanning needs to place a result on a line), by hand, since no
JSON-schema validator is packaged.  Prints one line per result
("RULE URI:LINE") for the golden test's CHECK lines; exit 1 with the reason
on the first violation."""

import json
import sys


def fail(why):
    print(f"check_sarif: {why}")
    sys.exit(1)


def main(path):
    with open(path) as f:
        log = json.load(f)
    if log.get("version") != "2.1.0":
        fail("version is not '2.1.0'")
    if "sarif-2.1.0" not in log.get("$schema", ""):
        fail("$schema does not name SARIF 2.1.0")
    runs = log.get("runs")
    if not isinstance(runs, list) or not runs:
        fail("runs is not a non-empty array")
    for run in runs:
        driver = run.get("tool", {}).get("driver", {})
        if not isinstance(driver.get("name"), str) or not driver["name"]:
            fail("runs[].tool.driver.name missing")
        rule_ids = {r["id"] for r in driver.get("rules", [])}
        for result in run.get("results", []):
            text = result.get("message", {}).get("text")
            if not isinstance(text, str) or not text:
                fail("results[].message.text missing")
            if not result.get("ruleId"):
                fail("results[].ruleId missing")
            if rule_ids and result["ruleId"] not in rule_ids:
                fail(f"ruleId {result['ruleId']} is not among tool.driver.rules")
            if result.get("level", "warning") not in ("none", "note", "warning", "error"):
                fail(f"level {result['level']} is not a SARIF level")
            locations = result.get("locations")
            if not isinstance(locations, list) or not locations:
                fail("results[].locations missing")
            for location in locations:
                physical = location.get("physicalLocation")
                if not physical:
                    fail("locations[].physicalLocation missing")
                uri = physical.get("artifactLocation", {}).get("uri")
                if not uri:
                    fail("physicalLocation.artifactLocation.uri missing")
                region = physical.get("region")
                line = ""
                if region is not None:
                    if not isinstance(region.get("startLine"), int) or region["startLine"] < 1:
                        fail("region.startLine is not a positive integer")
                    line = f":{region['startLine']}"
                print(f"{result['ruleId']} {uri}{line}")
    print("sarif ok")


if __name__ == "__main__":
    main(sys.argv[1])
