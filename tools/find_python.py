"""Print the path of a working Python interpreter of the given version.

    python3 tools/find_python.py 3.12

Looks at pyenv's versions first (pyenv's ``python3.12`` shim fails unless 3.12
is in ``pyenv global``), then at ``python3.12`` on PATH, and prints the first
candidate that really runs as that version. Exits 1 with a message otherwise.
"""

import glob
import os
import shutil
import subprocess
import sys


def pyenv_candidates(version):
    roots = [os.environ.get("PYENV_ROOT", ""), os.path.expanduser("~/.pyenv")]
    pyenv = shutil.which("pyenv")
    if pyenv:
        result = subprocess.run([pyenv, "root"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=False)
        roots.insert(0, result.stdout.decode().strip())
    found = []
    for root in filter(None, roots):
        pattern = os.path.join(root, "versions", version + ".*", "bin", "python" + version)
        found.extend(sorted(glob.glob(pattern), key=patch_level, reverse=True))
    return found


def patch_level(path):
    """Sort key: the numeric patch level in .../versions/3.12.<patch>/bin/..."""
    version_dir = path.split(os.sep)[-3]
    parts = version_dir.split(".")
    return int(parts[2]) if len(parts) > 2 and parts[2].isdigit() else -1


def runs_as(path, version):
    try:
        result = subprocess.run([path, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=False, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0 and result.stdout.decode().strip() == version


def find_python(version):
    candidates = pyenv_candidates(version) + [p for p in [shutil.which("python" + version)] if p]
    for path in candidates:
        if runs_as(path, version):
            return path
    return None


def main(argv):
    if len(argv) != 2:
        sys.stderr.write("usage: find_python.py VERSION (e.g. 3.12)\n")
        return 2
    path = find_python(argv[1])
    if not path:
        sys.stderr.write("find_python: no working Python %s found (tried pyenv versions and PATH)\n" % argv[1])
        return 1
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
