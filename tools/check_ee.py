"""Check the execution-environment story without a container engine.

    .venv/bin/python tools/check_ee.py DEFINITION CONTEXT COLLECTIONS_PATH

1. ``ansible-builder introspect`` on the installed collection (COLLECTIONS_PATH
   holds ansible_collections/alicloud/ens) must report no Python and no system
   package for it: the collection needs nothing besides ansible-core, and
   meta/execution-environment.yml (which reaches an EE build) says so.
2. ``ansible-builder create`` on the example DEFINITION must write a build
   context whose Containerfile starts from the definition's base image,
   installs the galaxy requirements, introspects and assembles; whose
   ``_build/requirements.yml`` names alicloud.ens.
3. The context's own ``introspect.py`` (the script the builder stage runs
   inside the container) must, run here on the installed collection, write a
   no Python package and no system (bindep) requirement.
"""

import os
import re
import shutil
import subprocess
import sys

import yaml

COLLECTION = "alicloud.ens"


def run(command):
    completed = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False)
    output = completed.stdout.decode("utf-8", "replace")
    if completed.returncode != 0:
        raise AssertionError("%s failed (exit %d):\n%s" % (" ".join(command), completed.returncode, output))
    return output


def requirement_names(lines):
    """Package names of pip requirement lines such as ``requests  # from collection alicloud.ens``."""
    names = []
    for line in lines:
        match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", line.split("#", 1)[0])
        if match:
            names.append(match.group(1).lower())
    return names


def yaml_documents(output):
    return [doc for doc in yaml.safe_load_all("\n".join(line for line in output.splitlines() if not line.startswith("#"))) if doc]


def check_cli_introspection(builder, collections_path):
    data = yaml_documents(run([builder, "introspect", "--sanitize", collections_path]))[0]
    python_lines = data.get("python") or []
    if requirement_names(python_lines):
        raise AssertionError("ansible-builder introspect found Python requirements in %s: %r" % (collections_path, data))
    if data.get("system"):
        raise AssertionError("unexpected system requirements: %r" % data["system"])
    return "introspect: python none, system none"


def definition_base_image(definition):
    with open(definition) as handle:
        return yaml.safe_load(handle)["images"]["base_image"]["name"]


def check_context(builder, definition, context):
    shutil.rmtree(context, ignore_errors=True)
    run([builder, "create", "--file", definition, "--context", context, "--output-filename", "Containerfile"])
    with open(os.path.join(context, "Containerfile")) as handle:
        containerfile = handle.read()
    expected = [
        'EE_BASE_IMAGE="%s"' % definition_base_image(definition),
        "ansible-galaxy collection install $ANSIBLE_GALAXY_CLI_COLLECTION_OPTS -r requirements.yml",
        "/output/scripts/introspect.py introspect",
        "/output/scripts/assemble",
        "LABEL ansible-execution-environment=true",
    ]
    missing = [text for text in expected if text not in containerfile]
    if missing:
        raise AssertionError("Containerfile lacks %r" % missing)
    with open(os.path.join(context, "_build", "requirements.yml")) as handle:
        galaxy = yaml.safe_load(handle)
    names = [entry["name"] if isinstance(entry, dict) else entry for entry in galaxy.get("collections", [])]
    if COLLECTION not in names:
        raise AssertionError("_build/requirements.yml does not name %s: %r" % (COLLECTION, names))
    return "create: Containerfile and _build/requirements.yml ok (%s)" % ", ".join(names)


def check_build_stage_introspection(context, collections_path):
    script = os.path.join(context, "_build", "scripts", "introspect.py")
    pip_file, bindep_file = os.path.join(context, "introspected-requirements.txt"), os.path.join(context, "introspected-bindep.txt")
    run([sys.executable, script, "introspect", "--write-pip", pip_file, "--write-bindep", bindep_file, collections_path])
    names = []
    if os.path.exists(pip_file):
        with open(pip_file) as handle:
            names = requirement_names(handle.read().splitlines())
    if names:
        raise AssertionError("the build stage's introspection would install %r, expected nothing" % names)
    if os.path.exists(bindep_file):
        raise AssertionError("the build stage's introspection wrote system requirements: %s" % bindep_file)
    return "build-stage introspection: no Python packages, no system packages"


def main(argv):
    if len(argv) != 4:
        sys.stderr.write("usage: check_ee.py DEFINITION CONTEXT COLLECTIONS_PATH\n")
        return 2
    definition, context, collections_path = (os.path.abspath(a) for a in argv[1:])
    builder = os.path.join(os.path.dirname(sys.executable), "ansible-builder")
    try:
        for step in (lambda: check_cli_introspection(builder, collections_path),
                     lambda: check_context(builder, definition, context),
                     lambda: check_build_stage_introspection(context, collections_path)):
            print("check_ee: " + step())
    except AssertionError as error:
        print("check_ee: FAILED: %s" % error)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
