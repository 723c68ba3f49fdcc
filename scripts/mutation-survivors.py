#!/usr/bin/env python3
"""Survivors of a Stryker.NET run, for triage: one line per surviving (or uncovered) mutant.

    scripts/mutation-survivors.py mutation/PROJECT/reports/mutation-report.json [--status Survived,NoCoverage]

Prints per file the score and each mutant left alive: line, mutator, and the original text
against its replacement, so that each can be killed by a test or listed as equivalent in
docs/mutation.md. Reads the mutation-testing-elements JSON schema that Stryker writes.
"""
import json
import sys


def main(argv):
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    statuses = {"Survived", "NoCoverage"}
    if len(argv) > 3 and argv[2] == "--status":
        statuses = set(argv[3].split(","))
    try:
        with open(argv[1], encoding="utf-8") as f:
            report = json.load(f)
    except (OSError, ValueError) as e:
        print(f"mutation-survivors: cannot read {argv[1]}: {e}", file=sys.stderr)
        return 2
    total = {"killed": 0, "alive": 0}
    for path in sorted(report.get("files", {})):
        entry = report["files"][path]
        lines = entry.get("source", "").split("\n")
        mutants = entry.get("mutants", [])
        killed = sum(1 for m in mutants if m["status"] in ("Killed", "Timeout"))
        alive = [m for m in mutants if m["status"] in statuses]
        valid = sum(1 for m in mutants if m["status"] in ("Killed", "Timeout", "Survived", "NoCoverage"))
        total["killed"] += killed
        total["alive"] += sum(1 for m in mutants if m["status"] in ("Survived", "NoCoverage"))
        if not alive:
            continue
        score = 100.0 * killed / valid if valid else 100.0
        print(f"{path}: {score:.1f}% ({killed} of {valid} killed)")
        for m in sorted(alive, key=lambda m: (m["location"]["start"]["line"], m["location"]["start"]["column"])):
            start, end = m["location"]["start"], m["location"]["end"]
            if start["line"] == end["line"]:
                original = lines[start["line"] - 1][start["column"] - 1:end["column"] - 1]
            else:
                original = lines[start["line"] - 1][start["column"] - 1:] + " ..."
            print(f"  {start['line']:4d} {m['status']:<10} {m['mutatorName']:<22} {original.strip()[:70]!r} -> {m.get('replacement', '').strip()[:70]!r}")
    valid = total["killed"] + total["alive"]
    print(f"total: {100.0 * total['killed'] / valid if valid else 100.0:.2f}% ({total['killed']} of {valid} killed)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
