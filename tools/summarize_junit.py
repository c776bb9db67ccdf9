"""Print one closing line that totals the pytest runs of `make test`.

    python3 tools/summarize_junit.py REPORT.xml [REPORT.xml ...]

Reads the JUnit XML files pytest wrote (--junitxml) and prints, alone on the
last line, ``tests: N passed, N failed, N skipped`` over all of them (errors
count as failed). Exits 1 when any test failed or no test ran at all, so a
gate that silently collected nothing cannot pass.
"""

import sys
from xml.etree import ElementTree


def suite_counts(path):
    root = ElementTree.parse(path).getroot()
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for suite in suites:
        for key in totals:
            totals[key] += int(suite.get(key, 0))
    return totals


def summarize(paths):
    passed = failed = skipped = 0
    for path in paths:
        counts = suite_counts(path)
        failed += counts["failures"] + counts["errors"]
        skipped += counts["skipped"]
        passed += counts["tests"] - counts["failures"] - counts["errors"] - counts["skipped"]
    return passed, failed, skipped


def main(argv):
    if len(argv) < 2:
        sys.stderr.write("usage: summarize_junit.py REPORT.xml [REPORT.xml ...]\n")
        return 2
    passed, failed, skipped = summarize(argv[1:])
    print("tests: %d passed, %d failed, %d skipped" % (passed, failed, skipped))
    return 0 if passed and not failed else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
