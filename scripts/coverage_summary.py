"""Print the coverage total (statements and branches) and the least-covered files, from the
``.coverage`` data a test run left behind (``make test`` runs this after pytest)."""

from __future__ import annotations

import io
import sys

import coverage

LEAST = 10


def main() -> int:
    data = coverage.Coverage()
    data.load()
    report = io.StringIO()
    data.report(file=report, sort="cover", skip_empty=True)
    lines = report.getvalue().rstrip().splitlines()
    # coverage's table: a header, a rule, the files (least covered first), a rule, the total,
    # and perhaps a line saying how many empty files it skipped.
    at = next(i for i, line in enumerate(lines) if line.startswith("TOTAL"))
    header, rule, files, total = lines[0], lines[1], lines[2 : at - 1], lines[at]
    print(f"\nCoverage, the {LEAST} least-covered files and the total:")
    print("\n".join([header, rule, *files[:LEAST], rule, total]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
