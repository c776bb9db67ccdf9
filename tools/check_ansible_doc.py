"""Render every plugin and role of a collection with ansible-doc; fail on any warning.

    ANSIBLE_COLLECTIONS_PATH=... .venv/bin/python tools/check_ansible_doc.py alicloud.ens

Lists the collection's content per type with ``ansible-doc --list --json``, then
renders each entry as a user would (``ansible-doc -t TYPE NAME``). A failure, an
empty page, or anything on standard error ([WARNING], [DEPRECATION WARNING],
[ERROR]) fails the check. Fails too when the collection has no module at all,
so a broken collections path cannot pass by listing nothing.
"""

import json
import os
import subprocess
import sys

TYPES = ["module", "lookup", "filter", "test", "inventory", "callback", "connection", "become", "cache",
         "cliconf", "httpapi", "netconf", "shell", "strategy", "vars", "role"]


def ansible_doc(arguments):
    command = [os.path.join(os.path.dirname(sys.executable), "ansible-doc")] + arguments
    env = dict(os.environ, ANSIBLE_NOCOLOR="1", ANSIBLE_DEPRECATION_WARNINGS="True")
    completed = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, check=False)
    return completed.returncode, completed.stdout.decode("utf-8", "replace"), completed.stderr.decode("utf-8", "replace")


def listed(plugin_type, collection):
    rc, stdout, stderr = ansible_doc(["--list", "--json", "-t", plugin_type, collection])
    if rc != 0:
        raise RuntimeError("ansible-doc --list -t %s %s failed: %s" % (plugin_type, collection, stderr.strip()))
    return sorted(json.loads(stdout or "{}"))


def render_problems(plugin_type, name):
    rc, stdout, stderr = ansible_doc(["-t", plugin_type, name])
    problems = []
    if rc != 0:
        problems.append("exit status %d" % rc)
    if not stdout.strip():
        problems.append("empty page")
    problems.extend(line for line in stderr.splitlines() if line.strip())
    return problems


def main(argv):
    if len(argv) != 2:
        sys.stderr.write("usage: check_ansible_doc.py NAMESPACE.NAME\n")
        return 2
    collection = argv[1]
    failed = False
    rendered = {}
    for plugin_type in TYPES:
        for name in listed(plugin_type, collection):
            if not name.startswith(collection + "."):
                name = collection + "." + name
            problems = render_problems(plugin_type, name)
            rendered.setdefault(plugin_type, []).append(name)
            for problem in problems:
                failed = True
                print("check_ansible_doc: %s %s: %s" % (plugin_type, name, problem))
    if not rendered.get("module"):
        print("check_ansible_doc: no module of %s found (is ANSIBLE_COLLECTIONS_PATH right?)" % collection)
        return 1
    summary = ", ".join("%d %s" % (len(names), plugin_type) for plugin_type, names in sorted(rendered.items()))
    print("check_ansible_doc: %s (%s)" % ("FAILED" if failed else "every page renders cleanly", summary))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
