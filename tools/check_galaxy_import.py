"""Run galaxy-importer on a built collection tarball; fail on any error or warning.

    .venv-importer/bin/python tools/check_galaxy_import.py TARBALL WORKDIR

Run it with the Python of the virtual environment that holds galaxy-importer:
its ansible-doc and ansible-lint are the ones the importer must find. The
importer's ansible-test step is off (``make sanity`` runs ansible-test); its
ansible-lint step, the changelog check and the required-tags check are on.
Galaxy shows an importer warning on the collection's page, so a warning fails
this check as an error does.
"""

import os
import subprocess
import sys

IMPORTER_SETTINGS = {
    "GALAXY_IMPORTER_RUN_ANSIBLE_TEST": "False",
    "GALAXY_IMPORTER_RUN_ANSIBLE_LINT": "True",
    "GALAXY_IMPORTER_OFFLINE_ANSIBLE_LINT": "True",
    "GALAXY_IMPORTER_CHECK_CHANGELOG": "True",
    "GALAXY_IMPORTER_CHECK_REQUIRED_TAGS": "True",
    "GALAXY_IMPORTER_REQUIRE_V1_OR_GREATER": "True",
    "GALAXY_IMPORTER_RUN_ANSIBLE_DOC": "True",
}

PROBLEM_PREFIXES = ("WARNING:", "ERROR:", "CRITICAL:")


def importer_environment(workdir):
    env = dict(os.environ)
    env.update(IMPORTER_SETTINGS)
    env["GALAXY_IMPORTER_ANSIBLE_LOCAL_TMP"] = os.path.join(workdir, "tmp")
    env["PATH"] = os.pathsep.join([os.path.dirname(sys.executable), env.get("PATH", os.defpath)])
    return env


def problem_lines(output):
    return [line for line in output.splitlines() if line.lstrip().startswith(PROBLEM_PREFIXES)]


def main(argv):
    if len(argv) != 3:
        sys.stderr.write("usage: check_galaxy_import.py TARBALL WORKDIR\n")
        return 2
    tarball, workdir = os.path.abspath(argv[1]), os.path.abspath(argv[2])
    os.makedirs(workdir, exist_ok=True)
    completed = subprocess.run([sys.executable, "-m", "galaxy_importer.main", tarball], cwd=workdir,
                               env=importer_environment(workdir), stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, check=False)
    output = completed.stdout.decode("utf-8", "replace")
    sys.stdout.write(output)
    problems = problem_lines(output)
    if completed.returncode != 0 or problems or "Importer processing completed successfully" not in output:
        print("check_galaxy_import: FAILED (exit %d, %d warning/error line(s))" % (completed.returncode, len(problems)))
        return 1
    print("check_galaxy_import: no errors, no warnings")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
