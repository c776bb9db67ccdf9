"""Check that a built collection tarball holds what ships and nothing else.

    python3 tools/check_tarball.py TARBALL SOURCE_ROOT

Fails (exit 1, one line per problem) when the tarball
- holds a file git does not know about (a cache, a virtual environment, build
  output, an ignored file),
- holds a development-only file (Makefile, CI, dev requirements, tools/, ...),
- lacks a file every installed copy needs (README.md, meta/runtime.yml, ...).
"""

import fnmatch
import subprocess
import sys
import tarfile

GENERATED = {"MANIFEST.json", "FILES.json"}

DEV_ONLY_PATTERNS = [
    ".ci/*", ".venv*", ".build/*", ".git/*", ".gitignore", ".hypothesis/*", ".pytest_cache/*",
    "*/__pycache__/*", "*.pyc", "tests/output/*", "docs/build/*", "tools/*", "Makefile",
    "pytest.ini", "requirements-dev.txt", "*.tar.gz",
]

REQUIRED = [
    "README.md", "COPYING", "requirements.txt", "meta/runtime.yml",
    "meta/execution-environment.yml", "changelogs/changelog.yaml",
]


def tarball_files(tarball):
    with tarfile.open(tarball) as archive:
        return sorted(member.name for member in archive.getmembers() if not member.isdir())


def git_visible_files(root):
    listing = subprocess.run(
        ["git", "-C", root, "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        check=True, stdout=subprocess.PIPE,
    ).stdout.decode("utf-8")
    return set(name for name in listing.split("\0") if name)


def problems(shipped, visible):
    found = []
    for name in shipped:
        if name in GENERATED:
            continue
        if name not in visible:
            found.append("not a source file (ignored or unknown to git): %s" % name)
        elif any(fnmatch.fnmatch(name, pattern) for pattern in DEV_ONLY_PATTERNS):
            found.append("development-only file shipped (add it to build_ignore in galaxy.yml): %s" % name)
    shipped_set = set(shipped)
    found.extend("missing from the tarball: %s" % name for name in REQUIRED if name not in shipped_set)
    return found


def main(argv):
    if len(argv) != 3:
        sys.stderr.write("usage: check_tarball.py TARBALL SOURCE_ROOT\n")
        return 2
    shipped = tarball_files(argv[1])
    found = problems(shipped, git_visible_files(argv[2]))
    for line in found:
        print("check_tarball: " + line)
    if found:
        return 1
    print("check_tarball: %s ok (%d files)" % (argv[1], len(shipped)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
