"""Fail `make test` when branch coverage of psp falls below the figure the suite has reached.

coverage.py's own fail_under (pyproject.toml) checks lines and branches together; this checks
branches alone, the figure the project promises."""

import json
import sys
import tempfile
from pathlib import Path

import coverage

MINIMUM = 93.0


def main() -> int:
    cov = coverage.Coverage()
    cov.load()
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "coverage.json"
        cov.json_report(outfile=str(report))
        totals = json.loads(report.read_text())["totals"]
    covered, branches = totals["covered_branches"], totals["num_branches"]
    percent = 100.0 * covered / branches if branches else 100.0
    print(f"Branch coverage of psp: {covered} of {branches} branches, {percent:.1f}% (minimum {MINIMUM}%)")
    return 0 if percent >= MINIMUM else 1


if __name__ == "__main__":
    sys.exit(main())
